//! Password hashing with Argon2id, bounded: at most one hash per core runs
//! at a time, each on a blocking thread so that it never stalls the
//! server's event loop. An Argon2 check takes about 19 MiB while it runs,
//! so the bound is also the bound on the memory hashing takes; logins
//! beyond it wait their turn, and past [`MAX_WAIT`] (or [`MAX_WAITING`]
//! waiting) answer 503 with `Retry-After`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// How long a login waits for a hashing permit before it is answered 503.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// How many logins may wait for a permit at once; more answer 503 at once.
pub const MAX_WAITING: usize = 2_000;

/// The seconds a login refused for busy hashing is told to wait.
const BUSY_RETRY_AFTER: u64 = 2;

/// One permit per core: more hashes at once would not finish sooner.
static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new(cores.max(1))
});

static WAITING: AtomicUsize = AtomicUsize::new(0);

/// Runs `work` on a blocking thread once a hashing permit is free.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    let busy = || ApiError::Busy {
        retry_after: BUSY_RETRY_AFTER,
        detail: "too many logins are being checked at once",
    };
    if WAITING.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        WAITING.fetch_sub(1, Ordering::SeqCst);
        return Err(busy());
    }
    let permit = tokio::time::timeout(MAX_WAIT, PERMITS.acquire()).await;
    WAITING.fetch_sub(1, Ordering::SeqCst);
    let permit = match permit {
        Ok(Ok(permit)) => permit,
        _ => return Err(busy()),
    };
    let result = tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(e.into()));
    drop(permit);
    result
}

/// Hashes a password (Argon2id, default parameters, random salt) into PHC form.
pub async fn hash(password: String) -> Result<String, ApiError> {
    bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("hashing a password")))
    })
    .await?
}

/// Whether `password` matches the PHC-form `hash`; an error only when
/// hashing is too busy to check now.
pub async fn verify(password: String, hash: String) -> Result<bool, ApiError> {
    bounded(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
}

/// A hash of a random password, made once, verified against when a username
/// is unknown so that a failed login takes as long whether or not the user
/// exists.
pub async fn dummy_hash() -> Result<String, ApiError> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| hash(crate::auth::tokens::random_secret()))
        .await
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only_and_is_argon2id() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), h.clone()).await.unwrap());
        assert!(!verify("wrong horse battery".into(), h).await.unwrap());
        let dummy = dummy_hash().await.unwrap();
        assert!(PasswordHash::new(&dummy).is_ok());
        assert!(!verify("x".into(), dummy).await.unwrap());
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_permits() {
        static RUNNING: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                tokio::spawn(bounded(|| {
                    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
                    MOST.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    RUNNING.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let permits = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert!(MOST.load(Ordering::SeqCst) <= permits);
        assert!(MOST.load(Ordering::SeqCst) >= 1);
    }
}
