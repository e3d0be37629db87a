//! Compliance (实习合规): the county's settings of the internship rules.

use chanjiao_derive::Fields;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::field::{Fen, Int};

/// A percentage: 1–100.
pub type Percent = Int<1, 100>;
/// A number of days: 1–365.
pub type Days = Int<1, 365>;

/// The county's settings of the internship rules: the limits the compliance
/// findings compare the records with. `PUT` gives every one of them
/// (`minimum_monthly_fen` may be left out or `null`: no county minimum).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({
    "intern_share_enterprise_pct": 10, "intern_share_post_pct": 20, "pay_floor_pct": 80,
    "minimum_monthly_fen": null, "visit_interval_days": 30}))]
pub struct ComplianceSettingsValues {
    /// The most interns (active `student_internship` placements) an
    /// enterprise may host, as a percentage of its `staff_count`: 1–100
    /// (the rules' 10 %).
    #[field(label = "企业实习生比例上限（%）")]
    pub intern_share_enterprise_pct: Percent,
    /// The most interns one post may have, as a percentage of the post's
    /// `staff_count`: 1–100 (the rules' 20 %).
    #[field(label = "岗位实习生比例上限（%）")]
    pub intern_share_post_pct: Percent,
    /// The least an intern may be paid, as a percentage of the probation pay
    /// of the post it works: 1–100 (the rules' 80 %).
    #[field(label = "实习报酬下限（试用期工资的%）")]
    pub pay_floor_pct: Percent,
    /// A county's own monthly minimum in fen (CNY cents), or `null` for none:
    /// an intern's stipend is below the floor when it is below this too.
    #[field(label = "月报酬最低额（分）")]
    #[serde(default)]
    pub minimum_monthly_fen: Option<Fen>,
    /// How often a school visits a student's placement: a placement with no
    /// supervision visit in this many days is a finding (`no_recent_visit`): 1–365.
    #[field(label = "巡查间隔天数")]
    pub visit_interval_days: Days,
}

/// The county's settings of the internship rules, with their `version`
/// (the `ETag` a `PUT` sends back in `If-Match`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ComplianceSettings {
    /// The settings.
    #[serde(flatten)]
    pub values: ComplianceSettingsValues,
    /// 1 at first, +1 for each change.
    pub version: i32,
    /// When they last changed.
    pub updated_at: DateTime<Utc>,
}
