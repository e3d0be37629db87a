//! Schools: the vocational schools and other places of learning of the alliance.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::field::{Date, Email, List, Name, Phone, PlainText, RegionCode, SchoolCode, ShortName, Text};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{MembershipStatus, ResourceType, SchoolKind};

/// A major (专业) a school teaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"code": "660301", "name": "焊接技术应用"}))]
pub struct Major {
    /// The major's code, if it has one (at most 500 characters).
    pub code: Option<PlainText>,
    /// The major's name, 1–500 characters.
    pub name: Text<1, 500>,
}

/// A school's majors: at most 200, each with a `name`; repeats are dropped.
pub type Majors = List<Major, 200>;

/// A school as every answer shows it.
pub type School = Record<SchoolFields>;
/// The body that creates a school.
pub type SchoolCreate = Create<SchoolFields>;
/// The body that changes a school, for the document.
pub type SchoolPatch = Patch<SchoolFields>;

/// A school: a vocational school or another place of learning in the alliance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct SchoolFields {
    /// Name, 1–200 characters.
    #[field(label = "名称", example = "县职业教育中心")]
    pub name: Name,
    /// Short name, at most 50 characters.
    #[field(label = "简称", example = "县职教中心")]
    pub short_name: Option<ShortName>,
    /// School identification code (学校标识码): 10 digits, unique.
    #[field(label = "学校标识码", example = "4137012345")]
    pub code: Option<SchoolCode>,
    /// Kind of school.
    #[field(label = "类型")]
    pub kind: Option<SchoolKind>,
    /// Street address, at most 500 characters.
    #[field(label = "地址", example = "县城职教路1号")]
    pub address: Option<PlainText>,
    /// Administrative region code, 6 digits.
    #[field(label = "行政区划代码", example = "370101")]
    pub region_code: Option<RegionCode>,
    /// Contact person, at most 500 characters.
    #[field(label = "联系人", example = "谭刚")]
    pub contact_name: Option<PlainText>,
    /// Contact phone: a mainland mobile or landline number.
    #[field(label = "联系电话", example = "0536-1234567")]
    pub contact_phone: Option<Phone>,
    /// Contact email.
    #[field(label = "电子邮箱")]
    pub contact_email: Option<Email>,
    /// Website, at most 500 characters.
    #[field(label = "网站", example = "https://school.example.com")]
    pub website: Option<PlainText>,
    /// Standing with the alliance; `none` when left out.
    #[field(label = "会员状态")]
    #[serde(default)]
    pub membership_status: MembershipStatus,
    /// When the school joined the alliance (`YYYY-MM-DD`).
    #[field(label = "入会日期")]
    pub joined_on: Option<Date>,
    /// The majors it teaches, in order: at most 200, each with a `name`.
    #[field(label = "专业")]
    #[serde(default)]
    pub majors: Majors,
}

impl Resource for SchoolFields {
    const NAME: &'static str = "School";
    const COLLECTION: &'static str = "schools";
    const TYPE: ResourceType = ResourceType::School;
    const CREATE_DOC: &'static str = "A new school. Only `name` is required.";
    const PATCH_DOC: &'static str = "Changes to a school, as a JSON merge patch: a field left out stays as it\nis, `null` clears it (`name` and `membership_status` cannot be cleared).";
    type Sort = SchoolSort;
    type Filters = SchoolFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![
            serde_json::json!({"name": "县职业教育中心", "short_name": "县职教中心", "code": "4137012345", "kind": "secondary_vocational", "membership_status": "council_member", "majors": [{"code": "660301", "name": "焊接技术应用"}]}),
        ]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"membership_status": "member"}))
    }
}

/// The fields the school list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "schools", default = CreatedAt)]
pub enum SchoolSort {
    /// `name`
    Name,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the school list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct SchoolFilters {
    /// Only schools of this kind.
    pub kind: Option<SchoolKind>,
    /// Only schools with this membership status.
    pub membership_status: Option<MembershipStatus>,
    /// Only schools teaching a major with exactly this code, or this name
    /// compared as `q` compares (case and traditional vs simplified Chinese
    /// do not matter): `焊接技术應用` finds 焊接技术应用.
    #[filter(custom)]
    pub major: Option<String>,
}
