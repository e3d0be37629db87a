//! `/api/v1/stats`: the statistics overview.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::caller::Caller;
use super::query::Query;
use super::AppState;
use crate::domain::vocab::ResourceType;
use crate::error::ApiError;
use crate::model::stats::{Overview, OverviewQuery};
use crate::service::stats as service;

/// Registers the statistics routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/stats")
            .app_data(ResourceType::Token)
            .service(stats_overview),
    );
}

/// The alliance at a glance: the directory by membership status, placements
/// by status and kind, the ten enterprises hosting the most active
/// placements, meetings held, action items open, done and overdue.
///
/// Every role reads it (counts only). `year` (1900–2100; another value →
/// 400) narrows placements by `start_date`, meetings by `held_on` and action
/// items by their meeting's `held_on`. Every status and kind key is present,
/// with 0 where there are none.
#[utoipa::path(
    tag = "stats",
    params(OverviewQuery),
    responses((status = 200, description = "The overview", body = Overview))
)]
#[get("/overview")]
pub async fn stats_overview(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<OverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::auth::policy::stats(&caller)?;
    Ok(HttpResponse::Ok().json(service::overview(&state.db, query.year).await?))
}
