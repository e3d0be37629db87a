//! The `webhook_states` table: what only the service sees of a webhook.

use sea_orm::entity::prelude::*;

/// A webhook's secrets and its progress through the feed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_states")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub webhook_id: Uuid,
    /// The signing secret.
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    /// The secret before the last rotation, which signs too until it expires.
    #[sea_orm(column_type = "Text", nullable)]
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// The feed position up to which its deliveries have been queued.
    pub position: i64,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
