//! `Idempotency-Key` on every `POST`: the same key from the same caller
//! within 24 hours answers what the first request answered (status, body,
//! `Location`, `ETag`, with `Idempotent-Replayed: true`) and does nothing
//! again; the same key with another request is 422; while the first still
//! runs, 409. The answers are kept in the database
//! ([`crate::service::idempotency`]), so every replica sees them.
//!
//! The caller is the subject of a valid bearer token; a request without one
//! is answered 401 by its handler and keeps nothing. The token endpoint and
//! revocation take the header and keep nothing either: their answers are
//! secrets that must not be stored (`Cache-Control: no-store`), and a
//! revocation is idempotent by itself. An answer with members shown once
//! (a webhook's secret, [`crate::model::record::ShownOnce`]) is kept and
//! replayed without them.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use futures_util::future::LocalBoxFuture;
use sha2::{Digest, Sha256};

use super::body::{read_body_under, BodyLimit};
use super::problem::MaybeStored;
use super::AppState;
use crate::error::{ApiError, FieldError};
use crate::service::idempotency::{self, Claim, StoredAnswer};

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header a replayed answer carries.
pub const REPLAYED: &str = "idempotent-replayed";

/// The longest key.
pub const MAX_KEY_LEN: usize = 255;

/// Paths whose answers are never kept (see the module documentation).
const NOT_KEPT: [&str; 2] = ["/api/v1/auth/token", "/api/v1/auth/revoke"];

/// Marks an answer whose top-level members `T::FIELDS` are shown once:
/// the answer kept for a replay leaves them out.
/// Such an answer is not kept by caches either (`Cache-Control: no-store`).
pub fn shown_once<T: crate::model::record::ShownOnce>(response: &mut HttpResponse) {
    if !T::FIELDS.is_empty() {
        response.extensions_mut().insert(OnceFields(T::FIELDS));
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The members of an answer that are shown once (see [`shown_once`]).
#[derive(Debug, Clone, Copy)]
struct OnceFields(&'static [&'static str]);

/// The body to keep for a replay: without the members shown once.
fn kept_body(body: &[u8], once: Option<OnceFields>) -> Vec<u8> {
    let Some(OnceFields(fields)) = once else {
        return body.to_vec();
    };
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut object)) => {
            for field in fields {
                object.remove(*field);
            }
            serde_json::to_vec(&object).unwrap_or_default()
        }
        // Not an object (a problem is one, but holds no secret): keep nothing of it.
        _ => Vec::new(),
    }
}

/// Headers of an answer that are the connection's, not the answer's.
const NOT_REPLAYED: [&str; 5] = ["content-length", "date", "connection", "transfer-encoding", REPLAYED];

/// The middleware (wrap it outside the problem+json fallback, so that the
/// answers it keeps are the ones the client saw).
pub struct Idempotency;

impl<S, B> Transform<S, ServiceRequest> for Idempotency
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = IdempotencyMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IdempotencyMiddleware {
            service: Rc::new(service),
        }))
    }
}

/// [`Idempotency`] around a service.
pub struct IdempotencyMiddleware<S> {
    service: Rc<S>,
}

/// Whether `key` is 1–255 printable ASCII characters.
fn valid_key(key: &[u8]) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.iter().all(|b| (0x20..=0x7e).contains(b))
}

/// The 409 for a key whose first request is still being answered.
pub fn key_in_use() -> ApiError {
    ApiError::Conflict {
        detail: "a request with this Idempotency-Key is still being answered; retry later".into(),
        errors: vec![FieldError::new(
            "Idempotency-Key",
            "in_progress",
            "the first request with this key is still running",
        )],
    }
}

/// The caller a key belongs to: the subject of a valid bearer token.
fn caller_of(req: &ServiceRequest, state: &AppState) -> Option<String> {
    let verified = state.keys.verify(super::caller::bearer(req.request())?).ok()?;
    let kind = if verified.external { "sub" } else { "user" };
    Some(format!("{kind}:{}", verified.claims.sub))
}

/// What makes two requests the same: method, path, query, media type, body.
fn request_hash(req: &ServiceRequest, body: &[u8]) -> String {
    let media_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let digest = Sha256::new()
        .chain_update(req.method().as_str())
        .chain_update([0])
        .chain_update(req.path())
        .chain_update([0])
        .chain_update(req.query_string())
        .chain_update([0])
        .chain_update(media_type)
        .chain_update([0])
        .chain_update(body)
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether an answer is kept for retries: what the request did or was
/// refused for good; not a fault, a timeout, a missing login or a "try later".
fn kept(status: StatusCode) -> bool {
    (status.is_success() || status.is_client_error()) && !matches!(status.as_u16(), 401 | 408 | 429)
}

fn replay(answer: StoredAnswer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in &answer.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            response.append_header((name, value));
        }
    }
    response.insert_header((REPLAYED, "true"));
    response.body(answer.body)
}

fn refusal(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let response = error.error_response();
    req.into_response(response)
}

impl<S, B> Service<ServiceRequest> for IdempotencyMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut req: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let key = req.headers().get(IDEMPOTENCY_KEY).map(|v| v.as_bytes().to_vec());
        let Some(key) = key.filter(|_| req.method() == Method::POST) else {
            return Box::pin(async move { Ok(service.call(req).await?.map_into_boxed_body()) });
        };
        if !valid_key(&key) {
            let error = ApiError::BadRequest {
                detail: "the Idempotency-Key header must be 1 to 255 printable ASCII characters".into(),
                errors: vec![FieldError::new(
                    "Idempotency-Key",
                    "format",
                    "must be 1 to 255 printable ASCII characters",
                )],
            };
            return Box::pin(async move { Ok(refusal(req, error)) });
        }
        let key = String::from_utf8_lossy(&key).into_owned();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let caller = state.as_ref().and_then(|state| caller_of(&req, state));
        let (Some(state), Some(caller)) = (state, caller) else {
            return Box::pin(async move { Ok(service.call(req).await?.map_into_boxed_body()) });
        };
        if NOT_KEPT.contains(&req.path()) {
            return Box::pin(async move { Ok(service.call(req).await?.map_into_boxed_body()) });
        }
        Box::pin(async move {
            // An import's file is read under its turn and its own limit, as
            // without a key (the handler finds the turn on the request).
            let mut rules = BodyLimit::of(req.request());
            if super::import::is_import(req.request()) {
                match state.imports.take().await {
                    Ok(turn) => {
                        req.extensions_mut().insert(turn);
                    }
                    Err(error) => return Ok(refusal(req, error)),
                }
                rules = super::import::body_limit(req.request());
            }
            let (http_request, payload) = req.parts_mut();
            let body = match read_body_under(rules, http_request, payload).await {
                Ok(body) => body,
                Err(error) => return Ok(refusal(req, error)),
            };
            let hash = request_hash(&req, &body);
            let claim = match idempotency::claim(&state.db, &caller, &key, &hash).await {
                Ok(claim) => claim,
                Err(error) => return Ok(refusal(req, error)),
            };
            match claim {
                Claim::Replay(answer) => Ok(req.into_response(replay(answer))),
                Claim::Running => Ok(refusal(req, key_in_use())),
                Claim::OtherRequest => Ok(refusal(
                    req,
                    ApiError::Validation(vec![FieldError::new(
                        "Idempotency-Key",
                        "reused",
                        "this key was sent before with another request",
                    )]),
                )),
                Claim::Run => {
                    req.set_payload(Payload::from(body));
                    let response = match service.call(req).await {
                        Ok(response) => response,
                        Err(error) => {
                            let _ = idempotency::release(&state.db, &caller, &key).await;
                            return Err(error);
                        }
                    };
                    let (req, response) = response.into_parts();
                    let (head, body) = response.into_parts();
                    let Ok(bytes) = to_bytes(body).await else {
                        let _ = idempotency::release(&state.db, &caller, &key).await;
                        let error = ApiError::Internal(anyhow::anyhow!("an answer's body could not be read"));
                        return Ok(ServiceResponse::new(req, error.error_response()));
                    };
                    let status = head.status();
                    let outcome = if kept(status) {
                        let headers = head
                            .headers()
                            .iter()
                            .filter(|(name, _)| !NOT_REPLAYED.contains(&name.as_str()))
                            .filter_map(|(name, value)| {
                                Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
                            })
                            .collect();
                        let answer = StoredAnswer {
                            status: status.as_u16(),
                            headers,
                            body: kept_body(&bytes, head.extensions().get::<OnceFields>().copied()),
                        };
                        idempotency::complete(&state.db, &caller, &key, &answer).await
                    } else if head.extensions().get::<MaybeStored>().is_some() {
                        // The claim stays until it is abandoned: a retry meanwhile is a 409.
                        Ok(())
                    } else {
                        idempotency::release(&state.db, &caller, &key).await
                    };
                    if let Err(error) = outcome {
                        tracing::error!(error = %error, "cannot keep the answer to an Idempotency-Key");
                    }
                    Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
                }
            }
        })
    }
}
