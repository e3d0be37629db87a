//! `/api/v1/demands`: what enterprises asked of the alliance (需求清单), and
//! the schools that could answer each.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery, CREATE_TEXT, DELETE_TEXT, GET_TEXT};
use super::query::Query;
use crate::error::{ApiError, Problem};
use crate::model::demand::{Demand, DemandCreate, DemandFields, DemandPatch, MatchQuery, Matches};
use crate::model::list::PageOf;
use crate::service::{demands as service, resource};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        crud::scope::<DemandFields>()
            .service(list_demands)
            .service(create_demand)
            .service(demand_matches)
            .service(get_demand)
            .service(update_demand)
            .service(delete_demand),
    );
}

/// List demands.
///
/// An enterprise user sees its own enterprise's demands; every other role all of them. Filters combine with AND; `q` searches the title and the description; `major` matches a major's code or name (folded like `q`); `needed_before` is exclusive.
#[utoipa::path(tag = "demands", params(ListParams<DemandFields>),
    responses((status = 200, description = "One page of demands", body = PageOf<Demand>)))]
#[get("")]
pub async fn list_demands(call: Call, query: ListQuery<DemandFields>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

/// Create a demand (admin, officer, or an enterprise user for its own enterprise: another `enterprise_id` is a 403 naming it).
#[utoipa::path(tag = "demands", description = CREATE_TEXT, request_body = DemandCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = Demand,
            headers(("Location" = String, description = "The new record's path"), ("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "A final status left, or placements at its enterprise name it", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_demand(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    crud::create::<DemandFields>(call, body).await
}

/// Read a demand.
#[utoipa::path(tag = "demands", description = GET_TEXT, params(("id" = Uuid, Path, description = "The demand's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The demand, with `fulfilled_headcount` counted from the placements that name it", body = Demand, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    ))]
#[get("/{id}")]
pub async fn get_demand(call: Call, id: web::Path<Uuid>, if_none_match: IfNoneMatch) -> Result<HttpResponse, ApiError> {
    crud::get::<DemandFields>(call, *id, if_none_match).await
}

/// Change a demand (JSON merge patch).
///
/// `fulfilled` and `withdrawn` are final: a patch that moves a demand out of them is a 409. `fulfilled_headcount` is read-only (422). An enterprise user changes its own enterprise's demands only; a demand that placements answer keeps its `enterprise_id` (409). `version` grows only when something changed.
#[utoipa::path(tag = "demands", params(("id" = Uuid, Path, description = "The demand's id"), IfMatch),
    request_body(content((DemandPatch = "application/merge-patch+json"), (DemandPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed record", body = Demand, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "A final status left, or placements at its enterprise name it", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update_demand(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<DemandFields>(call, *id, if_match, body).await
}

/// Delete a demand: one that placements name is kept (409).
#[utoipa::path(tag = "demands", description = DELETE_TEXT, params(("id" = Uuid, Path, description = "The demand's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
    ))]
#[delete("/{id}")]
pub async fn delete_demand(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    crud::delete::<DemandFields>(call, *id, if_match).await
}

/// Rank the schools that could answer a demand.
///
/// Every role that may read the demand. A school scores 10 for each of the
/// demand's majors it teaches (the same code, or the same name once case and
/// traditional vs simplified script are folded), plus its placements at the
/// demand's enterprise that are `active` or `completed` (at most 10), plus
/// 3 when its `region_code` is the enterprise's (1 when only the first four
/// digits agree). Schools scoring 0 are left out; ties by name. `limit` is
/// 1–50 (default 10; another value → 400).
#[utoipa::path(
    tag = "demands",
    params(("id" = Uuid, Path, description = "The demand's id"), MatchQuery),
    responses((status = 200, description = "The best schools first", body = Matches))
)]
#[get("/{id}/matches")]
pub async fn demand_matches(
    call: Call,
    id: web::Path<Uuid>,
    query: Query<MatchQuery>,
) -> Result<HttpResponse, ApiError> {
    resource::may_read::<DemandFields>(&call.caller)?;
    let limit = crate::model::list::limit_of(query.limit.as_deref(), 10, 50)?;
    let matches = service::matches(&call.state.db, &call.caller, *id, limit as usize).await?;
    Ok(HttpResponse::Ok().json(matches))
}
