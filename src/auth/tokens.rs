//! Access tokens: JWTs signed with HS256 (a shared secret) or with an RSA or
//! Ed25519 private key (`kid` in the header), verified with the algorithm
//! pinned to the key, `exp`, `iss` and `aud` required and `nbf` checked.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::AuthSettings;

/// Clock leeway for `exp` and `nbf`, in seconds (the contract allows up to 30).
pub const LEEWAY_SECONDS: u64 = 10;
/// How often the JWKS file is checked for changes (added or removed keys),
/// by a background task: requests only read the keys.
const JWKS_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// The claims of an access token this service issues.
#[derive(Debug, Serialize)]
pub struct IssuedClaims<'a> {
    /// Issuer.
    pub iss: &'a str,
    /// Audience.
    pub aud: &'a str,
    /// The user's id.
    pub sub: String,
    /// The user's role.
    pub role: &'a str,
    /// The user's enterprise or school, when the role has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expires at.
    pub exp: i64,
    /// Token id.
    pub jti: String,
}

/// The claims read from a verified token (the registered time claims are
/// checked by the verifier itself).
#[derive(Debug, Clone, Deserialize)]
pub struct VerifiedClaims {
    /// Subject: a user id for this service's own tokens.
    pub sub: String,
    /// Role claim.
    #[serde(default)]
    pub role: Option<String>,
    /// Organisation claim.
    #[serde(default)]
    pub org: Option<String>,
    /// Issued at: must be a number when present.
    #[serde(default)]
    #[allow(dead_code)]
    iat: Option<i64>,
}

/// A token that passed verification.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Its claims.
    pub claims: VerifiedClaims,
    /// Signed by a key from `CHANJIAO_JWT_JWKS` other than the service's own.
    pub external: bool,
}

/// Why a token was refused (never shown in detail to the client).
#[derive(Debug, thiserror::Error)]
#[error("invalid token: {0}")]
pub struct TokenError(pub String);

struct Signer {
    algorithm: Algorithm,
    key: EncodingKey,
    kid: Option<String>,
}

/// The keys that sign and verify access tokens.
pub struct TokenKeys {
    issuers: Vec<String>,
    audience: String,
    access_ttl: i64,
    signer: Signer,
    hmac: Option<DecodingKey>,
    own_jwk: Option<Jwk>,
    jwks: RwLock<JwkSet>,
    jwks_source: Option<String>,
    /// The JWKS file's modification time when it was last read.
    jwks_modified: Mutex<Option<SystemTime>>,
}

/// Reads a value that is either inline text or the path of a file holding it.
fn inline_or_file(value: &str, inline_prefix: &str, variable: &str) -> anyhow::Result<String> {
    if value.trim_start().starts_with(inline_prefix) {
        Ok(value.to_string())
    } else {
        std::fs::read_to_string(value).with_context(|| format!("{variable}: cannot read the file it names"))
    }
}

fn parse_jwks(source: &str) -> anyhow::Result<JwkSet> {
    let text = inline_or_file(source, "{", "CHANJIAO_JWT_JWKS")?;
    serde_json::from_str(&text).context("CHANJIAO_JWT_JWKS: not a JWKS document")
}

impl TokenKeys {
    /// Builds the keys from the settings; `hmac_secret` is the configured or
    /// stored HS256 secret, if any.
    pub fn new(settings: &AuthSettings, hmac_secret: Option<&[u8]>) -> anyhow::Result<Self> {
        let hmac = hmac_secret.map(DecodingKey::from_secret).transpose()?;
        let (signer, own_jwk) = match &settings.private_key_pem {
            Some(value) => {
                let pem = inline_or_file(value.expose_secret(), "-----BEGIN", "CHANJIAO_JWT_PRIVATE_KEY")?;
                let (algorithm, key) = if let Ok(key) = EncodingKey::from_rsa_pem(pem.as_bytes()) {
                    (Algorithm::RS256, key)
                } else if let Ok(key) = EncodingKey::from_ed_pem(pem.as_bytes()) {
                    (Algorithm::EdDSA, key)
                } else {
                    bail!("CHANJIAO_JWT_PRIVATE_KEY: not an RSA or Ed25519 private key in PEM form");
                };
                let mut jwk = Jwk::from_encoding_key(&key, algorithm)
                    .context("CHANJIAO_JWT_PRIVATE_KEY: cannot derive its public key")?;
                jwk.common.key_id = settings.key_id.clone();
                jwk.common.public_key_use = Some(PublicKeyUse::Signature);
                let signer = Signer {
                    algorithm,
                    key,
                    kid: settings.key_id.clone(),
                };
                (signer, Some(jwk))
            }
            None => {
                let Some(secret) = hmac_secret else {
                    bail!("CHANJIAO_JWT_SECRET: no signing key is configured");
                };
                let signer = Signer {
                    algorithm: Algorithm::HS256,
                    key: EncodingKey::from_secret(secret)?,
                    kid: None,
                };
                (signer, None)
            }
        };
        let jwks = match &settings.jwks {
            Some(source) => parse_jwks(source)?,
            None => JwkSet { keys: Vec::new() },
        };
        let modified = settings
            .jwks
            .as_ref()
            .and_then(|path| std::fs::metadata(path).ok()?.modified().ok());
        Ok(TokenKeys {
            issuers: settings.issuers.clone(),
            audience: settings.audience.clone(),
            access_ttl: settings.access_token_ttl,
            signer,
            hmac,
            own_jwk,
            jwks: RwLock::new(jwks),
            jwks_source: settings.jwks.clone(),
            jwks_modified: Mutex::new(modified),
        })
    }

    /// The access token lifetime in seconds.
    pub fn access_ttl(&self) -> i64 {
        self.access_ttl
    }

    /// Signs an access token for a user.
    pub fn issue(&self, user_id: Uuid, role: &str, org: Option<Uuid>) -> Result<String, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = IssuedClaims {
            iss: &self.issuers[0],
            aud: &self.audience,
            sub: user_id.to_string(),
            role,
            org: org.map(|o| o.to_string()),
            iat: now,
            nbf: now,
            exp: now + self.access_ttl,
            jti: Uuid::now_v7().to_string(),
        };
        let mut header = Header::new(self.signer.algorithm);
        header.kid = self.signer.kid.clone();
        encode(&header, &claims, &self.signer.key)
    }

    /// The public keys clients may verify this service's tokens with: its
    /// own signing key and the keys of `CHANJIAO_JWT_JWKS` (public parts only).
    pub fn public_jwks(&self) -> serde_json::Value {
        let mut keys: Vec<serde_json::Value> = Vec::new();
        if let Some(jwk) = &self.own_jwk {
            keys.push(serde_json::to_value(jwk).unwrap_or_default());
        }
        if let Ok(set) = self.jwks.read() {
            for jwk in &set.keys {
                let own = self
                    .own_jwk
                    .as_ref()
                    .is_some_and(|o| o.common.key_id == jwk.common.key_id);
                if own || matches!(jwk.algorithm, jsonwebtoken::jwk::AlgorithmParameters::OctetKey(_)) {
                    continue;
                }
                let mut value = serde_json::to_value(jwk).unwrap_or_default();
                if let Some(object) = value.as_object_mut() {
                    for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
                        object.remove(private);
                    }
                }
                keys.push(value);
            }
        }
        serde_json::json!({ "keys": keys })
    }

    /// The JWKS file to watch, when the keys come from a file (not inline JSON).
    fn jwks_file(&self) -> Option<&str> {
        self.jwks_source.as_deref().filter(|s| !s.trim_start().starts_with('{'))
    }

    /// Re-reads the JWKS file when its modification time changed; a file
    /// that does not read keeps the keys read before.
    fn reload_jwks(&self) {
        let Some(source) = self.jwks_file() else {
            return;
        };
        let modified = std::fs::metadata(source).ok().and_then(|m| m.modified().ok());
        let Ok(mut seen) = self.jwks_modified.lock() else {
            return;
        };
        if modified == *seen {
            return;
        }
        match parse_jwks(source) {
            Ok(set) => {
                if let Ok(mut current) = self.jwks.write() {
                    *current = set;
                    *seen = modified;
                    tracing::info!("re-read the JWKS");
                }
            }
            Err(err) => tracing::warn!(error = %err, "cannot re-read the JWKS; keeping the keys read before"),
        }
    }

    /// Keeps the keys of a `CHANJIAO_JWT_JWKS` file current: a background
    /// task checks the file every second, so that keys are added and removed
    /// without a restart and no request waits for the file system. The task
    /// ends when the keys are dropped.
    pub fn watch_jwks(keys: &Arc<TokenKeys>) {
        if keys.jwks_file().is_none() {
            return;
        }
        let keys = Arc::downgrade(keys);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(JWKS_CHECK_INTERVAL);
            loop {
                ticks.tick().await;
                let Some(keys) = keys.upgrade() else {
                    break;
                };
                keys.reload_jwks();
            }
        });
    }

    fn find_jwk(&self, kid: &str) -> Option<Jwk> {
        self.jwks.read().ok()?.find(kid).cloned()
    }

    /// Verifies a token: the algorithm is pinned to the key (HS256 for the
    /// shared secret, RS256 or EdDSA for a key found by `kid`), the signature,
    /// `exp`, `iss`, `aud` (required) and `nbf` are checked.
    pub fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError(e.to_string()))?;
        let (key, external) = match header.alg {
            Algorithm::HS256 => (
                self.hmac
                    .clone()
                    .ok_or_else(|| TokenError("HS256 is not accepted".into()))?,
                false,
            ),
            Algorithm::RS256 | Algorithm::EdDSA => {
                let kid = header.kid.as_deref().ok_or_else(|| TokenError("no kid".into()))?;
                let own = self
                    .own_jwk
                    .as_ref()
                    .filter(|j| j.common.key_id.as_deref() == Some(kid));
                let (jwk, external) = match own {
                    Some(jwk) => (jwk.clone(), false),
                    None => (
                        self.find_jwk(kid).ok_or_else(|| TokenError("unknown kid".into()))?,
                        true,
                    ),
                };
                if let Some(alg) = jwk.common.key_algorithm {
                    // Both serialise to their JOSE names (`RS256`, `EdDSA`).
                    let pinned = serde_json::to_value(alg).ok();
                    if pinned.is_none() || pinned != serde_json::to_value(header.alg).ok() {
                        return Err(TokenError("algorithm does not match the key".into()));
                    }
                }
                (
                    DecodingKey::from_jwk(&jwk).map_err(|e| TokenError(e.to_string()))?,
                    external,
                )
            }
            other => return Err(TokenError(format!("algorithm {other:?} is not accepted"))),
        };
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&self.issuers);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let data = decode::<VerifiedClaims>(token, &key, &validation).map_err(|e| TokenError(e.to_string()))?;
        Ok(Verified {
            claims: data.claims,
            external,
        })
    }
}

/// A new random secret of 32 bytes, base64url-encoded (refresh tokens, generated keys).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a refresh token: its SHA-256, hex-encoded.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
