//! The `competitions` table. Entries are a JSON column (the record as
//! shown); `competition_parties` is kept in step for the filters and the
//! references.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::CompetitionLevel;
use crate::model::competition::{CompetitionFields, Entries, Skill};
use crate::model::field::{Date, LongText, Name};

/// One competition row: the contract's fields, their folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "competitions")]
#[row(fields = CompetitionFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: Name,
    pub skill: Skill,
    pub level: Option<CompetitionLevel>,
    pub held_on: Date,
    pub host_enterprise_id: Option<Uuid>,
    pub host_school_id: Option<Uuid>,
    pub base_id: Option<Uuid>,
    pub description: Option<LongText>,
    pub entries: Entries,
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
