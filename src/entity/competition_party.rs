//! The `competition_parties` table: each enterprise, school and placement a
//! competition names (host, entry), once per competition, so that the
//! `enterprise_id` / `school_id` filters are index lookups and a record a
//! competition names cannot be deleted.

use sea_orm::entity::prelude::*;

/// One record one competition names: exactly one of the three ids is set.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "competition_parties")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub competition_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub enterprise_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub apprenticeship_id: Option<Uuid>,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
