//! The `meetings` table. The chair, attendees, agenda, decisions and action
//! items are JSON columns (the record as shown); `meeting_parties` and
//! `action_items` are kept in step for the filters and the item list.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::MeetingKind;
use crate::model::field::{Date, PlainText, Tags};
use crate::model::meeting::{ActionItems, Agenda, Attendees, Chair, Decisions, MeetingFields, Minutes, Summary, Title};

/// One meeting row: the contract's fields, their folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "meetings")]
#[row(fields = MeetingFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: Title,
    pub kind: Option<MeetingKind>,
    pub held_on: Date,
    pub location: Option<PlainText>,
    pub host_enterprise_id: Option<Uuid>,
    pub host_school_id: Option<Uuid>,
    pub chair: Option<Chair>,
    pub summary: Option<Summary>,
    pub minutes: Option<Minutes>,
    pub attendees: Attendees,
    pub agenda: Agenda,
    pub decisions: Decisions,
    pub action_items: ActionItems,
    pub tags: Tags,
    #[sea_orm(column_type = "Text")]
    #[row(derived)]
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
