//! The `change_log` table: the change feed's outbox, written by triggers in
//! the transaction of every write of a followed record (see its migration).

use sea_orm::entity::prelude::*;

use crate::domain::vocab::{ChangeAction, FeedType};

/// One change of one record.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    /// Grows in the order the changes committed.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i64,
    pub at: DateTimeUtc,
    pub resource_type: FeedType,
    pub resource_id: Uuid,
    pub action: ChangeAction,
    pub version: Option<i32>,
    /// The enterprise that scopes who reads it (a placement's host, a demand's enterprise).
    pub enterprise_id: Option<Uuid>,
    /// The school that scopes who reads it (a placement's school).
    pub school_id: Option<Uuid>,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
