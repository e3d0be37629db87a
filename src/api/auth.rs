//! `/api/v1/auth`: the token endpoint, revocation, the caller's own account
//! and password; and `/.well-known/jwks.json`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, post, web, HttpRequest, HttpResponse, ResponseError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::{JsonBody, RawBody};
use super::caller::{client_ip, Caller};
use super::AppState;
use crate::domain::vocab::ResourceType;
use crate::error::{ApiError, Problem};
use crate::model::auth::{RevokeRequest, TokenRequest, TokenResponse};
use crate::model::user::{PasswordChange, User};
use crate::service::sessions::{self, TokenContext};
use crate::service::users;

/// Registers the auth routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/auth")
            .app_data(ResourceType::Token)
            .service(token)
            .service(revoke)
            .service(me)
            .service(change_password),
    );
}

fn no_store(mut response: HttpResponse) -> HttpResponse {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Reads a form-encoded or JSON body of the token or revocation endpoint.
fn parse_params<T: for<'de> Deserialize<'de>>(req: &HttpRequest, body: &web::Bytes) -> Result<T, ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    let bad = |detail: String| ApiError::oauth("invalid_request", detail);
    match essence.as_str() {
        "application/x-www-form-urlencoded" => {
            serde_urlencoded::from_bytes(body).map_err(|e| bad(format!("the form does not parse: {e}")))
        }
        "application/json" => serde_json::from_slice(body).map_err(|e| bad(format!("the JSON does not parse: {e}"))),
        _ => Err(ApiError::OAuth {
            status: 415,
            error: "invalid_request",
            detail: "send the parameters as application/x-www-form-urlencoded or application/json".into(),
        }),
    }
}

/// HTTP Basic client credentials, when sent.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    (!id.is_empty()).then(|| (id.to_string(), secret.to_string()))
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, ApiError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::oauth("invalid_request", format!("`{name}` is required")))
}

fn required_secret<'a>(value: &'a Option<SecretString>, name: &str) -> Result<&'a str, ApiError> {
    value
        .as_ref()
        .map(|v| v.expose_secret())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::oauth("invalid_request", format!("`{name}` is required")))
}

/// Get tokens.
///
/// `grant_type=password` (`username`, `password`) gives an access and a
/// refresh token; `grant_type=refresh_token` exchanges a refresh token for a
/// new pair (the old one stops working; presenting it again revokes the whole
/// login); `grant_type=client_credentials` (`client_id`, `client_secret`, or
/// HTTP Basic) gives a service user an access token. Failures carry the
/// RFC 6749 `error` member. Within 15 minutes, after 5 failed logins for one
/// username from one address, 100 for one username from all addresses, or
/// 200 from one address, such logins answer 429 with `Retry-After` (failed
/// `client_credentials` count toward the address only). A username or
/// client id longer than 64 characters, or with a control character, is a
/// failed login. When more logins arrive than passwords can be checked,
/// they wait their turn, or answer 503 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body(
        content((TokenRequest = "application/x-www-form-urlencoded"), (TokenRequest = "application/json")),
        description = "Form-encoded or JSON"
    ),
    responses(
        (status = 200, description = "Tokens", body = TokenResponse, headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "`invalid_request`, `invalid_grant`, `unauthorized_client` or `unsupported_grant_type`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_client`: wrong client credentials", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither form-encoded nor JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Too many logins are being checked at once", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/token")]
pub async fn token(state: web::Data<AppState>, req: HttpRequest, body: Result<RawBody, ApiError>) -> HttpResponse {
    let ip = client_ip(&req, &state.trusted_proxies);
    let result = async {
        let params: TokenRequest = parse_params(&req, &body?.0)?;
        let ctx = TokenContext {
            db: &state.db,
            keys: &state.keys,
            refresh_ttl: state.refresh_token_ttl,
            ip: &ip,
        };
        match params.grant_type.as_deref() {
            Some("password") => {
                let username = required(&params.username, "username")?.trim().to_lowercase();
                let password = required_secret(&params.password, "password")?;
                sessions::password_grant(&ctx, &username, password).await
            }
            Some("refresh_token") => {
                sessions::refresh_grant(&ctx, required_secret(&params.refresh_token, "refresh_token")?).await
            }
            Some("client_credentials") => {
                let (id, secret) = match (&params.client_id, &params.client_secret) {
                    (Some(id), Some(secret)) if !id.is_empty() => (id.clone(), secret.expose_secret().to_string()),
                    _ => basic_credentials(&req).ok_or_else(|| {
                        ApiError::oauth("invalid_request", "`client_id` and `client_secret` are required")
                    })?,
                };
                sessions::client_credentials_grant(&ctx, &id.trim().to_lowercase(), &secret).await
            }
            Some(_) => Err(ApiError::oauth(
                "unsupported_grant_type",
                "use password, refresh_token or client_credentials",
            )),
            None => Err(ApiError::oauth("invalid_request", "`grant_type` is required")),
        }
    }
    .await;
    no_store(match result {
        Ok(tokens) => HttpResponse::Ok().json(tokens),
        Err(err) => err.error_response(),
    })
}

/// Revoke a refresh token (RFC 7009).
///
/// Ends the login the refresh token belongs to. Needs no bearer token;
/// unknown tokens and access tokens answer 200 too.
#[utoipa::path(
    tag = "auth",
    security(()),
    request_body(
        content((RevokeRequest = "application/x-www-form-urlencoded"), (RevokeRequest = "application/json")),
        description = "Form-encoded or JSON"
    ),
    responses(
        (status = 200, description = "Revoked (or nothing to revoke)"),
        (status = 400, description = "`invalid_request`: no `token`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither form-encoded nor JSON", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/revoke")]
pub async fn revoke(state: web::Data<AppState>, req: HttpRequest, body: Result<RawBody, ApiError>) -> HttpResponse {
    let ip = client_ip(&req, &state.trusted_proxies);
    let result = async {
        let params: RevokeRequest = parse_params(&req, &body?.0)?;
        let presented = required_secret(&params.token, "token")?;
        sessions::revoke(&state.db, presented, &ip).await
    }
    .await;
    no_store(match result {
        Ok(()) => HttpResponse::Ok().finish(),
        Err(err) => err.error_response(),
    })
}

/// The caller's own account.
///
/// Who the access token stands for: id, username, role and organisation, so
/// that an app can show who is logged in and what they may do.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller's user object", body = User),
        (status = 404, description = "The token is from an outside identity provider and names no local user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(users::me(&state.db, &caller).await?))
}

/// Change your own password.
///
/// Ends your refresh tokens; a wrong current password is a 422.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 422, description = "Wrong current password, or a new one that is too short", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let input: PasswordChange = body.decode()?;
    users::change_own_password(&state.db, &caller, &input.current_password, &input.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The public keys that verify this service's access tokens (JWKS).
///
/// For other services that check chanjiao's tokens themselves: the keys by
/// `kid` (RS256 or EdDSA). Empty while tokens are signed with a shared
/// HS256 secret, which is never published.
#[utoipa::path(
    tag = "platform",
    responses((status = 200, description = "A JWKS document; empty `keys` when tokens are signed with a shared secret", body = Object))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.keys.public_jwks())
}
