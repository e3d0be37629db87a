//! Placements (apprenticeships): one person's placement at an enterprise,
//! with its lifecycle, history and evaluations.

use chrono::{DateTime, Utc};

use crate::model::field::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::export::{Column, Columns};
use super::field::{Fen, Hours, List, LongText, Name, Phone, PlainText, ResidentId, Score, TextRule};
use super::list::sort_key;
use crate::domain::vocab::{ApprenticeshipKind, ApprenticeshipStatus, EvaluationSide, ParticipantRole};

crate::object! {
    /// The person placed: a student, a teacher or a worker (the placement's
    /// kind fixes which). `national_id` and `phone` are shown whole only to
    /// admins and the owning school; everyone else sees them masked
    /// (`370101********0021`, `138****5678`).
    example = serde_json::json!({"name": "李明", "student_no": "2023040112", "national_id": "370101200803150021", "phone": "13812345678"});
    pub struct Participant {
        /// Name, 1–200 characters.
        name: Name,
        /// `student`, `teacher` or `worker`: the kind fixes it. It may be left out; responses always show it.
        role: Option<ParticipantRole>,
        /// Student number, at most 500 characters.
        student_no: Option<PlainText>,
        /// Resident ID number (居民身份证号码), checksum-checked; a lower-case `x` is stored upper-cased.
        national_id: Option<ResidentId>,
        /// Phone: a mainland mobile or landline number.
        phone: Option<Phone>,
        /// Date of birth; when left out, the resident ID's birth date counts.
        birth_date: Option<Date>,
    }
}

crate::object! {
    /// One side's evaluation of a placement.
    example = serde_json::json!({"by": "enterprise", "score": 92, "comment": "焊接操作规范，安全意识强", "at": "2025-06-30T08:00:00Z"});
    pub struct Evaluation {
        /// Which side evaluated: the school or the enterprise.
        by: EvaluationSide,
        /// The score, 0–100.
        score: Score,
        /// A comment, at most 5000 characters.
        comment: Option<LongText>,
        /// When it was given.
        at: DateTime<Utc>,
    }
}

/// A placement's evaluations: at most one per side.
pub type Evaluations = List<Evaluation, 2>;

crate::record! {
    /// A placement (实习 / 学徒 / 订单班 / 教师实践 / 职工培训): one person's placement at
    /// an enterprise, with its status (changed only by transitions) and evaluations.
    pub struct Apprenticeship;
    /// A new placement; it starts as `draft`. The kind fixes the participant's role;
    /// every kind but `worker_training` names a school.
    example = serde_json::json!({
        "kind": "order_class", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1",
        "school_id": "01900000-0000-7000-8000-0000000005c1",
        "participant": {"name": "李明", "student_no": "2023040112", "national_id": "370101200803150021", "phone": "13812345678"},
        "program": "辰泰重钢焊接订单班", "major": "焊接技术应用", "position": "焊工", "site": "辰泰重钢焊接实训车间",
        "enterprise_mentor": "王建国", "school_supervisor": "谭刚", "start_date": "2024-09-01", "end_date": "2025-06-30",
        "hours_per_week": 36, "monthly_stipend_fen": 200000, "agreement_signed_on": "2024-08-20", "insurance_policy_no": "PICC-2024-081501"});
    example = serde_json::json!({
        "kind": "student_internship", "enterprise_id": "01900000-0000-7000-8000-0000000052f1",
        "school_id": "01900000-0000-7000-8000-0000000005c1",
        "participant": {"name": "王芳", "student_no": "2022030207", "phone": "13912345678", "birth_date": "2006-06-01"},
        "program": "2022级数控班岗位实习", "major": "数控技术应用", "position": "装配工", "site": "华建五分厂",
        "start_date": "2024-10-08", "end_date": "2025-04-07", "hours_per_week": 40, "monthly_stipend_fen": 250000});
    pub struct ApprenticeshipCreate;
    /// Changes to a placement, as a JSON merge patch (`participant` is merged key by
    /// key). `status` and `evaluations` change only through their own operations.
    example = serde_json::json!({"hours_per_week": 32, "participant": {"name": "李明", "phone": "13812345678"}});
    pub struct ApprenticeshipPatch;
    /// The fields of a placement that a merge patch may change.
    pub struct ApprenticeshipFields;
    {
        /// What kind of placement it is.
        kind: ApprenticeshipKind,
        /// The host enterprise (must exist).
        enterprise_id: Uuid,
        /// The owning school (must exist); required for every kind but `worker_training`.
        school_id: Option<Uuid>,
        /// The demand it answers (must exist, and be a demand of `enterprise_id`).
        demand_id: Option<Uuid>,
        /// The training base it takes place at (must exist).
        base_id: Option<Uuid>,
        /// The person placed.
        participant: Participant,
        /// The cohort or class, e.g. an order class, at most 500 characters.
        program: Option<PlainText> [example = "辰泰重钢焊接订单班"],
        /// The participant's major, at most 500 characters.
        major: Option<PlainText> [example = "焊接技术应用"],
        /// The post, at most 500 characters.
        position: Option<PlainText> [example = "焊工"],
        /// Where the work happens (a factory-school, a workshop), at most 500 characters.
        site: Option<PlainText> [example = "华建五分厂"],
        /// The enterprise's mentor, at most 500 characters.
        enterprise_mentor: Option<PlainText> [example = "王建国"],
        /// The school's supervisor, at most 500 characters.
        school_supervisor: Option<PlainText> [example = "谭刚"],
        /// The first day (`YYYY-MM-DD`).
        start_date: Date [example = "2024-09-01"],
        /// The last day, not before `start_date`.
        end_date: Option<Date> [example = "2025-06-30"],
        /// Hours a week: 1–40 for student kinds (no overtime for interns), 1–60 otherwise.
        hours_per_week: Option<Hours> [example = 36],
        /// The monthly stipend in fen (CNY cents), 0–100,000,000.
        monthly_stipend_fen: Option<Fen> [example = 200000],
        /// When the tripartite agreement (school, enterprise, participant) was signed;
        /// a student placement becomes `active` only with it.
        agreement_signed_on: Option<Date> [example = "2024-08-20"],
        /// The internship liability insurance policy; a student placement becomes
        /// `active` only with it. At most 500 characters.
        insurance_policy_no: Option<PlainText> [example = "PICC-2024-081501"],
        /// Where the placement stands (read-only: see `POST /apprenticeships/{id}/transitions`).
        status: ApprenticeshipStatus [computed],
        /// The evaluations, at most one per side (read-only: see `POST /apprenticeships/{id}/evaluations`).
        evaluations: Evaluations [computed],
    }
}

crate::object! {
    /// A move of a placement's status machine.
    example = serde_json::json!({"to": "terminated", "reason": "学生因病休学"});
    input struct TransitionRequest {
        /// The status to move to.
        to: ApprenticeshipStatus,
        /// Why: required to return (`submitted` → `draft`), terminate or cancel
        /// (empty or only white space is no reason). At most 500 characters.
        reason: Option<PlainText>,
    }
}

impl TransitionRequest {
    /// The reason given, if any: an empty one, or one of only white space, is none.
    pub fn reason(&self) -> Option<&str> {
        self.reason
            .as_ref()
            .map(|reason| reason.as_str())
            .filter(|reason| !reason.trim().is_empty())
    }
}

crate::object! {
    /// A new evaluation: the school side's or the enterprise side's (an admin names `by`).
    example = serde_json::json!({"score": 92, "comment": "焊接操作规范，安全意识强"});
    input struct EvaluationCreate {
        /// The side evaluating; only an admin sends it (a school user evaluates for
        /// the school, an enterprise user for the enterprise).
        by: Option<EvaluationSide>,
        /// The score, 0–100.
        score: Score,
        /// A comment, at most 5000 characters.
        comment: Option<LongText>,
    }
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

sort_key! {
    /// The fields the placement list sorts by.
    ApprenticeshipSort for "apprenticeships", default CreatedAt {
        StartDate => "start_date",
        CreatedAt => "created_at",
        UpdatedAt => "updated_at",
    }
}

/// Filters of the placement list; they combine with AND. A school user sees
/// its own school's placements, an enterprise user those it hosts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
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
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub active_on: Option<Date>,
    /// Only placements starting on or after this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub start_from: Option<Date>,
    /// Only placements starting on or before this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub start_to: Option<Date>,
}

impl Columns for Apprenticeship {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("类型 kind", "kind"),
        Column::text("企业 enterprise_id", "enterprise_id"),
        Column::text("学校 school_id", "school_id"),
        Column::text("需求 demand_id", "demand_id"),
        Column::text("基地 base_id", "base_id"),
        Column::text("姓名 participant.name", "participant.name"),
        Column::text("身份 participant.role", "participant.role"),
        Column::text("学号 participant.student_no", "participant.student_no"),
        Column::text("身份证号 participant.national_id", "participant.national_id"),
        Column::text("电话 participant.phone", "participant.phone"),
        Column::text("出生日期 participant.birth_date", "participant.birth_date"),
        Column::text("班级项目 program", "program"),
        Column::text("专业 major", "major"),
        Column::text("岗位 position", "position"),
        Column::text("地点 site", "site"),
        Column::text("企业导师 enterprise_mentor", "enterprise_mentor"),
        Column::text("学校指导教师 school_supervisor", "school_supervisor"),
        Column::text("开始日期 start_date", "start_date"),
        Column::text("结束日期 end_date", "end_date"),
        Column::number("每周学时 hours_per_week", "hours_per_week"),
        Column::number("月补贴（分） monthly_stipend_fen", "monthly_stipend_fen"),
        Column::text("三方协议签订日期 agreement_signed_on", "agreement_signed_on"),
        Column::text("保险单号 insurance_policy_no", "insurance_policy_no"),
        Column::text("状态 status", "status").shown(),
        Column::json("评价 evaluations", "evaluations").shown(),
        Column::number("版本 version", "version").shown(),
        Column::text("创建时间 created_at", "created_at").shown(),
        Column::text("更新时间 updated_at", "updated_at").shown(),
    ];
}
