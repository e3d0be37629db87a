//! Demands (需求清单): what an enterprise asked of the alliance, so that
//! schools can answer it and the alliance can see it fulfilled.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::field::{Date, Int, List, LongText, Name, Tags};
use super::resource::{Create, Patch, Record, Resource};
use super::school::Major;
use crate::domain::vocab::{DemandKind, DemandSource, DemandStatus, ResourceType};

/// How many people a demand needs: 1–10,000.
pub type Headcount = Int<1, 10_000>;

/// A demand's majors: at most 20, each with a `name` (as a school's); repeats are dropped.
pub type DemandMajors = List<Major, 20>;

/// A demand as every answer shows it.
pub type Demand = Record<DemandFields>;
/// The body that creates a demand.
pub type DemandCreate = Create<DemandFields>;
/// The body that changes a demand, for the document.
pub type DemandPatch = Patch<DemandFields>;

/// A demand (需求) of an enterprise: posts to fill, workers to train, an order
/// class, a course to build together… `fulfilled_headcount` counts the
/// placements naming it that are `active` or `completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct DemandFields {
    /// The enterprise that asked (must exist).
    #[field(label = "企业")]
    pub enterprise_id: Uuid,
    /// What it asked for.
    #[field(label = "类型")]
    pub kind: DemandKind,
    /// Title, 1–200 characters.
    #[field(label = "标题", example = "焊接订单班")]
    pub title: Name,
    /// What exactly, at most 5000 characters.
    #[field(label = "说明", example = "2025年秋季招收焊接订单班学员30名，结业后录用。")]
    pub description: Option<LongText>,
    /// The majors it needs: at most 20, each with a `name` (its `code` optional).
    #[field(label = "专业", example = serde_json::json!([{"code": "660301", "name": "焊接技术应用"}]))]
    #[serde(default)]
    pub majors: DemandMajors,
    /// How many people, 1–10,000; required for `positions`, `training` and `order_class`.
    #[field(label = "人数", example = 30)]
    pub headcount: Option<Headcount>,
    /// By when (`YYYY-MM-DD`).
    #[field(label = "需求日期", example = "2025-09-01")]
    pub needed_by: Option<Date>,
    /// Where it stands; `open` when left out. `fulfilled` and `withdrawn` are final.
    #[field(label = "状态")]
    #[serde(default)]
    pub status: DemandStatus,
    /// Where the alliance learnt of it.
    #[field(label = "来源")]
    pub source: Option<DemandSource>,
    /// The meeting it was raised at (must exist).
    #[field(label = "会议")]
    pub meeting_id: Option<Uuid>,
    /// At most 20 tags of 1–30 characters; repeats are dropped.
    #[field(label = "标签", example = ["一企一策"])]
    #[serde(default)]
    pub tags: Tags,
    /// The placements naming this demand that are `active` or `completed`
    /// (read-only; it may pass `headcount`). When a placement's move
    /// changes it, the demand's `version` and `updated_at` change too.
    #[field(label = "已满足人数", example = 12, computed)]
    #[serde(default)]
    pub fulfilled_headcount: i32,
}

impl Resource for DemandFields {
    const NAME: &'static str = "Demand";
    const COLLECTION: &'static str = "demands";
    const TYPE: ResourceType = ResourceType::Demand;
    const CREATE_DOC: &'static str = "A new demand. `enterprise_id`, `kind` and `title` are required, and\n`headcount` for `positions`, `training` and `order_class`. An enterprise\nuser names its own enterprise (403 naming `enterprise_id` otherwise).";
    const PATCH_DOC: &'static str = "Changes to a demand, as a JSON merge patch. `status` moves freely among\n`open` and `in_progress` and into `fulfilled` or `withdrawn`, which are\nfinal (a patch that leaves them is a 409).";
    type Sort = DemandSort;
    type Filters = DemandFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
        "enterprise_id": "01900000-0000-7000-8000-00000000c7a1", "kind": "order_class",
        "title": "焊接订单班", "description": "每年培养焊工30名，企业提供实训车间和师傅",
        "majors": [{"code": "660301", "name": "焊接技术应用"}], "headcount": 30, "needed_by": "2025-09-01",
        "source": "survey", "tags": ["一企一策"]})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"status": "in_progress"}))
    }
}

/// The fields the demand list sorts by (a demand without `needed_by` comes
/// after every date ascending, before them descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "demands", default = CreatedAt)]
pub enum DemandSort {
    /// `needed_by`
    #[sort(column = "needed_by_key")]
    NeededBy,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the demand list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct DemandFilters {
    /// Only demands of this kind.
    pub kind: Option<DemandKind>,
    /// Only demands in this status.
    pub status: Option<DemandStatus>,
    /// Only the demands of this enterprise.
    pub enterprise_id: Option<Uuid>,
    /// Only demands naming a major with exactly this code, or this name
    /// compared as `q` compares (case and traditional vs simplified Chinese
    /// do not matter).
    #[filter(custom)]
    pub major: Option<String>,
    /// Only demands needed before this day (exclusive); a demand without `needed_by` is left out.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "needed_by", test = "before")]
    pub needed_before: Option<Date>,
}

/// How many schools `GET /demands/{id}/matches` answers.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// How many schools, 1–50 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
}

/// Whether a school lies where the demand's enterprise does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SameRegion {
    /// `true`: the same region code; `false`: not the same city either.
    Exact(bool),
    /// `"city"`: only the first four digits agree.
    City(CityOnly),
}

/// The text `"city"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CityOnly {
    /// The same city, another county.
    City,
}

/// A school that could answer a demand, with why.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SchoolMatch {
    /// The school.
    pub school_id: Uuid,
    /// Its name.
    #[schema(example = "县职业教育中心")]
    pub name: String,
    /// 10 per demand major it teaches, + its placements at the enterprise
    /// that are `active` or `completed` (at most 10), + 3 in the same region
    /// (+1 in the same city only).
    #[schema(example = 25)]
    pub score: u32,
    /// The demand's majors the school teaches (matched by code, or by name
    /// folded as `q` folds).
    pub matched_majors: Vec<Major>,
    /// The school's placements at the enterprise that are `active` or `completed`.
    #[schema(example = 2)]
    pub active_placements: u32,
    /// `true` (the same region code), `"city"` (the first four digits) or `false`.
    pub same_region: SameRegion,
}

/// The schools that could answer a demand, best first (ties by name); a
/// school with score 0 is left out.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Matches {
    /// At most `limit` schools.
    pub items: Vec<SchoolMatch>,
}
