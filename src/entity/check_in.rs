//! The `check_ins` table: participants' check-ins, with their placement's
//! organisations copied.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::CheckInKind;
use crate::model::check_in::CheckInFields;
use crate::model::field::{Date, Latitude, Longitude, Metres, PlainText};

/// One check-in row: the contract's fields (the coordinates in millionths
/// of a degree, the accuracy in centimetres), version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "check_ins")]
#[row(fields = CheckInFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub apprenticeship_id: Uuid,
    pub school_id: Option<Uuid>,
    pub enterprise_id: Uuid,
    pub kind: CheckInKind,
    pub on: Date,
    pub at: DateTimeUtc,
    pub latitude: Option<Latitude>,
    pub longitude: Option<Longitude>,
    pub accuracy_m: Option<Metres>,
    pub note: Option<PlainText>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
