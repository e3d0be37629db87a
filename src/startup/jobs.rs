//! The work each replica does beside serving, started with the server:
//! removing expired `Idempotency-Key` answers and old changes of the feed,
//! and delivering webhooks.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::service::Database;

/// Starts the clean-ups and the webhook deliverer, which claims no new
/// deliveries once `ready` is false (shutdown has begun); the deliverer's task.
pub(super) fn start(
    db: &Database,
    webhooks: crate::config::WebhookSettings,
    ready: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    clean_up_idempotency_keys(db);
    clean_up_changes(db);
    crate::service::delivery::spawn(db, webhooks, ready)
}

/// How often each replica removes the `Idempotency-Key` answers older than 24 hours.
const IDEMPOTENCY_CLEAN_UP_INTERVAL: Duration = Duration::from_secs(600);

/// How often each replica removes the changes older than 90 days.
const CHANGES_CLEAN_UP_INTERVAL: Duration = Duration::from_secs(3600);

/// Removes expired `Idempotency-Key` answers now and every ten minutes.
fn clean_up_idempotency_keys(db: &Database) {
    every(
        db,
        IDEMPOTENCY_CLEAN_UP_INTERVAL,
        "expired Idempotency-Key answers",
        |db| async move { crate::service::idempotency::clean_up(db.write()).await },
    );
}

/// Removes the changes of the feed older than 90 days now and every hour.
fn clean_up_changes(db: &Database) {
    every(
        db,
        CHANGES_CLEAN_UP_INTERVAL,
        "changes older than 90 days",
        |db| async move { crate::service::changes::clean_up(&db).await },
    );
}

/// Runs `remove` now and every `interval` until the last clone of the
/// database is dropped, logging how many `what` it removed.
fn every<F, Fut>(db: &Database, interval: Duration, what: &'static str, remove: F)
where
    F: Fn(Database) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<u64, crate::error::ApiError>> + Send,
{
    let in_use = db.in_use();
    let db = db.detached();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            if in_use.strong_count() == 0 {
                break;
            }
            match remove(db.clone()).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed {what}"),
                Err(e) => tracing::warn!(error = %e, "removing {what} failed"),
            }
        }
    });
}
