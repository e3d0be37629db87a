//! `/api/v1/compliance`: the internship rules' settings.

use actix_web::{get, put, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::JsonBody;
use super::conditional::{with_etag, IfMatch, IfNoneMatch};
use super::crud::Call;
use crate::domain::vocab::ResourceType;
use crate::error::ApiError;
use crate::model::compliance::{ComplianceSettings, ComplianceSettingsValues};
use crate::service::compliance as service;

/// Registers the compliance routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/compliance")
            .app_data(ResourceType::ComplianceSettings)
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
