//! The role table of the contract, in one place. Handlers call these
//! checks before anything else; services call the field checks with the
//! record before and after a change. A refusal is a 403 (naming the fields
//! a role may not change), or a 404 where the record may not even be seen.

use uuid::Uuid;

use super::Principal;
use crate::domain::vocab::Role;
use crate::error::{ApiError, FieldError};
use crate::model::enterprise::EnterpriseFields;
use crate::model::school::SchoolFields;

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

/// A 403 naming each field whose flag says the caller changed it.
fn unchanged(fields: &[(&str, bool)]) -> Result<(), ApiError> {
    let errors: Vec<FieldError> = fields
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(field, _)| FieldError::new(*field, "forbidden", "your role may not change this field"))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            detail: "your role may not change these fields".into(),
            errors,
        })
    }
}

/// Enterprises: admin and officer CRUD; everyone reads; an enterprise user
/// patches its own enterprise.
pub fn enterprises(caller: &Principal, access: Access, id: Option<Uuid>) -> Result<(), ApiError> {
    match (caller.role, access) {
        (Role::Admin | Role::Officer, _) | (_, Access::Read) => Ok(()),
        (Role::Enterprise, Access::Update) if id.is_some() && id == caller.org => Ok(()),
        (_, Access::Update) => Err(deny("change this enterprise")),
        (_, Access::Create) => Err(deny("create enterprises")),
        (_, Access::Delete) => Err(deny("delete enterprises")),
    }
}

/// What an enterprise user may not change of its own enterprise: its
/// membership status and credit code (sending the current value is fine).
pub fn enterprise_change(
    caller: &Principal,
    before: &EnterpriseFields,
    after: &EnterpriseFields,
) -> Result<(), ApiError> {
    match caller.role {
        Role::Enterprise => unchanged(&[
            ("membership_status", before.membership_status != after.membership_status),
            ("credit_code", before.credit_code != after.credit_code),
        ]),
        _ => Ok(()),
    }
}

/// Schools: admin and officer CRUD; everyone reads; a school user patches its own school.
pub fn schools(caller: &Principal, access: Access, id: Option<Uuid>) -> Result<(), ApiError> {
    match (caller.role, access) {
        (Role::Admin | Role::Officer, _) | (_, Access::Read) => Ok(()),
        (Role::School, Access::Update) if id.is_some() && id == caller.org => Ok(()),
        (_, Access::Update) => Err(deny("change this school")),
        (_, Access::Create) => Err(deny("create schools")),
        (_, Access::Delete) => Err(deny("delete schools")),
    }
}

/// What a school user may not change of its own school: its membership
/// status and school code.
pub fn school_change(caller: &Principal, before: &SchoolFields, after: &SchoolFields) -> Result<(), ApiError> {
    match caller.role {
        Role::School => unchanged(&[
            ("membership_status", before.membership_status != after.membership_status),
            ("code", before.code != after.code),
        ]),
        _ => Ok(()),
    }
}

/// Users: the admin only, for every operation.
pub fn users(caller: &Principal, _access: Access, _id: Option<Uuid>) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin => Ok(()),
        _ => Err(deny("manage users")),
    }
}

/// Audit events: admin and officer read.
pub fn audit_events(caller: &Principal) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Officer => Ok(()),
        _ => Err(deny("read the audit trail")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::check::decode;

    fn caller(role: Role, org: Option<Uuid>) -> Principal {
        Principal {
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
    }

    #[test]
    fn an_enterprise_user_may_not_change_its_status_or_credit_code_but_an_officer_may() {
        let before: EnterpriseFields = decode(&serde_json::json!({"name": "a"})).unwrap();
        let after: EnterpriseFields = decode(&serde_json::json!({"name": "b", "membership_status": "member"})).unwrap();
        let own = Uuid::now_v7();
        match enterprise_change(&caller(Role::Enterprise, Some(own)), &before, &after) {
            Err(ApiError::Forbidden { errors, .. }) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].field, "membership_status");
            }
            other => panic!("{other:?}"),
        }
        assert!(enterprise_change(&caller(Role::Officer, None), &before, &after).is_ok());
        assert!(enterprise_change(&caller(Role::Enterprise, Some(own)), &before, &before).is_ok());
    }
}
