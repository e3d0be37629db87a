//! Supervision visits (巡查, 走访): a school supervisor's visit to a placement.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::field::{Date, LongText, Text};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{ResourceType, VisitKind};

/// A visit as every answer shows it.
pub type Visit = Record<VisitFields>;
/// The body that creates a visit.
pub type VisitCreate = Create<VisitFields>;
/// The body that changes a visit, for the document.
pub type VisitPatch = Patch<VisitFields>;

/// Who visited: 1–100 characters.
pub type VisitorName = Text<1, 100>;

/// A supervision visit to a placement: who visited, when, how, what they
/// found and when to follow up. It belongs to its placement's school and
/// enterprise, and whoever reads the placement reads its visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct VisitFields {
    /// The placement visited (must exist); set on create, never changed.
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
    /// The day of the visit (`YYYY-MM-DD`), not after today in `CHANJIAO_TIMEZONE`.
    #[field(label = "走访日期", example = "2024-10-15")]
    pub visited_on: Date,
    /// Who visited, 1–100 characters.
    #[field(label = "走访人", example = "王老师")]
    pub visitor_name: VisitorName,
    /// How the visit was made; `on_site` when left out.
    #[field(label = "方式")]
    #[serde(default)]
    pub kind: VisitKind,
    /// What the visitor found, at most 5000 characters.
    #[field(label = "走访情况", example = "学生在焊接车间跟岗，师傅带教到位，食宿安排良好。")]
    pub findings: Option<LongText>,
    /// When the findings are to be followed up (`YYYY-MM-DD`).
    #[field(label = "跟进日期", example = "2024-11-15")]
    pub follow_up_due_on: Option<Date>,
}

impl Resource for VisitFields {
    const NAME: &'static str = "Visit";
    const COLLECTION: &'static str = "visits";
    const TYPE: ResourceType = ResourceType::Visit;
    const CREATE_DOC: &'static str = "A new supervision visit. `apprenticeship_id`, `visited_on` (not after\ntoday) and `visitor_name` are required. A school user names a placement\nof its own school (another school's is a 403 naming `apprenticeship_id`).";
    const PATCH_DOC: &'static str = "Changes to a visit, as a JSON merge patch. `apprenticeship_id` is set\non create only; `school_id` and `enterprise_id` follow the placement.";
    type Sort = VisitSort;
    type Filters = VisitFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
        "apprenticeship_id": "01900000-0000-7000-8000-00000000a9e1", "visited_on": "2024-10-15",
        "visitor_name": "王老师", "kind": "on_site",
        "findings": "学生在焊接车间跟岗，师傅带教到位，食宿安排良好。", "follow_up_due_on": "2024-11-15"})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"findings": "已复查，整改完成。", "follow_up_due_on": null}))
    }
}

/// The fields the visit list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "visits", default = CreatedAt)]
pub enum VisitSort {
    /// `visited_on`
    VisitedOn,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the visit list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct VisitFilters {
    /// Only the visits to this placement.
    pub apprenticeship_id: Option<Uuid>,
    /// Only the visits to placements of this school.
    pub school_id: Option<Uuid>,
    /// Only the visits to placements this enterprise hosts.
    pub enterprise_id: Option<Uuid>,
    /// Only visits made on or after this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "visited_on", test = "at_least")]
    pub visited_from: Option<Date>,
    /// Only visits made on or before this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "visited_on", test = "at_most")]
    pub visited_to: Option<Date>,
}
