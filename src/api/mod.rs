//! The HTTP layer: routes, handlers (thin: one policy check, one service
//! call), extractors, problem responses, the refusal audit and the
//! OpenAPI document, which is collected from the registered handlers.

pub mod apprenticeships;
pub mod audit;
pub mod auth;
pub mod bases;
pub mod body;
pub mod caller;
pub mod changes;
pub mod check_ins;
pub mod collection;
pub mod competitions;
pub mod compliance;
pub mod conditional;
pub mod crud;
pub mod demands;
pub mod docs;
pub mod enterprises;
pub mod export;
pub mod idempotency;
pub mod import;
pub mod incidents;
pub mod journals;
pub mod meetings;
pub mod platform;
pub mod problem;
pub mod query;
pub mod rate_limit;
pub mod request_id;
pub mod schools;
pub mod stats;
pub mod users;
pub mod visits;
pub mod webhooks;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::tokens::TokenKeys;
use crate::auth::Principal;
use crate::domain::vocab::ResourceType;
use crate::error::{ApiError, Problem};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database: its readers, its writer and the user-state cache.
    pub db: crate::service::Database,
    /// Cleared when shutdown begins, so that `/readyz` turns the load balancer away.
    pub ready: Arc<AtomicBool>,
    /// The keys that sign and verify access tokens.
    pub keys: Arc<TokenKeys>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// Refresh token lifetime in seconds.
    pub refresh_token_ttl: i64,
    /// Each caller's request budget, when `CHANJIAO_RATE_LIMIT` is set.
    pub budgets: Option<Arc<rate_limit::Budgets>>,
    /// The SHA-256 of `CHANJIAO_METRICS_TOKEN`, when it is set.
    pub metrics_token: Option<[u8; 32]>,
    /// How long a request may take before it is answered 503 (the database
    /// acquire and statement timeouts together): a database that stops
    /// answering (a frozen connection) must not hold a request forever.
    /// None when `CHANJIAO_DB_STATEMENT_TIMEOUT` is 0.
    pub deadline: Option<std::time::Duration>,
    /// The imports that run at once, shared by every import of this process.
    pub imports: Arc<import::ImportTurns>,
}

/// Answers 503 `database-unavailable` (with `Retry-After`) for a request
/// that has not been answered within [`AppState::deadline`] (a database
/// connection that hangs must not hold a request, nor an `Idempotency-Key`
/// or a refusal's audit row, for ever), and drops it: its transaction, if
/// any, is rolled back, unless it was already committing, which is why such
/// an answer does not say that nothing was stored (and why an
/// `Idempotency-Key` it claimed stays in use until it is abandoned). The
/// request log records it (see `request_id::log_request`). Imports are
/// not bounded here (their turn, their body and their parse take their own
/// bounded time; their statements are bounded by the statement timeout), nor
/// is a streamed body (an export).
pub async fn deadline<B: actix_web::body::MessageBody>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<B>, actix_web::Error> {
    let limit = req.app_data::<web::Data<AppState>>().and_then(|state| state.deadline);
    let (Some(limit), false) = (limit, import::is_import(req.request())) else {
        return next.call(req).await;
    };
    // The answer is an error, not a response: routing needs the only handle
    // on the request, so none can be kept here to answer with.
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(answer) => answer,
        Err(_) => Err(crate::error::ApiError::Outage(crate::error::Outage::Unreachable).into()),
    }
}

/// Registers every route: the platform endpoints and `/api/v1`. Each
/// collection's scope names its resource type (for the refusal audit).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.configure(platform::configure).service(
        utoipa_actix_web::scope("/api/v1")
            .configure(auth::configure)
            .configure(enterprises::configure)
            .configure(schools::configure)
            .configure(apprenticeships::configure)
            .configure(meetings::configure)
            .configure(meetings::configure_action_items)
            .configure(demands::configure)
            .configure(bases::configure)
            .configure(competitions::configure)
            .configure(visits::configure)
            .configure(incidents::configure)
            .configure(check_ins::configure)
            .configure(journals::configure)
            .configure(compliance::configure)
            .configure(stats::configure)
            .configure(users::configure)
            .configure(audit::configure)
            .configure(changes::configure)
            .configure(webhooks::configure),
    );
}

/// Path extractor settings: a path id that is not a UUID is an unknown id
/// (404), unless the path is a documented one of its own that this method
/// is not (`GET /enterprises/imports`: 405). (Query strings are read by
/// [`query::Query`].)
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, req| {
        let routes = req.app_data::<web::Data<RouteTable>>();
        match routes.and_then(|routes| routes.literal_methods(req.path())) {
            Some(methods) => {
                actix_web::error::InternalError::from_response("method not allowed", method_not_allowed(methods)).into()
            }
            None => ApiError::NotFound.into(),
        }
    }));
}

/// What a refusal of a request is recorded against: the resource type of
/// the route's scope (`token` outside the collections), the record's id
/// from the path, and the client address. The [`caller::Caller`] extractor
/// keeps it in the request before it authenticates.
#[derive(Debug, Clone)]
pub struct AuditScope {
    /// The kind of record the route serves.
    pub resource_type: ResourceType,
    /// The `{id}` of the route, when it has one.
    pub resource_id: Option<String>,
    /// The client address.
    pub ip: String,
}

impl AuditScope {
    /// The scope of a request.
    pub fn of(req: &HttpRequest, ip: String) -> Self {
        AuditScope {
            resource_type: req.app_data::<ResourceType>().copied().unwrap_or(ResourceType::Token),
            resource_id: req.match_info().get("id").map(str::to_string),
            ip,
        }
    }
}

/// Records every refused request in the audit trail, whichever handler
/// refused it: a 403 with the caller as actor, a 401 without one (at most
/// once a minute per client address).
pub async fn audit_refusals<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    {
        let response = next.call(req).await?;
        let status = response.status().as_u16();
        if status != 401 && status != 403 {
            return Ok(response);
        }
        let refusal = {
            let extensions = response.request().extensions();
            extensions
                .get::<AuditScope>()
                .cloned()
                .map(|scope| (scope, extensions.get::<Principal>().cloned()))
        };
        let state = response.request().app_data::<web::Data<AppState>>().cloned();
        if let (Some((scope, principal)), Some(state)) = (refusal, state) {
            match (status, principal) {
                (403, Some(principal)) => {
                    crate::service::audit::record_denied(
                        &state.db,
                        &principal.actor(),
                        scope.resource_type,
                        scope.resource_id,
                    )
                    .await
                }
                (401, _) => crate::service::audit::record_unauthorized(&state.db, &scope.ip, scope.resource_type).await,
                _ => {}
            }
        }
        Ok(response)
    }
}

/// The documented routes: each path pattern with its methods, so that a
/// request for a known path with another method is a 405 with `Allow`.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<(Vec<String>, Vec<String>)>);

impl RouteTable {
    /// The table of a document's paths.
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_string).collect();
                let value = serde_json::to_value(item).unwrap_or_default();
                let methods = ["get", "post", "put", "patch", "delete", "head", "options"]
                    .iter()
                    .filter(|m| value.get(**m).is_some())
                    .map(|m| m.to_uppercase())
                    .collect();
                (segments, methods)
            })
            .collect();
        RouteTable(routes)
    }

    /// The methods of the documented path that `path` matches, if any (the
    /// one with the fewest parameters when several do: `/imports` before `/{id}`).
    pub fn methods(&self, path: &str) -> Option<&[String]> {
        self.matching(path)
            .into_iter()
            .min_by_key(|(parameters, _)| *parameters)
            .map(|(_, methods)| methods)
    }

    /// The methods of the documented path, without parameters, that `path` is.
    pub fn literal_methods(&self, path: &str) -> Option<&[String]> {
        self.matching(path)
            .into_iter()
            .find(|(parameters, _)| *parameters == 0)
            .map(|(_, methods)| methods)
    }

    /// The documented paths `path` matches, each with its number of parameters.
    fn matching(&self, path: &str) -> Vec<(usize, &[String])> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .filter_map(|(pattern, methods)| {
                let matches = pattern.len() == segments.len()
                    && pattern
                        .iter()
                        .zip(&segments)
                        .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()));
                let parameters = pattern.iter().filter(|p| p.starts_with('{')).count();
                matches.then_some((parameters, methods.as_slice()))
            })
            .collect()
    }
}

/// A 405 naming the `methods` the path has in `Allow`.
fn method_not_allowed(methods: &[String]) -> HttpResponse {
    let problem = Problem::new(
        405,
        "about:blank",
        "this method is not allowed here; see the Allow header",
    );
    let mut response = problem::problem_response(&problem);
    if let Ok(value) = header::HeaderValue::from_str(&methods.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The answer to a request no route takes: 405 with `Allow` for a
/// documented path, 404 otherwise.
pub async fn unknown_route(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    match routes.methods(req.path()) {
        Some(methods) if !methods.is_empty() => method_not_allowed(methods),
        _ => problem::problem_response(&ApiError::NotFound.problem()),
    }
}
