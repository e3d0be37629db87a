//! The `users` table.

use sea_orm::entity::prelude::*;

use crate::domain::vocab::Role;
use crate::model::field::{PlainText, Username};

/// One user account; only the Argon2id hash of its password is kept.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub username: Username,
    pub display_name: Option<PlainText>,
    pub role: Role,
    pub enterprise_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub service: bool,
    pub disabled: bool,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
