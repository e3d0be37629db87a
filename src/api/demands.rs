//! `/api/v1/demands`: what enterprises asked of the alliance (需求清单), and
//! the schools that could answer each.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::collection::{collection, Docs};
use super::crud::{self, Call};
use super::query::Query;
use crate::error::ApiError;
use crate::model::demand::{DemandFields, MatchQuery, Matches};
use crate::service::{demands as service, resource};

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "demands",
    singular: "demand",
    list: "List demands.",
    list_detail: "An enterprise user sees its own enterprise's demands; every other role all of them. Filters combine with AND; `q` searches the title and the description; `major` matches a major's code or name (folded like `q`); `needed_before` is exclusive.",
    page: "One page of demands",
    create: "Create a demand (admin, officer, or an enterprise user for its own enterprise: another `enterprise_id` is a 403 naming it).",
    get: "Read a demand.",
    one: "The demand, with `fulfilled_headcount` counted from the placements that name it",
    update: "Change a demand (JSON merge patch).",
    update_detail: "`fulfilled` and `withdrawn` are final: a patch that moves a demand out of them is a 409. `fulfilled_headcount` is read-only (422). An enterprise user changes its own enterprise's demands only; a demand that placements answer keeps its `enterprise_id` (409). `version` grows only when something changed.",
    delete: "Delete a demand: one that placements name is kept (409).",
    id: "The demand's id",
    conflict: "A final status left, or placements at its enterprise name it",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<DemandFields>(&DOCS);
    cfg.service(
        crud::scope::<DemandFields>()
            .service(records)
            .service(demand_matches)
            .service(record),
    );
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
