//! Training bases (产教融合基地, 厂中校, 校中厂): where the alliance trains,
//! hosted by an enterprise, partnered by a school, or both.

use crate::model::field::Date;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::export::{Column, Columns};
use super::field::{Int, LongText, Name, PlainText, Tags};
use super::list::sort_key;
use super::school::Majors;
use crate::domain::vocab::{BaseKind, BaseStatus};

/// How many trainees a base takes at once: 1–100,000.
pub type Capacity = Int<1, 100_000>;

crate::record! {
    /// A training base: an innovation service base, a skills training base, a
    /// research base, a factory-school (厂中校) or a school-factory (校中厂).
    pub struct Base;
    /// A new base. `name` and `kind` are required; the host `enterprise_id`
    /// unless it is a `school_factory`; the partner `school_id` for a
    /// `factory_school` and a `school_factory`.
    example = serde_json::json!({
        "name": "华建科技园厂中校", "kind": "factory_school",
        "enterprise_id": "01900000-0000-7000-8000-0000000052f1", "school_id": "01900000-0000-7000-8000-0000000005c1",
        "established_on": "2023-09-01", "capacity": 120, "majors": [{"code": "660103", "name": "数控技术应用"}],
        "address": "华建科技园五分厂", "tags": ["厂中校"]});
    pub struct BaseCreate;
    /// Changes to a base, as a JSON merge patch. The users of its host
    /// enterprise and partner school may change it, but not its `kind`,
    /// `enterprise_id` or `school_id` (403 naming the field).
    example = serde_json::json!({"status": "operating", "capacity": 150});
    pub struct BasePatch;
    /// The fields of a base that a merge patch may change.
    pub struct BaseFields;
    {
        /// Name, 1–200 characters.
        name: Name [example = "华建科技园厂中校"],
        /// What kind of base it is.
        kind: BaseKind,
        /// The host enterprise (must exist); required unless `kind` is `school_factory`.
        enterprise_id: Option<Uuid>,
        /// The partner school (must exist); required for `factory_school` and `school_factory`.
        school_id: Option<Uuid>,
        /// Where it stands; `operating` when left out.
        status: BaseStatus [default],
        /// When it was established (`YYYY-MM-DD`).
        established_on: Option<Date> [example = "2023-09-01"],
        /// Trainees at once, 1–100,000.
        capacity: Option<Capacity> [example = 120],
        /// The majors it trains for: at most 200, each with a `name`.
        majors: Majors [default],
        /// Where it is, at most 500 characters.
        address: Option<PlainText> [example = "华建科技园五分厂"],
        /// A description, at most 5000 characters.
        description: Option<LongText> [example = "校企共建的数控加工实训车间，可同时容纳120名学员。"],
        /// At most 20 tags of 1–30 characters; repeats are dropped.
        tags: Tags [default],
    }
}

sort_key! {
    /// The fields the base list sorts by (a base without `established_on`
    /// comes after every date ascending, before them descending).
    BaseSort for "bases", default CreatedAt {
        Name => "name",
        EstablishedOn => "established_on",
        CreatedAt => "created_at",
        UpdatedAt => "updated_at",
    }
}

/// Filters of the base list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
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

impl Columns for Base {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("名称 name", "name"),
        Column::text("类型 kind", "kind"),
        Column::text("依托企业 enterprise_id", "enterprise_id"),
        Column::text("合作学校 school_id", "school_id"),
        Column::text("状态 status", "status"),
        Column::text("建成日期 established_on", "established_on"),
        Column::number("容量 capacity", "capacity"),
        Column::json("专业 majors", "majors"),
        Column::text("地址 address", "address"),
        Column::text("简介 description", "description"),
        Column::json("标签 tags", "tags"),
        Column::number("版本 version", "version").shown(),
        Column::text("创建时间 created_at", "created_at").shown(),
        Column::text("更新时间 updated_at", "updated_at").shown(),
    ];
}
