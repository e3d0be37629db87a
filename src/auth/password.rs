//! Password hashing with Argon2id. Hashing runs on a blocking thread so that
//! it never stalls the server's event loop.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::ApiError;

/// Hashes a password (Argon2id, default parameters, random salt) into PHC form.
pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("hashing a password")))
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
}

/// Whether `password` matches the PHC-form `hash`.
pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, made once, verified against when a username
/// is unknown so that a failed login takes as long whether or not the user
/// exists.
pub async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async { hash(crate::auth::tokens::random_secret()).await.unwrap_or_default() })
        .await
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only_and_is_argon2id() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong horse battery".into(), h).await);
        let dummy = dummy_hash().await;
        assert!(PasswordHash::new(&dummy).is_ok());
        assert!(!verify("x".into(), dummy).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }
}
