//! The `action_items` table: every meeting's action items as rows, kept in
//! step with the meeting's `action_items` column in the same transaction,
//! for the cross-meeting list (`GET /action-items`) and the statistics.

use sea_orm::entity::prelude::*;

use crate::domain::vocab::ActionItemStatus;
use crate::model::field::Date;

/// One action item of one meeting, at its position, with its meeting's day.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "action_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub owner_enterprise_id: Option<Uuid>,
    pub owner_school_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub due_on: Option<Date>,
    pub status: ActionItemStatus,
    pub done_on: Option<Date>,
    pub held_on: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
