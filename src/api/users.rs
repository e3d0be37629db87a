//! `/api/v1/users`: user accounts (admin only).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{with_etag, IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery, CREATE_TEXT, DELETE_TEXT, GET_TEXT};
use crate::auth::policy::{Access, USERS};
use crate::error::{ApiError, Problem};
use crate::model::list::PageOf;
use crate::model::user::{PasswordReset, User, UserCreate, UserFields, UserPatch};
use crate::service::users;

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        crud::scope::<UserFields>()
            .service(list_users)
            .service(create_user)
            .service(reset_password)
            .service(get_user)
            .service(update_user)
            .service(delete_user),
    );
}

/// List users.
///
/// `q` searches the username and display name.
#[utoipa::path(tag = "users", params(ListParams<UserFields>),
    responses((status = 200, description = "One page of users", body = PageOf<User>)))]
#[get("")]
pub async fn list_users(call: Call, query: ListQuery<UserFields>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

/// Create a user.
#[utoipa::path(tag = "users", description = CREATE_TEXT, request_body = UserCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = User,
            headers(("Location" = String, description = "The new record's path"), ("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "The username is taken; you would delete, disable or demote yourself; or this is the last enabled admin", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_user(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    crud::create::<UserFields>(call, body).await
}

/// Read a user.
#[utoipa::path(tag = "users", description = GET_TEXT, params(("id" = Uuid, Path, description = "The user's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The user", body = User, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    ))]
#[get("/{id}")]
pub async fn get_user(call: Call, id: web::Path<Uuid>, if_none_match: IfNoneMatch) -> Result<HttpResponse, ApiError> {
    crud::get::<UserFields>(call, *id, if_none_match).await
}

/// Change a user (JSON merge patch).
///
/// Role and organisation must agree. No one disables themselves or gives themselves another role, and the last enabled admin cannot be disabled or given another role (409); disabling a user ends its refresh tokens.
#[utoipa::path(tag = "users", params(("id" = Uuid, Path, description = "The user's id"), IfMatch),
    request_body(content((UserPatch = "application/merge-patch+json"), (UserPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed record", body = User, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "The username is taken; you would delete, disable or demote yourself; or this is the last enabled admin", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update_user(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let record = users::update(&call.state.db, &call.caller, *id, if_match.0, body.bytes()).await?;
    Ok(with_etag(HttpResponse::Ok(), record.version).json(record))
}

/// Delete a user.
#[utoipa::path(tag = "users", description = DELETE_TEXT, params(("id" = Uuid, Path, description = "The user's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
    ))]
#[delete("/{id}")]
pub async fn delete_user(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    users::delete(&call.state.db, &call.caller, *id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set a user's password (an admin's reset).
///
/// Ends the user's refresh tokens.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    request_body = PasswordReset,
    responses((status = 204, description = "The password is set"))
)]
#[post("/{id}/password")]
pub async fn reset_password(call: Call, id: web::Path<Uuid>, body: JsonBody) -> Result<HttpResponse, ApiError> {
    USERS.scope(&call.caller, Access::Update)?;
    let input: PasswordReset = body.decode()?;
    users::set_password(&call.state.db, &call.caller.actor(), *id, &input.password, None).await?;
    Ok(HttpResponse::NoContent().finish())
}
