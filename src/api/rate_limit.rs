//! Opt-in request budgets (`CHANJIAO_RATE_LIMIT`): each caller (the subject
//! of a valid bearer token, or else the client address) may send `requests`
//! requests per `period` to `/api/v1`, refilled evenly (GCRA, the
//! `governor` crate), with the whole budget available as a burst. Past it:
//! 429 with `Retry-After`, before anything is done or audited. Every
//! counted answer carries `RateLimit-Limit`, `RateLimit-Remaining`,
//! `RateLimit-Reset` and `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers).
//! The budget is kept in each replica's memory: with N replicas a caller
//! may send up to N budgets.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::caller::{bearer, client_ip};
use super::AppState;
use crate::config::RateLimitSetting;
use crate::error::ApiError;

type Keyed = RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// How many checks pass between two sweeps of callers that are back to a full budget.
const SWEEP_EVERY: u64 = 10_000;

/// The budgets of every caller.
pub struct Budgets {
    limiter: Keyed,
    setting: RateLimitSetting,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl Budgets {
    /// Budgets of `setting.requests` per `setting.period` for each caller.
    pub fn new(setting: RateLimitSetting) -> Self {
        let requests = NonZeroU32::new(setting.requests).unwrap_or(NonZeroU32::MIN);
        let replenish = setting.period / requests.get();
        let quota = Quota::with_period(replenish.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(requests))
            .allow_burst(requests);
        Budgets {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            setting,
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Spends one request of `caller`'s budget: the headers to send, and
    /// the seconds to wait when the budget is spent.
    fn spend(&self, caller: String) -> (Vec<(HeaderName, HeaderValue)>, Option<u64>) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let limit = self.setting.requests;
        let per_request = self.setting.period.as_secs_f64() / f64::from(limit.max(1));
        let (remaining, wait) = match self.limiter.check_key(&caller) {
            Ok(snapshot) => (snapshot.remaining_burst_capacity(), None),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                (0, Some(wait.as_secs_f64().ceil().max(1.0) as u64))
            }
        };
        let reset = match wait {
            Some(wait) => wait,
            None => (f64::from(limit - remaining) * per_request).ceil() as u64,
        };
        let header = |name: &'static str, value: String| {
            HeaderValue::from_str(&value)
                .ok()
                .map(|v| (HeaderName::from_static(name), v))
        };
        let headers = [
            header("ratelimit-limit", limit.to_string()),
            header("ratelimit-remaining", remaining.to_string()),
            header("ratelimit-reset", reset.to_string()),
            header(
                "ratelimit-policy",
                format!("{limit};w={}", self.setting.period.as_secs()),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        (headers, wait)
    }
}

/// Who a request's budget belongs to.
fn caller_of(req: &ServiceRequest, state: &AppState) -> String {
    let subject = bearer(req.request()).and_then(|token| state.keys.verify(token).ok());
    match subject {
        Some(verified) => format!("sub:{}", verified.claims.sub),
        None => format!("ip:{}", client_ip(req.request(), &state.trusted_proxies)),
    }
}

fn add_headers(headers: &mut HeaderMap, add: Vec<(HeaderName, HeaderValue)>) {
    for (name, value) in add {
        headers.insert(name, value);
    }
}

/// The middleware: spends a request of the caller's budget for each
/// `/api/v1` request when budgets are configured.
pub async fn rate_limit<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let budgets = state.as_ref().and_then(|s| s.budgets.clone());
    let (Some(state), Some(budgets)) = (state, budgets) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if !req.path().starts_with("/api/v1") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let (headers, wait) = budgets.spend(caller_of(&req, &state));
    match wait {
        Some(retry_after) => {
            let mut response = ApiError::RateLimited { retry_after }.error_response();
            add_headers(response.headers_mut(), headers);
            Ok(req.into_response(response).map_into_right_body())
        }
        None => {
            let mut response = next.call(req).await?;
            add_headers(response.headers_mut(), headers);
            Ok(response.map_into_left_body())
        }
    }
}
