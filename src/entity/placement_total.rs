//! The `placement_totals` table: how many placements there are per start
//! year, status and kind. Written only by the database's triggers on
//! `apprenticeships`, in the transaction of each write. (Its sibling
//! `host_actives`, active placements per host and start year, is read by
//! the statistics' own SQL.)

use sea_orm::entity::prelude::*;

use crate::domain::vocab::{ApprenticeshipKind, ApprenticeshipStatus};

/// One total.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "placement_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub start_year: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status: ApprenticeshipStatus,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: ApprenticeshipKind,
    pub total: i64,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
