//! `/api/v1/audit-events`: the audit trail (admin and officer read; no route
//! changes or deletes it).

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::caller::Caller;
use super::query::Query;
use super::AppState;
use crate::auth::policy;
use crate::domain::vocab::ResourceType;
use crate::error::ApiError;
use crate::model::audit::{AuditEvent, AuditFilters, AuditSort};
use crate::model::list::{ListRequest, PageOf, PageQuery, SearchQuery, SortQuery};
use crate::service::audit as service;

/// Registers the audit route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/audit-events")
            .app_data(ResourceType::Token)
            .service(list_audit_events),
    );
}

/// List audit events, newest first.
///
/// `q` and `updated_since` do not apply here (400): `from` and `to` narrow by time.
#[utoipa::path(
    tag = "audit",
    params(PageQuery, SortQuery<AuditSort>, AuditFilters, crate::api::export::ExportQuery),
    responses((status = 200, description = "One page of audit events", body = PageOf<AuditEvent>))
)]
#[get("")]
// Extractors, one per part of the request the list reads.
#[allow(clippy::too_many_arguments)]
pub async fn list_audit_events(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    page: Query<PageQuery>,
    // Not offered here: answered with a 400 rather than silently ignored.
    search: Query<SearchQuery>,
    sort: Query<SortQuery<AuditSort>>,
    filters: Query<AuditFilters>,
    export: Query<crate::api::export::ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    policy::audit_events(&caller)?;
    if search.updated_since.is_some() {
        return Err(ApiError::bad_parameter(
            "updated_since",
            "unknown",
            "use `from` and `to` here",
        ));
    }
    search.refuse_q("the audit trail has no text search")?;
    let wanted = crate::api::export::Wanted::of(&req, &export)?;
    let request = ListRequest::new(&page, None, sort.order(), &*filters)?;
    let filters = std::sync::Arc::new(filters.0);
    wanted
        .answer("audit-events", request, move |request| {
            let (state, filters) = (state.clone(), filters.clone());
            async move { service::list(&state.db, &filters, &request).await }
        })
        .await
}
