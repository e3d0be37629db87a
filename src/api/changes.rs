//! `/api/v1/changes`: the change feed an integrator syncs from.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use super::caller::Caller;
use super::query::Query;
use super::AppState;
use crate::auth::policy;
use crate::domain::vocab::ResourceType;
use crate::error::ApiError;
use crate::model::change::{ChangePage, ChangeQuery};
use crate::service::changes as service;

/// Registers the feed's route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/changes")
            .app_data(ResourceType::Token)
            .service(list_changes),
    );
}

/// Every committed create, update and delete, in commit order.
///
/// Each change of a record (a merge patch, a transition, an evaluation, an
/// action item of a meeting, a demand's fulfilled headcount) is one item:
/// its `position`, the record's kind and id, the `action` and the record's
/// `version` after it (none for a deletion). Field values are never here:
/// read the record itself. Positions only grow, in the order the changes
/// committed, so a client that passes each page's `next_after` as the next
/// `after` never misses a change, even one whose transaction began before
/// others but committed after them.
///
/// To sync from zero: `GET /changes?after=latest` and keep its `next_after`;
/// read the lists; then follow the feed from that position (changes you
/// already read in the lists come again: compare `version`). Poll with the
/// last `next_after`: it is always present, and on the newest page it is the
/// feed's current position. Changes are kept at least 90 days; an `after`
/// older than that is a 410.
///
/// You see the changes of the records your role may read now, and of
/// deleted records you could read before: a viewer no placements, visits,
/// incidents or check-ins, a school its own school's placements with their
/// visits, incidents and check-ins, an enterprise the placements it hosts (with theirs) and its own
/// demands, an officer everything but users, an admin everything.
#[utoipa::path(
    tag = "changes",
    params(ChangeQuery),
    responses(
        (status = 200, description = "Changes after `after`, oldest first", body = ChangePage),
        (status = 410, description = "The changes after `after` are no longer kept: sync from the lists again", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ChangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = query.request()?;
    let scope = policy::changes(&caller, request.resource_type)?;
    Ok(HttpResponse::Ok().json(service::page(&state.db, &scope, &request).await?))
}
