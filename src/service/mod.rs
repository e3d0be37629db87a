//! Queries and writes, one module per resource. Every write runs in one
//! transaction with its audit row inside. Services take and return the
//! contract's types (`crate::model`); entities stay in here.

pub mod apprenticeships;
pub mod audit;
pub mod bases;
pub mod changes;
pub mod check_ins;
pub mod competitions;
pub mod compliance;
mod database;
pub mod delivery;
pub mod demands;
pub mod demo;
pub mod enterprises;
pub mod idempotency;
mod imports;
pub mod incidents;
mod inserts;
pub mod journals;
pub mod list;
pub mod meetings;
mod placement_records;
pub mod practice;
pub mod resource;
pub mod schools;
pub mod secrets;
pub mod sessions;
mod sql;
pub mod stats;
pub(crate) mod store;
pub mod users;
pub mod visits;
pub mod webhooks;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, PrimaryKeyTrait, QuerySelect};
use uuid::Uuid;

pub use database::{Database, UserState, USER_STATE_TTL};

use crate::error::ApiError;

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

/// Inserts a row without reading it back (sea-orm's `insert` reads the new
/// row back with a second statement on SQLite; no caller needs it).
pub(crate) async fn insert_only<A>(db: &impl ConnectionTrait, row: A) -> Result<(), sea_orm::DbErr>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    A::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
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
