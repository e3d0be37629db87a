//! The statistics overview: counts over the directory, the placements, the
//! meetings and their action items.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Counts of a directory (enterprises or schools).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryCounts {
    /// How many there are.
    pub total: u64,
    /// How many per membership status; every status is present (0 where there are none).
    #[schema(example = json!({"none": 0, "applicant": 0, "member": 6, "council_member": 1, "suspended": 0}))]
    pub by_membership_status: BTreeMap<String, u64>,
}

/// Counts of placements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlacementCounts {
    /// How many there are.
    pub total: u64,
    /// How many per status; every status is present.
    #[schema(example = json!({"draft": 1, "submitted": 0, "active": 4, "suspended": 0, "completed": 2, "terminated": 0, "cancelled": 0}))]
    pub by_status: BTreeMap<String, u64>,
    /// How many per kind; every kind is present.
    #[schema(example = json!({"student_internship": 2, "observation_internship": 0, "modern_apprenticeship": 1, "order_class": 2, "teacher_practice": 1, "worker_training": 1}))]
    pub by_kind: BTreeMap<String, u64>,
}

/// An enterprise hosting active placements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopHost {
    /// The enterprise's id.
    pub enterprise_id: Uuid,
    /// Its name.
    #[schema(example = "辰泰重钢")]
    pub name: String,
    /// How many `active` placements it hosts.
    pub active: u64,
}

/// Counts of meetings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingCounts {
    /// How many meetings were held.
    pub total: u64,
}

/// Counts of action items by status, and the overdue ones.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionItemCounts {
    /// Not started.
    pub open: u64,
    /// Being worked on.
    pub in_progress: u64,
    /// Done.
    pub done: u64,
    /// Dropped.
    pub cancelled: u64,
    /// `open` or `in_progress` and due before today (in `CHANJIAO_TIMEZONE`).
    pub overdue: u64,
}

/// The alliance at a glance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    /// The enterprises of the directory (not narrowed by `year`).
    pub enterprises: DirectoryCounts,
    /// The schools of the directory (not narrowed by `year`).
    pub schools: DirectoryCounts,
    /// The placements (with `year`: those starting in it).
    pub apprenticeships: PlacementCounts,
    /// The ten enterprises hosting the most `active` placements (with `year`:
    /// of those starting in it), most first, ties by name; enterprises with
    /// none are left out.
    pub top_host_enterprises: Vec<TopHost>,
    /// The meetings (with `year`: those held in it).
    pub meetings: MeetingCounts,
    /// The action items (with `year`: those of the meetings held in it).
    pub action_items: ActionItemCounts,
}

/// What the overview counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// Only this calendar year (1900–2100): placements by `start_date`,
    /// meetings by `held_on`, action items by their meeting's `held_on`.
    #[param(minimum = 1900, maximum = 2100)]
    pub year: Option<i32>,
}
