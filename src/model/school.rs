//! Schools: the vocational schools and other places of learning of the alliance.

use crate::model::field::Date;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::export::{Column, Columns};
use super::field::{Email, List, Name, Phone, PlainText, RegionCode, SchoolCode, ShortName, Text};
use super::list::sort_key;
use crate::domain::vocab::{MembershipStatus, SchoolKind};

crate::object! {
    /// A major (专业) a school teaches.
    example = serde_json::json!({"code": "660301", "name": "焊接技术应用"});
    pub struct Major {
        /// The major's code, if it has one (at most 500 characters).
        code: Option<PlainText>,
        /// The major's name, 1–500 characters.
        name: Text<1, 500>,
    }
}

/// A school's majors: at most 200, each with a `name`; repeats are dropped.
pub type Majors = List<Major, 200>;

crate::record! {
    /// A school: a vocational school or another place of learning in the alliance.
    pub struct School;
    /// A new school. Only `name` is required.
    example = serde_json::json!({"name": "县职业教育中心", "short_name": "县职教中心", "code": "4137012345", "kind": "secondary_vocational", "membership_status": "council_member", "majors": [{"code": "660301", "name": "焊接技术应用"}]});
    pub struct SchoolCreate;
    /// Changes to a school, as a JSON merge patch: a field left out stays as it
    /// is, `null` clears it (`name` and `membership_status` cannot be cleared).
    example = serde_json::json!({"membership_status": "member"});
    pub struct SchoolPatch;
    /// The fields of a school that a merge patch may change.
    pub struct SchoolFields;
    {
        /// Name, 1–200 characters.
        name: Name [example = "县职业教育中心"],
        /// Short name, at most 50 characters.
        short_name: Option<ShortName> [example = "县职教中心"],
        /// School identification code (学校标识码): 10 digits, unique.
        code: Option<SchoolCode> [example = "4137012345"],
        /// Kind of school.
        kind: Option<SchoolKind>,
        /// Street address, at most 500 characters.
        address: Option<PlainText> [example = "县城职教路1号"],
        /// Administrative region code, 6 digits.
        region_code: Option<RegionCode> [example = "370101"],
        /// Contact person, at most 500 characters.
        contact_name: Option<PlainText> [example = "谭刚"],
        /// Contact phone: a mainland mobile or landline number.
        contact_phone: Option<Phone> [example = "0536-1234567"],
        /// Contact email.
        contact_email: Option<Email>,
        /// Website, at most 500 characters.
        website: Option<PlainText> [example = "https://school.example.com"],
        /// Standing with the alliance; `none` when left out.
        membership_status: MembershipStatus [default],
        /// When the school joined the alliance (`YYYY-MM-DD`).
        joined_on: Option<Date>,
        /// The majors it teaches, in order: at most 200, each with a `name`.
        majors: Majors [default],
    }
}

sort_key! {
    /// The fields the school list sorts by.
    SchoolSort for "schools", default CreatedAt {
        Name => "name",
        CreatedAt => "created_at",
        UpdatedAt => "updated_at",
    }
}

/// Filters of the school list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchoolFilters {
    /// Only schools of this kind.
    pub kind: Option<SchoolKind>,
    /// Only schools with this membership status.
    pub membership_status: Option<MembershipStatus>,
    /// Only schools teaching a major with exactly this code, or this name
    /// compared as `q` compares (case and traditional vs simplified Chinese
    /// do not matter): `焊接技术應用` finds 焊接技术应用.
    pub major: Option<String>,
}

impl Columns for School {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("名称 name", "name"),
        Column::text("简称 short_name", "short_name"),
        Column::text("学校标识码 code", "code"),
        Column::text("类型 kind", "kind"),
        Column::text("地址 address", "address"),
        Column::text("行政区划代码 region_code", "region_code"),
        Column::text("联系人 contact_name", "contact_name"),
        Column::text("联系电话 contact_phone", "contact_phone"),
        Column::text("电子邮箱 contact_email", "contact_email"),
        Column::text("网站 website", "website"),
        Column::text("会员状态 membership_status", "membership_status"),
        Column::text("入会日期 joined_on", "joined_on"),
        Column::json("专业 majors", "majors"),
        Column::number("版本 version", "version").shown(),
        Column::text("创建时间 created_at", "created_at").shown(),
        Column::text("更新时间 updated_at", "updated_at").shown(),
    ];
}
