//! Entity tags and conditional requests: `ETag: "<version>"`,
//! `If-None-Match` (→ 304) and `If-Match` (→ 412 when stale), each an
//! extractor that also documents its header.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use std::future::{ready, Ready};
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::ApiError;
use crate::service::Precondition;

/// The entity tag of a record's version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// Adds the `ETag` of `version` to a response.
pub fn with_etag(mut builder: HttpResponseBuilder, version: i32) -> HttpResponseBuilder {
    builder.insert_header((header::ETAG, etag(version)));
    builder
}

/// A `201 Created` for a new record of `collection`, with its `Location` and `ETag`.
pub fn created(collection: &str, id: Uuid, version: i32) -> HttpResponseBuilder {
    let mut builder = with_etag(HttpResponse::Created(), version);
    builder.insert_header((header::LOCATION, format!("/api/v1/{collection}/{id}")));
    builder
}

fn parse_tag(tag: &str) -> Option<i32> {
    tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

fn header_param(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

/// The request's `If-None-Match`: the tags it names, if any.
pub struct IfNoneMatch(Option<String>);

impl IfNoneMatch {
    /// A `304 Not Modified` when the header names `version` (weak
    /// comparison, `*` included).
    pub fn not_modified(&self, version: i32) -> Option<HttpResponse> {
        let value = self.0.as_deref()?;
        let hit = value
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || parse_tag(tag.strip_prefix("W/").unwrap_or(tag)) == Some(version));
        hit.then(|| {
            HttpResponse::NotModified()
                .insert_header((header::ETAG, etag(version)))
                .finish()
        })
    }
}

impl FromRequest for IfNoneMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        ready(Ok(IfNoneMatch(value)))
    }
}

impl IntoParams for IfNoneMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header_param("If-None-Match", "An ETag; 304 when it is current")]
    }
}

/// The request's `If-Match`, if it has one: `*` or the versions it names
/// (strong comparison: weak tags never match).
pub struct IfMatch(pub Option<Precondition>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // An empty header names nothing: it is treated as absent.
        let values: Vec<&str> = req
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .collect();
        if values.is_empty() {
            return ready(Ok(IfMatch(None)));
        }
        let tags: Vec<&str> = values.iter().flat_map(|v| v.split(',')).map(str::trim).collect();
        let precondition = if tags.contains(&"*") {
            Precondition::Any
        } else {
            Precondition::Versions(tags.into_iter().filter_map(parse_tag).collect())
        };
        ready(Ok(IfMatch(Some(precondition))))
    }
}

impl IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header_param(
            "If-Match",
            "The ETag the change is based on; 412 when it is no longer current",
        )]
    }
}
