//! The `incidents` table: incidents during placements, with their
//! placement's organisations copied.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::{IncidentKind, IncidentSeverity};
use crate::model::field::Date;
use crate::model::incident::{ClaimNo, IncidentDescription, IncidentFields};

/// One incident row: the contract's fields, the folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "incidents")]
#[row(fields = IncidentFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub apprenticeship_id: Uuid,
    pub school_id: Option<Uuid>,
    pub enterprise_id: Uuid,
    pub occurred_on: Date,
    pub kind: IncidentKind,
    pub severity: IncidentSeverity,
    pub description: IncidentDescription,
    pub insurance_claim_no: Option<ClaimNo>,
    pub reported_to_bureau_on: Option<Date>,
    pub resolved_on: Option<Date>,
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
