//! Entity tags and conditional requests: `ETag: "<version>"`,
//! `If-None-Match` (→ 304) and `If-Match` (→ 412 when stale).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder};
use std::future::{ready, Ready};

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

/// A `304 Not Modified` when the request's `If-None-Match` names `version`
/// (weak comparison, `*` included).
pub fn not_modified(req: &HttpRequest, version: i32) -> Option<HttpResponse> {
    let value = req.headers().get(header::IF_NONE_MATCH)?.to_str().ok()?;
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

fn parse_tag(tag: &str) -> Option<i32> {
    tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
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
