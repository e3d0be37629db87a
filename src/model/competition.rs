//! Skills competitions (技能大比武): where and when, who hosted, and the
//! entries with their scores, ranks and awards.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::field::{Date, Int, LongText, Name, Points, Sequence, Text};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{Award, CompetitionLevel, ParticipantRole, ResourceType};

/// A competition's skill: 1–100 characters (焊接, 数控车).
pub type Skill = Text<1, 100>;

/// A place in a competition's ranking: 1–100,000 (a list may hold the first
/// 500 of a larger field).
pub type Rank = Int<1, 100_000>;

/// One entry of a competition: a person, by name only (never an ID
/// number or a phone), with the school or enterprise they came for. Its
/// `id` is made by the server: leave it out for a new entry, send it back
/// to keep an entry when a PATCH replaces the list (an entry sent without
/// its `id` is a new one; an entry left out is deleted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object, example = serde_json::json!({"name": "李明", "role": "student", "school_id": "01900000-0000-7000-8000-0000000005c1", "score": 92.5, "rank": 1, "award": "gold"}))]
pub struct Entry {
    /// Server-made id (see above).
    pub id: Option<Uuid>,
    /// The person's name, 1–200 characters.
    pub name: Name,
    /// `student`, `teacher` or `worker`.
    pub role: Option<ParticipantRole>,
    /// The school the person came for (must exist).
    pub school_id: Option<Uuid>,
    /// The enterprise the person came for (must exist).
    pub enterprise_id: Option<Uuid>,
    /// The placement the entry came from (must exist).
    pub apprenticeship_id: Option<Uuid>,
    /// The score: 0–100, at most two decimals.
    pub score: Option<Points>,
    /// The place, 1–100,000.
    pub rank: Option<Rank>,
    /// What it won.
    pub award: Option<Award>,
}

/// A competition's entries: at most 500, in order.
pub type Entries = Sequence<Entry, 500>;

/// A competition as every answer shows it.
pub type Competition = Record<CompetitionFields>;
/// The body that creates a competition.
pub type CompetitionCreate = Create<CompetitionFields>;
/// The body that changes a competition, for the document.
pub type CompetitionPatch = Patch<CompetitionFields>;

/// A skills competition (技能大比武) with its entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct CompetitionFields {
    /// Name, 1–200 characters.
    #[field(label = "名称", example = "辰泰重钢焊工技能大比武")]
    pub name: Name,
    /// The skill competed in, 1–100 characters.
    #[field(label = "技能", example = "焊接")]
    pub skill: Skill,
    /// The level it is held at.
    #[field(label = "级别")]
    pub level: Option<CompetitionLevel>,
    /// The day it was held (`YYYY-MM-DD`).
    #[field(label = "日期", example = "2024-05-18")]
    pub held_on: Date,
    /// The enterprise that hosted it (must exist).
    #[field(label = "承办企业")]
    pub host_enterprise_id: Option<Uuid>,
    /// The school that hosted it (must exist).
    #[field(label = "承办学校")]
    pub host_school_id: Option<Uuid>,
    /// The training base it was held at (must exist).
    #[field(label = "基地")]
    pub base_id: Option<Uuid>,
    /// A description, at most 5000 characters.
    #[field(label = "简介", example = "全县焊工技能大比武，前三名由县总工会表彰。")]
    pub description: Option<LongText>,
    /// The entries, in order (ids made by the server).
    #[field(label = "参赛选手")]
    #[serde(default)]
    pub entries: Entries,
}

impl Resource for CompetitionFields {
    const NAME: &'static str = "Competition";
    const COLLECTION: &'static str = "competitions";
    const TYPE: ResourceType = ResourceType::Competition;
    const CREATE_DOC: &'static str =
        "A new competition. `name`, `skill` and `held_on` are required; its\nentries get server-made ids.";
    const PATCH_DOC: &'static str = "Changes to a competition, as a JSON merge patch. `entries` sent\nreplaces the list: entries carrying their `id` are kept and updated,\nentries without one are created, entries left out are deleted.";
    type Sort = CompetitionSort;
    type Filters = CompetitionFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
        "name": "辰泰重钢焊工技能大比武", "skill": "焊接", "level": "enterprise", "held_on": "2024-05-18",
        "host_enterprise_id": "01900000-0000-7000-8000-00000000c7a1",
        "description": "校企联合举办，县职教中心订单班学生与企业职工同台竞技",
        "entries": [
            {"name": "李明", "role": "student", "school_id": "01900000-0000-7000-8000-0000000005c1", "score": 92.5, "rank": 1, "award": "gold"},
            {"name": "王建国", "role": "worker", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1", "score": 90, "rank": 2, "award": "silver"}]})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"description": "成绩已公示。"}))
    }
}

/// The fields the competition list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "competitions", default = CreatedAt)]
pub enum CompetitionSort {
    /// `held_on`
    HeldOn,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the competition list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct CompetitionFilters {
    /// Only competitions in exactly this skill.
    pub skill: Option<String>,
    /// Only competitions at this level.
    pub level: Option<CompetitionLevel>,
    /// Only competitions held on or after this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "held_on", test = "at_least")]
    pub held_from: Option<Date>,
    /// Only competitions held on or before this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    #[filter(column = "held_on", test = "at_most")]
    pub held_to: Option<Date>,
    /// Only competitions this enterprise hosted or has an entry in.
    #[filter(custom)]
    pub enterprise_id: Option<Uuid>,
    /// Only competitions this school hosted or has an entry in.
    #[filter(custom)]
    pub school_id: Option<Uuid>,
}
