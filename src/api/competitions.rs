//! `/api/v1/competitions`: skills competitions (技能大比武) and their entries.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery, CREATE_TEXT, DELETE_TEXT, GET_TEXT};
use crate::error::{ApiError, Problem};
use crate::model::competition::{Competition, CompetitionCreate, CompetitionFields, CompetitionPatch};
use crate::model::list::PageOf;

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        crud::scope::<CompetitionFields>()
            .service(list_competitions)
            .service(create_competition)
            .service(get_competition)
            .service(update_competition)
            .service(delete_competition),
    );
}

/// List skills competitions.
///
/// Every role reads them. Filters combine with AND; `q` searches the name and the skill; `enterprise_id` / `school_id` match a competition the organisation hosted or has an entry in.
#[utoipa::path(tag = "competitions", params(ListParams<CompetitionFields>),
    responses((status = 200, description = "One page of competitions", body = PageOf<Competition>)))]
#[get("")]
pub async fn list_competitions(call: Call, query: ListQuery<CompetitionFields>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

/// Create a competition (admin and officer). Every enterprise, school, placement and base it names must exist (422 naming the field, e.g. `entries[2].school_id`); its entries get server-made ids. Entries carry names only: an ID number or a phone is an unknown field (422).
#[utoipa::path(tag = "competitions", description = CREATE_TEXT, request_body = CompetitionCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = Competition,
            headers(("Location" = String, description = "The new record's path"), ("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "The competition conflicts with another record", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_competition(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    crud::create::<CompetitionFields>(call, body).await
}

/// Read a competition.
#[utoipa::path(tag = "competitions", description = GET_TEXT, params(("id" = Uuid, Path, description = "The competition's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The competition", body = Competition, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    ))]
#[get("/{id}")]
pub async fn get_competition(
    call: Call,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    crud::get::<CompetitionFields>(call, *id, if_none_match).await
}

/// Change a competition (JSON merge patch; admin and officer).
///
/// `entries` sent replaces the list: an entry carrying its `id` keeps it (and its fields are those sent), an entry without one is created, an entry left out is deleted. `version` grows only when something changed.
#[utoipa::path(tag = "competitions", params(("id" = Uuid, Path, description = "The competition's id"), IfMatch),
    request_body(content((CompetitionPatch = "application/merge-patch+json"), (CompetitionPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed record", body = Competition, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "The competition conflicts with another record", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update_competition(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<CompetitionFields>(call, *id, if_match, body).await
}

/// Delete a competition with its entries (admin and officer).
#[utoipa::path(tag = "competitions", description = DELETE_TEXT, params(("id" = Uuid, Path, description = "The competition's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
    ))]
#[delete("/{id}")]
pub async fn delete_competition(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    crud::delete::<CompetitionFields>(call, *id, if_match).await
}
