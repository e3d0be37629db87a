//! Queries and writes, one module per resource. Every write runs in one
//! transaction. Services take and return the API's request and response
//! types; entities stay in here.

/// Copies each merge-patch field that is present (`Some(value)`, where
/// `value` may be `None` to clear it) onto the row's field of the same name.
macro_rules! merge_fields {
    ($model:expr, $patch:expr; $($field:ident),+ $(,)?) => {
        $(
            if let Some(value) = $patch.$field {
                $model.$field = value;
            }
        )+
    };
}

pub mod audit;
pub mod enterprises;
pub mod list;
pub mod schools;
pub mod secrets;
pub mod sessions;
pub mod users;

use chrono::{DateTime, SubsecRound, Utc};

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PrimaryKeyTrait, QuerySelect, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, FieldError};
use audit::Actor;

/// What an `If-Match` header demands of the record it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `*`: the record must exist.
    Any,
    /// The record's current version must be one of these.
    Versions(Vec<i32>),
}

impl Precondition {
    /// Whether a record at `version` satisfies the precondition.
    pub fn holds(&self, version: i32) -> bool {
        match self {
            Precondition::Any => true,
            Precondition::Versions(versions) => versions.contains(&version),
        }
    }
}

/// Checks an optional precondition against the stored version (412 when it fails).
pub fn check_precondition(precondition: Option<&Precondition>, version: i32) -> Result<(), ApiError> {
    match precondition {
        Some(p) if !p.holds(version) => Err(ApiError::PreconditionFailed),
        _ => Ok(()),
    }
}

/// The current time at the precision both databases store (microseconds),
/// so that what a response shows is exactly what a filter compares.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A 403 naming each of `fixed` whose value differs between two states of a
/// record: fields the caller's role may not set to a new value.
pub fn forbidden_changes<T: Serialize>(before: &T, after: &T, fixed: &[&str]) -> Result<(), ApiError> {
    if fixed.is_empty() {
        return Ok(());
    }
    let (before, after) = (serde_json::to_value(before), serde_json::to_value(after));
    let (Ok(before), Ok(after)) = (before, after) else {
        return Ok(());
    };
    let errors: Vec<FieldError> = fixed
        .iter()
        .filter(|field| before.get(**field) != after.get(**field))
        .map(|field| FieldError::new(*field, "forbidden", "your role may not change this field"))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            detail: "your role may not change these fields".into(),
            errors,
        })
    }
}

/// Loads a row to change it, locked (`SELECT … FOR UPDATE` on PostgreSQL)
/// until the transaction ends; 404 when there is none.
pub(crate) async fn find_for_update<E>(db: &impl ConnectionTrait, id: Uuid) -> Result<E::Model, ApiError>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Deletes a versioned record under its `If-Match` and records the deletion,
/// with the record's last state, in the same transaction. A record others
/// still reference is a 409 and stays.
pub(crate) async fn delete_audited<E, R>(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: Option<Precondition>,
    resource_type: &'static str,
    version: fn(&E::Model) -> i32,
    to_response: fn(E::Model) -> R,
) -> Result<(), ApiError>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    R: Serialize,
{
    let txn = db.begin().await?;
    let current = find_for_update::<E>(&txn, id).await?;
    check_precondition(precondition.as_ref(), version(&current))?;
    E::delete_by_id(id)
        .exec(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, &[]))?;
    let before = to_response(current);
    audit::record_change(&txn, actor, "delete", resource_type, id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

/// Records that a merge patch tried to clear a field that must have a value.
pub(crate) fn cannot_clear(field: &str, errors: &mut Vec<FieldError>) {
    errors.push(FieldError::new(field, "required", "cannot be cleared"));
}
