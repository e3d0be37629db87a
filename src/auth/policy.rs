//! The role table of the contract, in one place. Handlers call these guards
//! before anything else; a refusal is a 403 (or a 404 where the record may
//! not even be seen).

use uuid::Uuid;

use super::Caller;
use crate::domain::vocab::Role;
use crate::error::ApiError;

/// What a caller wants to do with a record or a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// GET.
    Read,
    /// POST to the collection.
    Create,
    /// PATCH.
    Update,
    /// DELETE.
    Delete,
}

fn deny(what: &str) -> ApiError {
    ApiError::forbidden(format!("your role may not {what}"))
}

/// Enterprises: admin and officer CRUD; everyone reads; an enterprise user
/// patches its own enterprise.
pub fn enterprises(caller: &Caller, access: Access, id: Option<Uuid>) -> Result<(), ApiError> {
    match (caller.role, access) {
        (Role::Admin | Role::Officer, _) | (_, Access::Read) => Ok(()),
        (Role::Enterprise, Access::Update) if id.is_some() && id == caller.org => Ok(()),
        (_, Access::Update) => Err(deny("change this enterprise")),
        (_, Access::Create) => Err(deny("create enterprises")),
        (_, Access::Delete) => Err(deny("delete enterprises")),
    }
}

/// Fields of its own enterprise an enterprise user may not change.
pub fn enterprise_fixed_fields(caller: &Caller) -> &'static [&'static str] {
    match caller.role {
        Role::Enterprise => &["membership_status", "credit_code"],
        _ => &[],
    }
}

/// Schools: admin and officer CRUD; everyone reads; a school user patches its own school.
pub fn schools(caller: &Caller, access: Access, id: Option<Uuid>) -> Result<(), ApiError> {
    match (caller.role, access) {
        (Role::Admin | Role::Officer, _) | (_, Access::Read) => Ok(()),
        (Role::School, Access::Update) if id.is_some() && id == caller.org => Ok(()),
        (_, Access::Update) => Err(deny("change this school")),
        (_, Access::Create) => Err(deny("create schools")),
        (_, Access::Delete) => Err(deny("delete schools")),
    }
}

/// Fields of its own school a school user may not change.
pub fn school_fixed_fields(caller: &Caller) -> &'static [&'static str] {
    match caller.role {
        Role::School => &["membership_status", "code"],
        _ => &[],
    }
}

/// Users: the admin only.
pub fn users(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin => Ok(()),
        _ => Err(deny("manage users")),
    }
}

/// Audit events: admin and officer read.
pub fn audit_events(caller: &Caller) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Officer => Ok(()),
        _ => Err(deny("read the audit trail")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, org: Option<Uuid>) -> Caller {
        Caller {
            user_id: Some(Uuid::now_v7()),
            username: "u".into(),
            role,
            org,
            ip: "127.0.0.1".into(),
        }
    }

    #[test]
    fn the_enterprise_column_of_the_role_table_holds() {
        let own = Uuid::now_v7();
        let other = Uuid::now_v7();
        for role in [Role::Admin, Role::Officer] {
            for access in [Access::Read, Access::Create, Access::Update, Access::Delete] {
                assert!(enterprises(&caller(role, None), access, Some(other)).is_ok());
            }
        }
        for role in [Role::School, Role::Viewer] {
            let c = caller(role, Some(own));
            assert!(enterprises(&c, Access::Read, Some(own)).is_ok());
            assert!(enterprises(&c, Access::Update, Some(own)).is_err());
            assert!(enterprises(&c, Access::Create, None).is_err());
            assert!(enterprises(&c, Access::Delete, Some(own)).is_err());
        }
        let e = caller(Role::Enterprise, Some(own));
        assert!(enterprises(&e, Access::Update, Some(own)).is_ok());
        assert!(enterprises(&e, Access::Update, Some(other)).is_err());
        assert!(enterprises(&e, Access::Delete, Some(own)).is_err());
        assert_eq!(enterprise_fixed_fields(&e), &["membership_status", "credit_code"]);
    }
}
