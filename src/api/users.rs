//! `/api/v1/users`: user accounts (admin only).

use crate::model::user::{PasswordReset, User, UserCreate, UserFields, UserFilters, UserPatch, UserSort};

crate::crud_api! {
    collection: "users",
    tag: "users",
    resource: crate::domain::vocab::ResourceType::User,
    policy: crate::auth::policy::users,
    service: crate::service::users,
    types: { record: User, create: UserCreate, patch: UserPatch, fields: UserFields, filters: UserFilters, sort: UserSort },
    handlers: { list: list_users, create: create_user, get: get_user, update: update_user, delete: delete_user },
    more: [reset_password],
    docs: {
        list: "List users.",
        list_detail: "`q` searches the username and display name.",
        page: "One page of users",
        create: "Create a user.",
        get: "Read a user.",
        one: "The user",
        update: "Change a user (JSON merge patch).",
        update_detail: "Role and organisation must agree. No one disables themselves or gives themselves another role, and the last enabled admin cannot be disabled or given another role (409); disabling a user ends its refresh tokens.",
        delete: "Delete a user.",
        id: "The user's id",
        conflict: "The username is taken; you would delete, disable or demote yourself; or this is the last enabled admin",
    }
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
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crate::auth::policy::users(&caller, Access::Update, Some(id))?;
    let input: PasswordReset = body.decode()?;
    crate::service::users::set_password(&state.db, &caller.actor(), id, &input.password).await?;
    Ok(HttpResponse::NoContent().finish())
}
