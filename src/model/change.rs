//! The change feed: every committed create, update and delete of the API's
//! records, in the order they committed, for integrators to sync from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::vocab::{ChangeAction, FeedType};
use crate::error::ApiError;

/// Changes per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 100;
/// The largest `limit`.
pub const MAX_LIMIT: u64 = 1000;
/// How long changes are kept, at least.
pub const KEPT_DAYS: i64 = 90;

/// One change of one record.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "position": 1207, "at": "2024-04-03T08:00:00.123456Z", "resource_type": "apprenticeship",
    "resource_id": "01937b6e-3d2a-7f00-8c1b-5a3f2e1d0c9b", "action": "update", "version": 3}))]
pub struct Change {
    /// Where it stands in the feed: positions only grow, in the order the
    /// changes committed (with gaps).
    pub position: i64,
    /// When the change was made (the record's `updated_at` of that version;
    /// for a deletion, when it was deleted).
    pub at: DateTime<Utc>,
    /// The kind of record.
    pub resource_type: FeedType,
    /// The record's id.
    pub resource_id: Uuid,
    /// `create`, `update` (a merge patch, a transition, an evaluation…) or `delete`.
    pub action: ChangeAction,
    /// The record's version after the change; absent for a deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// One page of the feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangePage {
    /// The changes after `after`, oldest first; fewer than `limit` once the
    /// page reaches the newest change.
    pub items: Vec<Change>,
    /// Pass as `after` to read on. Always present: on the newest page it is
    /// the feed's current position, to poll from later.
    #[schema(example = "1207")]
    pub next_after: String,
}

/// The parameters of `GET /changes`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeQuery {
    /// The previous page's `next_after` (opaque); absent: from the oldest
    /// change kept; `latest`: no changes, only the current position (note it
    /// before you read the lists, then follow the feed from it). A position
    /// older than the changes kept (90 days) → 410: sync from the lists again.
    #[param(pattern = "^(latest|[0-9]{1,18})$")]
    pub after: Option<String>,
    /// Changes per page, 1–1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// Only changes of this kind of record.
    pub resource_type: Option<FeedType>,
}

/// Where a page of the feed starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// From the oldest change kept.
    Start,
    /// After this position.
    Position(i64),
    /// No changes: only the current position.
    Latest,
}

impl After {
    /// Reads the `after` parameter: absent or empty, `latest`, or a position (400 otherwise).
    pub fn parse(text: Option<&str>) -> Result<After, ApiError> {
        match text {
            None | Some("") => Ok(After::Start),
            Some("latest") => Ok(After::Latest),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0 && text.bytes().all(|b| b.is_ascii_digit()))
                .map(After::Position)
                .ok_or_else(|| {
                    ApiError::bad_parameter(
                        "after",
                        "cursor",
                        "must be the `next_after` of a page of this feed, or `latest`",
                    )
                }),
        }
    }
}

/// A page request of the feed, checked.
#[derive(Debug, Clone, Copy)]
pub struct ChangeRequest {
    /// Where the page starts.
    pub after: After,
    /// Changes per page, 1–1000.
    pub limit: u64,
    /// Only changes of this kind of record.
    pub resource_type: Option<FeedType>,
}

impl ChangeQuery {
    /// The checked request (400 naming a bad parameter).
    pub fn request(&self) -> Result<ChangeRequest, ApiError> {
        Ok(ChangeRequest {
            after: After::parse(self.after.as_deref())?,
            limit: super::list::limit_of(self.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?,
            resource_type: self.resource_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_is_absent_latest_or_a_position_and_nothing_else() {
        assert_eq!(After::parse(None).unwrap(), After::Start);
        assert_eq!(After::parse(Some("")).unwrap(), After::Start);
        assert_eq!(After::parse(Some("latest")).unwrap(), After::Latest);
        assert_eq!(After::parse(Some("0")).unwrap(), After::Position(0));
        assert_eq!(After::parse(Some("1207")).unwrap(), After::Position(1207));
        for bad in ["-1", "+5", "1.0", "１２", "99999999999999999999", "LATEST", " 5"] {
            assert!(After::parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
