//! `/api/v1/users`: user accounts (admin only).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::body::JsonBody;
use super::conditional::{not_modified, with_etag, IfMatch};
use super::list::{parse_choice, CanonicalFilters, ListSpec, PageOf, PageQuery, SearchQuery};
use super::rules;
use super::AppState;
use crate::auth::policy;
use crate::auth::Caller;
use crate::domain::vocab::Role;
use crate::error::{ApiError, Problem};
use crate::service::users as service;

/// The list's sort fields and default order.
pub const LIST: ListSpec = ListSpec {
    resource: "users",
    sortable: &["username", "created_at", "updated_at"],
    default_field: "created_at",
};

/// A user account. The password hash is never shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    /// Server-made id (UUIDv7).
    pub id: Uuid,
    /// Login name: 3–64 characters of `a-z0-9_.-`, unique.
    #[schema(example = "zhang.xue")]
    pub username: String,
    /// Name shown to people.
    #[schema(example = "张学")]
    pub display_name: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// The user's enterprise (role `enterprise` only).
    pub enterprise_id: Option<Uuid>,
    /// The user's school (role `school` only).
    pub school_id: Option<Uuid>,
    /// A service account: logs in with `client_credentials` only.
    pub service: bool,
    /// A disabled user is refused at once, existing tokens included.
    pub disabled: bool,
    /// Starts at 1 and grows by 1 with every change.
    pub version: i32,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new user account.
#[derive(Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "county.officer", "display_name": "县教体局", "role": "officer", "password": "a long secret passphrase"}))]
pub struct UserCreate {
    /// Login name: 3–64 characters of `a-z0-9_.-`, unique.
    #[validate(custom(function = "rules::username"))]
    #[schema(pattern = "^[a-z0-9_.-]{3,64}$")]
    pub username: String,
    /// Name shown to people, at most 500 characters.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub display_name: Option<String>,
    /// What the user may do.
    pub role: Role,
    /// Required for role `enterprise` (and only then): an existing enterprise.
    pub enterprise_id: Option<Uuid>,
    /// Required for role `school` (and only then): an existing school.
    pub school_id: Option<Uuid>,
    /// A service account (default `false`).
    #[serde(default)]
    pub service: bool,
    /// Create the account disabled (default `false`).
    #[serde(default)]
    pub disabled: bool,
    /// At least 12 characters.
    #[validate(length(min = 12, max = 1000))]
    #[schema(format = Password, min_length = 12, max_length = 1000)]
    pub password: String,
}

/// Changes to a user (JSON merge patch). The password is changed through
/// `POST /users/{id}/password`, not here.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disabled": true}))]
pub struct UserPatch {
    /// Name shown to people.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub display_name: Option<Option<String>>,
    /// What the user may do; the organisation must agree with it.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<Role>)]
    pub role: Option<Option<Role>>,
    /// The user's enterprise (role `enterprise` only).
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub enterprise_id: Option<Option<Uuid>>,
    /// The user's school (role `school` only).
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub school_id: Option<Option<Uuid>>,
    /// A service account.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<bool>)]
    pub service: Option<Option<bool>>,
    /// Disable or enable the account.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<bool>)]
    pub disabled: Option<Option<bool>>,
}

/// A new password, set by an admin.
#[derive(Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// At least 12 characters.
    #[validate(length(min = 12, max = 1000))]
    #[schema(format = Password, min_length = 12, max_length = 1000)]
    pub password: String,
}

/// Filters of the user list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// Sort by `username`, `created_at`, `updated_at`; `-` first for descending. Default `-created_at` (newest first); ties are broken by `id`.
    #[param(pattern = "^(-?(username|created_at|updated_at))?$", example = "-created_at")]
    pub sort: Option<String>,
    /// Only users with this role.
    #[param(value_type = Option<Role>)]
    pub role: Option<String>,
    /// Only disabled (`true`) or enabled (`false`) users.
    #[param(value_type = Option<bool>)]
    pub disabled: Option<String>,
}

/// The user filters, checked.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// See [`UserFilters::role`].
    pub role: Option<Role>,
    /// See [`UserFilters::disabled`].
    pub disabled: Option<bool>,
}

impl UserFilters {
    fn parse(&self) -> Result<(UserFilter, CanonicalFilters), ApiError> {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        let disabled = match self.disabled.as_deref() {
            None | Some("") => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(ApiError::bad_parameter("disabled", "type", "must be true or false")),
        };
        let filter = UserFilter {
            role: parse_choice("role", self.role.as_deref(), Role::parse, &roles)?,
            disabled,
        };
        let canonical = vec![
            ("role", self.role.clone().unwrap_or_default()),
            ("disabled", self.disabled.clone().unwrap_or_default()),
        ];
        Ok((filter, canonical))
    }
}

/// Registers the user routes under the version scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::get().to(list_users))
            .route(web::post().to(create_user)),
    )
    .service(
        web::resource("/users/{id}")
            .route(web::get().to(get_user))
            .route(web::patch().to(update_user))
            .route(web::delete().to(delete_user)),
    )
    .service(web::resource("/users/{id}/password").route(web::post().to(reset_password)));
}

async fn admin_only(state: &AppState, caller: &Caller, id: Option<Uuid>) -> Result<(), ApiError> {
    state.guard(caller, "user", id, policy::users(caller)).await
}

/// List users.
///
/// `q` searches the username and display name.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    params(PageQuery, SearchQuery, UserFilters),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "One page of users", body = PageOf<User>),
        (status = 400, description = "A bad parameter or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
    search: web::Query<SearchQuery>,
    filters: web::Query<UserFilters>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&state, &caller, None).await?;
    let (filter, canonical) = filters.parse()?;
    let request = page.request(&LIST, filters.sort.as_deref(), Some(&search), &canonical)?;
    Ok(HttpResponse::Ok().json(service::list(&state.db, &filter, &request).await?))
}

/// Create a user.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = UserCreate,
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 201, description = "Created", body = User,
            headers(("Location" = String, description = "/api/v1/users/{id}"), ("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or role and organisation disagree", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_user(state: web::Data<AppState>, caller: Caller, body: JsonBody) -> Result<HttpResponse, ApiError> {
    admin_only(&state, &caller, None).await?;
    let input: UserCreate = body.parse()?;
    let created = service::create(&state.db, &caller.actor(), input).await?;
    Ok(with_etag(HttpResponse::Created(), created.version)
        .insert_header(("Location", format!("/api/v1/users/{}", created.id)))
        .json(created))
}

/// Read a user.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The user", body = User, headers(("ETag" = String, description = "\"<version>\""))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    admin_only(&state, &caller, Some(id)).await?;
    let user = service::get(&state.db, id).await?;
    if let Some(response) = not_modified(&req, user.version) {
        return Ok(response);
    }
    Ok(with_etag(HttpResponse::Ok(), user.version).json(user))
}

/// Change a user (JSON merge patch).
///
/// No one disables themselves (409). Disabling a user ends its refresh tokens.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(
        ("id" = Uuid, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on; 412 when stale"),
    ),
    request_body(content((UserPatch = "application/merge-patch+json"), (UserPatch = "application/json"))),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The changed user", body = User),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Disabling yourself", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (a password among them)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not sent as JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    admin_only(&state, &caller, Some(id)).await?;
    let patch: UserPatch = body.parse()?;
    let updated = service::update(&state.db, &caller, id, if_match.0, patch).await?;
    Ok(with_etag(HttpResponse::Ok(), updated.version).json(updated))
}

/// Delete a user.
///
/// No one deletes themselves (409).
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    tag = "users",
    params(
        ("id" = Uuid, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on; 412 when stale"),
    ),
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Deleting yourself", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    admin_only(&state, &caller, Some(id)).await?;
    service::delete(&state.db, &caller, id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set a user's password (an admin's reset).
///
/// Ends the user's refresh tokens.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password",
    tag = "users",
    params(("id" = Uuid, Path, description = "The user's id")),
    request_body = PasswordReset,
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 204, description = "The password is set"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too short", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not sent as JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    admin_only(&state, &caller, Some(id)).await?;
    let input: PasswordReset = body.parse()?;
    service::set_password(&state.db, &caller.actor(), id, input.password).await?;
    Ok(HttpResponse::NoContent().finish())
}
