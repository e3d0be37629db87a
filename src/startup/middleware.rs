//! The middleware around every route, assembled in one place, and the ones
//! of the service's own making that have no other home: closing connections
//! while the service drains, and cross-origin access (CORS).

use std::sync::atomic::Ordering;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, ErrorHandlers, Next};
use actix_web::{web, App};
use actix_web_prom::PrometheusMetrics;

use crate::api::idempotency::Idempotency;
use crate::api::problem::problem_fallback;
use crate::api::{audit_refusals, AppState};

/// `app` inside the service's middleware, listed from the innermost (the
/// last a request passes on its way in) to the outermost (the first).
pub(super) fn wrap<T, B>(
    app: App<T>,
    cors_origins: &[String],
    metrics: PrometheusMetrics,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
>
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    app.wrap(from_fn(audit_refusals))
        .wrap(ErrorHandlers::new().default_handler(problem_fallback))
        .wrap(Idempotency)
        // Outside what writes to the database on the way (the
        // Idempotency-Key, a refusal's audit row), inside the log and
        // the metrics, which record its 503.
        .wrap(from_fn(crate::api::deadline))
        .wrap(from_fn(close_while_draining))
        .wrap(from_fn(crate::api::rate_limit::rate_limit))
        .wrap(cors(cors_origins))
        .wrap(from_fn(cors_outcome))
        .wrap(metrics)
        .wrap(from_fn(crate::api::platform::guard_metrics))
        // Just inside the request id: every answer is logged, the
        // refusals of the middlewares above included.
        .wrap(from_fn(crate::api::request_id::log_request))
        .wrap(from_fn(crate::api::request_id::request_id))
}

/// While the service drains at shutdown, asks each client to close its
/// connection after the answer, so that keep-alive clients reconnect
/// (through their load balancer, to another replica).
async fn close_while_draining<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let ready = req.app_data::<web::Data<AppState>>().map(|state| state.ready.clone());
    let mut response = next.call(req).await?;
    if ready.is_some_and(|ready| !ready.load(Ordering::SeqCst)) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(response)
}

/// Cross-origin access for the listed browser origins only (none by
/// default): the API's methods and headers, with `ETag`, `Location` and
/// `Retry-After` readable by the page.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static(crate::api::idempotency::IDEMPOTENCY_KEY),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            header::HeaderName::from_static(crate::api::idempotency::REPLAYED),
            header::HeaderName::from_static(crate::api::request_id::HEADER),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// What actix-cors leaves to the application: `Access-Control-Expose-Headers`
/// only beside an `Access-Control-Allow-Origin` (actix-cors adds it to every
/// response), and a refused preflight answered as problem+json (actix-cors
/// answers it in plain text).
async fn cors_outcome<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let preflight = req.method() == actix_web::http::Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = next.call(req).await?;
    if !response.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        response.headers_mut().remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
    }
    if preflight && response.status().is_client_error() {
        let problem = crate::error::Problem::new(
            response.status().as_u16(),
            "urn:chanjiao:problem:cors-refused",
            "this origin, method or header is not allowed cross-origin; \
             CHANJIAO_CORS_ORIGINS lists the browser origins that may call the API",
        );
        let (request, refused) = response.into_parts();
        let answer = crate::api::problem::problem_in_place_of(&problem, &refused);
        return Ok(ServiceResponse::new(request, answer));
    }
    Ok(response.map_into_boxed_body())
}
