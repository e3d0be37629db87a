//! The `demands` table. Majors and tags are JSON columns; `demand_majors`
//! is kept in step for the `major` filter and matching;
//! `fulfilled_headcount` is kept by triggers on `apprenticeships`.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::{DemandKind, DemandSource, DemandStatus};
use crate::model::demand::{DemandFields, DemandMajors, Headcount};
use crate::model::field::{Date, LongText, Name, Tags};

/// One demand row: the contract's fields, the sort key of `needed_by`, the
/// folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "demands")]
#[row(fields = DemandFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub kind: DemandKind,
    pub title: Name,
    pub description: Option<LongText>,
    pub majors: DemandMajors,
    pub headcount: Option<Headcount>,
    pub needed_by: Option<Date>,
    /// `needed_by`, or the last day of the year 9999 when there is none.
    #[row(derived)]
    pub needed_by_key: Date,
    pub status: DemandStatus,
    pub source: Option<DemandSource>,
    pub meeting_id: Option<Uuid>,
    pub tags: Tags,
    pub fulfilled_headcount: i32,
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
