//! `/api/v1/enterprises`: the enterprises of the county directory.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery, CREATE_TEXT, DELETE_TEXT, GET_TEXT};
use super::import::{import_text, ImportFile, ImportUpload};
use super::query::Query;
use crate::error::{ApiError, Problem};
use crate::model::enterprise::{Enterprise, EnterpriseCreate, EnterpriseFields, EnterprisePatch};
use crate::model::import::{ImportQuery, ImportReport};
use crate::model::list::PageOf;

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        crud::scope::<EnterpriseFields>()
            .service(list_enterprises)
            .service(create_enterprise)
            // Before `/{id}`, which would take `/imports` for an id.
            .service(import_enterprises)
            .service(get_enterprise)
            .service(update_enterprise)
            .service(delete_enterprise),
    );
}

/// List enterprises.
///
/// Filters combine with AND. `q` searches the name and short name.
#[utoipa::path(tag = "enterprises", params(ListParams<EnterpriseFields>),
    responses((status = 200, description = "One page of enterprises", body = PageOf<Enterprise>)))]
#[get("")]
pub async fn list_enterprises(call: Call, query: ListQuery<EnterpriseFields>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

/// Create an enterprise.
#[utoipa::path(tag = "enterprises", description = CREATE_TEXT, request_body = EnterpriseCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = Enterprise,
            headers(("Location" = String, description = "The new record's path"), ("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "Another enterprise has this credit code", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_enterprise(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    crud::create::<EnterpriseFields>(call, body).await
}

// Import enterprises from a spreadsheet. Not a doc comment: the document gives an
// import its description only, no summary.
#[utoipa::path(tag = "enterprises", description = import_text("enterprises"), params(ImportQuery),
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
pub async fn import_enterprises(
    call: Call,
    query: Query<ImportQuery>,
    file: ImportFile,
) -> Result<HttpResponse, ApiError> {
    crud::import::<EnterpriseFields>(call, query, file).await
}

/// Read an enterprise.
#[utoipa::path(tag = "enterprises", description = GET_TEXT, params(("id" = Uuid, Path, description = "The enterprise's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The enterprise", body = Enterprise, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    ))]
#[get("/{id}")]
pub async fn get_enterprise(
    call: Call,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    crud::get::<EnterpriseFields>(call, *id, if_none_match).await
}

/// Change an enterprise (JSON merge patch).
///
/// `version` grows only when something changed. An enterprise user may change its own enterprise, but not its `membership_status` or `credit_code` (403).
#[utoipa::path(tag = "enterprises", params(("id" = Uuid, Path, description = "The enterprise's id"), IfMatch),
    request_body(content((EnterprisePatch = "application/merge-patch+json"), (EnterprisePatch = "application/json"))),
    responses(
        (status = 200, description = "The changed record", body = Enterprise, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "Another enterprise has this credit code", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update_enterprise(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<EnterpriseFields>(call, *id, if_match, body).await
}

/// Delete an enterprise.
#[utoipa::path(tag = "enterprises", description = DELETE_TEXT, params(("id" = Uuid, Path, description = "The enterprise's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
    ))]
#[delete("/{id}")]
pub async fn delete_enterprise(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    crud::delete::<EnterpriseFields>(call, *id, if_match).await
}
