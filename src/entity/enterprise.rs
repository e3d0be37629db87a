//! The `enterprises` table.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::{MembershipStatus, Scale};
use crate::model::enterprise::{EnterpriseFields, Posts, StaffCount};
use crate::model::field::{
    CreditCode, Date, Email, LongText, Name, Phone, PlainText, RegionCode, ShortName, Tags, Text,
};

/// One enterprise row: the contract's fields, their folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "enterprises")]
#[row(fields = EnterpriseFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: Name,
    pub short_name: Option<ShortName>,
    #[sea_orm(unique)]
    pub credit_code: Option<CreditCode>,
    pub industry: Option<Text<0, 100>>,
    pub scale: Option<Scale>,
    pub address: Option<PlainText>,
    pub region_code: Option<RegionCode>,
    pub contact_name: Option<PlainText>,
    pub contact_phone: Option<Phone>,
    pub contact_email: Option<Email>,
    pub website: Option<PlainText>,
    pub description: Option<LongText>,
    pub membership_status: MembershipStatus,
    pub joined_on: Option<Date>,
    pub tags: Tags,
    pub staff_count: Option<StaffCount>,
    pub posts: Posts,
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
