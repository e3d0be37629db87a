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

/// The parameters of `GET /stats/teacher-practice`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeacherPracticeQuery {
    /// Only the teachers of this school (a school user's own school whether or not it is given;
    /// another school → 403 naming `school_id`).
    pub school_id: Option<Uuid>,
    /// `true`: only the teachers below the requirement.
    pub below: Option<bool>,
    /// The last day of the five years counted (`YYYY-MM-DD`); today in `CHANJIAO_TIMEZONE` when left out.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub on: Option<crate::model::field::Date>,
}

/// A teacher, as the placements name them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Teacher {
    /// The name, as the teacher's latest placement gives it.
    #[schema(example = "谭刚")]
    pub name: String,
    /// The resident ID (masked for all but admins and the teacher's own school), if the placements give it.
    #[schema(example = "370101********0021")]
    pub national_id: Option<String>,
    /// The school of the teacher's latest placement.
    pub school_id: Option<Uuid>,
}

/// One teacher's enterprise practice within the five years.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeacherDays {
    /// Who.
    pub teacher: Teacher,
    /// The teacher's `active`, `completed` or `transferred` practice placements that lie (at least partly) within the five years.
    #[schema(example = 2)]
    pub placements: u32,
    /// The calendar days of practice within the five years, each day once.
    #[schema(example = 120)]
    pub days: u32,
    /// Whether `days` is at least `required_days`.
    pub meets_requirement: bool,
}

/// Teachers' enterprise practice: every teacher of the caller's scope who
/// has a `teacher_practice` placement, fewest days first, then by name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeacherPractice {
    /// The last day of the five years counted.
    #[schema(value_type = String, format = Date, example = "2025-06-30")]
    pub on: crate::model::field::Date,
    /// The days the rule asks for: 180 (six months) in five years.
    #[schema(example = 180)]
    pub required_days: u32,
    /// The teachers.
    pub items: Vec<TeacherDays>,
    /// How many teachers `items` lists.
    pub total: u64,
}
