//! Compliance (实习合规): the county's settings of the internship rules, the
//! findings of the rules on a day, and their summary.

use std::collections::BTreeMap;

use chanjiao_derive::Fields;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::export::{Column, Columns};
use super::field::{Date, Fen, Int};
use super::list::SortKey;
use super::resource::{field_components, versioned_schema};
use crate::domain::vocab::{ComplianceRule, Severity};

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
/// (the `ETag` a `PUT` sends back in `If-Match`) and times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceSettings {
    /// The settings.
    #[serde(flatten)]
    pub values: ComplianceSettingsValues,
    /// 1 at first, +1 for each change.
    pub version: i32,
    /// When they were first stored.
    pub created_at: DateTime<Utc>,
    /// When they last changed.
    pub updated_at: DateTime<Utc>,
}

impl utoipa::PartialSchema for ComplianceSettings {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        versioned_schema::<ComplianceSettingsValues>(Some(serde_json::json!({
            "intern_share_enterprise_pct": 10, "intern_share_post_pct": 20, "pay_floor_pct": 80,
            "minimum_monthly_fen": null, "visit_interval_days": 30, "version": 1,
            "created_at": "2026-12-07T08:00:00Z", "updated_at": "2026-12-07T08:00:00Z"})))
    }
}

impl ToSchema for ComplianceSettings {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ComplianceSettings")
    }

    fn schemas(out: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        field_components::<ComplianceSettingsValues>(out);
    }
}

/// One finding: a placement, an enterprise, a post or an incident against
/// one rule on the day `on`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "rule": "intern_share_post", "severity": "breach",
    "enterprise_id": "01900000-0000-7000-8000-00000000c7a1", "school_id": null,
    "apprenticeship_id": null, "post": "焊工",
    "facts": {"interns": 5, "staff_count": 20, "limit": 4, "pct": 20},
    "detail": "5 interns on the post 焊工 of 20 staff: more than 20 % (at most 4)"}))]
pub struct Finding {
    /// The rule.
    pub rule: ComplianceRule,
    /// `breach` or `warning` (the rule's).
    pub severity: Severity,
    /// The enterprise it is about, or that hosts the placement.
    pub enterprise_id: Uuid,
    /// The placement's school; `null` for a finding about an enterprise or a post.
    pub school_id: Option<Uuid>,
    /// The placement; `null` for a finding about an enterprise or a post.
    pub apprenticeship_id: Option<Uuid>,
    /// The post's name (as the enterprise lists it), for the post rules and the pay floor; else `null`.
    pub post: Option<String>,
    /// The figures the rule compared (`interns`, `staff_count`, `limit`,
    /// `stipend_fen`, `floor_fen`, `age`, `weeks`, `days_since_visit`, …).
    #[schema(value_type = Object)]
    pub facts: Map<String, Value>,
    /// What was found, in a sentence.
    pub detail: String,
}

impl Columns for Finding {
    const COLUMNS: &'static [Column] = &[
        Column::text("规则 rule", "rule"),
        Column::text("严重程度 severity", "severity"),
        Column::text("企业 enterprise_id", "enterprise_id"),
        Column::text("学校 school_id", "school_id"),
        Column::text("实习 apprenticeship_id", "apprenticeship_id"),
        Column::text("岗位 post", "post"),
        Column::json("依据 facts", "facts"),
        Column::text("说明 detail", "detail"),
    ];
}

/// The parameters of the findings and the summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// The day the records are judged on (`YYYY-MM-DD`); today in
    /// `CHANJIAO_TIMEZONE` when left out. Statuses are today's: `on` moves
    /// the calendar, not the records.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub on: Option<Date>,
    /// Only the findings about this school's placements, and those about
    /// the enterprises and posts hosting its active students (a school
    /// user's own school whether or not it is given; another → 403).
    pub school_id: Option<Uuid>,
    /// Only the findings about this enterprise (an enterprise user's own
    /// whether or not it is given; another → 403).
    pub enterprise_id: Option<Uuid>,
}

/// The findings' own filters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingFilters {
    /// Only this rule's findings.
    pub rule: Option<ComplianceRule>,
    /// Only breaches or only warnings.
    pub severity: Option<Severity>,
}

/// The findings' one order: breaches first, then by `rule`,
/// `enterprise_id`, `apprenticeship_id` (and the post, the incident or the
/// week). Not a choice: `sort` is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingOrder;

impl SortKey for FindingOrder {
    const LIST: &'static str = "compliance_findings";
    const ALL: &'static [Self] = &[FindingOrder];
    const DEFAULT: Self = FindingOrder;

    fn as_str(self) -> &'static str {
        "rule"
    }
}

/// How many findings of each rule and severity there are on `on` in the
/// caller's scope (the findings' `total` in the same scope).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"on": "2025-03-01", "breaches": 3, "warnings": 5, "by_rule": {
    "first_year_student": 0, "hours_over_limit": 0, "insurance_expired": 1, "intern_share_enterprise": 1,
    "intern_share_post": 0, "minor_hazardous_work": 0, "pay_below_floor": 1, "student_night_shift": 0,
    "incident_unreported": 1, "journal_missing": 2, "no_recent_visit": 2, "past_end_date": 0,
    "staff_count_unknown": 0}}))]
pub struct ComplianceSummary {
    /// The day judged.
    #[schema(value_type = String, format = Date, example = "2025-03-01")]
    pub on: NaiveDate,
    /// Findings of severity `breach`.
    pub breaches: u64,
    /// Findings of severity `warning`.
    pub warnings: u64,
    /// Every rule with its number of findings (0 where none).
    #[schema(value_type = Object)]
    pub by_rule: BTreeMap<ComplianceRule, u64>,
}
