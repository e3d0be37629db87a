//! The caller of a request: the principal its bearer token stands for, and
//! the client address. A 401 is answered before a handler runs; the
//! principal and the request's [`AuditScope`] stay in the request, so that
//! any refusal is audited by [`super::audit_refusals`].

use std::net::IpAddr;
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use ipnet::IpNet;

use super::{AppState, AuditScope};
use crate::auth::Principal;
use crate::error::ApiError;

/// The authenticated caller of a request (an extractor). It is also kept
/// in the request's extensions, so that a refusal can be audited with it.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

/// Whether the request came straight from one of the trusted proxies.
pub fn peer_is_trusted(req: &HttpRequest, trusted: &[IpNet]) -> bool {
    req.peer_addr().is_some_and(|a| is_trusted(&a.ip(), trusted))
}

fn is_trusted(ip: &IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(ip))
}

/// The client's address: the peer's, or, when the peer is a trusted proxy,
/// the nearest `X-Forwarded-For` hop that is not itself a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> String {
    let peer: Option<IpAddr> = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    if !is_trusted(&peer, trusted) {
        return peer.to_string();
    }
    let hops: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip, trusted))
        .or(hops.first())
        .unwrap_or(&peer)
        .to_string()
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let authorization = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let ip = state
            .as_ref()
            .map(|s| client_ip(req, &s.trusted_proxies))
            .unwrap_or_default();
        // Kept before authenticating, so that a 401 is audited too.
        req.extensions_mut().insert(AuditScope::of(req, ip.clone()));
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no application state")))?;
            let principal = authenticate(&state, authorization.as_deref(), ip).await?;
            req.extensions_mut().insert(principal.clone());
            if principal.must_change_password && !answers_before_password_change(&req) {
                return Err(ApiError::PasswordChangeRequired);
            }
            Ok(Caller(principal))
        })
    }
}

/// The operations a user who must change its password may call: reading
/// itself and changing the password (every other answers 403 right after
/// authentication).
fn answers_before_password_change(req: &HttpRequest) -> bool {
    matches!(
        (req.method().as_str(), req.path()),
        ("GET", "/api/v1/auth/me") | ("POST", "/api/v1/auth/password")
    )
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in
/// any case), if the value has that form.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    Some(token.trim()).filter(|t| scheme.eq_ignore_ascii_case("bearer") && !t.is_empty())
}

/// The bearer token a request carries, if any.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
}

async fn authenticate(state: &AppState, authorization: Option<&str>, ip: String) -> Result<Principal, ApiError> {
    let token = authorization
        .and_then(bearer_token)
        .ok_or_else(|| ApiError::Unauthorized {
            detail: "this operation needs `Authorization: Bearer <access token>`".into(),
            invalid_token: false,
        })?;
    let invalid = || ApiError::Unauthorized {
        detail: "the access token is invalid or expired".into(),
        invalid_token: true,
    };
    let verified = state.keys.verify(token).map_err(|err| {
        tracing::debug!(error = %err, "refused a token");
        invalid()
    })?;
    crate::service::users::resolve_principal(&state.db, verified, ip)
        .await?
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn request(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut req = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(value) = forwarded {
            req = req.insert_header(("x-forwarded-for", value));
        }
        req.to_http_request()
    }

    #[test]
    fn x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(&request("203.0.113.9:5000", Some("198.51.100.1")), &trusted),
            "203.0.113.9"
        );
        assert_eq!(client_ip(&request("203.0.113.9:5000", None), &[]), "203.0.113.9");
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // A client cannot spoof its address by prepending hops of its own.
        let forwarded = "1.2.3.4, 198.51.100.1, 10.0.0.7";
        assert_eq!(
            client_ip(&request("10.0.0.2:5000", Some(forwarded)), &trusted),
            "198.51.100.1"
        );
        assert_eq!(
            client_ip(&request("10.0.0.2:5000", Some("garbage")), &trusted),
            "10.0.0.2"
        );
    }
}
