//! The `journals` table: participants' weekly journals, with their
//! placement's organisations copied and the reviews of the current
//! submission as JSON.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::JournalStatus;
use crate::model::field::Date;
use crate::model::journal::{JournalFields, JournalText, Reviews, WeekHours};

/// One journal row: the contract's fields, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "journals")]
#[row(fields = JournalFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub apprenticeship_id: Uuid,
    pub school_id: Option<Uuid>,
    pub enterprise_id: Uuid,
    pub week_of: Date,
    pub content: JournalText,
    pub hours_worked: Option<WeekHours>,
    pub night_hours: Option<WeekHours>,
    pub status: JournalStatus,
    pub reviews: Reviews,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
