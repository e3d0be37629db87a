//! Placements (apprenticeships): one person's placement at an enterprise,
//! with its lifecycle, history and evaluations.

use chanjiao_derive::{Fields, Filters, SortKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::export::Column;
use super::field::{Date, Fen, Flag, Hours, List, LongText, Name, Phone, PlainText, ResidentId, Score, TextRule};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{
    ApprenticeshipKind, ApprenticeshipStatus, EvaluationSide, ParticipantRole, ReasonCode, ResourceType,
};

/// A placement as every answer shows it.
pub type Apprenticeship = Record<ApprenticeshipFields>;
/// The body that creates a placement.
pub type ApprenticeshipCreate = Create<ApprenticeshipFields>;
/// The body that changes a placement, for the document.
pub type ApprenticeshipPatch = Patch<ApprenticeshipFields>;

/// The person placed: a student, a teacher or a worker (the placement's
/// kind fixes which). `national_id` and `phone` are shown whole only to
/// admins and the owning school; everyone else sees them masked
/// (`370101********0021`, `138****5678`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"name": "李明", "student_no": "2023040112", "national_id": "370101200803150021", "phone": "13812345678", "enrolled_on": "2023-09-01"}))]
pub struct Participant {
    /// Name, 1–200 characters.
    pub name: Name,
    /// `student`, `teacher` or `worker`: the kind fixes it. It may be left out; responses always show it.
    pub role: Option<ParticipantRole>,
    /// Student number, at most 500 characters.
    pub student_no: Option<PlainText>,
    /// Resident ID number (居民身份证号码), checksum-checked; a lower-case `x` is stored upper-cased.
    pub national_id: Option<ResidentId>,
    /// Phone: a mainland mobile or landline number.
    pub phone: Option<Phone>,
    /// Date of birth; when left out, the resident ID's birth date counts.
    pub birth_date: Option<Date>,
    /// When a student enrolled at the school (`YYYY-MM-DD`).
    pub enrolled_on: Option<Date>,
}

impl Participant {
    /// The participant's birth date: `birth_date`, else the resident ID's.
    pub fn born_on(&self) -> Option<chrono::NaiveDate> {
        self.birth_date
            .map(Date::naive)
            .or_else(|| self.national_id.as_ref().and_then(|id| id.birth_date()))
    }
}

/// One side's evaluation of a placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"by": "enterprise", "score": 92, "comment": "焊接操作规范，安全意识强", "at": "2025-06-30T08:00:00Z"}))]
pub struct Evaluation {
    /// Which side evaluated: the school or the enterprise.
    pub by: EvaluationSide,
    /// The score, 0–100.
    pub score: Score,
    /// A comment, at most 5000 characters.
    pub comment: Option<LongText>,
    /// When it was given.
    pub at: DateTime<Utc>,
}

/// A placement's evaluations: at most one per side.
pub type Evaluations = List<Evaluation, 2>;

/// A placement (实习 / 学徒 / 订单班 / 教师实践 / 职工培训): one person's placement at
/// an enterprise, with its status (changed only by transitions) and evaluations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct ApprenticeshipFields {
    /// What kind of placement it is.
    #[field(label = "类型")]
    pub kind: ApprenticeshipKind,
    /// The host enterprise (must exist).
    #[field(label = "企业")]
    pub enterprise_id: Uuid,
    /// The owning school (must exist); required for every kind but `worker_training`.
    #[field(label = "学校")]
    pub school_id: Option<Uuid>,
    /// The demand it answers (must exist, and be a demand of `enterprise_id`).
    #[field(label = "需求")]
    pub demand_id: Option<Uuid>,
    /// The training base it takes place at (must exist).
    #[field(label = "基地")]
    pub base_id: Option<Uuid>,
    /// The person placed.
    #[field(label = "参与者")]
    pub participant: Participant,
    /// The cohort or class, e.g. an order class, at most 500 characters.
    #[field(label = "班级项目", example = "辰泰重钢焊接订单班")]
    pub program: Option<PlainText>,
    /// The participant's major, at most 500 characters.
    #[field(label = "专业", example = "焊接技术应用")]
    pub major: Option<PlainText>,
    /// The post, at most 500 characters.
    #[field(label = "岗位", example = "焊工")]
    pub position: Option<PlainText>,
    /// Where the work happens (a factory-school, a workshop), at most 500 characters.
    #[field(label = "地点", example = "华建五分厂")]
    pub site: Option<PlainText>,
    /// The enterprise's mentor, at most 500 characters.
    #[field(label = "企业导师", example = "王建国")]
    pub enterprise_mentor: Option<PlainText>,
    /// The school's supervisor, at most 500 characters.
    #[field(label = "学校指导教师", example = "谭刚")]
    pub school_supervisor: Option<PlainText>,
    /// The first day (`YYYY-MM-DD`).
    #[field(label = "开始日期", example = "2024-09-01")]
    pub start_date: Date,
    /// The last day, not before `start_date`.
    #[field(label = "结束日期", example = "2025-06-30")]
    pub end_date: Option<Date>,
    /// Hours a week: 1–40 for student kinds (no overtime for interns), 1–60 otherwise.
    #[field(label = "每周学时", example = 36)]
    pub hours_per_week: Option<Hours>,
    /// The monthly stipend in fen (CNY cents), 0–100,000,000.
    #[field(label = "月补贴（分）", example = 200000)]
    pub monthly_stipend_fen: Option<Fen>,
    /// When the tripartite agreement (school, enterprise, participant) was signed;
    /// a student placement becomes `active` only with it.
    #[field(label = "三方协议签订日期", example = "2024-08-20")]
    pub agreement_signed_on: Option<Date>,
    /// The internship liability insurance policy; a student placement becomes
    /// `active` only with it. At most 500 characters.
    #[field(label = "保险单号", example = "PICC-2024-081501")]
    pub insurance_policy_no: Option<PlainText>,
    /// Whether the placement includes night work (22:00–06:00); `false` when left out.
    #[field(label = "夜班")]
    #[serde(default)]
    pub night_shift: Flag<false>,
    /// Whether the work is forbidden to minors (未成年工禁忌从事的劳动) or is heavy
    /// physical labour of grade III or above; `false` when left out.
    #[field(label = "禁忌作业")]
    #[serde(default)]
    pub hazardous: Flag<false>,
    /// The day the internship liability insurance ends (`YYYY-MM-DD`).
    #[field(label = "保险到期日期", example = "2025-06-30")]
    pub insurance_expires_on: Option<Date>,
    /// Where the placement stands (read-only: see `POST /apprenticeships/{id}/transitions`).
    #[field(label = "状态", computed)]
    #[serde(default)]
    pub status: ApprenticeshipStatus,
    /// The evaluations, at most one per side (read-only: see `POST /apprenticeships/{id}/evaluations`).
    #[field(label = "评价", computed)]
    #[serde(default)]
    pub evaluations: Evaluations,
    /// The placement at the previous host this one continues after a transfer
    /// (read-only: see `POST /apprenticeships/{id}/transfer`).
    #[field(label = "转出自", computed)]
    #[serde(default)]
    pub transferred_from: Option<Uuid>,
    /// The placement at the new host that continues this `transferred` one
    /// (read-only: see `POST /apprenticeships/{id}/transfer`).
    #[field(label = "转至", computed)]
    #[serde(default)]
    pub transferred_to: Option<Uuid>,
}

impl Resource for ApprenticeshipFields {
    const NAME: &'static str = "Apprenticeship";
    const COLLECTION: &'static str = "apprenticeships";
    const TYPE: ResourceType = ResourceType::Apprenticeship;
    const CREATE_DOC: &'static str = "A new placement; it starts as `draft`. The kind fixes the participant's role;\nevery kind but `worker_training` names a school.";
    const PATCH_DOC: &'static str = "Changes to a placement, as a JSON merge patch (`participant` is merged key by\nkey). `status`, `evaluations`, `transferred_from` and `transferred_to` change only\nthrough their own operations.";
    type Sort = ApprenticeshipSort;
    type Filters = ApprenticeshipFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![
            serde_json::json!({
            "kind": "order_class", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1",
            "school_id": "01900000-0000-7000-8000-0000000005c1",
            "participant": {"name": "李明", "student_no": "2023040112", "national_id": "370101200803150021", "phone": "13812345678", "enrolled_on": "2023-09-01"},
            "program": "辰泰重钢焊接订单班", "major": "焊接技术应用", "position": "焊工", "site": "辰泰重钢焊接实训车间",
            "enterprise_mentor": "王建国", "school_supervisor": "谭刚", "start_date": "2024-09-01", "end_date": "2025-06-30",
            "hours_per_week": 36, "monthly_stipend_fen": 200000, "agreement_signed_on": "2024-08-20", "insurance_policy_no": "PICC-2024-081501",
            "insurance_expires_on": "2025-06-30"}),
            serde_json::json!({
            "kind": "student_internship", "enterprise_id": "01900000-0000-7000-8000-0000000052f1",
            "school_id": "01900000-0000-7000-8000-0000000005c1",
            "participant": {"name": "王芳", "student_no": "2022030207", "phone": "13912345678", "birth_date": "2006-06-01"},
            "program": "2022级数控班岗位实习", "major": "数控技术应用", "position": "装配工", "site": "华建五分厂",
            "start_date": "2024-10-08", "end_date": "2025-04-07", "hours_per_week": 40, "monthly_stipend_fen": 250000}),
        ]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"hours_per_week": 32, "participant": {"name": "李明", "phone": "13812345678"}}))
    }

    /// The participant spreads over one column per field of it.
    fn spread_columns(field: &str) -> Option<&'static [Column]> {
        (field == "participant").then_some(PARTICIPANT_COLUMNS)
    }
}

/// A placement's participant in a spreadsheet: one column per field.
const PARTICIPANT_COLUMNS: &[Column] = &[
    Column::text("姓名 participant.name", "participant.name"),
    Column::text("身份 participant.role", "participant.role"),
    Column::text("学号 participant.student_no", "participant.student_no"),
    Column::text("身份证号 participant.national_id", "participant.national_id"),
    Column::text("电话 participant.phone", "participant.phone"),
    Column::text("出生日期 participant.birth_date", "participant.birth_date"),
    Column::text("入学日期 participant.enrolled_on", "participant.enrolled_on"),
];

/// A move of a placement's status machine.
#[derive(Debug, Clone, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"to": "terminated", "reason": "学生因病休学", "reason_code": "health"}))]
pub struct TransitionRequest {
    /// The status to move to (`transferred` is reached only by `POST /apprenticeships/{id}/transfer`).
    pub to: ApprenticeshipStatus,
    /// Why: required to return (`submitted` → `draft`), terminate or cancel
    /// (empty or only white space is no reason). At most 500 characters.
    pub reason: Option<PlainText>,
    /// The coded reason: taken by returns, suspensions, terminations and
    /// cancellations, required to terminate; any other move refuses one (422).
    pub reason_code: Option<ReasonCode>,
}

impl TransitionRequest {
    /// The reason given, if any: an empty one, or one of only white space, is none.
    pub fn reason(&self) -> Option<&str> {
        given(self.reason.as_ref())
    }
}

/// A transfer of a placement to another host enterprise: the placement ends
/// as `transferred` the day before `on`, and a new `active` placement at
/// `enterprise_id` starts on `on`, a copy of it but for the fields given here
/// (and `demand_id`, which belongs to the old host).
#[derive(Debug, Clone, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"enterprise_id": "01900000-0000-7000-8000-0000000052f1", "on": "2025-01-06", "reason": "原实习单位停产，转至华建五分厂", "reason_code": "enterprise_closed", "position": "装配工", "site": "华建五分厂装配车间", "enterprise_mentor": "张建华", "agreement_signed_on": "2025-01-03", "insurance_policy_no": "PICC-2025-010301"}))]
pub struct TransferRequest {
    /// The new host enterprise (must exist, and not be the current host).
    pub enterprise_id: Uuid,
    /// The first day at the new host: after the placement's `start_date`,
    /// not after its `end_date`, not after today.
    pub on: Date,
    /// Why (empty or only white space is no reason). At most 500 characters.
    pub reason: PlainText,
    /// The coded reason.
    pub reason_code: ReasonCode,
    /// The new placement's post (the old one's when left out).
    pub position: Option<PlainText>,
    /// Where the work happens at the new host (the old one's when left out).
    pub site: Option<PlainText>,
    /// The new host's mentor (the old one's when left out).
    pub enterprise_mentor: Option<PlainText>,
    /// The new monthly stipend in fen (the old one's when left out).
    pub monthly_stipend_fen: Option<Fen>,
    /// The new hours a week (the old ones when left out; at most 40 for students).
    pub hours_per_week: Option<Hours>,
    /// Whether the work at the new host includes night work, 22:00–06:00 (the old placement's when left out).
    pub night_shift: Option<Flag<false>>,
    /// Whether the work at the new host is forbidden to minors or heavy
    /// physical labour of grade III or above (the old placement's when left out).
    pub hazardous: Option<Flag<false>>,
    /// When the tripartite agreement with the new host was signed: required
    /// for a student placement (an agreement is with one host).
    pub agreement_signed_on: Option<Date>,
    /// The internship liability insurance at the new host: required for a
    /// student placement (an insurance is with one host).
    pub insurance_policy_no: Option<PlainText>,
    /// When the insurance at the new host ends (the old one's when left out).
    pub insurance_expires_on: Option<Date>,
    /// The demand of the new host the new placement answers (none when left out).
    pub demand_id: Option<Uuid>,
    /// The training base of the new placement (the old one's when left out).
    pub base_id: Option<Uuid>,
}

impl TransferRequest {
    /// The reason given, if any: one of only white space is none.
    pub fn reason(&self) -> Option<&str> {
        given(Some(&self.reason))
    }
}

/// A reason's text, unless it is empty or only white space.
fn given(reason: Option<&PlainText>) -> Option<&str> {
    reason
        .map(|reason| reason.as_str())
        .filter(|reason| !reason.trim().is_empty())
}

/// A new evaluation: the school side's or the enterprise side's (an admin names `by`).
#[derive(Debug, Clone, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"score": 92, "comment": "焊接操作规范，安全意识强"}))]
pub struct EvaluationCreate {
    /// The side evaluating; only an admin sends it (a school user evaluates for
    /// the school, an enterprise user for the enterprise).
    pub by: Option<EvaluationSide>,
    /// The score, 0–100.
    pub score: Score,
    /// A comment, at most 5000 characters.
    pub comment: Option<LongText>,
}

/// Who made a transition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryActor {
    /// The user's id (none for a user of an outside identity provider).
    pub id: Option<Uuid>,
    /// The username.
    pub username: Option<String>,
}

/// One transition of a placement, or its creation (`from: null`, `to: "draft"`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The status it left (`null` for the creation).
    pub from: Option<ApprenticeshipStatus>,
    /// The status it reached.
    pub to: ApprenticeshipStatus,
    /// Why, when a reason was given.
    pub reason: Option<String>,
    /// The coded reason, when one was given.
    pub reason_code: Option<ReasonCode>,
    /// Who made it.
    pub actor: HistoryActor,
    /// When.
    pub at: DateTime<Utc>,
}

/// A placement's history, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct History {
    /// Every transition, its creation first.
    pub items: Vec<HistoryEntry>,
}

/// The fields the placement list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "apprenticeships", default = CreatedAt)]
pub enum ApprenticeshipSort {
    /// `start_date`
    StartDate,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the placement list; they combine with AND. A school user sees
/// its own school's placements, an enterprise user those it hosts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct ApprenticeshipFilters {
    /// Only placements in this status.
    pub status: Option<ApprenticeshipStatus>,
    /// Only placements of this kind.
    pub kind: Option<ApprenticeshipKind>,
    /// Only placements of this school.
    pub school_id: Option<Uuid>,
    /// Only placements at this enterprise.
    pub enterprise_id: Option<Uuid>,
    /// Only placements answering this demand.
    pub demand_id: Option<Uuid>,
    /// Only placements at this training base.
    pub base_id: Option<Uuid>,
    /// Only placements under way on this day: `start_date` ≤ it ≤ `end_date` (or no end).
    #[filter(custom)]
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub active_on: Option<Date>,
    /// Only placements starting on or after this day.
    #[filter(column = "start_date", test = "at_least")]
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub start_from: Option<Date>,
    /// Only placements starting on or before this day.
    #[filter(column = "start_date", test = "at_most")]
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub start_to: Option<Date>,
}
