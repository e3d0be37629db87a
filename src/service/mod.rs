//! Queries and writes, one module per resource. Every write runs in one
//! transaction. Services take and return the API's request and response
//! types; entities stay in here.

pub mod enterprises;
pub mod list;
pub mod schools;

use chrono::{DateTime, SubsecRound, Utc};

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
