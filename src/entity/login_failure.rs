//! The `login_failures` table: failed logins in the throttling window.

use sea_orm::entity::prelude::*;

/// One failed login.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "login_failures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The username tried; absent when the failure counts toward the address only.
    pub username: Option<String>,
    pub ip: String,
    pub at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
