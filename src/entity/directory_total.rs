//! The `directory_totals` table: how many enterprises and schools there are
//! per membership status. Written only by the database's triggers on
//! `enterprises` and `schools`, in the transaction of each write.

use sea_orm::entity::prelude::*;

use crate::domain::vocab::MembershipStatus;

/// One total.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "directory_totals")]
pub struct Model {
    /// `enterprises` or `schools`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub membership_status: MembershipStatus,
    pub total: i64,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
