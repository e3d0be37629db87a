//! The `schools` table.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::{MembershipStatus, SchoolKind};
use crate::model::field::{Date, Email, Name, Phone, PlainText, RegionCode, SchoolCode, ShortName};
use crate::model::school::{Majors, SchoolFields};

/// One school row: the contract's fields, their folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "schools")]
#[row(fields = SchoolFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: Name,
    pub short_name: Option<ShortName>,
    #[sea_orm(unique)]
    pub code: Option<SchoolCode>,
    pub kind: Option<SchoolKind>,
    pub address: Option<PlainText>,
    pub region_code: Option<RegionCode>,
    pub contact_name: Option<PlainText>,
    pub contact_phone: Option<Phone>,
    pub contact_email: Option<Email>,
    pub website: Option<PlainText>,
    pub membership_status: MembershipStatus,
    pub joined_on: Option<Date>,
    pub majors: Majors,
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
