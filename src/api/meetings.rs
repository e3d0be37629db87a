//! `/api/v1/meetings`: the alliance's meetings and their action items, and
//! `/api/v1/action-items`: the action items of every meeting.

use actix_web::{get, patch, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig as DocumentedConfig;
use uuid::Uuid;

use super::body::JsonBody;
use super::caller::Caller;
use super::collection::{collection, Docs};
use super::conditional::{with_etag, IfMatch};
use super::crud::{self};
use super::query::Query;
use super::AppState;
use crate::error::ApiError;
use crate::model::list::{ListRequest, PageOf, PageQuery, SearchQuery, SortQuery};
use crate::model::meeting::{
    ActionItem, ActionItemEntry, ActionItemFilters, ActionItemPatch, ActionItemSort, MeetingFields,
};
use crate::service::{meetings as service, resource};

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "meetings",
    singular: "meeting",
    list: "List meetings.",
    list_detail: "Filters combine with AND. `q` searches the title, the summary and the minutes (any substring, blind to case and to simplified or traditional script); `enterprise_id` / `school_id` match a meeting the organisation hosted, attended, visited (on the agenda) or owns an action item of.",
    page: "One page of meetings",
    create: "Create a meeting (admin and officer). Every enterprise and school it names must exist (422 naming the field, e.g. `attendees[2].enterprise_id`); its action items get server-made ids.",
    get: "Read a meeting.",
    one: "The meeting",
    update: "Change a meeting (JSON merge patch; admin and officer).",
    update_detail: "A list sent replaces the list. For `action_items`: an item carrying its `id` keeps it (and its fields are those sent), an item without one is created, an item left out is deleted. `version` grows only when something changed.",
    delete: "Delete a meeting with its action items (admin and officer).",
    id: "The meeting's id",
    conflict: "The meeting conflicts with another record",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<MeetingFields>(&DOCS);
    cfg.service(
        crud::scope::<MeetingFields>()
            .service(records)
            .service(update_action_item)
            .service(record),
    );
}

/// Change one action item (JSON merge patch).
///
/// Admins and officers change any field. The users of the school or
/// enterprise that owns the item change only its `status` and `done_on`
/// (another field → 403 naming it; an item their organisation does not own →
/// 403); a viewer changes nothing. Moving to `done` sets `done_on` to today
/// (in `CHANJIAO_TIMEZONE`) unless it is given. `If-Match` takes the
/// meeting's ETag; a change bumps the meeting's `version`, and the answer's
/// `ETag` is the meeting's new one.
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = Uuid, Path, description = "The meeting's id"),
        ("item_id" = Uuid, Path, description = "The action item's id"),
        IfMatch,
    ),
    request_body(
        content(
            (ActionItemPatch = "application/merge-patch+json", example = json!({"status": "done"})),
            (ActionItemPatch = "application/json", example = json!({"status": "in_progress"})),
        ),
        description = "The fields to change; `id` is read-only"
    ),
    responses(
        (status = 200, description = "The changed item; `ETag` is the meeting's", body = ActionItemEntry,
            headers(("ETag" = String, description = "The meeting's version in double quotes, e.g. `\"3\"`"))),
    )
)]
#[patch("/{id}/action-items/{item_id}")]
pub async fn update_action_item(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let (meeting_id, item_id) = path.into_inner();
    if let Err(refused) = service::may_change_action_items(&caller) {
        let lookup = async {
            let meeting = resource::get::<MeetingFields>(&state.db, &caller, meeting_id).await?;
            match meeting
                .fields
                .action_items
                .as_slice()
                .iter()
                .any(|item| item.id == Some(item_id))
            {
                true => Ok(()),
                false => Err(ApiError::NotFound),
            }
        };
        let may_read = resource::may_read::<MeetingFields>(&caller).is_ok();
        return Err(crate::api::crud::unknown_or(refused, may_read, lookup).await);
    }
    let patch = body.merge_patch::<ActionItem>()?;
    let (item, version) =
        service::update_action_item(&state.db, &caller, meeting_id, item_id, if_match.0, &patch).await?;
    Ok(with_etag(HttpResponse::Ok(), version).json(item))
}

/// Registers `/action-items`.
pub fn configure_action_items(cfg: &mut DocumentedConfig) {
    cfg.service(
        utoipa_actix_web::scope("/action-items")
            .app_data(crate::domain::vocab::ResourceType::ActionItem)
            .service(list_action_items),
    );
}

/// List action items across meetings.
///
/// Every role reads them. Filters combine with AND: `overdue=true` keeps the
/// items `open` or `in_progress` whose `due_on` is before today in
/// `CHANJIAO_TIMEZONE` (`overdue=false` the others); `due_before` is
/// exclusive. `q` does not apply here (400).
#[utoipa::path(
    tag = "meetings",
    params(PageQuery, crate::model::list::SyncQuery, SortQuery<ActionItemSort>, ActionItemFilters, crate::api::export::ExportQuery),
    responses((status = 200, description = "One page of action items", body = PageOf<ActionItemEntry>))
)]
#[get("")]
// Extractors, one per part of the request the list reads.
#[allow(clippy::too_many_arguments)]
pub async fn list_action_items(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    page: Query<PageQuery>,
    search: Query<SearchQuery>,
    sort: Query<SortQuery<ActionItemSort>>,
    filters: Query<ActionItemFilters>,
    export: Query<crate::api::export::ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    service::may_read_action_items(&caller)?;
    search.refuse_q("action items have no text search")?;
    let wanted = crate::api::export::Wanted::of(&req, &export)?;
    let request = ListRequest::new(&page, Some(&search), sort.order(), &*filters)?;
    let filters = std::sync::Arc::new(filters.0);
    wanted
        .answer("action-items", request, move |request| {
            let (state, caller, filters) = (state.clone(), caller.clone(), filters.clone());
            async move { service::list_action_items(&state.db, &caller, &filters, &request).await }
        })
        .await
}
