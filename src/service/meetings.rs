//! Meetings: their table and side tables (the organisations each names, its
//! action items as rows), the action items' server-made ids and `done_on`,
//! the filters on the side table, and the action items changed and listed
//! one by one.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Condition;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use super::inserts::Inserts;
use super::list::{fetch_page, named_in, Keyset};
use super::resource::{self, json_of, keep_server_ids, record_of, ServerMade, Stored};
use super::store::{self, Named};
use super::{audit, check_precondition, find_for_update, now, Database, Precondition};
use crate::auth::policy::{self, Access, Policy, ACTION_ITEMS, MEETINGS};
use crate::auth::{Actor, Principal};
use crate::domain::clock;
use crate::domain::search::search_text;
use crate::domain::vocab::{Action, ActionItemStatus, ResourceType};
use crate::entity::{action_item, meeting, meeting_party};
use crate::error::ApiError;
use crate::model::check::MergePatch;
use crate::model::field::{Date, Stored as _, TextRule};
use crate::model::list::{ListRequest, PageOf};
use crate::model::meeting::{
    ActionItem, ActionItemEntry, ActionItemFilters, ActionItemSort, ActionItems, Meeting, MeetingFields,
    MeetingFilters, MeetingSort,
};

impl Keyset for meeting::Entity {
    type Sort = MeetingSort;
}

impl Keyset for action_item::Entity {
    type Sort = ActionItemSort;
}

impl Stored for MeetingFields {
    type Table = meeting::Entity;
    const POLICY: &'static Policy = &MEETINGS;

    fn complete_row(&self, row: &mut meeting::ActiveModel) {
        row.search_text = Set(search_text([
            Some(self.title.as_str()),
            self.summary.as_ref().map(|s| s.as_str()),
            self.minutes.as_ref().map(|m| m.as_str()),
        ]));
    }

    /// The action items' server-made ids (an `id` sent must be one of this
    /// meeting's items, once), their default status and `done_on`.
    fn prepare(&mut self, before: Option<&Self>, _patch: Option<&MergePatch<Self>>) -> Result<(), ApiError> {
        let previous = before.map(|b| b.action_items.as_slice()).unwrap_or_default();
        complete_action_items(previous, &mut self.action_items)
    }

    /// Every enterprise and school the meeting names must exist (422 naming each path that names none).
    async fn check_references(&self, db: &DatabaseTransaction) -> Result<(), ApiError> {
        let (enterprises, schools) = named_organisations(self);
        store::check_ids(db, &enterprises, &schools).await
    }

    /// The `enterprise_id` and `school_id` filters: a meeting the
    /// organisation hosted, attended, visited or owns an action item of,
    /// through the parties side table.
    fn custom_filters(filters: &MeetingFilters, mut select: Select<meeting::Entity>) -> Select<meeting::Entity> {
        use meeting_party::Column as Party;
        let named = [
            (filters.enterprise_id, Party::EnterpriseId),
            (filters.school_id, Party::SchoolId),
        ];
        for (id, column) in named {
            if let Some(id) = id {
                select = select.filter(named_in::<meeting_party::Entity>(
                    meeting::Column::Id,
                    Party::MeetingId,
                    column,
                    id,
                ));
            }
        }
        select
    }

    /// The organisations the meeting names and its action items as rows.
    fn new_rows(record: &Meeting, _actor: &Actor, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(party_rows(record));
        let items = record.fields.action_items.as_slice().iter().enumerate();
        let items = items
            .map(|(position, item)| {
                item_row(record, position, item).map(|r| action_item::ActiveModel::from(r).reset_all())
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.add(items);
        Ok(())
    }

    async fn sync(db: &DatabaseTransaction, _actor: &Actor, before: &Meeting, after: &Meeting) -> Result<(), ApiError> {
        sync_parties(db, before, after).await?;
        sync_action_items(db, before, after).await
    }
}

impl ServerMade for ActionItem {
    const LIST: &'static str = "action_items";
    const WHAT: &'static str = "action item of this meeting";

    fn id(&self) -> Option<Uuid> {
        self.id
    }

    fn set_id(&mut self, id: Uuid) {
        self.id = Some(id);
    }
}

/// Gives new items their ids, checks the ids sent, and completes each item.
fn complete_action_items(previous: &[ActionItem], items: &mut ActionItems) -> Result<(), ApiError> {
    let befores = keep_server_ids(previous, items.items_mut())?;
    let today = clock::today();
    for (item, before) in items.items_mut().iter_mut().zip(befores) {
        // A meeting PATCH sends each item whole: its `done_on` is sent when it is there.
        let sent = item.done_on.is_some();
        complete_item(before.as_ref(), item, sent, today);
    }
    Ok(())
}

/// An item's status is `open` when left out. Moving to `done` (or a new item
/// that is `done`) sets `done_on` to `today` unless the client sent it;
/// leaving `done` clears it unless the client sent it.
fn complete_item(before: Option<&ActionItem>, item: &mut ActionItem, done_on_sent: bool, today: NaiveDate) {
    let status = item.status.unwrap_or_default();
    item.status = Some(status);
    let was_done = before.and_then(|b| b.status) == Some(ActionItemStatus::Done);
    let is_done = status == ActionItemStatus::Done;
    if !done_on_sent && is_done != was_done {
        item.done_on = is_done.then(|| Date::from_stored(today));
    }
}

/// The enterprises and the schools a meeting names, each with the path of the field that names it.
fn named_organisations(fields: &MeetingFields) -> (Named, Named) {
    let mut enterprises = Vec::new();
    let mut schools = Vec::new();
    let mut add = |path: String, enterprise: Option<Uuid>, school: Option<Uuid>, names: (&str, &str)| {
        if let Some(id) = enterprise {
            enterprises.push((format!("{path}{}", names.0), id));
        }
        if let Some(id) = school {
            schools.push((format!("{path}{}", names.1), id));
        }
    };
    add(
        String::new(),
        fields.host_enterprise_id,
        fields.host_school_id,
        ("host_enterprise_id", "host_school_id"),
    );
    for (i, a) in fields.attendees.as_slice().iter().enumerate() {
        add(
            format!("attendees[{i}]."),
            a.enterprise_id,
            a.school_id,
            ("enterprise_id", "school_id"),
        );
    }
    for (i, a) in fields.agenda.as_slice().iter().enumerate() {
        add(
            format!("agenda[{i}]."),
            a.enterprise_id,
            a.school_id,
            ("enterprise_id", "school_id"),
        );
    }
    for (i, a) in fields.action_items.as_slice().iter().enumerate() {
        add(
            format!("action_items[{i}]."),
            a.owner_enterprise_id,
            a.owner_school_id,
            ("owner_enterprise_id", "owner_school_id"),
        );
    }
    (enterprises, schools)
}

/// The organisations a meeting names, each once, in order.
fn parties(fields: &MeetingFields) -> Vec<(Option<Uuid>, Option<Uuid>)> {
    let (enterprises, schools) = named_organisations(fields);
    let mut out: Vec<(Option<Uuid>, Option<Uuid>)> = Vec::new();
    for pair in enterprises
        .into_iter()
        .map(|(_, id)| (Some(id), None))
        .chain(schools.into_iter().map(|(_, id)| (None, Some(id))))
    {
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

/// One `meeting_parties` row per organisation the meeting names.
fn party_rows(record: &Meeting) -> Vec<meeting_party::ActiveModel> {
    parties(&record.fields)
        .into_iter()
        .enumerate()
        .map(|(position, (enterprise_id, school_id))| {
            meeting_party::ActiveModel::from(meeting_party::Model {
                meeting_id: record.id,
                position: position as i32,
                enterprise_id,
                school_id,
            })
            .reset_all()
        })
        .collect()
}

/// Replaces a changed meeting's `meeting_parties` rows when the organisations it names changed.
async fn sync_parties(db: &DatabaseTransaction, before: &Meeting, after: &Meeting) -> Result<(), ApiError> {
    if parties(&before.fields) == parties(&after.fields) {
        return Ok(());
    }
    let owner = meeting_party::Column::MeetingId.eq(after.id);
    store::replace_rows::<meeting_party::Entity>(db, owner, party_rows(after)).await
}

/// The meeting's action items as rows: an item kept keeps its `created_at`,
/// and its `updated_at` when it did not change.
async fn sync_action_items(db: &DatabaseTransaction, before: &Meeting, after: &Meeting) -> Result<(), ApiError> {
    if before.fields.action_items == after.fields.action_items && before.fields.held_on == after.fields.held_on {
        return Ok(());
    }
    let existing: HashMap<Uuid, action_item::Model> = action_item::Entity::find()
        .filter(action_item::Column::MeetingId.eq(after.id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut rows = Vec::new();
    for (position, item) in after.fields.action_items.as_slice().iter().enumerate() {
        let mut row = item_row(after, position, item)?;
        if let Some(old) = existing.get(&row.id) {
            row.created_at = old.created_at;
            let unchanged = action_item::Model {
                position: old.position,
                created_at: old.created_at,
                updated_at: old.updated_at,
                ..row.clone()
            } == *old;
            if unchanged {
                row.updated_at = old.updated_at;
            }
        }
        rows.push(action_item::ActiveModel::from(row).reset_all());
    }
    let owner = action_item::Column::MeetingId.eq(after.id);
    store::replace_rows::<action_item::Entity>(db, owner, rows).await
}

/// The row of a meeting's action item (its id was given in `prepare`).
fn item_row(meeting: &Meeting, position: usize, item: &ActionItem) -> Result<action_item::Model, ApiError> {
    let Some(id) = item.id else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "an action item without an id was stored"
        )));
    };
    Ok(action_item::Model {
        id,
        meeting_id: meeting.id,
        position: position as i32,
        description: item.description.as_str().to_string(),
        owner_enterprise_id: item.owner_enterprise_id,
        owner_school_id: item.owner_school_id,
        owner_name: item.owner_name.as_ref().map(|n| n.as_str().to_string()),
        due_on: item.due_on,
        status: item.status.unwrap_or_default(),
        done_on: item.done_on,
        held_on: meeting.fields.held_on,
        created_at: meeting.updated_at,
        updated_at: meeting.updated_at,
    })
}

/// Whether an item is overdue on `today`: `open` or `in_progress` and due before it.
fn is_overdue(status: ActionItemStatus, due_on: Option<Date>, today: NaiveDate) -> bool {
    status.is_pending() && due_on.is_some_and(|due| due.naive() < today)
}

fn to_entry(row: action_item::Model, today: NaiveDate) -> ActionItemEntry {
    ActionItemEntry {
        overdue: is_overdue(row.status, row.due_on, today),
        id: row.id,
        meeting_id: row.meeting_id,
        held_on: row.held_on,
        description: row.description,
        owner_enterprise_id: row.owner_enterprise_id,
        owner_school_id: row.owner_school_id,
        owner_name: row.owner_name,
        due_on: row.due_on,
        status: row.status,
        done_on: row.done_on,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Lists action items across meetings, one page at a time.
pub async fn list_action_items(
    db: &Database,
    _caller: &Principal,
    filters: &ActionItemFilters,
    request: &ListRequest<ActionItemSort>,
) -> Result<PageOf<ActionItemEntry>, ApiError> {
    use action_item::Column;
    let ActionItemFilters {
        status,
        overdue,
        owner_enterprise_id,
        owner_school_id,
        due_before,
        meeting_id,
    } = filters;
    let today = clock::today();
    let mut select = action_item::Entity::find();
    if let Some(status) = status {
        select = select.filter(Column::Status.eq(*status));
    }
    let pending = ActionItemStatus::PENDING;
    match overdue {
        Some(true) => {
            select = select.filter(
                Condition::all()
                    .add(Column::Status.is_in(pending.iter().copied()))
                    .add(Column::DueOn.lt(today)),
            )
        }
        // Spelled out rather than negated: an item without `due_on` is not overdue (SQL's NULL).
        Some(false) => {
            select = select.filter(
                Condition::any()
                    .add(Column::Status.is_not_in(pending.iter().copied()))
                    .add(Column::DueOn.is_null())
                    .add(Column::DueOn.gte(today)),
            )
        }
        None => {}
    }
    if let Some(id) = owner_enterprise_id {
        select = select.filter(Column::OwnerEnterpriseId.eq(*id));
    }
    if let Some(id) = owner_school_id {
        select = select.filter(Column::OwnerSchoolId.eq(*id));
    }
    if let Some(day) = due_before {
        select = select.filter(Column::DueOn.lt(*day));
    }
    if let Some(id) = meeting_id {
        select = select.filter(Column::MeetingId.eq(*id));
    }
    if let Some(since) = request.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    Ok(fetch_page(db.read(), select, request)
        .await?
        .map(|row| to_entry(row, today)))
}

/// Changes one action item of a meeting under the meeting's `If-Match`:
/// the meeting's `version` grows, the change is audited as the item's. The
/// owner's users change only `status` and `done_on`. Returns the item and
/// the meeting's version.
pub async fn update_action_item(
    db: &Database,
    caller: &Principal,
    meeting_id: Uuid,
    item_id: Uuid,
    precondition: Option<Precondition>,
    patch: &MergePatch<ActionItem>,
) -> Result<(ActionItemEntry, i32), ApiError> {
    let txn = db.begin().await?;
    let before = record_of::<MeetingFields>(&find_for_update::<meeting::Entity>(&txn, meeting_id).await?);
    let position = before
        .fields
        .action_items
        .as_slice()
        .iter()
        .position(|item| item.id == Some(item_id))
        .ok_or(ApiError::NotFound)?;
    let before_item = before.fields.action_items.as_slice()[position].clone();
    policy::owns_action_item(caller, &before_item)?;
    if patch.value_at("id").is_some() {
        return Err(ApiError::invalid_field(
            "id",
            "read_only",
            "an item's id is made by the server",
        ));
    }
    let mut item = patch.apply(&before_item)?;
    check_precondition(precondition.as_ref(), before.version)?;
    item.id = before_item.id;
    let (old, new) = (json_of(&before_item)?, json_of(&item)?);
    ACTION_ITEMS.check_fixed(caller, |name| old.get(name) != new.get(name))?;
    let sent = patch.value_at("done_on").is_some();
    complete_item(Some(&before_item), &mut item, sent, clock::today());
    let mut version = before.version;
    if item != before_item {
        let mut named = Vec::new();
        let mut schools = Vec::new();
        if let Some(id) = item.owner_enterprise_id {
            named.push(("owner_enterprise_id".to_string(), id));
        }
        if let Some(id) = item.owner_school_id {
            schools.push(("owner_school_id".to_string(), id));
        }
        store::check_ids(&txn, &named, &schools).await?;
        let mut after = before.clone();
        after.fields.action_items.items_mut()[position] = item.clone();
        after.version += 1;
        after.updated_at = now();
        version = after.version;
        let actor = caller.actor();
        resource::save_changed(&txn, &actor, &before, &after).await?;
        audit::record_change(
            &txn,
            &actor,
            Action::Update,
            ResourceType::ActionItem,
            item_id,
            Some(&before_item),
            Some(&item),
        )
        .await?;
    }
    let stored = action_item::Entity::find_by_id(item_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("an action item has no row")))?;
    txn.commit().await?;
    Ok((to_entry(stored, clock::today()), version))
}

/// Whether the caller's role reads action items (403 otherwise).
pub fn may_read_action_items(caller: &Principal) -> Result<(), ApiError> {
    ACTION_ITEMS.scope(caller, Access::Read).map(|_| ())
}

/// Whether the caller's role changes any action items at all (a viewer
/// changes none: 403 before anything else is judged).
pub fn may_change_action_items(caller: &Principal) -> Result<(), ApiError> {
    ACTION_ITEMS.scope(caller, Access::Update).map(|_| ())
}
