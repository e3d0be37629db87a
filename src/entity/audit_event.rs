//! The `audit_events` table: append-only.

use sea_orm::entity::prelude::*;

use crate::domain::vocab::{Action, Outcome, ResourceType};

/// One audit event.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<Uuid>,
    pub actor_username: Option<String>,
    pub action: Action,
    pub resource_type: ResourceType,
    pub resource_id: Option<String>,
    pub outcome: Outcome,
    pub ip: String,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub changes: Option<Json>,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
