//! Enterprises: the member units and partners of the alliance.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::field::{
    CreditCode, Date, Email, Fen, Int, LongText, Name, Phone, PlainText, RegionCode, Sequence, ShortName, Tags, Text,
    TextRule,
};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::search::fold;
use crate::domain::vocab::{MembershipStatus, ResourceType, Scale};

/// A number of employees: 0–1,000,000.
pub type StaffCount = Int<0, 1_000_000>;

/// A post (岗位) of an enterprise: its staff and what a new employee earns
/// during probation, the figures the interns' share and pay floor rest on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"name": "焊工", "staff_count": 320, "probation_monthly_fen": 450000}))]
pub struct Post {
    /// The post's name, 1–100 characters; unique among the enterprise's
    /// posts after folding case and traditional vs simplified Chinese (as `q`
    /// compares). A placement's `position` names a post the same way.
    pub name: Text<1, 100>,
    /// Employees in this post, 0–1,000,000.
    pub staff_count: Option<StaffCount>,
    /// A new employee's monthly pay in this post during probation, in fen
    /// (CNY cents), 0–100,000,000.
    pub probation_monthly_fen: Option<Fen>,
}

impl Post {
    /// The post's name as posts and positions are compared: folded (case and script).
    pub fn key(&self) -> String {
        fold(self.name.as_str())
    }
}

/// An enterprise's posts: at most 200, in order, names unique after folding
/// (a repeat is refused, not dropped, so that a problem's index is the body's).
pub type Posts = Sequence<Post, 200>;

/// An enterprise as every answer shows it.
pub type Enterprise = Record<EnterpriseFields>;
/// The body that creates an enterprise.
pub type EnterpriseCreate = Create<EnterpriseFields>;
/// The body that changes an enterprise, for the document.
pub type EnterprisePatch = Patch<EnterpriseFields>;

/// An enterprise: a member unit of the alliance or a partner of its schools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct EnterpriseFields {
    /// Registered name, 1–200 characters.
    #[field(label = "名称", example = "辰泰重钢有限公司")]
    pub name: Name,
    /// Short name, at most 50 characters.
    #[field(label = "简称", example = "辰泰重钢")]
    pub short_name: Option<ShortName>,
    /// Unified Social Credit Code (统一社会信用代码): 18 characters, checksum-checked,
    /// unique; lower case is accepted and stored upper-cased.
    #[field(label = "统一社会信用代码", example = "91350100M000100Y43")]
    pub credit_code: Option<CreditCode>,
    /// Industry, at most 100 characters.
    #[field(label = "行业", example = "钢铁")]
    pub industry: Option<Text<0, 100>>,
    /// Size of the enterprise.
    #[field(label = "规模")]
    pub scale: Option<Scale>,
    /// Street address, at most 500 characters.
    #[field(label = "地址", example = "县经济开发区钢城大道8号")]
    pub address: Option<PlainText>,
    /// Administrative region code, 6 digits.
    #[field(label = "行政区划代码", example = "370101")]
    pub region_code: Option<RegionCode>,
    /// Contact person, at most 500 characters.
    #[field(label = "联系人", example = "刘芳")]
    pub contact_name: Option<PlainText>,
    /// Contact phone: a mainland mobile or landline number.
    #[field(label = "联系电话", example = "0536-1234567")]
    pub contact_phone: Option<Phone>,
    /// Contact email.
    #[field(label = "电子邮箱", example = "hr@example.com")]
    pub contact_email: Option<Email>,
    /// Website, at most 500 characters.
    #[field(label = "网站", example = "https://www.example.com")]
    pub website: Option<PlainText>,
    /// Description, at most 5000 characters.
    #[field(label = "简介", example = "钢结构制造企业，设有焊接培训中心。")]
    pub description: Option<LongText>,
    /// Standing with the alliance; `none` when left out.
    #[field(label = "会员状态")]
    #[serde(default)]
    pub membership_status: MembershipStatus,
    /// When the enterprise joined the alliance (`YYYY-MM-DD`).
    #[field(label = "入会日期", example = "2024-04-03")]
    pub joined_on: Option<Date>,
    /// At most 20 tags of 1–30 characters; repeats are dropped.
    #[field(label = "标签", example = ["厂中校"])]
    #[serde(default)]
    pub tags: Tags,
    /// Employees on its payroll, 0–1,000,000: the base of the interns' share.
    #[field(label = "职工人数", example = 1260)]
    pub staff_count: Option<StaffCount>,
    /// Its posts (岗位), at most 200: each with its `name` (1–100 characters,
    /// unique after folding case and traditional vs simplified Chinese), its
    /// `staff_count` and a new employee's monthly pay during probation
    /// (`probation_monthly_fen`). Empty when left out.
    #[field(label = "岗位")]
    #[serde(default)]
    pub posts: Posts,
}

impl EnterpriseFields {
    /// The post a placement's `position` names: the one whose name folds
    /// alike (case and script), if any.
    pub fn post(&self, position: &str) -> Option<&Post> {
        let key = fold(position);
        self.posts.as_slice().iter().find(|post| post.key() == key)
    }
}

impl Resource for EnterpriseFields {
    const NAME: &'static str = "Enterprise";
    const COLLECTION: &'static str = "enterprises";
    const TYPE: ResourceType = ResourceType::Enterprise;
    const CREATE_DOC: &'static str = "A new enterprise. Only `name` is required.";
    const PATCH_DOC: &'static str = "Changes to an enterprise, as a JSON merge patch: a field left out stays as\nit is, `null` clears it (`name` and `membership_status` cannot be cleared).";
    type Sort = EnterpriseSort;
    type Filters = EnterpriseFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![
            serde_json::json!({"name": "辰泰重钢有限公司", "short_name": "辰泰重钢", "credit_code": "91350100M000100Y43", "scale": "large", "membership_status": "council_member", "tags": ["焊接培训"],
                "staff_count": 1260, "posts": [{"name": "焊工", "staff_count": 320, "probation_monthly_fen": 450000}]}),
        ]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"membership_status": "member", "contact_phone": "13812345678"}))
    }
}

/// The fields the enterprise list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "enterprises", default = CreatedAt)]
pub enum EnterpriseSort {
    /// `name`
    Name,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the enterprise list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseFilters {
    /// Only enterprises with this membership status.
    pub membership_status: Option<MembershipStatus>,
    /// Only enterprises of this scale.
    pub scale: Option<Scale>,
    /// Only enterprises of exactly this industry.
    pub industry: Option<String>,
    /// Only enterprises carrying this tag.
    #[filter(custom)]
    pub tag: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_names_the_post_whose_name_folds_alike() {
        let fields: EnterpriseFields = serde_json::from_value(serde_json::json!({
            "name": "辰泰重钢", "posts": [{"name": "電焊工", "probation_monthly_fen": 450000}, {"name": "Crane Operator"}]
        }))
        .unwrap();
        assert_eq!(
            fields.post("电焊工").and_then(|post| post.probation_monthly_fen),
            Some(Fen::parse(450000).unwrap())
        );
        assert_eq!(
            fields.post("CRANE operator").map(|post| post.name.as_str()),
            Some("Crane Operator")
        );
        assert!(fields.post("焊工").is_none(), "a substring names no post");
        assert!(fields.post("电焊工 ").is_none(), "white space counts");
    }
}
