//! User accounts, and the bodies that set passwords.

use chanjiao_derive::{Fields, Filters, SortKey};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::check::Check;
use super::doc::FieldSchema;
use super::field::{CurrentPassword, Password, PlainText, ResidentId, Username};
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{ResourceType, Role};
use crate::error::FieldError;

/// A user account as every answer shows it (never its password).
pub type User = Record<UserFields>;
/// The body that creates a user account.
pub type UserCreate = Create<UserFields>;
/// The body that changes a user account, for the document.
pub type UserPatch = Patch<UserFields>;

/// A user account. The password hash is never shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct UserFields {
    /// Login name: 3–64 characters of `a-z0-9_.-`, unique; it never changes.
    #[field(label = "用户名", example = "zhang.xue", fixed)]
    pub username: Username,
    /// Name shown to people, at most 500 characters.
    #[field(label = "显示名", example = "张学")]
    pub display_name: Option<PlainText>,
    /// What the user may do; the organisation must agree with it.
    #[field(label = "角色")]
    pub role: Role,
    /// The user's enterprise: required for role `enterprise`, and only then.
    #[field(label = "企业")]
    pub enterprise_id: Option<Uuid>,
    /// The user's school: required for role `school`, and only then.
    #[field(label = "学校")]
    pub school_id: Option<Uuid>,
    /// A participant's resident ID: required for role `participant`, and
    /// only then; one account per resident ID (409). Every placement whose
    /// `participant.national_id` is this number is the participant's.
    #[field(label = "参与者身份证号", example = "370101200601010011")]
    pub participant_national_id: Option<ResidentId>,
    /// The user must change its password (`POST /auth/password`) before any
    /// operation but `GET /auth/me` (403 `password-change-required`);
    /// cleared by that change (default `false`; `true` for an account made
    /// with `POST /apprenticeships/{id}/participant-account`).
    #[field(label = "须改密码")]
    #[serde(default)]
    pub must_change_password: bool,
    /// A service account: logs in with `client_credentials` only (default `false`).
    #[field(label = "服务账号")]
    #[serde(default)]
    pub service: bool,
    /// A disabled user is refused at once, existing tokens included (default `false`).
    #[field(label = "已停用")]
    #[serde(default)]
    pub disabled: bool,
    /// The password: at least 12 characters. It is never shown.
    #[field(label = "密码")]
    #[serde(skip_serializing)]
    pub password: UserPassword,
}

/// A user's password among its fields, never shown: as a create body
/// gives it (a [`Password`]), then its Argon2id hash, made before the new
/// user is stored (`Stored::stored`); a stored user's fields do not carry
/// it (its row keeps the hash, which only logins and password changes read).
#[derive(Clone, PartialEq, Default)]
pub enum UserPassword {
    /// A stored user's: kept in its row as its hash.
    #[default]
    Kept,
    /// As the create body gave it.
    Given(Password),
    /// Its Argon2id hash, to be stored.
    Hashed(String),
}

impl std::fmt::Debug for UserPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserPassword([redacted])")
    }
}

/// A password a body gives; [`UserPassword::Kept`] where a stored user's
/// fields, which never show it, are read back (a merge patch's result).
impl<'de> Deserialize<'de> for UserPassword {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Password>::deserialize(deserializer).map(|given| given.map_or(UserPassword::Kept, UserPassword::Given))
    }
}

impl Check for UserPassword {
    fn check(value: &serde_json::Value, path: &str, errors: &mut Vec<FieldError>) {
        Password::check(value, path, errors);
    }
}

impl FieldSchema for UserPassword {
    fn field_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        Password::field_schema()
    }
}

impl Resource for UserFields {
    const NAME: &'static str = "User";
    const COLLECTION: &'static str = "users";
    const TYPE: ResourceType = ResourceType::User;
    const CREATE_DOC: &'static str = "A new user account.";
    const PATCH_DOC: &'static str = "Changes to a user, as a JSON merge patch. The password is changed\nthrough `POST /users/{id}/password`, not here; the username never changes.";
    type Sort = UserSort;
    type Filters = UserFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![
            serde_json::json!({"username": "county.officer", "display_name": "县教体局", "role": "officer", "password": "a long secret passphrase"}),
        ]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"disabled": true}))
    }
}

/// The organisation fields of a user and the role each belongs to: a user
/// of that role names one (it must exist), any other user none.
pub const ORGANISATION_FIELDS: [(&str, Role); 2] = [("enterprise_id", Role::Enterprise), ("school_id", Role::School)];

/// A new password, set by an admin.
#[derive(Debug, Clone, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object)]
pub struct PasswordReset {
    /// At least 12 characters.
    pub password: Password,
}

/// The login a school (or an admin) gives a placement's participant.
#[derive(Debug, Clone, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object)]
pub struct ParticipantAccount {
    /// Login name: 3–64 characters of `a-z0-9_.-`, unique.
    #[field(example = "li.ming.2024")]
    pub username: Username,
    /// A first password, at least 12 characters: the participant must
    /// change it at the first login.
    pub password: Password,
}

/// A password change by the user themselves.
#[derive(Debug, Clone, Deserialize, Fields)]
#[serde(deny_unknown_fields)]
#[fields(object)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: CurrentPassword,
    /// The new password: at least 12 characters.
    pub password: Password,
}

/// The fields the user list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "users", default = CreatedAt)]
pub enum UserSort {
    /// `username`
    Username,
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the user list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only disabled (`true`) or enabled (`false`) users.
    pub disabled: Option<bool>,
}
