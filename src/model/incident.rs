//! Incidents: what went wrong during a placement (an injury, a dispute, an
//! absence…), and whether it was reported and resolved.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::field::{Date, Text};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{IncidentKind, IncidentSeverity, ResourceType};

/// An incident as every answer shows it.
pub type Incident = Record<IncidentFields>;
/// The body that creates an incident.
pub type IncidentCreate = Create<IncidentFields>;
/// The body that changes an incident, for the document.
pub type IncidentPatch = Patch<IncidentFields>;

/// What happened: 1–5000 characters.
pub type IncidentDescription = Text<1, 5000>;
/// An insurance claim's number: 1–64 characters.
pub type ClaimNo = Text<1, 64>;

/// An incident during a placement: what happened, when, how grave, and
/// whether it was reported to the education bureau and resolved. It belongs
/// to its placement's school and enterprise, and whoever reads the placement
/// reads its incidents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct IncidentFields {
    /// The placement it happened in (must exist); set on create, never changed.
    #[field(label = "实习项目", fixed)]
    pub apprenticeship_id: Uuid,
    /// The placement's school, copied from it (read-only; follows the placement).
    #[field(label = "学校", computed, example = "01900000-0000-7000-8000-0000000005c1")]
    #[serde(default)]
    pub school_id: Option<Uuid>,
    /// The placement's host enterprise, copied from it (read-only; follows the placement).
    #[field(label = "企业", computed, example = "01900000-0000-7000-8000-0000000052f1")]
    #[serde(default)]
    pub enterprise_id: Uuid,
    /// The day it happened (`YYYY-MM-DD`), not after today in `CHANJIAO_TIMEZONE`.
    #[field(label = "发生日期", example = "2024-10-08")]
    pub occurred_on: Date,
    /// What kind of incident.
    #[field(label = "类型")]
    pub kind: IncidentKind,
    /// How grave it is.
    #[field(label = "严重程度")]
    pub severity: IncidentSeverity,
    /// What happened, 1–5000 characters.
    #[field(label = "经过", example = "学生在打磨工位被砂轮碎片划伤左手，已送县医院缝合。")]
    pub description: IncidentDescription,
    /// The insurance claim's number, 1–64 characters.
    #[field(label = "保险理赔号", example = "PICC-2024-10-0815")]
    pub insurance_claim_no: Option<ClaimNo>,
    /// When it was reported to the education bureau (`YYYY-MM-DD`).
    #[field(label = "报告教育局日期", example = "2024-10-09")]
    pub reported_to_bureau_on: Option<Date>,
    /// When it was resolved (`YYYY-MM-DD`), not before `occurred_on`; none while it is open.
    #[field(label = "处理完毕日期", example = "2024-10-20")]
    pub resolved_on: Option<Date>,
}

impl Resource for IncidentFields {
    const NAME: &'static str = "Incident";
    const COLLECTION: &'static str = "incidents";
    const TYPE: ResourceType = ResourceType::Incident;
    const CREATE_DOC: &'static str = "A new incident. `apprenticeship_id`, `occurred_on` (not after today),\n`kind`, `severity` and `description` are required. A school user names a\nplacement of its own school, an enterprise user one it hosts (another's is\na 403 naming `apprenticeship_id`).";
    const PATCH_DOC: &'static str = "Changes to an incident, as a JSON merge patch (to record its report or its\nresolution). `apprenticeship_id` is set on create only; `school_id` and\n`enterprise_id` follow the placement.";
    type Sort = IncidentSort;
    type Filters = IncidentFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
        "apprenticeship_id": "01900000-0000-7000-8000-00000000a9e1", "occurred_on": "2024-10-08",
        "kind": "injury", "severity": "serious",
        "description": "学生在打磨工位被砂轮碎片划伤左手，已送县医院缝合。",
        "insurance_claim_no": "PICC-2024-10-0815", "reported_to_bureau_on": "2024-10-09"})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"resolved_on": "2024-10-20"}))
    }
}

/// The fields the incident list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "incidents", default = CreatedAt)]
pub enum IncidentSort {
    /// `occurred_on`
    OccurredOn,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the incident list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct IncidentFilters {
    /// Only incidents of this kind.
    pub kind: Option<IncidentKind>,
    /// Only incidents this grave.
    pub severity: Option<IncidentSeverity>,
    /// `true`: only open incidents (no `resolved_on`); `false`: only resolved ones.
    #[filter(custom)]
    pub open: Option<bool>,
    /// Only the incidents of placements of this school.
    pub school_id: Option<Uuid>,
    /// Only the incidents of placements this enterprise hosts.
    pub enterprise_id: Option<Uuid>,
    /// Only the incidents of this placement.
    pub apprenticeship_id: Option<Uuid>,
    /// Only incidents that happened on or after this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "occurred_on", test = "at_least")]
    pub occurred_from: Option<Date>,
    /// Only incidents that happened on or before this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "occurred_on", test = "at_most")]
    pub occurred_to: Option<Date>,
}
