//! The request id: taken from `X-Request-Id` when a trusted proxy sent a
//! well-formed one, generated otherwise; echoed in the response, carried
//! by every log line of the request (its tracing span) and by every
//! problem body, so that a user's error report leads to its log lines;
//! and the one log line of each answered request.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing::Instrument;

use super::caller::peer_is_trusted;
use super::AppState;

/// The header that carries the request id, both ways.
pub const HEADER: &str = "x-request-id";

/// The longest request id accepted from a proxy.
const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being answered, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Whether a proxy's request id may be used as it is: 1–128 characters of
/// letters, digits and `-_.:/+=@`, so that it cannot break a log line or a
/// header.
fn acceptable(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b))
}

/// Middleware (outermost): gives the request its id, runs the rest of the
/// chain inside the id's span and task-local, and answers the id in
/// `X-Request-Id`. An error that reaches it is turned into its response
/// here, still inside, so that its problem body carries the id too (and
/// handed on as an error that answers with that response).
pub async fn request_id<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let from_proxy = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| peer_is_trusted(req.request(), &state.trusted_proxies))
        .then(|| req.headers().get(HEADER).and_then(|v| v.to_str().ok()))
        .flatten()
        .filter(|id| acceptable(id))
        .map(str::to_string);
    let id = from_proxy.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!("request", request_id = %id);
    let header_value = HeaderValue::from_str(&id).ok();
    let name = HeaderName::from_static(HEADER);
    CURRENT
        .scope(
            id,
            async move {
                match next.call(req).await {
                    Ok(mut response) => {
                        if let Some(value) = header_value {
                            response.headers_mut().insert(name, value);
                        }
                        Ok(response)
                    }
                    Err(err) => {
                        let mut answer = err.error_response();
                        if let Some(value) = header_value {
                            answer.headers_mut().insert(name, value);
                        }
                        Err(InternalError::from_response(err.to_string(), answer).into())
                    }
                }
            }
            .instrument(span),
        )
        .await
}

/// The target of the request lines (`CHANJIAO_LOG=info,chanjiao::request=warn`
/// leaves them out).
pub const LOG_TARGET: &str = "chanjiao::request";

/// Logs each request's method, path (never its query string, which may
/// carry something secret), status and duration, under [`LOG_TARGET`].
pub async fn log_request<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let method = req.method().clone();
    let path = req.path().to_string();
    let started = std::time::Instant::now();
    let answer = next.call(req).await;
    // An error here (a request cut off by the deadline) is answered by the
    // server once it has passed every middleware: logged with its status.
    let status = match &answer {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    tracing::info!(
        target: LOG_TARGET,
        method = %method,
        path = %path,
        status = status.as_u16(),
        elapsed_ms = started.elapsed().as_micros() as f64 / 1000.0,
        "request"
    );
    answer
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn a_proxy_id_is_kept_only_when_it_cannot_break_a_log_line() {
        assert!(acceptable("01a2383d-6f18-7168-8aed-d7e2ce2c7536"));
        assert!(acceptable("haproxy:7f000001:1f90_65a1b2c3"));
        assert!(!acceptable(""));
        assert!(!acceptable("a b"));
        assert!(!acceptable("line\nbreak"));
        assert!(!acceptable("引号"));
        assert!(!acceptable(&"x".repeat(129)));
    }
}
