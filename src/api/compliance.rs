//! `/api/v1/compliance`: placements against the internship rules: the
//! findings on a day, their summary, and the county's settings of the rules.

use std::sync::Arc;

use actix_web::{get, put, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::JsonBody;
use super::conditional::{with_etag, IfMatch, IfNoneMatch};
use super::crud::Call;
use super::export::{ExportQuery, Wanted};
use super::query::Query;
use crate::domain::vocab::ResourceType;
use crate::error::ApiError;
use crate::model::compliance::{
    ComplianceQuery, ComplianceSettings, ComplianceSettingsValues, ComplianceSummary, Finding, FindingFilters,
};
use crate::model::list::{PageOf, PageQuery};
use crate::service::compliance as service;

/// Registers the compliance routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/compliance")
            .app_data(ResourceType::ComplianceSettings)
            .service(list_findings)
            .service(summary)
            .service(get_settings)
            .service(replace_settings),
    );
}

/// The county's settings of the internship rules.
///
/// Every role reads them, with their `ETag`; with `If-None-Match` set to
/// that ETag, 304 without a body.
#[utoipa::path(
    tag = "compliance",
    params(IfNoneMatch),
    responses(
        (status = 200, description = "The settings", body = ComplianceSettings,
            headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    )
)]
#[get("/settings")]
pub async fn get_settings(call: Call, if_none_match: IfNoneMatch) -> Result<HttpResponse, ApiError> {
    let settings = service::settings(&call.state.db, &call.caller).await?;
    Ok(if_none_match
        .not_modified(settings.version)
        .unwrap_or_else(|| with_etag(HttpResponse::Ok(), settings.version).json(settings)))
}

/// Replace the settings (admin).
///
/// Give every value (`minimum_monthly_fen` may be left out: none); each is
/// checked at once (422 naming each: percentages 1–100, days 1–365). Send
/// `If-Match` with the ETag you read to change only what you saw (412 if it
/// changed since). The findings follow at once. Audited, and in the change
/// feed as `compliance_settings`; the same values again change nothing.
#[utoipa::path(
    tag = "compliance",
    params(IfMatch),
    request_body = ComplianceSettingsValues,
    responses(
        (status = 200, description = "The settings now", body = ComplianceSettings,
            headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
    )
)]
#[put("/settings")]
pub async fn replace_settings(call: Call, if_match: IfMatch, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let settings = service::replace_settings(&call.state.db, &call.caller, if_match.0, body.bytes()).await?;
    Ok(with_etag(HttpResponse::Ok(), settings.version).json(settings))
}

/// The findings: placements, enterprises and posts against the rules on a day.
///
/// Each finding names its `rule`, its `severity`, the enterprise, the
/// school and the placement it is about (or the post), the `facts` the rule
/// compared and a `detail`. The records are judged on `on` (default today
/// in `CHANJIAO_TIMEZONE`) as they are now: `on` moves the calendar, not
/// the records' statuses. A list like the others (`limit`, `cursor`,
/// `total`, CSV/XLSX exports), in one fixed order: breaches first, then by
/// `rule`, `enterprise_id`, `apprenticeship_id`. Admins and officers read
/// every finding; a school user those about its placements and about the
/// enterprises and posts hosting its active students; an enterprise user
/// its own; a viewer only the summary (403 here).
#[utoipa::path(
    tag = "compliance",
    params(PageQuery, ComplianceQuery, FindingFilters, ExportQuery),
    responses((status = 200, description = "One page of findings", body = PageOf<Finding>))
)]
#[get("/findings")]
// Extractors, one per part of the request the list reads.
#[allow(clippy::too_many_arguments)]
pub async fn list_findings(
    req: HttpRequest,
    call: Call,
    page: Query<PageQuery>,
    query: Query<ComplianceQuery>,
    filters: Query<FindingFilters>,
    export: Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::auth::policy::compliance(&call.caller, true, query.school_id, query.enterprise_id)?;
    let wanted = Wanted::of(&req, &export)?;
    let request = service::findings_request(&page, &query, &filters)?;
    let (query, filters) = (Arc::new(query.0), Arc::new(filters.0));
    let Call { state, caller } = call;
    wanted
        .answer("compliance-findings", request, move |request| {
            let (state, caller, query, filters) = (state.clone(), caller.clone(), query.clone(), filters.clone());
            async move { service::findings(&state.db, &caller, &query, &filters, request).await }
        })
        .await
}

/// How many findings of each rule on a day, in your scope.
///
/// `{"on", "breaches", "warnings", "by_rule"}` with every rule (0 where
/// none): the findings' `total` in the same scope. Every role but a
/// participant reads it; a viewer reads this and nothing finer.
#[utoipa::path(
    tag = "compliance",
    params(ComplianceQuery),
    responses((status = 200, description = "The summary", body = ComplianceSummary))
)]
#[get("/summary")]
pub async fn summary(call: Call, query: Query<ComplianceQuery>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(service::summary(&call.state.db, &call.caller, &query).await?))
}
