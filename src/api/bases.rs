//! `/api/v1/bases`: the alliance's training bases (产教融合基地, 厂中校, 校中厂).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery, CREATE_TEXT, DELETE_TEXT, GET_TEXT};
use crate::error::{ApiError, Problem};
use crate::model::base::{Base, BaseCreate, BaseFields, BasePatch};
use crate::model::list::PageOf;

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        crud::scope::<BaseFields>()
            .service(list_bases)
            .service(create_base)
            .service(get_base)
            .service(update_base)
            .service(delete_base),
    );
}

/// List training bases.
///
/// Every role reads them. Filters combine with AND; `q` searches the name; `enterprise_id` is the host, `school_id` the partner school.
#[utoipa::path(tag = "bases", params(ListParams<BaseFields>),
    responses((status = 200, description = "One page of training bases", body = PageOf<Base>)))]
#[get("")]
pub async fn list_bases(call: Call, query: ListQuery<BaseFields>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

/// Create a training base (admin and officer). A host `enterprise_id` is required unless `kind` is `school_factory`; a partner `school_id` for `factory_school` and `school_factory`.
#[utoipa::path(tag = "bases", description = CREATE_TEXT, request_body = BaseCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = Base,
            headers(("Location" = String, description = "The new record's path"), ("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "Other records still name the base", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_base(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    crud::create::<BaseFields>(call, body).await
}

/// Read a training base.
#[utoipa::path(tag = "bases", description = GET_TEXT, params(("id" = Uuid, Path, description = "The base's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The training base", body = Base, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    ))]
#[get("/{id}")]
pub async fn get_base(call: Call, id: web::Path<Uuid>, if_none_match: IfNoneMatch) -> Result<HttpResponse, ApiError> {
    crud::get::<BaseFields>(call, *id, if_none_match).await
}

/// Change a training base (JSON merge patch).
///
/// Admins and officers change any base; the users of its host enterprise or partner school change that base, but not its `kind`, `enterprise_id` or `school_id` (403 naming the field); another organisation's base is a 403. A patch requires no field; the base it leaves must still have the parties its kind needs (422 naming the one it lacks). `version` grows only when something changed.
#[utoipa::path(tag = "bases", params(("id" = Uuid, Path, description = "The base's id"), IfMatch),
    request_body(content((BasePatch = "application/merge-patch+json"), (BasePatch = "application/json"))),
    responses(
        (status = 200, description = "The changed record", body = Base, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "Other records still name the base", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update_base(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<BaseFields>(call, *id, if_match, body).await
}

/// Delete a training base (admin and officer): one that placements or competitions name is kept (409).
#[utoipa::path(tag = "bases", description = DELETE_TEXT, params(("id" = Uuid, Path, description = "The base's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
    ))]
#[delete("/{id}")]
pub async fn delete_base(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    crud::delete::<BaseFields>(call, *id, if_match).await
}
