//! Training bases (产教融合基地, 厂中校, 校中厂): where the alliance trains,
//! hosted by an enterprise, partnered by a school, or both.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::field::{Date, Int, LongText, Name, PlainText, Tags};
use super::resource::{Create, Patch, Record, Resource};
use super::school::Majors;
use crate::domain::vocab::{BaseKind, BaseStatus, ResourceType};

/// A training base as every answer shows it.
pub type Base = Record<BaseFields>;
/// The body that creates a training base.
pub type BaseCreate = Create<BaseFields>;
/// The body that changes a training base, for the document.
pub type BasePatch = Patch<BaseFields>;

/// How many trainees a base takes at once: 1–100,000.
pub type Capacity = Int<1, 100_000>;

/// A training base: an innovation service base, a skills training base, a
/// research base, a factory-school (厂中校) or a school-factory (校中厂).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct BaseFields {
    /// Name, 1–200 characters.
    #[field(label = "名称", example = "华建科技园厂中校")]
    pub name: Name,
    /// What kind of base it is.
    #[field(label = "类型")]
    pub kind: BaseKind,
    /// The host enterprise (must exist); required unless `kind` is `school_factory`.
    #[field(label = "依托企业")]
    pub enterprise_id: Option<Uuid>,
    /// The partner school (must exist); required for `factory_school` and `school_factory`.
    #[field(label = "合作学校")]
    pub school_id: Option<Uuid>,
    /// Where it stands; `operating` when left out.
    #[field(label = "状态")]
    #[serde(default)]
    pub status: BaseStatus,
    /// When it was established (`YYYY-MM-DD`).
    #[field(label = "建成日期", example = "2023-09-01")]
    pub established_on: Option<Date>,
    /// Trainees at once, 1–100,000.
    #[field(label = "容量", example = 120)]
    pub capacity: Option<Capacity>,
    /// The majors it trains for: at most 200, each with a `name`.
    #[field(label = "专业")]
    #[serde(default)]
    pub majors: Majors,
    /// Where it is, at most 500 characters.
    #[field(label = "地址", example = "华建科技园五分厂")]
    pub address: Option<PlainText>,
    /// A description, at most 5000 characters.
    #[field(label = "简介", example = "校企共建的数控加工实训车间，可同时容纳120名学员。")]
    pub description: Option<LongText>,
    /// At most 20 tags of 1–30 characters; repeats are dropped.
    #[field(label = "标签")]
    #[serde(default)]
    pub tags: Tags,
}

impl Resource for BaseFields {
    const NAME: &'static str = "Base";
    const COLLECTION: &'static str = "bases";
    const TYPE: ResourceType = ResourceType::Base;
    const CREATE_DOC: &'static str = "A new base. `name` and `kind` are required; the host `enterprise_id`\nunless it is a `school_factory`; the partner `school_id` for a\n`factory_school` and a `school_factory`.";
    const PATCH_DOC: &'static str = "Changes to a base, as a JSON merge patch. The users of its host\nenterprise and partner school may change it, but not its `kind`,\n`enterprise_id` or `school_id` (403 naming the field).";
    type Sort = BaseSort;
    type Filters = BaseFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
        "name": "华建科技园厂中校", "kind": "factory_school",
        "enterprise_id": "01900000-0000-7000-8000-0000000052f1", "school_id": "01900000-0000-7000-8000-0000000005c1",
        "established_on": "2023-09-01", "capacity": 120, "majors": [{"code": "660103", "name": "数控技术应用"}],
        "address": "华建科技园五分厂", "tags": ["厂中校"]})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"status": "operating", "capacity": 150}))
    }
}

/// The fields the base list sorts by (a base without `established_on`
/// comes after every date ascending, before them descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "bases", default = CreatedAt)]
pub enum BaseSort {
    /// `name`
    Name,
    /// `established_on`
    #[sort(column = "established_on_key")]
    EstablishedOn,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the base list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct BaseFilters {
    /// Only bases of this kind.
    pub kind: Option<BaseKind>,
    /// Only bases in this status.
    pub status: Option<BaseStatus>,
    /// Only the bases this enterprise hosts.
    pub enterprise_id: Option<Uuid>,
    /// Only the bases this school partners.
    pub school_id: Option<Uuid>,
}
