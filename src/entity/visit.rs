//! The `visits` table: supervision visits, with their placement's
//! organisations copied.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::VisitKind;
use crate::model::field::{Date, LongText};
use crate::model::visit::{VisitFields, VisitorName};

/// One visit row: the contract's fields, the folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "visits")]
#[row(fields = VisitFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub apprenticeship_id: Uuid,
    pub school_id: Option<Uuid>,
    pub enterprise_id: Uuid,
    pub visited_on: Date,
    pub visitor_name: VisitorName,
    pub kind: VisitKind,
    pub findings: Option<LongText>,
    pub follow_up_due_on: Option<Date>,
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
