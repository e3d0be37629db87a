//! The HTTP layer: routes, request and response types, extractors and the
//! OpenAPI document. Handlers are thin: check, call one service, answer.

pub mod audit;
pub mod auth;
pub mod body;
pub mod conditional;
pub mod docs;
pub mod enterprises;
pub mod list;
pub mod platform;
pub mod rules;
pub mod schools;
pub mod users;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpResponse};
use sea_orm::DatabaseConnection;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::auth::tokens::TokenKeys;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, PROBLEM_JSON};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Cleared when shutdown begins, so that `/readyz` turns the load balancer away.
    pub ready: Arc<AtomicBool>,
    /// The keys that sign and verify access tokens.
    pub keys: Arc<TokenKeys>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// Refresh token lifetime in seconds.
    pub refresh_token_ttl: i64,
}

impl AppState {
    /// Passes a policy decision (or a service result) through, recording an
    /// audit row when it is a 403.
    pub async fn guard<T>(
        &self,
        caller: &Caller,
        resource_type: &'static str,
        resource_id: Option<uuid::Uuid>,
        decision: Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        if let Err(ApiError::Forbidden { .. }) = &decision {
            let id = resource_id.map(|id| id.to_string());
            crate::service::audit::record_denied(&self.db, &caller.actor(), resource_type, id).await;
        }
        decision
    }
}

/// Registers everything under `/api/v1`.
pub fn configure_v1(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .configure(auth::configure)
            .configure(enterprises::configure)
            .configure(schools::configure)
            .configure(users::configure)
            .configure(audit::configure),
    );
}

/// Path and query extractor settings: a path id that is not a UUID is an
/// unknown id (404); a query string that does not parse is a 400.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .app_data(web::QueryConfig::default().error_handler(|err, _| {
            ApiError::BadRequest {
                detail: format!("invalid query string: {err}"),
                errors: Vec::new(),
            }
            .into()
        }));
}

/// The answer to a route that does not exist.
pub async fn unknown_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// Turns any error response that is not yet problem+json (actix's own 405
/// with `Allow`, for instance) into one, keeping its status and headers.
pub fn problem_fallback<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let already = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if already {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed here; see the Allow header".to_string(),
        StatusCode::NOT_FOUND => "no such resource".to_string(),
        s if s.is_server_error() => "the service failed to answer; the fault is logged".to_string(),
        s => s.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let (req, response) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    let body = serde_json::to_string(&Problem::new(status, "about:blank", detail)).unwrap_or_default();
    let new_response: HttpResponse<BoxBody> = builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON)).body(body);
    let res: ServiceResponse<EitherBody<B, BoxBody>> = ServiceResponse::new(req, new_response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
