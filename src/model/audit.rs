//! The audit trail: who did what to which record, from where, and what changed.

use chanjiao_derive::{Filters, SortKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::export::{Column, Columns};
use super::list::parse_timestamp;
use crate::domain::vocab::{Action, Outcome, ResourceType};
use crate::error::ApiError;

/// One audit event: a write, transition, login, failed login or refused request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Server-made id.
    pub id: Uuid,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The acting user (none for a refused anonymous request).
    pub actor_user_id: Option<Uuid>,
    /// The acting user's username; for a failed login, the username tried.
    pub actor_username: Option<String>,
    /// What happened.
    pub action: Action,
    /// The kind of record concerned (`token` for logins and what is no record).
    pub resource_type: ResourceType,
    /// The record's id (for tokens: the user's).
    pub resource_id: Option<String>,
    /// Whether it was done.
    pub outcome: Outcome,
    /// The client address.
    #[schema(example = "203.0.113.7")]
    pub ip: String,
    /// `{"field": {"before": …, "after": …}}`, nested fields by dotted path,
    /// personal data masked; passwords and tokens never appear.
    #[schema(value_type = Option<Object>, example = json!({"membership_status": {"before": "applicant", "after": "member"}}))]
    pub changes: Option<serde_json::Value>,
}

/// The audit trail sorts by time only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "audit_events", default = At)]
pub enum AuditSort {
    /// `at`
    At,
}

/// Filters of the audit trail; they combine with AND. `from` and `to` take
/// the place of `updated_since`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Only events on this kind of record.
    pub resource_type: Option<ResourceType>,
    /// Only events on this record.
    pub resource_id: Option<String>,
    /// Only events by this user.
    pub actor_user_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<Action>,
    /// Only events at or after this RFC 3339 time.
    #[param(value_type = Option<String>, format = DateTime)]
    #[filter(custom)]
    pub from: Option<String>,
    /// Only events at or before this RFC 3339 time.
    #[param(value_type = Option<String>, format = DateTime)]
    #[filter(custom)]
    pub to: Option<String>,
}

/// A time range, each end inclusive and optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// At or after this time.
    pub from: Option<DateTime<Utc>>,
    /// At or before this time.
    pub to: Option<DateTime<Utc>>,
}

impl AuditFilters {
    /// The time range `from`..=`to`, checked.
    pub fn range(&self) -> Result<TimeRange, ApiError> {
        Ok(TimeRange {
            from: self.from.as_deref().map(|t| parse_timestamp("from", t)).transpose()?,
            to: self.to.as_deref().map(|t| parse_timestamp("to", t)).transpose()?,
        })
    }
}

impl Columns for AuditEvent {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("时间 at", "at"),
        Column::text("操作人 actor_user_id", "actor_user_id"),
        Column::text("操作人用户名 actor_username", "actor_username"),
        Column::text("操作 action", "action"),
        Column::text("对象类型 resource_type", "resource_type"),
        Column::text("对象 resource_id", "resource_id"),
        Column::text("结果 outcome", "outcome"),
        Column::text("地址 ip", "ip"),
        Column::json("变更 changes", "changes"),
    ];
}
