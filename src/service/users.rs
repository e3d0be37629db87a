//! Users: accounts, their organisation, passwords, and who a verified token
//! belongs to.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Actor, Event};
use super::list::{fetch_page, scan_search_condition, Keyset, ListRequest, SortValue};
use super::{check_precondition, find_for_update, now, sessions, Precondition};
use crate::api::list::PageOf;
use crate::api::users::{User, UserCreate, UserFilter, UserPatch};
use crate::auth::tokens::Verified;
use crate::auth::{password, Caller};
use crate::domain::search::search_text;
use crate::domain::vocab::Role;
use crate::entity::{enterprise, school, user};
use crate::error::{ApiError, FieldError};

/// Columns whose values are unique, for mapping constraint violations to 409.
const UNIQUE: &[&str] = &["username"];

impl Keyset for user::Entity {
    fn id_column() -> user::Column {
        user::Column::Id
    }

    fn sort_column(field: &str) -> user::Column {
        match field {
            "username" => user::Column::Username,
            "updated_at" => user::Column::UpdatedAt,
            _ => user::Column::CreatedAt,
        }
    }

    fn sort_value(model: &user::Model, field: &str) -> SortValue {
        match field {
            "username" => SortValue::Text(model.username.clone()),
            "updated_at" => SortValue::Time(model.updated_at),
            _ => SortValue::Time(model.created_at),
        }
    }

    fn id_of(model: &user::Model) -> Uuid {
        model.id
    }
}

fn to_response(model: user::Model) -> User {
    User {
        id: model.id,
        username: model.username,
        display_name: model.display_name,
        role: Role::parse(&model.role).unwrap_or(Role::Viewer),
        enterprise_id: model.enterprise_id,
        school_id: model.school_id,
        service: model.service,
        disabled: model.disabled,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

fn refresh_search_text(model: &mut user::Model) {
    model.search_text = search_text([Some(model.username.as_str()), model.display_name.as_deref()]);
}

/// The caller a verified token stands for: its user, looked up on every
/// request so that a disabled or deleted user is refused at once; or, for a
/// token from an outside identity provider whose subject is no local user,
/// the role and organisation its claims name. `None` when it stands for no one.
pub async fn resolve_caller(
    db: &DatabaseConnection,
    verified: Verified,
    ip: String,
) -> Result<Option<Caller>, ApiError> {
    let claims = verified.claims;
    let local = match Uuid::parse_str(&claims.sub) {
        Ok(id) => user::Entity::find_by_id(id).one(db).await?,
        Err(_) => None,
    };
    if let Some(user) = local {
        if user.disabled {
            return Ok(None);
        }
        let Some(role) = Role::parse(&user.role) else {
            return Ok(None);
        };
        return Ok(Some(Caller {
            user_id: Some(user.id),
            username: user.username,
            role,
            org: user.enterprise_id.or(user.school_id),
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
    if matches!(role, Role::Enterprise | Role::School) && org.is_none() {
        return Ok(None);
    }
    Ok(Some(Caller {
        user_id: None,
        username: claims.sub,
        role,
        org,
        ip,
    }))
}

/// Checks that role and organisation agree and that the organisation exists.
async fn check_organisation(db: &impl ConnectionTrait, model: &user::Model) -> Result<(), ApiError> {
    let role = Role::parse(&model.role).unwrap_or(Role::Viewer);
    let mut errors = Vec::new();
    match (role, model.enterprise_id) {
        (Role::Enterprise, None) => errors.push(FieldError::new(
            "enterprise_id",
            "required",
            "is required for role `enterprise`",
        )),
        (Role::Enterprise, Some(id)) => {
            if enterprise::Entity::find_by_id(id).count(db).await? == 0 {
                errors.push(FieldError::new("enterprise_id", "not_found", "names no enterprise"));
            }
        }
        (_, Some(_)) => errors.push(FieldError::new(
            "enterprise_id",
            "invalid",
            "must be null unless the role is `enterprise`",
        )),
        (_, None) => {}
    }
    match (role, model.school_id) {
        (Role::School, None) => errors.push(FieldError::new(
            "school_id",
            "required",
            "is required for role `school`",
        )),
        (Role::School, Some(id)) => {
            if school::Entity::find_by_id(id).count(db).await? == 0 {
                errors.push(FieldError::new("school_id", "not_found", "names no school"));
            }
        }
        (_, Some(_)) => errors.push(FieldError::new(
            "school_id",
            "invalid",
            "must be null unless the role is `school`",
        )),
        (_, None) => {}
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Creates a user, with its audit row.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: UserCreate) -> Result<User, ApiError> {
    let password_hash = password::hash(input.password).await?;
    let at = now();
    let mut model = user::Model {
        id: Uuid::now_v7(),
        username: input.username,
        display_name: input.display_name,
        role: input.role.as_str().to_string(),
        enterprise_id: input.enterprise_id,
        school_id: input.school_id,
        service: input.service,
        disabled: input.disabled,
        password_hash,
        search_text: String::new(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    refresh_search_text(&mut model);
    let txn = db.begin().await?;
    check_organisation(&txn, &model).await?;
    user::ActiveModel::from(model.clone())
        .reset_all()
        .insert(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, UNIQUE))?;
    let created = to_response(model);
    audit::record_change(&txn, actor, "create", "user", created.id, None, Some(&created)).await?;
    txn.commit().await?;
    Ok(created)
}

/// Reads one user.
pub async fn get(db: &DatabaseConnection, id: Uuid) -> Result<User, ApiError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_response)
        .ok_or(ApiError::NotFound)
}

/// Lists users, one page at a time.
pub async fn list(
    db: &DatabaseConnection,
    filter: &UserFilter,
    request: &ListRequest,
) -> Result<PageOf<User>, ApiError> {
    let mut select = user::Entity::find();
    if let Some(role) = filter.role {
        select = select.filter(user::Column::Role.eq(role.as_str()));
    }
    if let Some(disabled) = filter.disabled {
        select = select.filter(user::Column::Disabled.eq(disabled));
    }
    if let Some(since) = request.updated_since {
        select = select.filter(user::Column::UpdatedAt.gte(since));
    }
    if let Some(q) = &request.q {
        // Few users: a scan of the folded column is fine, and needs no trigram table.
        select = select.filter(scan_search_condition::<user::Entity>(user::Column::SearchText, q));
    }
    let page = fetch_page(db, select, request).await?;
    Ok(PageOf::from_page(page, to_response))
}

fn self_conflict(detail: &str) -> ApiError {
    ApiError::Conflict {
        detail: detail.to_string(),
        errors: Vec::new(),
    }
}

/// Applies a merge patch, with its audit row. Disabling ends the user's
/// refresh tokens; no one disables themselves.
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    precondition: Option<Precondition>,
    patch: UserPatch,
) -> Result<User, ApiError> {
    let txn = db.begin().await?;
    let current = find_for_update::<user::Entity>(&txn, id).await?;
    check_precondition(precondition.as_ref(), current.version)?;
    let mut next = current.clone();
    let mut errors = Vec::new();
    if let Some(v) = patch.display_name {
        next.display_name = v;
    }
    match patch.role {
        Some(Some(role)) => next.role = role.as_str().to_string(),
        Some(None) => errors.push(FieldError::new("role", "required", "cannot be cleared")),
        None => {}
    }
    if let Some(v) = patch.enterprise_id {
        next.enterprise_id = v;
    }
    if let Some(v) = patch.school_id {
        next.school_id = v;
    }
    match patch.service {
        Some(Some(v)) => next.service = v,
        Some(None) => errors.push(FieldError::new("service", "required", "cannot be cleared")),
        None => {}
    }
    match patch.disabled {
        Some(Some(v)) => next.disabled = v,
        Some(None) => errors.push(FieldError::new("disabled", "required", "cannot be cleared")),
        None => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    refresh_search_text(&mut next);
    if next.disabled && !current.disabled && caller.user_id == Some(id) {
        return Err(self_conflict("you cannot disable yourself"));
    }
    if next == current {
        return Ok(to_response(current));
    }
    check_organisation(&txn, &next).await?;
    next.version += 1;
    next.updated_at = now();
    user::ActiveModel::from(next.clone()).reset_all().update(&txn).await?;
    if next.disabled {
        sessions::revoke_all_for_user(&txn, id).await?;
    }
    let (before, after) = (to_response(current), to_response(next));
    audit::record_change(&txn, &caller.actor(), "update", "user", id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a user, with its audit row; no one deletes themselves.
pub async fn delete(
    db: &DatabaseConnection,
    caller: &Caller,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    if caller.user_id == Some(id) {
        return Err(self_conflict("you cannot delete yourself"));
    }
    super::delete_audited::<user::Entity, _>(
        db,
        &caller.actor(),
        id,
        precondition,
        "user",
        |m| m.version,
        to_response,
    )
    .await
}

/// Sets a user's password and ends its refresh tokens, with an audit row
/// that says the password changed (never what it is).
pub async fn set_password(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    new_password: String,
) -> Result<(), ApiError> {
    let password_hash = password::hash(new_password).await?;
    let txn = db.begin().await?;
    let mut model = find_for_update::<user::Entity>(&txn, id).await?;
    model.password_hash = password_hash;
    model.version += 1;
    model.updated_at = now();
    user::ActiveModel::from(model).reset_all().update(&txn).await?;
    sessions::revoke_all_for_user(&txn, id).await?;
    let changes = json!({"password": {"before": "[redacted]", "after": "[redacted]"}});
    audit::record(
        &txn,
        actor,
        Event::success("update", "user", id).with_changes(Some(changes)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the caller's own password; a wrong current password is a 422.
pub async fn change_own_password(
    db: &DatabaseConnection,
    caller: &Caller,
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    let id = caller.user_id.ok_or(ApiError::NotFound)?;
    let model = user::Entity::find_by_id(id).one(db).await?.ok_or(ApiError::NotFound)?;
    if !password::verify(current_password, model.password_hash).await {
        return Err(ApiError::invalid_field(
            "current_password",
            "invalid",
            "is not your current password",
        ));
    }
    set_password(db, &caller.actor(), id, new_password).await
}

/// On a database without users, creates `admin` with `password`, or with a
/// generated password that is returned so it can be shown once.
pub async fn bootstrap_admin(db: &DatabaseConnection, password: Option<String>) -> Result<Option<String>, ApiError> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    let generated = password.is_none().then(crate::auth::tokens::random_secret);
    let input = UserCreate {
        username: "admin".into(),
        display_name: Some("Administrator".into()),
        role: Role::Admin,
        enterprise_id: None,
        school_id: None,
        service: false,
        disabled: false,
        password: password.or_else(|| generated.clone()).unwrap_or_default(),
    };
    let actor = Actor {
        user_id: None,
        username: Some("bootstrap".into()),
        ip: "local".into(),
    };
    match create(db, &actor, input).await {
        Ok(_) => Ok(generated),
        // Another replica created it first.
        Err(ApiError::Conflict { .. }) => Ok(None),
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
pub async fn me(db: &DatabaseConnection, caller: &Caller) -> Result<User, ApiError> {
    get(db, caller.user_id.ok_or(ApiError::NotFound)?).await
}
