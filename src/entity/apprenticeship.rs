//! The `apprenticeships` table: placements. The participant and the
//! evaluations are JSON columns.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::{ApprenticeshipKind, ApprenticeshipStatus};
use crate::model::apprenticeship::{ApprenticeshipFields, Evaluations, Participant};
use crate::model::field::{Date, Fen, Flag, Hours, PlainText};

/// One placement row: the contract's fields, their folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "apprenticeships")]
#[row(fields = ApprenticeshipFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: ApprenticeshipKind,
    pub enterprise_id: Uuid,
    pub school_id: Option<Uuid>,
    pub demand_id: Option<Uuid>,
    pub base_id: Option<Uuid>,
    pub participant: Participant,
    pub program: Option<PlainText>,
    pub major: Option<PlainText>,
    pub position: Option<PlainText>,
    pub site: Option<PlainText>,
    pub enterprise_mentor: Option<PlainText>,
    pub school_supervisor: Option<PlainText>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub hours_per_week: Option<Hours>,
    pub monthly_stipend_fen: Option<Fen>,
    pub agreement_signed_on: Option<Date>,
    pub insurance_policy_no: Option<PlainText>,
    pub night_shift: Flag<false>,
    pub hazardous: Flag<false>,
    pub insurance_expires_on: Option<Date>,
    pub status: ApprenticeshipStatus,
    pub evaluations: Evaluations,
    pub transferred_from: Option<Uuid>,
    pub transferred_to: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    #[row(derived)]
    pub search_text: String,
    /// The folded `position`, matched with an enterprise's posts.
    #[sea_orm(column_type = "Text", nullable)]
    #[row(derived)]
    pub position_key: Option<String>,
    /// The participant's resident ID (upper-cased): its participant user's key.
    #[sea_orm(column_type = "Text", nullable)]
    #[row(derived)]
    pub participant_key: Option<String>,
    /// The participant's birth date, or the resident ID's.
    #[row(derived)]
    pub birth_date: Option<Date>,
    /// When the participant enrolled.
    #[row(derived)]
    pub enrolled_on: Option<Date>,
    /// A year after `enrolled_on`: a `student_internship` starting before it is a first-year student's.
    #[row(derived)]
    pub first_year_until: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
