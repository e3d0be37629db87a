//! User accounts, and the bodies that set passwords.

use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use super::export::{Column, Columns};
use super::field::{CurrentPassword, Password, PlainText, Username};
use super::list::sort_key;
use crate::domain::vocab::Role;

crate::record! {
    /// A user account. The password hash is never shown.
    pub struct User;
    /// A new user account.
    example = serde_json::json!({"username": "county.officer", "display_name": "县教体局", "role": "officer", "password": "a long secret passphrase"});
    pub struct UserCreate;
    /// Changes to a user, as a JSON merge patch. The password is changed
    /// through `POST /users/{id}/password`, not here; the username never changes.
    example = serde_json::json!({"disabled": true});
    pub struct UserPatch;
    /// The fields of a user that a merge patch may change.
    pub struct UserFields;
    {
        /// Login name: 3–64 characters of `a-z0-9_.-`, unique; it never changes.
        username: Username [fixed, example = "zhang.xue"],
        /// Name shown to people, at most 500 characters.
        display_name: Option<PlainText> [example = "张学"],
        /// What the user may do; the organisation must agree with it.
        role: Role,
        /// The user's enterprise: required for role `enterprise`, and only then.
        enterprise_id: Option<Uuid>,
        /// The user's school: required for role `school`, and only then.
        school_id: Option<Uuid>,
        /// A service account: logs in with `client_credentials` only (default `false`).
        service: bool [default],
        /// A disabled user is refused at once, existing tokens included (default `false`).
        disabled: bool [default],
        /// The password: at least 12 characters. It is never shown.
        password: Password [secret],
    }
}

/// The organisation fields of a user and the role each belongs to: a user
/// of that role names one (it must exist), any other user none.
pub const ORGANISATION_FIELDS: [(&str, Role); 2] = [("enterprise_id", Role::Enterprise), ("school_id", Role::School)];

crate::object! {
    /// A new password, set by an admin.
    input struct PasswordReset {
        /// At least 12 characters.
        password: Password,
    }
}

crate::object! {
    /// A password change by the user themselves.
    input struct PasswordChange {
        /// The current password.
        current_password: CurrentPassword,
        /// The new password: at least 12 characters.
        password: Password,
    }
}

sort_key! {
    /// The fields the user list sorts by.
    UserSort for "users", default CreatedAt {
        Username => "username",
        CreatedAt => "created_at",
        UpdatedAt => "updated_at",
    }
}

/// Filters of the user list; they combine with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only disabled (`true`) or enabled (`false`) users.
    pub disabled: Option<bool>,
}

impl Columns for User {
    const COLUMNS: &'static [Column] = &[
        Column::text("编号 id", "id").shown(),
        Column::text("用户名 username", "username"),
        Column::text("显示名 display_name", "display_name"),
        Column::text("角色 role", "role"),
        Column::text("企业 enterprise_id", "enterprise_id"),
        Column::text("学校 school_id", "school_id"),
        Column::text("服务账号 service", "service"),
        Column::text("已停用 disabled", "disabled"),
        Column::number("版本 version", "version").shown(),
        Column::text("创建时间 created_at", "created_at").shown(),
        Column::text("更新时间 updated_at", "updated_at").shown(),
    ];
}
