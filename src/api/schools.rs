//! `/api/v1/schools`: the schools of the county directory.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::body::JsonBody;
use super::conditional::{not_modified, with_etag, IfMatch};
use super::list::{parse_choice, text_filter, CanonicalFilters, ListSpec, PageOf, PageQuery, SearchQuery};
use super::rules;
use super::AppState;
use crate::auth::policy::{self, Access};
use crate::auth::Caller;
use crate::domain::vocab::{MembershipStatus, SchoolKind};
use crate::error::{ApiError, Problem};
use crate::service::schools as service;

/// The list's sort fields and default order.
pub const LIST: ListSpec = ListSpec {
    resource: "schools",
    sortable: &["name", "created_at", "updated_at"],
    default_field: "created_at",
};

/// A major (专业) a school teaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "660301", "name": "焊接技术应用"}))]
pub struct Major {
    /// The major's code, if it has one (at most 500 characters).
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub code: Option<String>,
    /// The major's name, 1–500 characters.
    #[validate(length(min = 1, max = 500), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub name: String,
}

/// A school: a vocational school or another place of learning in the alliance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct School {
    /// Server-made id (UUIDv7).
    pub id: Uuid,
    /// Name, 1–200 characters.
    #[schema(example = "县职业教育中心")]
    pub name: String,
    /// Short name, at most 50 characters.
    #[schema(example = "县职教中心")]
    pub short_name: Option<String>,
    /// School identification code (学校标识码): 10 digits, unique.
    #[schema(example = "4137012345")]
    pub code: Option<String>,
    /// Kind of school.
    pub kind: Option<SchoolKind>,
    /// Street address, at most 500 characters.
    pub address: Option<String>,
    /// Administrative region code, 6 digits.
    #[schema(example = "370101")]
    pub region_code: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact phone: a mainland mobile or landline number.
    #[schema(example = "0536-1234567")]
    pub contact_phone: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
    /// Website, at most 500 characters.
    pub website: Option<String>,
    /// Standing with the alliance.
    pub membership_status: MembershipStatus,
    /// When the school joined the alliance (`YYYY-MM-DD`).
    pub joined_on: Option<NaiveDate>,
    /// The majors it teaches, in order (at most 200).
    pub majors: Vec<Major>,
    /// Starts at 1 and grows by 1 with every change; the `ETag` is `"<version>"`.
    pub version: i32,
    /// When the record was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// A new school. Only `name` is required.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "县职业教育中心", "short_name": "县职教中心", "code": "4137012345", "kind": "secondary_vocational", "membership_status": "council_member", "majors": [{"code": "660301", "name": "焊接技术应用"}]}))]
pub struct SchoolCreate {
    /// Name, 1–200 characters.
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Short name, at most 50 characters.
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    pub short_name: Option<String>,
    /// School identification code: 10 digits.
    #[validate(custom(function = "rules::school_code"))]
    #[schema(pattern = "^[0-9]{10}$")]
    pub code: Option<String>,
    /// Kind of school.
    pub kind: Option<SchoolKind>,
    /// Street address, at most 500 characters.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// Administrative region code, 6 digits.
    #[validate(custom(function = "rules::region_code"))]
    #[schema(pattern = "^[0-9]{6}$")]
    pub region_code: Option<String>,
    /// Contact person, at most 500 characters.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub contact_name: Option<String>,
    /// A mainland mobile or landline number.
    #[validate(custom(function = "rules::phone"))]
    #[schema(pattern = "^(\\+?86)?1[3-9][0-9]{9}$|^0[0-9]{2,3}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$")]
    pub contact_phone: Option<String>,
    /// An email address.
    #[validate(email, length(max = 500))]
    #[schema(format = Email, max_length = 500)]
    pub contact_email: Option<String>,
    /// Website, at most 500 characters.
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub website: Option<String>,
    /// Standing with the alliance; default `none`.
    pub membership_status: Option<MembershipStatus>,
    /// When the school joined (`YYYY-MM-DD`).
    pub joined_on: Option<NaiveDate>,
    /// At most 200 majors, each with a `name`.
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    pub majors: Option<Vec<Major>>,
}

/// Changes to a school, as a JSON merge patch: a field left out stays as it
/// is, `null` clears it (`name` and `membership_status` cannot be cleared).
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"membership_status": "member"}))]
pub struct SchoolPatch {
    /// Name, 1–200 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    /// Short name, at most 50 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 50))]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub short_name: Option<Option<String>>,
    /// School identification code: 10 digits.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(custom(function = "rules::school_code"))]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{10}$")]
    pub code: Option<Option<String>>,
    /// Kind of school.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<SchoolKind>)]
    pub kind: Option<Option<SchoolKind>>,
    /// Street address, at most 500 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub address: Option<Option<String>>,
    /// Administrative region code, 6 digits.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(custom(function = "rules::region_code"))]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{6}$")]
    pub region_code: Option<Option<String>>,
    /// Contact person.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub contact_name: Option<Option<String>>,
    /// A mainland mobile or landline number.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(custom(function = "rules::phone"))]
    #[schema(value_type = Option<String>, pattern = "^(\\+?86)?1[3-9][0-9]{9}$|^0[0-9]{2,3}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$")]
    pub contact_phone: Option<Option<String>>,
    /// An email address.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(email, length(max = 500))]
    #[schema(value_type = Option<String>, format = Email, max_length = 500)]
    pub contact_email: Option<Option<String>>,
    /// Website, at most 500 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub website: Option<Option<String>>,
    /// Standing with the alliance.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<MembershipStatus>)]
    pub membership_status: Option<Option<MembershipStatus>>,
    /// When the school joined (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub joined_on: Option<Option<NaiveDate>>,
    /// The whole new list of majors (`null` clears it).
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 200), nested)]
    #[schema(value_type = Option<Vec<Major>>, max_items = 200)]
    pub majors: Option<Option<Vec<Major>>>,
}

/// Filters of the school list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SchoolFilters {
    /// Sort by `name`, `created_at`, `updated_at`; `-` first for descending. Default `-created_at` (newest first); ties are broken by `id`.
    #[param(pattern = "^(-?(name|created_at|updated_at))?$", example = "-created_at")]
    pub sort: Option<String>,
    /// Only schools of this kind.
    #[param(value_type = Option<SchoolKind>)]
    pub kind: Option<String>,
    /// Only schools with this membership status.
    #[param(value_type = Option<MembershipStatus>)]
    pub membership_status: Option<String>,
    /// Only schools teaching a major with exactly this code or name.
    pub major: Option<String>,
}

/// The school filters, checked.
#[derive(Debug, Clone, Default)]
pub struct SchoolFilter {
    /// See [`SchoolFilters::kind`].
    pub kind: Option<SchoolKind>,
    /// See [`SchoolFilters::membership_status`].
    pub membership_status: Option<MembershipStatus>,
    /// See [`SchoolFilters::major`].
    pub major: Option<String>,
}

impl SchoolFilters {
    fn parse(&self) -> Result<(SchoolFilter, CanonicalFilters), ApiError> {
        let statuses: Vec<&str> = MembershipStatus::ALL.iter().map(|s| s.as_str()).collect();
        let kinds: Vec<&str> = SchoolKind::ALL.iter().map(|s| s.as_str()).collect();
        let filter = SchoolFilter {
            kind: parse_choice("kind", self.kind.as_deref(), SchoolKind::parse, &kinds)?,
            membership_status: parse_choice(
                "membership_status",
                self.membership_status.as_deref(),
                MembershipStatus::parse,
                &statuses,
            )?,
            major: text_filter("major", self.major.as_deref())?,
        };
        let canonical = vec![
            ("kind", self.kind.clone().unwrap_or_default()),
            ("membership_status", self.membership_status.clone().unwrap_or_default()),
            ("major", self.major.clone().unwrap_or_default()),
        ];
        Ok((filter, canonical))
    }
}

/// Registers the school routes under the version scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/schools")
            .route(web::get().to(list_schools))
            .route(web::post().to(create_school)),
    )
    .service(
        web::resource("/schools/{id}")
            .route(web::get().to(get_school))
            .route(web::patch().to(update_school))
            .route(web::delete().to(delete_school)),
    );
}

/// List schools.
///
/// Filters combine with AND. `q` searches the name and short name. Sort by
/// `name`, `created_at` or `updated_at`.
#[utoipa::path(
    get,
    path = "/api/v1/schools",
    tag = "schools",
    security(("bearer" = []), ("oauth2" = [])),
    params(PageQuery, SearchQuery, SchoolFilters),
    responses(
        (status = 200, description = "One page of schools", body = PageOf<School>),
        (status = 400, description = "A bad `limit`, `sort`, filter value or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_schools(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
    search: web::Query<SearchQuery>,
    filters: web::Query<SchoolFilters>,
) -> Result<HttpResponse, ApiError> {
    state
        .guard(&caller, "school", None, policy::schools(&caller, Access::Read, None))
        .await?;
    let (filter, canonical) = filters.parse()?;
    let request = page.request(&LIST, filters.sort.as_deref(), Some(&search), &canonical)?;
    let page = service::list(&state.db, &filter, &request).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a school.
#[utoipa::path(
    post,
    path = "/api/v1/schools",
    tag = "schools",
    security(("bearer" = []), ("oauth2" = [])),
    request_body = SchoolCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = School,
            headers(("Location" = String, description = "/api/v1/schools/{id}"), ("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another school has this code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_school(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    state
        .guard(&caller, "school", None, policy::schools(&caller, Access::Create, None))
        .await?;
    let input: SchoolCreate = body.parse()?;
    let created = service::create(&state.db, &caller.actor(), input).await?;
    Ok(with_etag(HttpResponse::Created(), created.version)
        .insert_header(("Location", format!("/api/v1/schools/{}", created.id)))
        .json(created))
}

/// Read a school.
#[utoipa::path(
    get,
    path = "/api/v1/schools/{id}",
    tag = "schools",
    security(("bearer" = []), ("oauth2" = [])),
    params(
        ("id" = Uuid, Path, description = "The school's id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current"),
    ),
    responses(
        (status = 200, description = "The school", body = School, headers(("ETag" = String, description = "\"<version>\""))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 404, description = "No such school", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_school(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .guard(
            &caller,
            "school",
            Some(id),
            policy::schools(&caller, Access::Read, Some(id)),
        )
        .await?;
    let school = service::get(&state.db, id).await?;
    if let Some(response) = not_modified(&req, school.version) {
        return Ok(response);
    }
    Ok(with_etag(HttpResponse::Ok(), school.version).json(school))
}

/// Change a school (JSON merge patch).
///
/// `version` grows only when something changed.
#[utoipa::path(
    patch,
    path = "/api/v1/schools/{id}",
    tag = "schools",
    security(("bearer" = []), ("oauth2" = [])),
    params(
        ("id" = Uuid, Path, description = "The school's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on; 412 when stale"),
    ),
    request_body(content((SchoolPatch = "application/merge-patch+json"), (SchoolPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed school", body = School, headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such school", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another school has this code", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_school(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .guard(
            &caller,
            "school",
            Some(id),
            policy::schools(&caller, Access::Update, Some(id)),
        )
        .await?;
    let patch: SchoolPatch = body.parse()?;
    let fixed = policy::school_fixed_fields(&caller);
    let result = service::update(&state.db, &caller.actor(), id, if_match.0, patch, fixed).await;
    let updated = state.guard(&caller, "school", Some(id), result).await?;
    Ok(with_etag(HttpResponse::Ok(), updated.version).json(updated))
}

/// Delete a school.
#[utoipa::path(
    delete,
    path = "/api/v1/schools/{id}",
    tag = "schools",
    security(("bearer" = []), ("oauth2" = [])),
    params(
        ("id" = Uuid, Path, description = "The school's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on; 412 when stale"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such school", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_school(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .guard(
            &caller,
            "school",
            Some(id),
            policy::schools(&caller, Access::Delete, Some(id)),
        )
        .await?;
    service::delete(&state.db, &caller.actor(), id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
