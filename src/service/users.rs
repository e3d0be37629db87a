//! Users: accounts, their organisation, passwords, and who a verified token
//! belongs to.

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::audit;
use super::list::Keyset;
use super::resource::{self, record_of, Search, Stored};
use super::{check_precondition, find_for_update, now, sessions, Database, Precondition, UserState};
use crate::auth::policy::{Access, Policy, USERS};
use crate::auth::tokens::Verified;
use crate::auth::{password, Actor, Principal};
use crate::domain::search::search_text;
use crate::domain::vocab::{Action, ResourceType, Role};
use crate::entity::{enterprise, school, user};
use crate::error::{ApiError, FieldError};
use crate::model::apprenticeship::ApprenticeshipFields;
use crate::model::check::{decode, parse_body, MergePatch};
use crate::model::field::{CurrentPassword, Password, PlainText, TextRule};
use crate::model::record::{Meta, Record as _};
use crate::model::resource::{Create, Record};
use crate::model::user::{
    ParticipantAccount, User, UserCreate, UserFields, UserPassword, UserSort, ORGANISATION_FIELDS,
};

impl Keyset for user::Entity {
    type Sort = UserSort;
}

impl Stored for UserFields {
    type Table = user::Entity;
    const POLICY: &'static Policy = &USERS;
    const UNIQUE: &'static [&'static str] = &["username", "participant_national_id"];
    // Few users: a scan of the folded column is fine, and needs no trigram table.
    const SEARCH: Search = Search::Scan;

    /// The password, hashed.
    async fn stored(self) -> Result<Self, ApiError> {
        let password = match self.password {
            UserPassword::Given(given) => UserPassword::Hashed(password::hash(given.expose().to_string()).await?),
            other => other,
        };
        Ok(UserFields { password, ..self })
    }

    fn complete_row(&self, row: &mut user::ActiveModel) {
        if let UserPassword::Hashed(hash) = &self.password {
            row.password_hash = Set(hash.clone());
        }
        row.search_text = Set(search_text([
            Some(self.username.as_str()),
            self.display_name.as_ref().map(|d| d.as_str()),
        ]));
    }

    /// Role and organisation agree, and the organisation exists (422).
    async fn check_references(&self, db: &DatabaseTransaction) -> Result<(), ApiError> {
        check_organisation(db, self).await
    }
}

/// The principal a verified token stands for: its user, whose state is
/// read again at most [`USER_STATE_TTL`](super::USER_STATE_TTL) after this
/// replica last read it (at once after this replica changed it), so that a
/// disabled or deleted user is refused within that time everywhere; or, for
/// a token from an outside identity provider whose subject is no local user,
/// the role and organisation its claims name. `None` when it stands for no one.
pub async fn resolve_principal(db: &Database, verified: Verified, ip: String) -> Result<Option<Principal>, ApiError> {
    let claims = verified.claims;
    let local = match Uuid::parse_str(&claims.sub) {
        Ok(id) => match db.cached_user(id) {
            Some(state) => state.map(|state| (id, state)),
            None => {
                let state = user::Entity::find_by_id(id)
                    .one(db.read())
                    .await?
                    .map(|user| UserState {
                        username: user.username.into(),
                        role: user.role,
                        org: user.enterprise_id.or(user.school_id),
                        disabled: user.disabled,
                        participant: user.participant_national_id.map(|id| id.as_str().into()),
                        must_change_password: user.must_change_password,
                    });
                db.cache_user(id, state.clone());
                state.map(|state| (id, state))
            }
        },
        Err(_) => None,
    };
    if let Some((id, user)) = local {
        if user.disabled {
            return Ok(None);
        }
        return Ok(Some(Principal {
            user_id: Some(id),
            username: user.username,
            role: user.role,
            org: user.org,
            participant: user.participant,
            must_change_password: user.must_change_password,
            ip,
        }));
    }
    if !verified.external {
        return Ok(None);
    }
    let Some(role) = claims.role.as_deref().and_then(Role::parse) else {
        return Ok(None);
    };
    let org = claims.org.as_deref().and_then(|o| Uuid::parse_str(o).ok());
    // An outside identity names no resident ID: it cannot be a participant.
    if matches!(role, Role::Enterprise | Role::School) && org.is_none() || role == Role::Participant {
        return Ok(None);
    }
    Ok(Some(Principal {
        user_id: None,
        username: claims.sub,
        role,
        org,
        participant: None,
        must_change_password: false,
        ip,
    }))
}

/// The 422 of a field a user gives iff its role is `role`: missing for that
/// role, or given for another.
fn given_iff_role(field: &str, given: bool, role: Role, record: &UserFields) -> Option<FieldError> {
    match (record.role == role, given) {
        (true, false) => Some(FieldError::needed_for(field, format_args!("role `{}`", role.as_str()))),
        (false, true) => Some(FieldError::new(
            field,
            "invalid",
            format!("must be null unless the role is `{}`", role.as_str()),
        )),
        _ => None,
    }
}

/// Checks that role and organisation agree and that the organisation exists,
/// and that a participant, and only a participant, names its resident ID
/// (422 naming the field otherwise).
async fn check_organisation(db: &impl ConnectionTrait, record: &UserFields) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (field, role) in ORGANISATION_FIELDS {
        let id = match role {
            Role::Enterprise => record.enterprise_id,
            _ => record.school_id,
        };
        if let Some(error) = given_iff_role(field, id.is_some(), role, record) {
            errors.push(error);
        } else if let Some(id) = id {
            let exists = match role {
                Role::Enterprise => enterprise::Entity::find_by_id(id).count(db).await? > 0,
                _ => school::Entity::find_by_id(id).count(db).await? > 0,
            };
            if !exists {
                errors.push(FieldError::new(field, "not_found", "names no such record"));
            }
        }
    }
    let national_id = record.participant_national_id.is_some();
    errors.extend(given_iff_role(
        "participant_national_id",
        national_id,
        Role::Participant,
        record,
    ));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Creates a user on behalf of the command line or start-up (`caller`
/// acting as an admin), with its audit row.
pub async fn create_as(db: &Database, caller: &Principal, input: UserCreate) -> Result<User, ApiError> {
    let Create(fields) = input;
    resource::store_new(db, caller, Record::new(Meta::new(now()), fields)).await
}

fn self_conflict(detail: &str) -> ApiError {
    ApiError::Conflict {
        detail: detail.to_string(),
        errors: Vec::new(),
    }
}

/// The name under which writes that could remove an admin run one after another.
const ADMINS_LOCK: &str = "users: enabled admins";

/// Refuses (409) a change that would leave no enabled admin: `user` is
/// the stored row; `stays_admin` whether it is an enabled admin after the
/// change. Runs after the writes that could remove an admin were
/// serialised ([`ADMINS_LOCK`]).
async fn keep_an_admin(txn: &impl ConnectionTrait, user: &user::Model, stays_admin: bool) -> Result<(), ApiError> {
    let is_admin = user.role == Role::Admin && !user.disabled;
    if !is_admin || stays_admin {
        return Ok(());
    }
    let others = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Id.ne(user.id))
        .count(txn)
        .await?;
    if others == 0 {
        return Err(self_conflict(
            "this is the last enabled admin: it cannot be deleted, disabled or given another role",
        ));
    }
    Ok(())
}

/// Applies a merge patch, with its audit row. Disabling ends the user's
/// refresh tokens; no one disables or demotes themselves, and the last
/// enabled admin stays one. Its own road: the writes that could remove an
/// admin run one after another ([`ADMINS_LOCK`], before the row is
/// locked), and this replica forgets the user's state once committed.
pub async fn update(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    body: &[u8],
) -> Result<User, ApiError> {
    USERS.scope(caller, Access::Update)?;
    let patch = MergePatch::<UserFields>::new(parse_body(body)?)?;
    let txn = db.begin().await?;
    db.lock_names(&txn, &[ADMINS_LOCK]).await?;
    let row = find_for_update::<user::Entity>(&txn, id).await?;
    let before = record_of::<UserFields>(&row);
    let fields = patch.apply(&before.fields)?;
    check_precondition(precondition.as_ref(), row.version)?;
    if fields.disabled && !before.fields.disabled && caller.is(id) {
        return Err(self_conflict("you cannot disable yourself"));
    }
    if fields.role != before.fields.role && caller.is(id) {
        return Err(self_conflict("you cannot give yourself another role"));
    }
    if fields == before.fields {
        return Ok(before);
    }
    keep_an_admin(&txn, &row, fields.role == Role::Admin && !fields.disabled).await?;
    check_organisation(&txn, &fields).await?;
    let after = Record {
        fields,
        version: before.version + 1,
        updated_at: now(),
        ..before.clone()
    };
    let mut changed = <user::Model as crate::entity::Row>::active(&after.meta(), &after.fields);
    after.fields.complete_row(&mut changed);
    changed.reset_all().update(&txn).await?;
    if after.fields.disabled {
        sessions::revoke_all_for_user(&txn, id).await?;
    }
    audit::record_change(
        &txn,
        &caller.actor(),
        Action::Update,
        ResourceType::User,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    db.forget_user(id);
    Ok(after)
}

/// Deletes a user, with its audit row; no one deletes themselves, and the
/// last enabled admin is not deleted.
pub async fn delete(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    USERS.scope(caller, Access::Delete)?;
    if caller.is(id) {
        return Err(self_conflict("you cannot delete yourself"));
    }
    let txn = db.begin().await?;
    db.lock_names(&txn, &[ADMINS_LOCK]).await?;
    let row = find_for_update::<user::Entity>(&txn, id).await?;
    keep_an_admin(&txn, &row, false).await?;
    let before = record_of::<UserFields>(&row);
    check_precondition(precondition.as_ref(), before.version)?;
    user::Entity::delete_by_id(id)
        .exec(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, &[]))?;
    audit::record_change(
        &txn,
        &caller.actor(),
        Action::Delete,
        ResourceType::User,
        id,
        Some(&before),
        None,
    )
    .await?;
    txn.commit().await?;
    db.forget_user(id);
    Ok(())
}

/// Sets a user's password and ends its refresh tokens, with an audit row
/// that says the password changed (never what it is); `must_change`, when
/// given, sets whether the user must change it again (its own change clears
/// it). This replica forgets the user's state once committed.
pub async fn set_password(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    new_password: &Password,
    must_change: Option<bool>,
) -> Result<(), ApiError> {
    let password_hash = password::hash(new_password.expose().to_string()).await?;
    let txn = db.begin().await?;
    let mut model = find_for_update::<user::Entity>(&txn, id).await?;
    model.password_hash = password_hash;
    if let Some(must_change) = must_change {
        model.must_change_password = must_change;
    }
    model.version += 1;
    model.updated_at = now();
    user::ActiveModel::from(model).reset_all().update(&txn).await?;
    sessions::revoke_all_for_user(&txn, id).await?;
    audit::record_secret_change(&txn, actor, ResourceType::User, id, "password").await?;
    txn.commit().await?;
    db.forget_user(id);
    Ok(())
}

/// Changes the caller's own password; a wrong current password is a 422.
pub async fn change_own_password(
    db: &Database,
    caller: &Principal,
    current_password: &CurrentPassword,
    new_password: &Password,
) -> Result<(), ApiError> {
    let id = caller.user_id.ok_or(ApiError::NotFound)?;
    let model = user::Entity::find_by_id(id)
        .one(db.read())
        .await?
        .ok_or(ApiError::NotFound)?;
    if !password::verify(current_password.expose().to_string(), model.password_hash).await? {
        return Err(ApiError::invalid_field(
            "current_password",
            "invalid",
            "is not your current password",
        ));
    }
    set_password(db, &caller.actor(), id, new_password, Some(false)).await
}

/// What start-up found or did about the first admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bootstrap {
    /// An enabled admin exists (perhaps made by another replica just now): nothing was done.
    AdminExists,
    /// The user `admin` was created.
    Created,
    /// No enabled admin exists, but the username `admin` is taken (by a
    /// disabled user or one with another role): nothing was done.
    NameTaken,
}

/// Whether any enabled admin exists.
pub async fn has_enabled_admin(db: &Database) -> Result<bool, ApiError> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin))
        .filter(user::Column::Disabled.eq(false))
        .count(db.write())
        .await?
        > 0)
}

/// Unless an enabled admin exists, creates the user `admin` with `password`
/// (other users, such as the demo data's, do not count).
pub async fn bootstrap_admin(db: &Database, password: &str) -> Result<Bootstrap, ApiError> {
    if has_enabled_admin(db).await? {
        return Ok(Bootstrap::AdminExists);
    }
    let input: UserCreate = crate::model::check::decode(&json!({
        "username": "admin",
        "display_name": "Administrator",
        "role": "admin",
        "password": password,
    }))?;
    match create_as(db, &Principal::system("bootstrap"), input).await {
        Ok(_) => Ok(Bootstrap::Created),
        // Another replica created it first, or the name is someone else's.
        Err(ApiError::Conflict { .. }) if has_enabled_admin(db).await? => Ok(Bootstrap::AdminExists),
        Err(ApiError::Conflict { .. }) => Ok(Bootstrap::NameTaken),
        Err(err) => Err(err),
    }
}

/// The account a login names (service layer only).
pub(crate) async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<user::Model>, ApiError> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await?)
}

/// The user behind `GET /auth/me`.
pub async fn me(db: &Database, caller: &Principal) -> Result<User, ApiError> {
    let id = caller.user_id.ok_or(ApiError::NotFound)?;
    user::Entity::find_by_id(id)
        .one(db.read())
        .await?
        .map(|row| record_of(&row))
        .ok_or(ApiError::NotFound)
}

/// `POST /apprenticeships/{id}/participant-account`: gives the placement's
/// participant a login of role `participant` for its resident ID, which
/// must change its password at the first login. By an admin or the owning
/// school; checks, in order: a role that changes no placements 403, a
/// placement the caller may not see 404 (one it only reads 403), the body
/// 422, a placement without `participant.national_id` 422, an account for
/// that resident ID already (409 naming it; of two made at once, the
/// unique index refuses the second).
pub async fn create_participant_account(
    db: &Database,
    caller: &Principal,
    placement: Uuid,
    body: &[u8],
) -> Result<User, ApiError> {
    let scope = resource::scope_for::<ApprenticeshipFields>(db, caller, placement, Access::Update).await?;
    let txn = db.begin().await?;
    let row = resource::row_to_change::<ApprenticeshipFields>(&txn, caller, placement, scope).await?;
    drop(txn);
    let request: ParticipantAccount = decode(&parse_body(body)?)?;
    let Some(national_id) = row.participant.national_id.clone() else {
        return Err(ApiError::invalid_field(
            "participant.national_id",
            "required",
            "the placement names no resident ID: set the participant's `national_id` first",
        ));
    };
    let existing = user::Entity::find()
        .filter(user::Column::ParticipantNationalId.eq(national_id.as_str()))
        .one(db.read())
        .await?;
    if let Some(existing) = existing {
        return Err(ApiError::Conflict {
            detail: format!(
                "this participant has an account already: `{}` (id {}); one person, one account",
                existing.username.as_str(),
                existing.id
            ),
            errors: vec![FieldError::new(
                "participant_national_id",
                "duplicate",
                format!("the account `{}` has this resident ID", existing.username.as_str()),
            )],
        });
    }
    let fields = UserFields {
        username: request.username,
        display_name: PlainText::parse(row.participant.name.as_str().to_string()).ok(),
        role: Role::Participant,
        enterprise_id: None,
        school_id: None,
        participant_national_id: Some(national_id),
        must_change_password: true,
        service: false,
        disabled: false,
        password: UserPassword::Given(request.password),
    };
    resource::store_new(db, caller, Record::new(Meta::new(now()), fields)).await
}
