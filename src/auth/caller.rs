//! The caller of a request: who sent the bearer token, in which role, for
//! which organisation, from which address. A 401 is answered (and audited)
//! before a handler runs.

use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use ipnet::IpNet;
use uuid::Uuid;

use crate::api::AppState;
use crate::domain::vocab::Role;
use crate::error::ApiError;
use crate::service::audit::{self, Actor};

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's id (`None` for a token from an outside identity provider).
    pub user_id: Option<Uuid>,
    /// The username (the token's subject for an outside identity).
    pub username: String,
    /// The role.
    pub role: Role,
    /// The enterprise or school the caller belongs to, for those roles.
    pub org: Option<Uuid>,
    /// The client address.
    pub ip: String,
}

impl Caller {
    /// The caller as an audit actor.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            username: Some(self.username.clone()),
            ip: self.ip.clone(),
        }
    }
}

/// The client's address: the peer's, or, when the peer is a trusted proxy,
/// the nearest `X-Forwarded-For` hop that is not itself a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> String {
    let peer: Option<IpAddr> = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else {
        return "unknown".to_string();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
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
        .find(|ip| !is_trusted(ip))
        .or(hops.first())
        .unwrap_or(&peer)
        .to_string()
}

/// The resource type a path belongs to, for 401 audit rows.
fn resource_type_of(path: &str) -> &'static str {
    let segment = path
        .strip_prefix("/api/v1/")
        .unwrap_or(path)
        .split('/')
        .next()
        .unwrap_or("");
    match segment {
        "enterprises" => "enterprise",
        "schools" => "school",
        "apprenticeships" => "apprenticeship",
        "meetings" => "meeting",
        "action-items" => "action_item",
        "users" => "user",
        _ => "token",
    }
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
        let resource_type = resource_type_of(req.path());
        let ip = state
            .as_ref()
            .map(|s| client_ip(req, &s.trusted_proxies))
            .unwrap_or_default();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no application state")))?;
            let result = authenticate(&state, authorization.as_deref(), ip.clone()).await;
            if let Err(ApiError::Unauthorized { .. }) = &result {
                audit::record_unauthorized(&state.db, &ip, resource_type).await;
            }
            result
        })
    }
}

async fn authenticate(state: &AppState, authorization: Option<&str>, ip: String) -> Result<Caller, ApiError> {
    let token = authorization
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
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
    crate::service::users::resolve_caller(&state.db, verified, ip)
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
