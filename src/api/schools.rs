//! `/api/v1/schools`: the schools of the county directory.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery, CREATE_TEXT, DELETE_TEXT, GET_TEXT};
use super::import::{import_text, ImportFile, ImportUpload};
use super::query::Query;
use crate::error::{ApiError, Problem};
use crate::model::import::{ImportQuery, ImportReport};
use crate::model::list::PageOf;
use crate::model::school::{School, SchoolCreate, SchoolFields, SchoolPatch};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        crud::scope::<SchoolFields>()
            .service(list_schools)
            .service(create_school)
            // Before `/{id}`, which would take `/imports` for an id.
            .service(import_schools)
            .service(get_school)
            .service(update_school)
            .service(delete_school),
    );
}

/// List schools.
///
/// Filters combine with AND. `q` searches the name and short name; `major` matches a major's code or name.
#[utoipa::path(tag = "schools", params(ListParams<SchoolFields>),
    responses((status = 200, description = "One page of schools", body = PageOf<School>)))]
#[get("")]
pub async fn list_schools(call: Call, query: ListQuery<SchoolFields>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

/// Create a school.
#[utoipa::path(tag = "schools", description = CREATE_TEXT, request_body = SchoolCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = School,
            headers(("Location" = String, description = "The new record's path"), ("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "Another school has this code", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_school(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    crud::create::<SchoolFields>(call, body).await
}

// Import schools from a spreadsheet. Not a doc comment: the document gives an
// import its description only, no summary.
#[utoipa::path(tag = "schools", description = import_text("schools"), params(ImportQuery),
    request_body(description = "The file", content(
        (String = "text/csv"),
        (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "A dry run's report: what an import would do", body = ImportReport),
        (status = 201, description = "Imported: the records created, and the bad rows left out (with `partial=true`)", body = ImportReport),
        (status = 409, description = "A unique value was taken, or a referenced record deleted, while the import ran (without `partial=true`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file cannot be read (`errors` names `file`), or rows are bad and nothing was imported: `errors` lists the first 1,000 problems, `error_counts` counts them all per column and code", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "As many imports as the service runs at once are running; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/imports")]
pub async fn import_schools(call: Call, query: Query<ImportQuery>, file: ImportFile) -> Result<HttpResponse, ApiError> {
    crud::import::<SchoolFields>(call, query, file).await
}

/// Read a school.
#[utoipa::path(tag = "schools", description = GET_TEXT, params(("id" = Uuid, Path, description = "The school's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The school", body = School, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    ))]
#[get("/{id}")]
pub async fn get_school(call: Call, id: web::Path<Uuid>, if_none_match: IfNoneMatch) -> Result<HttpResponse, ApiError> {
    crud::get::<SchoolFields>(call, *id, if_none_match).await
}

/// Change a school (JSON merge patch).
///
/// `version` grows only when something changed. A school user may change its own school, but not its `membership_status` or `code` (403).
#[utoipa::path(tag = "schools", params(("id" = Uuid, Path, description = "The school's id"), IfMatch),
    request_body(content((SchoolPatch = "application/merge-patch+json"), (SchoolPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed record", body = School, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "Another school has this code", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update_school(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<SchoolFields>(call, *id, if_match, body).await
}

/// Delete a school.
#[utoipa::path(tag = "schools", description = DELETE_TEXT, params(("id" = Uuid, Path, description = "The school's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
    ))]
#[delete("/{id}")]
pub async fn delete_school(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    crud::delete::<SchoolFields>(call, *id, if_match).await
}
