//! `/api/v1/audit-events`: the audit trail (admin and officer read; no route
//! changes or deletes it).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::list::{
    parse_choice, parse_timestamp, text_filter, CanonicalFilters, ListSpec, PageOf, PageQuery, SearchQuery,
};
use super::AppState;
use crate::auth::policy;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::service::audit as service;

/// The list's sort fields and default order.
pub const LIST: ListSpec = ListSpec {
    resource: "audit_events",
    sortable: &["at"],
    default_field: "at",
};
/// The recorded actions.
pub const ACTIONS: &[&str] = &[
    "create",
    "update",
    "delete",
    "transition",
    "evaluate",
    "login",
    "login_failed",
    "refresh",
    "revoke",
    "denied",
];
/// The recorded resource types.
pub const RESOURCE_TYPES: &[&str] = &[
    "enterprise",
    "school",
    "apprenticeship",
    "meeting",
    "action_item",
    "user",
    "token",
];

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
    /// `create`, `update`, `delete`, `transition`, `evaluate`, `login`,
    /// `login_failed`, `refresh`, `revoke` or `denied`.
    #[schema(example = "update")]
    pub action: String,
    /// `enterprise`, `school`, `apprenticeship`, `meeting`, `action_item`, `user` or `token`.
    #[schema(example = "enterprise")]
    pub resource_type: String,
    /// The record's id (for tokens: the user's).
    pub resource_id: Option<String>,
    /// `success` or `failure`.
    #[schema(example = "success")]
    pub outcome: String,
    /// The client address.
    #[schema(example = "203.0.113.7")]
    pub ip: String,
    /// `{"field": {"before": …, "after": …}}`, nested fields by dotted path,
    /// personal data masked; passwords and tokens never appear.
    #[schema(value_type = Option<Object>, example = json!({"membership_status": {"before": "applicant", "after": "member"}}))]
    pub changes: Option<serde_json::Value>,
}

/// Filters of the audit trail. `from` and `to` take the place of `updated_since`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Sort by `at`; `-` first for descending. Default `-at` (newest first); ties are broken by `id`.
    #[param(pattern = "^(-?(at))?$", example = "-at")]
    pub sort: Option<String>,
    /// Only events on this resource type.
    pub resource_type: Option<String>,
    /// Only events on this record.
    pub resource_id: Option<String>,
    /// Only events by this user.
    #[param(value_type = Option<Uuid>)]
    pub actor_user_id: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only events at or after this RFC 3339 time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<String>,
    /// Only events at or before this RFC 3339 time.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<String>,
}

/// The audit filters, checked.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// See [`AuditFilters::resource_type`].
    pub resource_type: Option<String>,
    /// See [`AuditFilters::resource_id`].
    pub resource_id: Option<String>,
    /// See [`AuditFilters::actor_user_id`].
    pub actor_user_id: Option<Uuid>,
    /// See [`AuditFilters::action`].
    pub action: Option<String>,
    /// See [`AuditFilters::from`].
    pub from: Option<DateTime<Utc>>,
    /// See [`AuditFilters::to`].
    pub to: Option<DateTime<Utc>>,
}

impl AuditFilters {
    fn parse(&self) -> Result<(AuditFilter, CanonicalFilters), ApiError> {
        let pick = |name: &str, value: Option<&str>, all: &[&'static str]| {
            parse_choice(
                name,
                value,
                |v| all.iter().find(|a| **a == v).map(|a| a.to_string()),
                all,
            )
        };
        let actor_user_id = self
            .actor_user_id
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| {
                Uuid::parse_str(v).map_err(|_| ApiError::bad_parameter("actor_user_id", "format", "must be a UUID"))
            })
            .transpose()?;
        let filter = AuditFilter {
            resource_type: pick("resource_type", self.resource_type.as_deref(), RESOURCE_TYPES)?,
            resource_id: text_filter("resource_id", self.resource_id.as_deref())?,
            actor_user_id,
            action: pick("action", self.action.as_deref(), ACTIONS)?,
            from: self
                .from
                .as_deref()
                .filter(|t| !t.is_empty())
                .map(|t| parse_timestamp("from", t))
                .transpose()?,
            to: self
                .to
                .as_deref()
                .filter(|t| !t.is_empty())
                .map(|t| parse_timestamp("to", t))
                .transpose()?,
        };
        let canonical = vec![
            ("resource_type", self.resource_type.clone().unwrap_or_default()),
            ("resource_id", self.resource_id.clone().unwrap_or_default()),
            ("actor_user_id", self.actor_user_id.clone().unwrap_or_default()),
            ("action", self.action.clone().unwrap_or_default()),
            ("from", filter.from.map(|t| t.to_rfc3339()).unwrap_or_default()),
            ("to", filter.to.map(|t| t.to_rfc3339()).unwrap_or_default()),
        ];
        Ok((filter, canonical))
    }
}

/// Registers the audit route under the version scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/audit-events").route(web::get().to(list_audit_events)));
}

/// List audit events, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit-events",
    tag = "audit",
    params(PageQuery, AuditFilters),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "One page of audit events", body = PageOf<AuditEvent>),
        (status = 400, description = "A bad parameter or cursor (`q` and `updated_since` do not apply here)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither admin nor officer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
    // Not offered here: answered with a 400 rather than silently ignored.
    search: web::Query<SearchQuery>,
    filters: web::Query<AuditFilters>,
) -> Result<HttpResponse, ApiError> {
    state
        .guard(&caller, "token", None, policy::audit_events(&caller))
        .await?;
    if search.updated_since.is_some() {
        return Err(ApiError::bad_parameter(
            "updated_since",
            "unknown",
            "use `from` and `to` here",
        ));
    }
    if search.q.is_some() {
        return Err(ApiError::bad_parameter(
            "q",
            "unknown",
            "the audit trail has no text search",
        ));
    }
    let (filter, canonical) = filters.parse()?;
    let request = page.request(&LIST, filters.sort.as_deref(), None, &canonical)?;
    Ok(HttpResponse::Ok().json(service::list(&state.db, &filter, &request).await?))
}
