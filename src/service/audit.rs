//! The audit trail: who did what to which record, from where, and what
//! changed. Rows are written in the transaction of the change they record;
//! nothing updates or deletes them.

use super::Database;
use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::list::{fetch_page, Keyset};
use super::now;
use super::resource::filtered;
use crate::auth::Actor;
use crate::domain::identifiers::{mask_phone, mask_resident_id};
use crate::domain::vocab::{Action, Outcome, ResourceType};
use crate::entity::audit_event;
use crate::error::ApiError;
use crate::model::audit::{AuditEvent, AuditFilters, AuditSort, TimeRange};
use crate::model::list::{ListRequest, PageOf};

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event {
    /// What happened.
    pub action: Action,
    /// The kind of record concerned.
    pub resource_type: ResourceType,
    /// The record's id, when there is one.
    pub resource_id: Option<String>,
    /// Whether it was done.
    pub outcome: Outcome,
    /// `{"field": {"before": …, "after": …}}`, personal data masked.
    pub changes: Option<Value>,
}

impl Event {
    /// An event of this outcome on a record (or on no record).
    pub fn new(action: Action, resource_type: ResourceType, resource_id: Option<String>, outcome: Outcome) -> Self {
        Event {
            action,
            resource_type,
            resource_id,
            outcome,
            changes: None,
        }
    }

    /// The same event with these changes.
    pub fn with_changes(mut self, changes: Option<Value>) -> Self {
        self.changes = changes;
        self
    }
}

fn row(actor: &Actor, event: Event) -> audit_event::Model {
    audit_event::Model {
        id: Uuid::now_v7(),
        at: now(),
        actor_user_id: actor.user_id,
        actor_username: actor.username.clone(),
        action: event.action,
        resource_type: event.resource_type,
        resource_id: event.resource_id,
        outcome: event.outcome,
        ip: actor.ip.clone(),
        changes: event.changes,
    }
}

/// Writes one audit row (inside the caller's transaction when given one).
pub async fn record(db: &impl ConnectionTrait, actor: &Actor, event: Event) -> Result<(), DbErr> {
    super::insert_only(db, audit_event::ActiveModel::from(row(actor, event)).reset_all()).await?;
    Ok(())
}

/// Writes many audit rows at once.
pub(crate) async fn insert_rows(db: &impl ConnectionTrait, rows: Vec<audit_event::Model>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    audit_event::Entity::insert_many(rows.into_iter().map(|r| audit_event::ActiveModel::from(r).reset_all()))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The audit row of a successful write of a record (`create`, `update`,
/// `delete`), with the fields that differ between its states.
pub(crate) fn change_row<T: Serialize>(
    actor: &Actor,
    action: Action,
    resource_type: ResourceType,
    id: Uuid,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<audit_event::Model, ApiError> {
    let event =
        Event::new(action, resource_type, Some(id.to_string()), Outcome::Success).with_changes(changes(before, after)?);
    Ok(row(actor, event))
}

/// Records a successful write of a record (`create`, `update`, `delete`)
/// with the fields that differ between its states before and after.
pub async fn record_change<T: Serialize>(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: Action,
    resource_type: ResourceType,
    id: Uuid,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), ApiError> {
    let model = change_row(actor, action, resource_type, id, before, after)?;
    insert_rows(db, vec![model]).await?;
    Ok(())
}

/// Records that `field` of a record changed without saying to what or from
/// what (a password, a signing secret).
pub async fn record_secret_change(
    db: &impl ConnectionTrait,
    actor: &Actor,
    resource_type: ResourceType,
    id: Uuid,
    field: &str,
) -> Result<(), DbErr> {
    let changes = serde_json::json!({field: {"before": "[redacted]", "after": "[redacted]"}});
    let event =
        Event::new(Action::Update, resource_type, Some(id.to_string()), Outcome::Success).with_changes(Some(changes));
    record(db, actor, event).await
}

/// Records a request refused with 403. A failure to write is logged, not
/// returned: the caller gets its 403 either way.
pub async fn record_denied(db: &Database, actor: &Actor, resource_type: ResourceType, resource_id: Option<String>) {
    let event = Event::new(Action::Denied, resource_type, resource_id, Outcome::Failure);
    if let Err(err) = record(db.write(), actor, event).await {
        tracing::error!(error = %err, "cannot record a denied request");
    }
}

/// Records a request refused with 401, at most once a minute per client
/// address (the rest are only counted in `/metrics`), with no actor.
pub async fn record_unauthorized(db: &Database, ip: &str, resource_type: ResourceType) {
    let since = now() - Duration::seconds(60);
    let recent = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .filter(audit_event::Column::Ip.eq(ip))
        .filter(audit_event::Column::At.gte(since))
        .filter(audit_event::Column::Action.eq(Action::Denied))
        .filter(audit_event::Column::ActorUserId.is_null())
        .filter(audit_event::Column::ActorUsername.is_null())
        .into_tuple::<Uuid>()
        .one(db.read())
        .await;
    match recent {
        Ok(Some(_)) => {}
        Ok(None) => record_denied(db, &Actor::anonymous(ip), resource_type, None).await,
        Err(err) => tracing::error!(error = %err, "cannot check recent 401 audit rows"),
    }
}

/// Fields never compared: they change with every write or never.
const UNAUDITED: &[&str] = &["id", "version", "created_at", "updated_at"];

/// The fields that differ between two serialised states of a record, as
/// `{"field": {"before": …, "after": …}}` with nested fields by dotted path
/// and personal data masked. `None` when nothing differs.
pub fn changes<T: Serialize>(before: Option<&T>, after: Option<&T>) -> Result<Option<Value>, ApiError> {
    let json = |v: Option<&T>| -> Result<Value, ApiError> {
        v.map(serde_json::to_value)
            .transpose()
            .map(Option::unwrap_or_default)
            .map_err(|e| ApiError::Internal(e.into()))
    };
    let (before, after) = (json(before)?, json(after)?);
    let mut out = Map::new();
    diff("", &before, &after, &mut out);
    Ok((!out.is_empty()).then_some(Value::Object(out)))
}

fn diff(path: &str, before: &Value, after: &Value, out: &mut Map<String, Value>) {
    if before == after {
        return;
    }
    let is_object = |v: &Value| v.is_object() || v.is_null();
    if is_object(before) && is_object(after) && (before.is_object() || after.is_object()) {
        let empty = Map::new();
        let b = before.as_object().unwrap_or(&empty);
        let a = after.as_object().unwrap_or(&empty);
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if path.is_empty() && UNAUDITED.contains(&key.as_str()) {
                continue;
            }
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let null = Value::Null;
            let (bv, av) = (b.get(key).unwrap_or(&null), a.get(key).unwrap_or(&null));
            // Creations and deletions list only the fields that hold something.
            if bv.is_null() && av.is_null() {
                continue;
            }
            diff(&child, bv, av, out);
        }
        return;
    }
    let field = path.rsplit('.').next().unwrap_or(path);
    out.insert(
        path.to_string(),
        serde_json::json!({"before": mask(field, before), "after": mask(field, after)}),
    );
}

/// Masks personal data by field name: phones and resident ID numbers;
/// a check-in's coordinates are not kept at all (null).
fn mask(field: &str, value: &Value) -> Value {
    match (field, value) {
        ("latitude" | "longitude", _) => Value::Null,
        (f, Value::String(s)) if f == "phone" || f.ends_with("_phone") => Value::String(mask_phone(s)),
        ("national_id", Value::String(s)) => Value::String(mask_resident_id(s)),
        _ => value.clone(),
    }
}

impl Keyset for audit_event::Entity {
    type Sort = AuditSort;
}

fn to_event(model: audit_event::Model) -> AuditEvent {
    AuditEvent {
        id: model.id,
        at: model.at,
        actor_user_id: model.actor_user_id,
        actor_username: model.actor_username,
        action: model.action,
        resource_type: model.resource_type,
        resource_id: model.resource_id,
        outcome: model.outcome,
        ip: model.ip,
        changes: model.changes,
    }
}

/// Lists audit events, newest first by default.
pub async fn list(
    db: &Database,
    filters: &AuditFilters,
    request: &ListRequest<AuditSort>,
) -> Result<PageOf<AuditEvent>, ApiError> {
    let TimeRange { from, to } = filters.range()?;
    let mut select = filtered(audit_event::Entity::find(), filters)?;
    if let Some(v) = from {
        select = select.filter(audit_event::Column::At.gte(v));
    }
    if let Some(v) = to {
        select = select.filter(audit_event::Column::At.lte(v));
    }
    Ok(fetch_page(db.read(), select, request).await?.map(to_event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_list_only_what_differs_with_personal_data_masked() {
        let before = json!({"id": "x", "version": 1, "name": "a", "contact_phone": "13812345678", "tags": ["t"],
            "participant": {"name": "张三", "national_id": "370101190102039973", "phone": null}});
        let after = json!({"id": "x", "version": 2, "name": "b", "contact_phone": "0536-1234567", "tags": ["t"],
            "participant": {"name": "张三", "national_id": "11010519491231002X", "phone": "13812345678"}});
        let c = changes(Some(&before), Some(&after)).unwrap().unwrap();
        assert_eq!(
            c,
            json!({
                "name": {"before": "a", "after": "b"},
                "contact_phone": {"before": "138****5678", "after": "053****4567"},
                "participant.national_id": {"before": "370101********9973", "after": "110105********002X"},
                "participant.phone": {"before": null, "after": "138****5678"},
            })
        );
        assert_eq!(changes(Some(&before), Some(&before)).unwrap(), None);
    }

    #[test]
    fn a_creation_lists_the_fields_that_hold_something() {
        let after = json!({"id": "x", "name": "a", "website": null, "tags": []});
        let c = changes(None, Some(&after)).unwrap().unwrap();
        assert_eq!(
            c,
            json!({"name": {"before": null, "after": "a"}, "tags": {"before": null, "after": []}})
        );
    }
}
