//! `/api/v1/enterprises`: the enterprises of the county directory.

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
use crate::domain::vocab::{MembershipStatus, Scale};
use crate::error::{ApiError, Problem};
use crate::service::enterprises as service;

/// The list's sort fields and default order.
pub const LIST: ListSpec = ListSpec {
    resource: "enterprises",
    sortable: &["name", "created_at", "updated_at"],
    default_field: "created_at",
};

/// An enterprise: a member unit of the alliance or a partner of its schools.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Enterprise {
    /// Server-made id (UUIDv7).
    pub id: Uuid,
    /// Registered name, 1–200 characters.
    #[schema(example = "辰泰重钢有限公司")]
    pub name: String,
    /// Short name, at most 50 characters.
    #[schema(example = "辰泰重钢")]
    pub short_name: Option<String>,
    /// Unified Social Credit Code (统一社会信用代码), 18 characters, checksum-checked, unique; stored upper-case.
    #[schema(example = "91350100M000100Y43")]
    pub credit_code: Option<String>,
    /// Industry, at most 100 characters.
    #[schema(example = "钢铁")]
    pub industry: Option<String>,
    /// Size of the enterprise.
    pub scale: Option<Scale>,
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
    #[schema(example = "hr@example.com")]
    pub contact_email: Option<String>,
    /// Website, at most 500 characters.
    pub website: Option<String>,
    /// Description, at most 5000 characters.
    pub description: Option<String>,
    /// Standing with the alliance.
    pub membership_status: MembershipStatus,
    /// When the enterprise joined the alliance (`YYYY-MM-DD`).
    #[schema(example = "2024-04-03")]
    pub joined_on: Option<NaiveDate>,
    /// At most 20 tags of at most 30 characters.
    #[schema(example = json!(["厂中校"]))]
    pub tags: Vec<String>,
    /// Starts at 1 and grows by 1 with every change; the `ETag` is `"<version>"`.
    pub version: i32,
    /// When the record was created (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// When the record last changed (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
}

/// A new enterprise. Only `name` is required.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "辰泰重钢有限公司", "short_name": "辰泰重钢", "credit_code": "91350100M000100Y43", "scale": "large", "membership_status": "council_member", "tags": ["焊接培训"]}))]
pub struct EnterpriseCreate {
    /// Registered name, 1–200 characters.
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Short name, at most 50 characters.
    #[validate(length(max = 50))]
    #[schema(max_length = 50)]
    pub short_name: Option<String>,
    /// Unified Social Credit Code; lower case is accepted and stored upper-cased.
    #[validate(custom(function = "rules::credit_code"))]
    #[schema(pattern = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$")]
    pub credit_code: Option<String>,
    /// Industry, at most 100 characters.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub industry: Option<String>,
    /// Size of the enterprise.
    pub scale: Option<Scale>,
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
    /// Description, at most 5000 characters.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// Standing with the alliance; default `none`.
    pub membership_status: Option<MembershipStatus>,
    /// When the enterprise joined (`YYYY-MM-DD`).
    pub joined_on: Option<NaiveDate>,
    /// At most 20 tags of 1–30 characters; repeats are dropped.
    #[validate(length(max = 20), custom(function = "rules::tags"))]
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
}

/// Changes to an enterprise, as a JSON merge patch: a field left out stays as
/// it is, `null` clears it (`name` and `membership_status` cannot be cleared).
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"membership_status": "member", "contact_phone": "13812345678"}))]
pub struct EnterprisePatch {
    /// Registered name, 1–200 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    /// Short name, at most 50 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 50))]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub short_name: Option<Option<String>>,
    /// Unified Social Credit Code.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(custom(function = "rules::credit_code"))]
    #[schema(value_type = Option<String>, pattern = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$")]
    pub credit_code: Option<Option<String>>,
    /// Industry, at most 100 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 100))]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub industry: Option<Option<String>>,
    /// Size of the enterprise.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<Scale>)]
    pub scale: Option<Option<Scale>>,
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
    /// Description, at most 5000 characters.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Option<Option<String>>,
    /// Standing with the alliance.
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<MembershipStatus>)]
    pub membership_status: Option<Option<MembershipStatus>>,
    /// When the enterprise joined (`YYYY-MM-DD`).
    #[serde(default, deserialize_with = "rules::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub joined_on: Option<Option<NaiveDate>>,
    /// The whole new tag list (`null` clears it).
    #[serde(default, deserialize_with = "rules::double_option")]
    #[validate(length(max = 20), custom(function = "rules::tags"))]
    #[schema(value_type = Option<Vec<String>>, max_items = 20)]
    pub tags: Option<Option<Vec<String>>>,
}

/// Filters of the enterprise list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnterpriseFilters {
    /// Sort by `name`, `created_at`, `updated_at`; `-` first for descending. Default `-created_at` (newest first); ties are broken by `id`.
    #[param(pattern = "^(-?(name|created_at|updated_at))?$", example = "-created_at")]
    pub sort: Option<String>,
    /// Only enterprises with this membership status.
    #[param(value_type = Option<MembershipStatus>)]
    pub membership_status: Option<String>,
    /// Only enterprises of this scale.
    #[param(value_type = Option<Scale>)]
    pub scale: Option<String>,
    /// Only enterprises of exactly this industry.
    pub industry: Option<String>,
    /// Only enterprises carrying this tag.
    pub tag: Option<String>,
}

/// The enterprise filters, checked.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// See [`EnterpriseFilters::membership_status`].
    pub membership_status: Option<MembershipStatus>,
    /// See [`EnterpriseFilters::scale`].
    pub scale: Option<Scale>,
    /// See [`EnterpriseFilters::industry`].
    pub industry: Option<String>,
    /// See [`EnterpriseFilters::tag`].
    pub tag: Option<String>,
}

impl EnterpriseFilters {
    fn parse(&self) -> Result<(EnterpriseFilter, CanonicalFilters), ApiError> {
        let statuses: Vec<&str> = MembershipStatus::ALL.iter().map(|s| s.as_str()).collect();
        let scales: Vec<&str> = Scale::ALL.iter().map(|s| s.as_str()).collect();
        let filter = EnterpriseFilter {
            membership_status: parse_choice(
                "membership_status",
                self.membership_status.as_deref(),
                MembershipStatus::parse,
                &statuses,
            )?,
            scale: parse_choice("scale", self.scale.as_deref(), Scale::parse, &scales)?,
            industry: text_filter("industry", self.industry.as_deref())?,
            tag: text_filter("tag", self.tag.as_deref())?,
        };
        let canonical = vec![
            ("membership_status", self.membership_status.clone().unwrap_or_default()),
            ("scale", self.scale.clone().unwrap_or_default()),
            ("industry", self.industry.clone().unwrap_or_default()),
            ("tag", self.tag.clone().unwrap_or_default()),
        ];
        Ok((filter, canonical))
    }
}

/// Registers the enterprise routes under the version scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/enterprises")
            .route(web::get().to(list_enterprises))
            .route(web::post().to(create_enterprise)),
    )
    .service(
        web::resource("/enterprises/{id}")
            .route(web::get().to(get_enterprise))
            .route(web::patch().to(update_enterprise))
            .route(web::delete().to(delete_enterprise)),
    );
}

/// List enterprises.
///
/// Filters combine with AND. `q` searches the name and short name. Sort by
/// `name`, `created_at` or `updated_at`.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises",
    tag = "enterprises",
    security(("bearer" = []), ("oauth2" = [])),
    params(PageQuery, SearchQuery, EnterpriseFilters),
    responses(
        (status = 200, description = "One page of enterprises", body = PageOf<Enterprise>),
        (status = 400, description = "A bad `limit`, `sort`, filter value or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_enterprises(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
    search: web::Query<SearchQuery>,
    filters: web::Query<EnterpriseFilters>,
) -> Result<HttpResponse, ApiError> {
    state
        .guard(
            &caller,
            "enterprise",
            None,
            policy::enterprises(&caller, Access::Read, None),
        )
        .await?;
    let (filter, canonical) = filters.parse()?;
    let request = page.request(&LIST, filters.sort.as_deref(), Some(&search), &canonical)?;
    let page = service::list(&state.db, &filter, &request).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create an enterprise.
#[utoipa::path(
    post,
    path = "/api/v1/enterprises",
    tag = "enterprises",
    security(("bearer" = []), ("oauth2" = [])),
    request_body = EnterpriseCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = Enterprise,
            headers(("Location" = String, description = "/api/v1/enterprises/{id}"), ("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another enterprise has this credit code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_enterprise(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    state
        .guard(
            &caller,
            "enterprise",
            None,
            policy::enterprises(&caller, Access::Create, None),
        )
        .await?;
    let input: EnterpriseCreate = body.parse()?;
    let created = service::create(&state.db, &caller.actor(), input).await?;
    Ok(with_etag(HttpResponse::Created(), created.version)
        .insert_header(("Location", format!("/api/v1/enterprises/{}", created.id)))
        .json(created))
}

/// Read an enterprise.
#[utoipa::path(
    get,
    path = "/api/v1/enterprises/{id}",
    tag = "enterprises",
    security(("bearer" = []), ("oauth2" = [])),
    params(
        ("id" = Uuid, Path, description = "The enterprise's id"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag; 304 when it is current"),
    ),
    responses(
        (status = 200, description = "The enterprise", body = Enterprise, headers(("ETag" = String, description = "\"<version>\""))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
        (status = 404, description = "No such enterprise", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_enterprise(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .guard(
            &caller,
            "enterprise",
            Some(id),
            policy::enterprises(&caller, Access::Read, Some(id)),
        )
        .await?;
    let enterprise = service::get(&state.db, id).await?;
    if let Some(response) = not_modified(&req, enterprise.version) {
        return Ok(response);
    }
    Ok(with_etag(HttpResponse::Ok(), enterprise.version).json(enterprise))
}

/// Change an enterprise (JSON merge patch).
///
/// `version` grows only when something changed.
#[utoipa::path(
    patch,
    path = "/api/v1/enterprises/{id}",
    tag = "enterprises",
    security(("bearer" = []), ("oauth2" = [])),
    params(
        ("id" = Uuid, Path, description = "The enterprise's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the change is based on; 412 when stale"),
    ),
    request_body(content((EnterprisePatch = "application/merge-patch+json"), (EnterprisePatch = "application/json"))),
    responses(
        (status = 200, description = "The changed enterprise", body = Enterprise, headers(("ETag" = String, description = "\"<version>\""))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such enterprise", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another enterprise has this credit code", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_enterprise(
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
            "enterprise",
            Some(id),
            policy::enterprises(&caller, Access::Update, Some(id)),
        )
        .await?;
    let patch: EnterprisePatch = body.parse()?;
    let fixed = policy::enterprise_fixed_fields(&caller);
    let result = service::update(&state.db, &caller.actor(), id, if_match.0, patch, fixed).await;
    let updated = state.guard(&caller, "enterprise", Some(id), result).await?;
    Ok(with_etag(HttpResponse::Ok(), updated.version).json(updated))
}

/// Delete an enterprise.
#[utoipa::path(
    delete,
    path = "/api/v1/enterprises/{id}",
    tag = "enterprises",
    security(("bearer" = []), ("oauth2" = [])),
    params(
        ("id" = Uuid, Path, description = "The enterprise's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag the deletion is based on; 412 when stale"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such enterprise", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Your role may not do this", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_enterprise(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .guard(
            &caller,
            "enterprise",
            Some(id),
            policy::enterprises(&caller, Access::Delete, Some(id)),
        )
        .await?;
    service::delete(&state.db, &caller.actor(), id, if_match.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
