//! Check-ins: `POST` and `GET /api/v1/apprenticeships/{id}/check-ins`
//! (registered in the placements' scope), `GET /api/v1/check-ins/{id}` and
//! the supervisor's `GET /api/v1/check-ins/missing`.

use std::sync::Arc;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{created, IfNoneMatch};
use super::crud::{self, Call};
use super::export::{ExportQuery, Wanted};
use super::query::Query;
use crate::error::{ApiError, Problem};
use crate::model::apprenticeship::ApprenticeshipFields;
use crate::model::check_in::{CheckIn, CheckInCreate, CheckInFields, CheckInFilters, MissingPage, MissingQuery};
use crate::model::list::{PageOf, PageQuery, SearchQuery, SortQuery};
use crate::model::resource::Resource;
use crate::service::check_ins as service;
use crate::service::resource;

/// Registers `/check-ins/missing` and `/check-ins/{id}` (a placement's
/// check-ins are registered in its scope: [`create_check_in`], [`list_check_ins`]).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crud::scope::<CheckInFields>()
            .service(missing_check_ins)
            .service(get_check_in),
    );
}

/// Check in or out at the workplace (the placement's participant).
///
/// Only the participant whose placement it is checks in, while the
/// placement is `active` and today (in `CHANJIAO_TIMEZONE`) lies within its
/// dates: one `in` and, after it, one `out` a day. `on` and `at` are the
/// server's. Checks, in order: a role that makes no check-ins 403 (404 for
/// a placement it does not read); the body 422; another's placement 404;
/// a placement that is not active today 409; a second `in` or `out` the
/// same day, or an `out` before the `in`, 409.
#[utoipa::path(
    tag = "check-ins",
    params(("id" = Uuid, Path, description = "The placement's id")),
    request_body(content = CheckInCreate),
    responses(
        (status = 201, description = "The check-in", body = CheckIn, headers(
            ("ETag" = String, description = "The check-in's version in double quotes, `\"1\"`"),
            ("Location" = String, description = "The check-in's address (`/api/v1/check-ins/{id}`)"),
        )),
        (status = 409, description = "The placement is not active today, or this check-in is made already, or an `out` comes before the `in`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/check-ins")]
pub async fn create_check_in(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let check_in = service::create(&state.db, &caller, id.into_inner(), body.bytes()).await?;
    Ok(created(CheckInFields::COLLECTION, check_in.id, check_in.version).json(check_in))
}

/// A placement's check-ins, newest first.
///
/// Whoever reads the placement reads its check-ins: an admin and an officer
/// all, a school user its own school's, an enterprise user those of the
/// placements it hosts, the participant its own; a viewer none (403). The
/// coordinates show only to the participant, the owning school and admins
/// (null to the rest). `from` and `to` are inclusive days. A list like the
/// others (`limit`, `cursor`, `total`, CSV/XLSX exports).
#[utoipa::path(
    tag = "check-ins",
    params(("id" = Uuid, Path, description = "The placement's id"), PageQuery, SortQuery<crate::model::check_in::CheckInSort>, CheckInFilters, crate::model::list::SyncQuery, ExportQuery),
    responses((status = 200, description = "One page of check-ins", body = PageOf<CheckIn>))
)]
#[get("/{id}/check-ins")]
// Extractors, one per part of the request the list reads.
#[allow(clippy::too_many_arguments)]
pub async fn list_check_ins(
    req: HttpRequest,
    call: Call,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
    search: Query<SearchQuery>,
    sort: Query<SortQuery<crate::model::check_in::CheckInSort>>,
    filters: Query<CheckInFilters>,
    export: Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    resource::may_read::<CheckInFields>(&call.caller)?;
    let placement = id.into_inner();
    resource::get::<ApprenticeshipFields>(&call.state.db, &call.caller, placement).await?;
    let mut filters = filters.0;
    filters.apprenticeship_id = Some(placement);
    crud::list_filtered::<CheckInFields>(&req, call, &page, &search, sort.order(), filters, &export).await
}

/// Read a check-in.
///
/// Whoever reads its placement reads it (the coordinates as the list shows them).
#[utoipa::path(
    tag = "check-ins",
    params(("id" = Uuid, Path, description = "The check-in's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The check-in", body = CheckIn, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"1\"`"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    )
)]
#[get("/{id}")]
pub async fn get_check_in(
    call: Call,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    crud::get::<CheckInFields>(call, id.into_inner(), if_none_match).await
}

/// The placements whose participant has not checked in on a day.
///
/// The active student-kind placements in your scope whose dates include
/// `on` (default today in `CHANJIAO_TIMEZONE`) and that have no `in` on
/// it, by placement: a supervisor's morning view. Admins and officers read
/// every placement's; a school user its own school's, an enterprise user
/// those it hosts (another `school_id` or `enterprise_id` is a 403 naming
/// it); a viewer and a participant none (403). A list like the others
/// (`limit`, `cursor`, `total`, CSV/XLSX exports); a walk begun before
/// midnight stays on its day.
#[utoipa::path(
    tag = "check-ins",
    params(PageQuery, MissingQuery, ExportQuery),
    responses((status = 200, description = "One page of placements without an `in`", body = MissingPage))
)]
#[get("/missing")]
pub async fn missing_check_ins(
    req: HttpRequest,
    Call { state, caller }: Call,
    page: Query<PageQuery>,
    query: Query<MissingQuery>,
    export: Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::auth::policy::missing_check_ins(&caller, query.school_id, query.enterprise_id)?;
    let wanted = Wanted::of(&req, &export)?;
    let request = service::missing_request(&page, &query)?;
    let query = Arc::new(query.0);
    wanted
        .answer("check-ins-missing", request, move |request| {
            let (state, caller, query) = (state.clone(), caller.clone(), query.clone());
            async move { service::missing(&state.db, &caller, &query, request).await }
        })
        .await
}
