//! Enterprises: the member units and partners of the alliance.

use crate::model::field::Date;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::export::{Column, Columns};
use super::field::{CreditCode, Email, LongText, Name, Phone, PlainText, RegionCode, ShortName, Tags, Text};
use super::list::sort_key;
use crate::domain::vocab::{MembershipStatus, Scale};

crate::record! {
    /// An enterprise: a member unit of the alliance or a partner of its schools.
    pub struct Enterprise;
    /// A new enterprise. Only `name` is required.
    example = serde_json::json!({"name": "辰泰重钢有限公司", "short_name": "辰泰重钢", "credit_code": "91350100M000100Y43", "scale": "large", "membership_status": "council_member", "tags": ["焊接培训"]});
    pub struct EnterpriseCreate;
    /// Changes to an enterprise, as a JSON merge patch: a field left out stays as
    /// it is, `null` clears it (`name` and `membership_status` cannot be cleared).
    example = serde_json::json!({"membership_status": "member", "contact_phone": "13812345678"});
    pub struct EnterprisePatch;
    /// The fields of an enterprise that a merge patch may change.
    pub struct EnterpriseFields;
    {
        /// Registered name, 1–200 characters.
        name: Name [example = "辰泰重钢有限公司"],
        /// Short name, at most 50 characters.
        short_name: Option<ShortName> [example = "辰泰重钢"],
        /// Unified Social Credit Code (统一社会信用代码): 18 characters, checksum-checked,
        /// unique; lower case is accepted and stored upper-cased.
        credit_code: Option<CreditCode> [example = "91350100M000100Y43"],
        /// Industry, at most 100 characters.
        industry: Option<Text<0, 100>> [example = "钢铁"],
        /// Size of the enterprise.
        scale: Option<Scale>,
        /// Street address, at most 500 characters.
        address: Option<PlainText> [example = "县经济开发区钢城大道8号"],
        /// Administrative region code, 6 digits.
        region_code: Option<RegionCode> [example = "370101"],
        /// Contact person, at most 500 characters.
        contact_name: Option<PlainText> [example = "刘芳"],
        /// Contact phone: a mainland mobile or landline number.
        contact_phone: Option<Phone> [example = "0536-1234567"],
        /// Contact email.
        contact_email: Option<Email> [example = "hr@example.com"],
        /// Website, at most 500 characters.
        website: Option<PlainText> [example = "https://www.example.com"],
        /// Description, at most 5000 characters.
        description: Option<LongText> [example = "钢结构制造企业，设有焊接培训中心。"],
        /// Standing with the alliance; `none` when left out.
        membership_status: MembershipStatus [default],
        /// When the enterprise joined the alliance (`YYYY-MM-DD`).
        joined_on: Option<Date> [example = "2024-04-03"],
        /// At most 20 tags of 1–30 characters; repeats are dropped.
        tags: Tags [default, example = ["厂中校"]],
    }
}

sort_key! {
    /// The fields the enterprise list sorts by.
    EnterpriseSort for "enterprises", default CreatedAt {
        Name => "name",
        CreatedAt => "created_at",
        UpdatedAt => "updated_at",
    }
}

/// Filters of the enterprise list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseFilters {
    /// Only enterprises with this membership status.
    pub membership_status: Option<MembershipStatus>,
    /// Only enterprises of this scale.
    pub scale: Option<Scale>,
    /// Only enterprises of exactly this industry.
    pub industry: Option<String>,
    /// Only enterprises carrying this tag.
    pub tag: Option<String>,
}

impl Columns for Enterprise {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("名称 name", "name"),
        Column::text("简称 short_name", "short_name"),
        Column::text("统一社会信用代码 credit_code", "credit_code"),
        Column::text("行业 industry", "industry"),
        Column::text("规模 scale", "scale"),
        Column::text("地址 address", "address"),
        Column::text("行政区划代码 region_code", "region_code"),
        Column::text("联系人 contact_name", "contact_name"),
        Column::text("联系电话 contact_phone", "contact_phone"),
        Column::text("电子邮箱 contact_email", "contact_email"),
        Column::text("网站 website", "website"),
        Column::text("简介 description", "description"),
        Column::text("会员状态 membership_status", "membership_status"),
        Column::text("入会日期 joined_on", "joined_on"),
        Column::json("标签 tags", "tags"),
        Column::number("版本 version", "version").shown(),
        Column::text("创建时间 created_at", "created_at").shown(),
        Column::text("更新时间 updated_at", "updated_at").shown(),
    ];
}
