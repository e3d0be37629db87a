//! The `webhook_deliveries` table: each change queued for each webhook, and
//! how its delivery went.

use sea_orm::entity::prelude::*;

use crate::domain::vocab::{ChangeAction, DeliveryStatus, FeedType};

/// One delivery.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// The event id the receiver deduplicates by.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The change delivered.
    pub position: i64,
    pub change_at: DateTimeUtc,
    pub resource_type: FeedType,
    pub resource_id: Uuid,
    pub action: ChangeAction,
    pub version: Option<i32>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTimeUtc>,
    /// When it is due (while pending); pushed past an attempt while it runs.
    pub next_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
