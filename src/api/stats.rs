//! `/api/v1/stats`: the statistics overview.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::caller::Caller;
use super::query::Query;
use super::AppState;
use crate::domain::vocab::ResourceType;
use crate::error::ApiError;
use crate::model::stats::{Overview, OverviewQuery, TeacherPractice, TeacherPracticeQuery};
use crate::service::stats as service;

/// Registers the statistics routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/stats")
            .app_data(ResourceType::Token)
            .service(stats_overview)
            .service(teacher_practice),
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

/// Teachers' enterprise practice (教师企业实践): 180 days in five years.
///
/// Every teacher of your scope who has a `teacher_practice` placement, with
/// the calendar days of practice within the five years ending on `on`
/// (`on` − 5 years + 1 day … `on`; today in `CHANJIAO_TIMEZONE` when left
/// out): each day once however many placements hold it, from placements
/// `active` (to `end_date`, or to `on` without one), `completed` or
/// `transferred` (to `end_date`; without one, `start_date` only). A teacher is known by the
/// resident ID when a placement gives it, else by school and name. Fewest
/// days first, then by name; no paging. Admins and officers read every
/// school's teachers (officers see the resident ID masked); a school user its
/// own school's (another `school_id` → 403); an enterprise user or a viewer → 403.
#[utoipa::path(
    tag = "stats",
    params(TeacherPracticeQuery),
    responses((status = 200, description = "The teachers, fewest days first", body = TeacherPractice))
)]
#[get("/teacher-practice")]
pub async fn teacher_practice(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<TeacherPracticeQuery>,
) -> Result<HttpResponse, ApiError> {
    let school = crate::auth::policy::teacher_practice(&caller, query.school_id)?;
    let practice = crate::service::practice::teacher_practice(&state.db, &caller, school, &query).await?;
    Ok(HttpResponse::Ok().json(practice))
}
