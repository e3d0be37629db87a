//! The `compliance_settings` table: the one row of the county's settings
//! of the internship rules.

use sea_orm::entity::prelude::*;

use crate::model::compliance::{Days, Percent};
use crate::model::field::Fen;

/// The settings' row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub intern_share_enterprise_pct: Percent,
    pub intern_share_post_pct: Percent,
    pub pay_floor_pct: Percent,
    pub minimum_monthly_fen: Option<Fen>,
    pub visit_interval_days: Days,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
