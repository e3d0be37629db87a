//! The `demand_majors` table: one row per major of a demand, so that the
//! `major` filter is an indexed lookup.

use sea_orm::entity::prelude::*;

/// One major of one demand, at its position in the demand's list.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "demand_majors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub demand_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub code: Option<String>,
    /// The major's name folded as a `q` search folds text.
    pub name_folded: String,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
