//! Queries and writes, one module per resource. Every write runs in one
//! transaction. Services take and return the API's request and response
//! types; entities stay in here.

pub mod audit;
pub mod enterprises;
pub mod list;
pub mod schools;
pub mod secrets;
pub mod sessions;
pub mod users;

use chrono::{DateTime, SubsecRound, Utc};

use serde::Serialize;

use crate::error::{ApiError, FieldError};

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
