//! The `apprenticeship_history` table: every transition of a placement, its
//! creation included.

use sea_orm::entity::prelude::*;

use crate::domain::vocab::{ApprenticeshipStatus, ReasonCode};

/// One transition.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "apprenticeship_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub apprenticeship_id: Uuid,
    pub from_status: Option<ApprenticeshipStatus>,
    pub to_status: ApprenticeshipStatus,
    pub reason: Option<String>,
    pub reason_code: Option<ReasonCode>,
    pub actor_user_id: Option<Uuid>,
    pub actor_username: Option<String>,
    pub at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
