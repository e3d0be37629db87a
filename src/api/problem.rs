//! Sending errors: every [`ApiError`] becomes one RFC 9457
//! `application/problem+json` response, here and nowhere else, and so do
//! actix's own error responses.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};

use crate::error::{ApiError, Outage, Problem, PROBLEM_JSON};

/// A problem document as an HTTP response.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(problem_body(problem))
}

/// A problem document's JSON, with the id of the request being answered.
fn problem_body(problem: &Problem) -> String {
    let mut problem = problem.clone();
    problem.request_id = problem.request_id.or_else(super::request_id::current);
    serde_json::to_string(&problem).unwrap_or_default()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match (self, self.outage()) {
            (_, Some(outage)) => log_outage(outage, self),
            (ApiError::Internal(cause), None) => tracing::error!(error = ?cause, "request failed"),
            _ => {}
        }
        let mut response = problem_response(&self.problem());
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized { invalid_token, .. } => {
                let challenge = if *invalid_token {
                    r#"Bearer realm="chanjiao", error="invalid_token""#
                } else {
                    r#"Bearer realm="chanjiao""#
                };
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
            }
            ApiError::OAuth { status: 401, .. } => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Basic realm="chanjiao""#),
                );
            }
            _ => {}
        }
        if self.outage() == Some(Outage::Unreachable) {
            response.extensions_mut().insert(MaybeStored);
        }
        let headers = response.headers_mut();
        if let Some(retry_after) = self.retry_after() {
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// Marks an answer after which the request's write may or may not have
/// been stored (the database stopped answering while it ran): an
/// `Idempotency-Key` it claimed is neither completed nor released, so that
/// a retry with it cannot store the write a second time (it answers 409
/// until the claim is abandoned).
#[derive(Debug, Clone, Copy)]
pub struct MaybeStored;

/// Logs a request refused for a database outage: once a minute per kind
/// (with how many were not logged), at WARN and without a backtrace, so
/// that an outage does not flood the log with one error per request.
fn log_outage(outage: Outage, error: &ApiError) {
    if let Some(held_back) = outage.log_throttle().admit() {
        let cause = match error {
            ApiError::Internal(cause) => format!("{cause:#}"),
            other => other.to_string(),
        };
        tracing::warn!(%outage, cause, not_logged_since_last = held_back, "requests refused with 503: {outage}");
    }
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
    let new_response = problem_in_place_of(&Problem::new(status.as_u16(), "about:blank", detail), &response);
    let res: ServiceResponse<EitherBody<B, BoxBody>> = ServiceResponse::new(req, new_response).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

/// A problem response in place of another answer: its headers are kept
/// (`Allow`, `Vary`, …), its body and content headers are not.
pub fn problem_in_place_of<B>(problem: &Problem, replaced: &HttpResponse<B>) -> HttpResponse {
    let mut answer = problem_response(problem);
    for (name, value) in replaced.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer
}
