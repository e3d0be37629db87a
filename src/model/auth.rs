//! The token endpoint's requests and responses (RFC 6749, RFC 7009).

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A token request (RFC 6749), sent as `application/x-www-form-urlencoded`
/// or as JSON. Unknown parameters are ignored, as RFC 6749 asks.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `password`, `refresh_token` or `client_credentials`.
    #[schema(example = "password")]
    pub grant_type: Option<String>,
    /// For `password`: the username.
    pub username: Option<String>,
    /// For `password`: the password.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
    /// For `refresh_token`: the refresh token.
    #[schema(value_type = Option<String>)]
    pub refresh_token: Option<SecretString>,
    /// For `client_credentials`: the service user's username (or use HTTP Basic).
    pub client_id: Option<String>,
    /// For `client_credentials`: the service user's password (or use HTTP Basic).
    #[schema(value_type = Option<String>, format = Password)]
    pub client_secret: Option<SecretString>,
    /// Ignored.
    pub scope: Option<String>,
}

/// A revocation request (RFC 7009).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// The refresh token to revoke (required; without it, 400 `invalid_request`).
    #[schema(value_type = String, min_length = 1)]
    pub token: Option<SecretString>,
    /// Ignored.
    pub token_type_hint: Option<String>,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The access token: a JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// A refresh token (not for `client_credentials`); each use replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}
