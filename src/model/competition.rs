//! Skills competitions (技能大比武): where and when, who hosted, and the
//! entries with their scores, ranks and awards.

use crate::model::field::Date;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::export::{Column, Columns};
use super::field::{Int, LongText, Name, Points, Sequence, Text};
use super::list::sort_key;
use crate::domain::vocab::{Award, CompetitionLevel, ParticipantRole};

/// A competition's skill: 1–100 characters (焊接, 数控车).
pub type Skill = Text<1, 100>;

/// A place in a competition's ranking: 1–100,000 (a list may hold the first
/// 500 of a larger field).
pub type Rank = Int<1, 100_000>;

crate::object! {
    /// One entry of a competition: a person, by name only (never an ID
    /// number or a phone), with the school or enterprise they came for. Its
    /// `id` is made by the server: leave it out for a new entry, send it back
    /// to keep an entry when a PATCH replaces the list (an entry sent without
    /// its `id` is a new one; an entry left out is deleted).
    example = serde_json::json!({"name": "李明", "role": "student", "school_id": "01900000-0000-7000-8000-0000000005c1", "score": 92.5, "rank": 1, "award": "gold"});
    pub struct Entry {
        /// Server-made id (see above).
        id: Option<Uuid>,
        /// The person's name, 1–200 characters.
        name: Name,
        /// `student`, `teacher` or `worker`.
        role: Option<ParticipantRole>,
        /// The school the person came for (must exist).
        school_id: Option<Uuid>,
        /// The enterprise the person came for (must exist).
        enterprise_id: Option<Uuid>,
        /// The placement the entry came from (must exist).
        apprenticeship_id: Option<Uuid>,
        /// The score: 0–100, at most two decimals.
        score: Option<Points>,
        /// The place, 1–100,000.
        rank: Option<Rank>,
        /// What it won.
        award: Option<Award>,
    }
}

/// A competition's entries: at most 500, in order.
pub type Entries = Sequence<Entry, 500>;

crate::record! {
    /// A skills competition (技能大比武) with its entries.
    pub struct Competition;
    /// A new competition. `name`, `skill` and `held_on` are required; its
    /// entries get server-made ids.
    example = serde_json::json!({
        "name": "辰泰重钢焊工技能大比武", "skill": "焊接", "level": "enterprise", "held_on": "2024-05-18",
        "host_enterprise_id": "01900000-0000-7000-8000-00000000c7a1",
        "description": "校企联合举办，县职教中心订单班学生与企业职工同台竞技",
        "entries": [
            {"name": "李明", "role": "student", "school_id": "01900000-0000-7000-8000-0000000005c1", "score": 92.5, "rank": 1, "award": "gold"},
            {"name": "王建国", "role": "worker", "enterprise_id": "01900000-0000-7000-8000-00000000c7a1", "score": 90, "rank": 2, "award": "silver"}]});
    pub struct CompetitionCreate;
    /// Changes to a competition, as a JSON merge patch. `entries` sent
    /// replaces the list: entries carrying their `id` are kept and updated,
    /// entries without one are created, entries left out are deleted.
    example = serde_json::json!({"description": "成绩已公示。"});
    pub struct CompetitionPatch;
    /// The fields of a competition that a merge patch may change.
    pub struct CompetitionFields;
    {
        /// Name, 1–200 characters.
        name: Name [example = "辰泰重钢焊工技能大比武"],
        /// The skill competed in, 1–100 characters.
        skill: Skill [example = "焊接"],
        /// The level it is held at.
        level: Option<CompetitionLevel>,
        /// The day it was held (`YYYY-MM-DD`).
        held_on: Date [example = "2024-05-18"],
        /// The enterprise that hosted it (must exist).
        host_enterprise_id: Option<Uuid>,
        /// The school that hosted it (must exist).
        host_school_id: Option<Uuid>,
        /// The training base it was held at (must exist).
        base_id: Option<Uuid>,
        /// A description, at most 5000 characters.
        description: Option<LongText> [example = "全县焊工技能大比武，前三名由县总工会表彰。"],
        /// The entries, in order (ids made by the server).
        entries: Entries [default],
    }
}

sort_key! {
    /// The fields the competition list sorts by.
    CompetitionSort for "competitions", default CreatedAt {
        HeldOn => "held_on",
        CreatedAt => "created_at",
        UpdatedAt => "updated_at",
    }
}

/// Filters of the competition list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompetitionFilters {
    /// Only competitions in exactly this skill.
    pub skill: Option<String>,
    /// Only competitions at this level.
    pub level: Option<CompetitionLevel>,
    /// Only competitions held on or after this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub held_from: Option<Date>,
    /// Only competitions held on or before this day.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub held_to: Option<Date>,
    /// Only competitions this enterprise hosted or has an entry in.
    pub enterprise_id: Option<Uuid>,
    /// Only competitions this school hosted or has an entry in.
    pub school_id: Option<Uuid>,
}

impl Columns for Competition {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("名称 name", "name"),
        Column::text("技能 skill", "skill"),
        Column::text("级别 level", "level"),
        Column::text("日期 held_on", "held_on"),
        Column::text("承办企业 host_enterprise_id", "host_enterprise_id"),
        Column::text("承办学校 host_school_id", "host_school_id"),
        Column::text("基地 base_id", "base_id"),
        Column::text("简介 description", "description"),
        Column::json("参赛选手 entries", "entries"),
        Column::number("版本 version", "version").shown(),
        Column::text("创建时间 created_at", "created_at").shown(),
        Column::text("更新时间 updated_at", "updated_at").shown(),
    ];
}
