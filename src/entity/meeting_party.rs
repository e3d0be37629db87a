//! The `meeting_parties` table: each enterprise and school a meeting names
//! (host, attendee, agenda item, action-item owner), once per meeting, so
//! that the `enterprise_id` / `school_id` filters are index lookups and an
//! organisation a meeting names cannot be deleted.

use sea_orm::entity::prelude::*;

/// One organisation one meeting names: exactly one of the two ids is set.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_parties")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub meeting_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub enterprise_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
