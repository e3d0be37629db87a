//! Endpoints outside `/api/v1`: liveness, readiness and metrics.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{get, web, HttpResponse, ResponseError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use std::time::Duration;
use utoipa::ToSchema;

use super::AppState;
use crate::error::{ApiError, Outage, Problem};

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// The state of the process or its database.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when healthy.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Registers the platform routes (the metrics middleware writes `/metrics`' body).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz)
        .service(readyz)
        .service(metrics)
        .service(super::auth::jwks);
}

/// Liveness: 200 while the process runs.
///
/// Does not touch the database: a process whose database is down is alive
/// (restarting it would not help); see `/readyz` for that.
#[utoipa::path(tag = "platform", responses((status = 200, description = "The process runs", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: 200 when the database answers; 503 when it does not (type
/// `urn:chanjiao:problem:database-unavailable`), when an SQLite database
/// has no room left to grow (`urn:chanjiao:problem:storage-full`), or once
/// shutdown has begun.
///
/// For load balancers: take the replica out of rotation while it answers
/// 503. At shutdown it answers 503 at once while requests are still served
/// for `CHANJIAO_SHUTDOWN_GRACE` seconds.
#[utoipa::path(
    tag = "platform",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer or has no room left, or the service is shutting down", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !state.ready.load(Ordering::SeqCst) {
        return Err(ApiError::Unavailable("the service is shutting down".into()));
    }
    match tokio::time::timeout(READY_TIMEOUT, state.db.ready()).await {
        Ok(Ok(())) => Ok(HttpResponse::Ok().json(Health { status: "ok" })),
        Ok(Err(err)) if err.outage().is_some() => Err(err),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: the database does not answer");
            Err(ApiError::Outage(Outage::Unreachable))
        }
        Err(_) => Err(ApiError::Outage(Outage::Unreachable)),
    }
}

/// Prometheus metrics: request counts and latencies by route pattern, method and status.
///
/// Not for the world: with `CHANJIAO_METRICS_TOKEN` set it asks for
/// `Authorization: Bearer <that token>` (401 otherwise); without it, it
/// answers only callers on the service's own machine (403 otherwise).
#[utoipa::path(
    tag = "platform",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain", body = String),
        (status = 401, description = "`CHANJIAO_METRICS_TOKEN` is set and this is not it", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `CHANJIAO_METRICS_TOKEN` is set and the caller is not on this machine", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// The digest `/metrics` compares a presented token with.
pub fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether a request may read `/metrics`: the right bearer token when one
/// is set, otherwise a client on this machine (its address after trusted
/// proxies, so that a proxy on the same host does not publish them).
fn metrics_refusal(req: &ServiceRequest, state: &AppState) -> Option<ApiError> {
    match state.metrics_token {
        Some(expected) => {
            let presented = super::caller::bearer(req.request()).map(token_digest);
            (presented != Some(expected)).then(|| ApiError::Unauthorized {
                detail: "`/metrics` needs `Authorization: Bearer <CHANJIAO_METRICS_TOKEN>`".into(),
                invalid_token: presented.is_some(),
            })
        }
        None => {
            // A request forwarded by a proxy that is not trusted comes from
            // whoever that proxy serves, even when the proxy is on this machine.
            let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"]
                .iter()
                .any(|name| req.headers().contains_key(*name));
            let trusted = super::caller::peer_is_trusted(req.request(), &state.trusted_proxies);
            let client = super::caller::client_ip(req.request(), &state.trusted_proxies);
            let local = (trusted || !forwarded) && client.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            (!local).then(|| ApiError::Forbidden {
                detail: "`/metrics` answers only this machine unless CHANJIAO_METRICS_TOKEN is set".into(),
                errors: Vec::new(),
            })
        }
    }
}

/// Middleware outside the metrics middleware (which would answer `/metrics`
/// whatever the handler said): refuses `/metrics` to whoever may not read it.
pub async fn guard_metrics<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refusal = (req.path() == "/metrics")
        .then(|| {
            req.app_data::<web::Data<AppState>>()
                .and_then(|state| metrics_refusal(&req, state))
        })
        .flatten();
    match refusal {
        Some(refusal) => Ok(req.into_response(refusal.error_response())),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}
