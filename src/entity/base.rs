//! The `bases` table: training bases. Majors and tags are JSON columns.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::{BaseKind, BaseStatus};
use crate::model::base::{BaseFields, Capacity};
use crate::model::field::{Date, LongText, Name, PlainText, Tags};
use crate::model::school::Majors;

/// One base row: the contract's fields, the sort key of `established_on`,
/// the folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "bases")]
#[row(fields = BaseFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: Name,
    pub kind: BaseKind,
    pub enterprise_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub status: BaseStatus,
    pub established_on: Option<Date>,
    /// `established_on`, or the last day of the year 9999 when there is none.
    #[row(derived)]
    pub established_on_key: Date,
    pub capacity: Option<Capacity>,
    pub majors: Majors,
    pub address: Option<PlainText>,
    pub description: Option<LongText>,
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
