//! Journals (实习周记): `POST` and `GET /api/v1/apprenticeships/{id}/journals`
//! (registered in the placements' scope), and `/api/v1/journals`: the list,
//! one journal, its change and its reviews.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{created, with_etag, IfMatch, IfNoneMatch};
use super::crud::{self, Call};
use super::export::ExportQuery;
use super::query::Query;
use crate::error::{ApiError, Problem};
use crate::model::journal::{
    Journal, JournalCreate, JournalFields, JournalFilters, JournalPatch, JournalSort, ReviewCreate,
};
use crate::model::list::{PageOf, PageQuery, SearchQuery, SortQuery, SyncQuery};
use crate::model::resource::Resource;
use crate::service::journals as service;
use crate::service::resource;

/// Registers `/journals` (a placement's journals are registered in its
/// scope: [`create_journal`], [`list_placement_journals`]).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crud::scope::<JournalFields>()
            .service(list_journals)
            .service(get_journal)
            .service(update_journal)
            .service(review_journal),
    );
}

/// Write a week's journal (the placement's participant).
///
/// Only the participant whose placement it is writes, while the placement
/// is `active` or `suspended`: one journal a week, `week_of` that week's
/// Monday, within the placement's dates and not after this week's. It starts
/// `submitted`. Checks, in order: a role that writes no journals 403 (404
/// for a placement it does not read); the body 422 (a `week_of` that is not
/// a Monday or lies in a later week among it); another's placement 404; a
/// placement that is not active or suspended 409; a week outside its dates
/// 422; a second journal of the week 409 naming `week_of`.
#[utoipa::path(
    tag = "journals",
    params(("id" = Uuid, Path, description = "The placement's id")),
    request_body(content = JournalCreate),
    responses(
        (status = 201, description = "The journal", body = Journal, headers(
            ("ETag" = String, description = "The journal's version in double quotes, `\"1\"`"),
            ("Location" = String, description = "The journal's address (`/api/v1/journals/{id}`)"),
        )),
        (status = 409, description = "The placement is not active or suspended, or the week has its journal", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/journals")]
pub async fn create_journal(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let journal = service::create(&state.db, &caller, id.into_inner(), body.bytes()).await?;
    Ok(created(JournalFields::COLLECTION, journal.id, journal.version).json(journal))
}

/// A placement's journals.
///
/// The list of `GET /journals` narrowed to the placement (404 for a
/// placement you do not read; a viewer 403).
#[utoipa::path(
    tag = "journals",
    params(("id" = Uuid, Path, description = "The placement's id"), PageQuery, SortQuery<JournalSort>, JournalFilters, SyncQuery, ExportQuery),
    responses((status = 200, description = "One page of journals", body = PageOf<Journal>))
)]
#[get("/{id}/journals")]
// Extractors, one per part of the request the list reads.
#[allow(clippy::too_many_arguments)]
pub async fn list_placement_journals(
    req: HttpRequest,
    call: Call,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
    search: Query<SearchQuery>,
    sort: Query<SortQuery<JournalSort>>,
    filters: Query<JournalFilters>,
    export: Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    resource::may_read::<JournalFields>(&call.caller)?;
    let placement = id.into_inner();
    resource::get::<crate::model::apprenticeship::ApprenticeshipFields>(&call.state.db, &call.caller, placement)
        .await?;
    let mut filters = filters.0;
    filters.apprenticeship_id = Some(placement);
    crud::list_filtered::<JournalFields>(&req, call, &page, &search, sort.order(), filters, &export).await
}

/// List journals.
///
/// Whoever reads a placement reads its journals: an admin and an officer
/// all, a school user its own school's placements', an enterprise user
/// those of the placements it hosts, a participant its own; a viewer none
/// (403). Filters combine with AND; `week_from` and `week_to` are inclusive.
/// A list like the others (`limit`, `cursor`, `total`, CSV/XLSX exports).
#[utoipa::path(
    tag = "journals",
    params(PageQuery, SortQuery<JournalSort>, JournalFilters, SyncQuery, ExportQuery),
    responses((status = 200, description = "One page of journals", body = PageOf<Journal>))
)]
#[get("")]
pub async fn list_journals(
    req: HttpRequest,
    call: Call,
    page: Query<PageQuery>,
    search: Query<SearchQuery>,
    sort: Query<SortQuery<JournalSort>>,
    filters: Query<JournalFilters>,
    export: Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    crud::list_filtered::<JournalFields>(&req, call, &page, &search, sort.order(), filters.0, &export).await
}

/// Read a journal, with the reviews of its current submission.
///
/// Whoever reads its placement reads it.
#[utoipa::path(
    tag = "journals",
    params(("id" = Uuid, Path, description = "The journal's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The journal", body = Journal, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    )
)]
#[get("/{id}")]
pub async fn get_journal(
    call: Call,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    crud::get::<JournalFields>(call, id.into_inner(), if_none_match).await
}

/// Change a journal (its participant; JSON merge patch).
///
/// `content`, `hours_worked` and `night_hours`, until the journal is
/// approved (then 409). A change of any of them submits the journal again
/// and clears both sides' reviews; the same values again change nothing.
/// Send `If-Match` with the ETag you read to change only what you saw (412
/// if it changed since). Another person's journal is a 404; staff get 403.
#[utoipa::path(
    tag = "journals",
    params(("id" = Uuid, Path, description = "The journal's id"), IfMatch),
    request_body(content = JournalPatch),
    responses(
        (status = 200, description = "The journal", body = Journal, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "The journal is approved (final)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/{id}")]
pub async fn update_journal(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<JournalFields>(call, id.into_inner(), if_match, body).await
}

/// Review a journal for one side: approve it or return it.
///
/// The host enterprise's users review for the `enterprise` side, the owning
/// school's for the `school` side; an admin names `side` (422 without). One
/// review per side and submission (409); only a `submitted` journal is
/// reviewed (409). `returned` (which needs a `comment`) makes the journal
/// `returned` for its participant to change; both sides `approved` make it
/// `approved`, which is final (a placement without a school: its host
/// enterprise's approval). Checks, in order: a role that reviews none
/// (officer, viewer, participant) 403, or 404 for a journal it does not
/// read; the body 422; a journal you do not read 404; a stale `If-Match`
/// 412; the other side's review 403 naming `side`; the status and the
/// side's review 409. Audited as `review`.
#[utoipa::path(
    tag = "journals",
    params(("id" = Uuid, Path, description = "The journal's id"), IfMatch),
    request_body(content = ReviewCreate),
    responses(
        (status = 200, description = "The journal with the review", body = Journal, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "The journal is not submitted, or this side has reviewed this submission", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/reviews")]
pub async fn review_journal(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let journal = service::review(&state.db, &caller, id.into_inner(), if_match.0, body.bytes()).await?;
    Ok(with_etag(HttpResponse::Ok(), journal.version).json(journal))
}
