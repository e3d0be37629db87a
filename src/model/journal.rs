//! Journals (实习周记): a participant's weekly account of its placement,
//! reviewed by the host enterprise's mentor and the school's supervisor.

use chanjiao_derive::{Fields, Filters, SortKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::field::{Date, Int, List, Text, Username};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{EvaluationSide, JournalStatus, ResourceType, ReviewDecision};

/// A journal as every answer shows it.
pub type Journal = Record<JournalFields>;
/// The body that writes a journal.
pub type JournalCreate = Create<JournalFields>;
/// The body that changes a journal, for the document.
pub type JournalPatch = Patch<JournalFields>;

/// Hours in a week: 0–84.
pub type WeekHours = Int<0, 84>;
/// A journal's text: 1–5000 characters.
pub type JournalText = Text<1, 5000>;
/// A review's comment: at most 1000 characters.
pub type ReviewComment = Text<0, 1000>;

/// Who reviewed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"id": "01900000-0000-7000-8000-00000000ad01", "username": "wang.laoshi"}))]
pub struct Reviewer {
    /// The user's id (none for a user of an outside identity provider).
    pub id: Option<Uuid>,
    /// The username.
    pub username: Username,
}

/// One side's review of a journal's current submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"side": "enterprise", "decision": "approved", "comment": "本周表现良好",
    "by": {"id": "01900000-0000-7000-8000-00000000ad01", "username": "zhang.shifu"}, "at": "2024-10-21T09:00:00Z"}))]
pub struct JournalReview {
    /// Which side reviewed: the host enterprise's mentor or the school's supervisor.
    pub side: EvaluationSide,
    /// `approved`, or `returned` for the participant to change.
    pub decision: ReviewDecision,
    /// What the reviewer says, at most 1000 characters (required to return).
    pub comment: Option<ReviewComment>,
    /// Who reviewed.
    pub by: Reviewer,
    /// When.
    pub at: DateTime<Utc>,
}

/// A journal's reviews of its current submission: at most one per side.
pub type Reviews = List<JournalReview, 2>;

/// A participant's journal of one week of a placement (Monday to Sunday):
/// what it did and how long it worked. `submitted` when written or changed;
/// each side reviews it once per submission: one `returned` makes it
/// `returned` (the participant changes it, which submits it again and
/// clears both sides' reviews); both sides `approved` make it `approved`,
/// which is final. A placement without a school is reviewed by its host
/// enterprise alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct JournalFields {
    /// The placement (from the path; read-only).
    #[field(label = "实习项目", computed, example = "01900000-0000-7000-8000-00000000a9e1")]
    #[serde(default)]
    pub apprenticeship_id: Uuid,
    /// The placement's school (read-only; follows the placement).
    #[field(label = "学校", computed, example = "01900000-0000-7000-8000-0000000005c1")]
    #[serde(default)]
    pub school_id: Option<Uuid>,
    /// The placement's host enterprise (read-only; follows the placement).
    #[field(label = "企业", computed, example = "01900000-0000-7000-8000-0000000052f1")]
    #[serde(default)]
    pub enterprise_id: Uuid,
    /// The week's Monday (`YYYY-MM-DD`): within the placement's dates and
    /// not after this week's (in `CHANJIAO_TIMEZONE`); one journal a week.
    #[field(label = "周", fixed, example = "2024-10-14")]
    pub week_of: Date,
    /// What the participant did and learnt, 1–5000 characters.
    #[field(label = "内容", example = "本周在焊接车间跟岗，学习了二氧化碳保护焊的操作规范。")]
    pub content: JournalText,
    /// Hours worked in the week, 0–84.
    #[field(label = "工作时长", example = 38)]
    pub hours_worked: Option<WeekHours>,
    /// Of them, hours worked at night (22:00–06:00), 0–84.
    #[field(label = "夜间时长", example = 0)]
    pub night_hours: Option<WeekHours>,
    /// `submitted`, `returned` or `approved` (read-only: reviews and changes move it).
    #[field(label = "状态", computed)]
    #[serde(default)]
    pub status: JournalStatus,
    /// The reviews of the current submission, at most one per side (read-only).
    #[field(label = "审阅", computed)]
    #[serde(default)]
    pub reviews: Reviews,
}

impl Resource for JournalFields {
    const NAME: &'static str = "Journal";
    const COLLECTION: &'static str = "journals";
    const TYPE: ResourceType = ResourceType::Journal;
    const CREATE_DOC: &'static str =
        "A week's journal. `week_of` (that week's Monday) and `content` are\nrequired; the placement is the path's.";
    const PATCH_DOC: &'static str = "Changes to a journal that is not approved, as a JSON merge patch:\n`content`, `hours_worked`, `night_hours`. It is submitted again and both\nsides' reviews are cleared.";
    type Sort = JournalSort;
    type Filters = JournalFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
            "week_of": "2024-10-14", "content": "本周在焊接车间跟岗，学习了二氧化碳保护焊的操作规范。",
            "hours_worked": 38, "night_hours": 0})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"content": "补充：周三参加了安全培训。", "hours_worked": 40}))
    }
}

/// The fields the journal list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "journals", default = CreatedAt)]
pub enum JournalSort {
    /// `week_of`
    WeekOf,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the journal list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct JournalFilters {
    /// Only journals in this status.
    pub status: Option<JournalStatus>,
    /// Only the journals of this school's placements.
    pub school_id: Option<Uuid>,
    /// Only the journals of placements this enterprise hosts.
    pub enterprise_id: Option<Uuid>,
    /// Only this placement's journals.
    pub apprenticeship_id: Option<Uuid>,
    /// Only the weeks from this Monday on (inclusive).
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "week_of", test = "at_least")]
    pub week_from: Option<Date>,
    /// Only the weeks up to this day (inclusive).
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "week_of", test = "at_most")]
    pub week_to: Option<Date>,
}

/// A review of a journal's current submission.
#[derive(Debug, Clone, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"decision": "returned", "comment": "请补充本周的安全培训内容。"}))]
pub struct ReviewCreate {
    /// `approved`, or `returned` for the participant to change (then `comment` is required).
    pub decision: ReviewDecision,
    /// What the reviewer says, at most 1000 characters; required to return.
    pub comment: Option<ReviewComment>,
    /// The side reviewing; only an admin sends it (a school user reviews for
    /// the school, an enterprise user for the enterprise).
    pub side: Option<EvaluationSide>,
}
