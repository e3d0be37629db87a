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
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing a password: {e}")))
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

/// A hash of a random password, verified against when a username is unknown
/// so that a failed login takes as long whether or not the user exists.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Jc1sMdYxWcWw1Zy6oZ2eN3bqFzG2w3mC9yLZ8VdJ9A";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only_and_is_argon2id() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong horse battery".into(), h).await);
        assert!(!verify("x".into(), DUMMY_HASH.into()).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }
}
