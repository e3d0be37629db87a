//! Meetings of the alliance (coordination meetings, council meetings,
//! symposiums, site visits): who came, what was on the agenda, what was
//! decided, and the follow-up work (action items) someone owns.

use chrono::{DateTime, Utc};

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::export::{Column, Columns};
use super::field::{Date, PlainText, Sequence, Tags, Text};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{ActionItemStatus, AgendaKind, AttendeeRole, MeetingKind, ResourceType};

/// A meeting's title: 1–500 characters.
pub type Title = Text<1, 500>;
/// A meeting's summary: at most 20,000 characters.
pub type Summary = Text<0, 20_000>;
/// A meeting's minutes: at most 200,000 characters.
pub type Minutes = Text<0, 200_000>;

/// Who chaired the meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"name": "张学", "title": "副县长"}))]
pub struct Chair {
    /// Name, 1–500 characters.
    pub name: Text<1, 500>,
    /// Title or office, at most 500 characters.
    pub title: Option<PlainText>,
}

/// One person at the meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"name": "周发家", "title": "董事长", "organization": "辰泰重钢", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1", "role": "speaker"}))]
pub struct Attendee {
    /// Name, 1–500 characters.
    pub name: Text<1, 500>,
    /// Title or office, at most 500 characters.
    pub title: Option<PlainText>,
    /// The organisation as written, at most 500 characters.
    pub organization: Option<PlainText>,
    /// The enterprise the person came for (must exist).
    pub enterprise_id: Option<Uuid>,
    /// The school the person came for (must exist).
    pub school_id: Option<Uuid>,
    /// What the person did there.
    pub role: Option<AttendeeRole>,
}

/// One item of the agenda, in the order held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"kind": "visit", "title": "观摩辰泰重钢焊接技能培训", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1", "notes": "实训车间现场观摩"}))]
pub struct AgendaItem {
    /// What it was.
    pub kind: AgendaKind,
    /// Title, 1–500 characters.
    pub title: Title,
    /// The enterprise it concerns or visited (must exist).
    pub enterprise_id: Option<Uuid>,
    /// The school it concerns or visited (must exist).
    pub school_id: Option<Uuid>,
    /// Notes, at most 500 characters.
    pub notes: Option<PlainText>,
}

/// One decision or requirement, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"text": "以企业需求为目标，一企一策，推动校企精准对接"}))]
pub struct Decision {
    /// The decision, 1–500 characters.
    pub text: Text<1, 500>,
}

/// Follow-up work someone owns. Its `id` is made by the server: leave it
/// out for a new item, send it back to keep an item when a meeting PATCH
/// replaces the list (an item sent without its `id` is a new one; an item
/// left out is deleted). `status` is `open` when left out; moving to
/// `done` sets `done_on` to today unless it is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"description": "开展全县企业用工需求调查", "owner_school_id": "01900000-0000-7000-8000-0000000005c1", "owner_name": "县职教中心", "due_on": "2024-06-30", "status": "open"}))]
pub struct ActionItem {
    /// Server-made id (see above).
    pub id: Option<Uuid>,
    /// What is to be done, 1–500 characters.
    pub description: Text<1, 500>,
    /// The enterprise that owns it (must exist).
    pub owner_enterprise_id: Option<Uuid>,
    /// The school that owns it (must exist).
    pub owner_school_id: Option<Uuid>,
    /// Who owns it, as written (a person or an office), at most 500 characters.
    pub owner_name: Option<PlainText>,
    /// When it is due.
    pub due_on: Option<Date>,
    /// Where it stands; `open` when left out.
    pub status: Option<ActionItemStatus>,
    /// When it was done.
    pub done_on: Option<Date>,
}

/// The body of an action item's PATCH, for the document: an [`ActionItem`]'s
/// fields, none required (the handler reads it as a merge patch).
pub struct ActionItemPatch;

impl utoipa::PartialSchema for ActionItemPatch {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::doc::patch_schema::<ActionItem>()
    }
}

impl utoipa::ToSchema for ActionItemPatch {}

/// A meeting's attendees: at most 500, in order.
pub type Attendees = Sequence<Attendee, 500>;
/// A meeting's agenda: at most 200 items, in the order held.
pub type Agenda = Sequence<AgendaItem, 200>;
/// A meeting's decisions: at most 200, in order.
pub type Decisions = Sequence<Decision, 200>;
/// A meeting's action items: at most 500, in order.
pub type ActionItems = Sequence<ActionItem, 500>;

/// A meeting as every answer shows it.
pub type Meeting = Record<MeetingFields>;
/// The body that creates a meeting.
pub type MeetingCreate = Create<MeetingFields>;
/// The body that changes a meeting, for the document.
pub type MeetingPatch = Patch<MeetingFields>;

/// A meeting of the alliance: who came, the agenda, the decisions and the
/// follow-up work (action items) with their owners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct MeetingFields {
    /// Title, 1–500 characters.
    #[field(label = "标题", example = "全县产教融合发展联盟推进会")]
    pub title: Title,
    /// What kind of meeting it was.
    #[field(label = "类型")]
    pub kind: Option<MeetingKind>,
    /// The day it was held (`YYYY-MM-DD`).
    #[field(label = "日期", example = "2024-04-03")]
    pub held_on: Date,
    /// Where, at most 500 characters.
    #[field(label = "地点", example = "辰泰重钢会议室")]
    pub location: Option<PlainText>,
    /// The enterprise that hosted it (must exist).
    #[field(label = "承办企业")]
    pub host_enterprise_id: Option<Uuid>,
    /// The school that hosted it (must exist).
    #[field(label = "承办学校")]
    pub host_school_id: Option<Uuid>,
    /// Who chaired it.
    #[field(label = "主持人")]
    pub chair: Option<Chair>,
    /// A summary, at most 20,000 characters.
    #[field(
        label = "摘要",
        example = "观摩厂中校、实习车间和焊接技能培训，召开座谈会，部署下一步工作。"
    )]
    pub summary: Option<Summary>,
    /// The minutes, at most 200,000 characters.
    #[field(
        label = "纪要",
        example = "一、县教体局通报联盟成立以来的工作。二、各成员单位交流校企合作情况。"
    )]
    pub minutes: Option<Minutes>,
    /// Who came, in order.
    #[field(label = "参会人员")]
    #[serde(default)]
    pub attendees: Attendees,
    /// The agenda, in the order held.
    #[field(label = "议程")]
    #[serde(default)]
    pub agenda: Agenda,
    /// The decisions, in order.
    #[field(label = "决定事项")]
    #[serde(default)]
    pub decisions: Decisions,
    /// The follow-up work, in order (ids made by the server).
    #[field(label = "工作任务")]
    #[serde(default)]
    pub action_items: ActionItems,
    /// Tags: at most 20, each 1–30 characters.
    #[field(label = "标签")]
    #[serde(default)]
    pub tags: Tags,
}

impl Resource for MeetingFields {
    const NAME: &'static str = "Meeting";
    const COLLECTION: &'static str = "meetings";
    const TYPE: ResourceType = ResourceType::Meeting;
    const CREATE_DOC: &'static str = "A new meeting. `title` and `held_on` are required.";
    const PATCH_DOC: &'static str = "Changes to a meeting, as a JSON merge patch. A list sent replaces the\nlist; for `action_items`, items carrying their `id` are kept and\nupdated, items without one are created, items left out are deleted.";
    type Sort = MeetingSort;
    type Filters = MeetingFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
        "title": "全县产教融合发展联盟推进会", "kind": "coordination", "held_on": "2024-04-03",
        "location": "辰泰重钢会议室", "host_enterprise_id": "01900000-0000-7000-8000-00000000c7a1",
        "chair": {"name": "张学", "title": "副县长"},
        "summary": "观摩厂中校、实习车间和焊接技能培训，召开座谈会，部署下一步工作。",
        "attendees": [
            {"name": "张学", "title": "副县长", "role": "chair"},
            {"name": "周发家", "title": "董事长", "organization": "辰泰重钢", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1", "role": "speaker"}],
        "agenda": [
            {"kind": "visit", "title": "观摩辰泰重钢焊接技能培训", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1"},
            {"kind": "report", "title": "联盟工作汇报"}],
        "decisions": [{"text": "以企业需求为目标，一企一策"}],
        "action_items": [{"description": "开展全县企业用工需求调查", "owner_school_id": "01900000-0000-7000-8000-0000000005c1", "due_on": "2024-06-30"}],
        "tags": ["产教融合", "推进会"]})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"summary": "会议纪要已印发。"}))
    }
}

/// The fields the meeting list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "meetings", default = CreatedAt)]
pub enum MeetingSort {
    /// `held_on`
    HeldOn,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the meeting list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct MeetingFilters {
    /// Only meetings of this kind.
    pub kind: Option<MeetingKind>,
    /// Only meetings held on or after this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "held_on", test = "at_least")]
    pub held_from: Option<Date>,
    /// Only meetings held on or before this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "held_on", test = "at_most")]
    pub held_to: Option<Date>,
    /// Only meetings this enterprise hosted, attended, visited (on the agenda) or owns an action item of.
    #[filter(custom)]
    pub enterprise_id: Option<Uuid>,
    /// Only meetings this school hosted, attended, visited (on the agenda) or owns an action item of.
    #[filter(custom)]
    pub school_id: Option<Uuid>,
}

/// An action item with the meeting it belongs to, as the action-item list
/// and `PATCH /meetings/{id}/action-items/{item_id}` show it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ActionItemEntry {
    /// The item's id.
    pub id: Uuid,
    /// The meeting it came from.
    pub meeting_id: Uuid,
    /// The day that meeting was held.
    #[schema(example = "2024-04-03")]
    pub held_on: Date,
    /// What is to be done.
    pub description: String,
    /// The enterprise that owns it.
    pub owner_enterprise_id: Option<Uuid>,
    /// The school that owns it.
    pub owner_school_id: Option<Uuid>,
    /// Who owns it, as written.
    pub owner_name: Option<String>,
    /// When it is due.
    #[schema(example = "2024-06-30")]
    pub due_on: Option<Date>,
    /// Where it stands.
    pub status: ActionItemStatus,
    /// When it was done.
    #[schema(example = "2024-06-20")]
    pub done_on: Option<Date>,
    /// Whether it is `open` or `in_progress` and its `due_on` is before today
    /// (in `CHANJIAO_TIMEZONE`).
    pub overdue: bool,
    /// When the item was created.
    pub created_at: DateTime<Utc>,
    /// When the item last changed.
    pub updated_at: DateTime<Utc>,
}

/// The fields the action-item list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "action-items", default = CreatedAt)]
pub enum ActionItemSort {
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the action-item list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionItemFilters {
    /// Only items in this status.
    pub status: Option<ActionItemStatus>,
    /// `true`: only overdue items (`open` or `in_progress`, `due_on` before
    /// today in `CHANJIAO_TIMEZONE`); `false`: only the others.
    pub overdue: Option<bool>,
    /// Only items this enterprise owns.
    pub owner_enterprise_id: Option<Uuid>,
    /// Only items this school owns.
    pub owner_school_id: Option<Uuid>,
    /// Only items due before this day (exclusive).
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub due_before: Option<Date>,
    /// Only the items of this meeting.
    pub meeting_id: Option<Uuid>,
}

impl Columns for ActionItemEntry {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("会议 meeting_id", "meeting_id"),
        Column::text("会议日期 held_on", "held_on"),
        Column::text("任务 description", "description"),
        Column::text("责任企业 owner_enterprise_id", "owner_enterprise_id"),
        Column::text("责任学校 owner_school_id", "owner_school_id"),
        Column::text("责任人 owner_name", "owner_name"),
        Column::text("完成期限 due_on", "due_on"),
        Column::text("状态 status", "status").shown(),
        Column::text("完成日期 done_on", "done_on"),
        Column::json("已逾期 overdue", "overdue"),
    ];
}
