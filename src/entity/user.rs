//! The `users` table.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::domain::vocab::Role;
use crate::model::field::{PlainText, ResidentId, Username};
use crate::model::user::UserFields;

/// One user account; only the Argon2id hash of its password is kept.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "users")]
#[row(fields = UserFields, unstored(password))]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub username: Username,
    pub display_name: Option<PlainText>,
    pub role: Role,
    pub enterprise_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub participant_national_id: Option<ResidentId>,
    pub must_change_password: bool,
    pub service: bool,
    pub disabled: bool,
    /// Set from the new user's hashed `password`; a change leaves it.
    #[sea_orm(column_type = "Text")]
    #[row(derived)]
    pub password_hash: String,
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
