//! Delivering webhooks: a background task in every replica that queues the
//! changes of the feed for the webhooks that take them, and sends what is
//! due, signed, at least once.
//!
//! Everything it knows is in the database, so a restarted service (or
//! another replica) carries on where it stopped:
//!
//! - **Queueing.** Each active webhook has a position in the feed
//!   (`webhook_states.position`). Its changes after it are made into
//!   `webhook_deliveries` rows and the position moves on, in one transaction
//!   under the webhook's row lock (on PostgreSQL one that other replicas
//!   skip), so each change is queued once per webhook.
//! - **Claiming.** A due delivery is claimed in a short transaction (on
//!   PostgreSQL `FOR UPDATE SKIP LOCKED`, so replicas claim different
//!   ones): its attempts grow and it is not due again for three timeouts,
//!   so that no other replica sends it while this one does; if this one
//!   dies, it is due again then. A replica sends at most 16 at once, and at
//!   most 4 of one webhook, so that a receiver that never answers holds up
//!   its own deliveries only; each attempt is recorded as it ends.
//! - **Sending.** `POST <url>` with the change as JSON, `Chanjiao-Event-Id`
//!   and `Chanjiao-Signature` (HMAC-SHA256 of `"<t>.<body>"`), a 10 s
//!   timeout, no redirects followed, and names resolved by
//!   [`GuardedResolver`], which refuses addresses webhooks may not reach
//!   (the connection goes to the addresses it vetted, so a name cannot
//!   resolve to another address between the check and the connection).
//! - **Recording.** A 2xx marks it delivered; anything else schedules the
//!   next attempt after 1 min, 2, 4… (at most an hour apart), until 24 hours
//!   after it was queued, when it is marked failed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sha2::Sha256;
use tokio::sync::{Notify, Semaphore};
use uuid::Uuid;

use super::changes::newest_position;
use super::webhooks::change_of;
use super::{now, Database};
use crate::config::WebhookSettings;
use crate::domain::network::AllowList;
use crate::domain::vocab::DeliveryStatus;
use crate::entity::{change, webhook, webhook_delivery, webhook_state};
use crate::error::ApiError;
use crate::model::field::TextRule;
use crate::model::webhook::{takes, DeliveryBody};

/// The most changes queued for one webhook in one transaction.
const QUEUE_BATCH: u64 = 500;

/// The most deliveries one replica sends at once.
const SENDING: usize = 16;

/// The most deliveries of one webhook one replica sends at once.
const SENDING_PER_WEBHOOK: usize = 4;

/// How often deliveries of inactive webhooks are checked for expiry.
const SWEEP_EVERY: StdDuration = StdDuration::from_secs(60);

/// How often a failing round of deliveries is logged.
static ROUND_FAILURES: crate::error::Throttle = crate::error::Throttle::new(StdDuration::from_secs(60));

/// The longest `last_error` kept.
const MAX_ERROR_CHARS: usize = 500;

/// Starts the deliverer of this replica, which delivers as `settings` say
/// (how often it polls, how long an attempt may take, when it retries,
/// which addresses it may reach). It stops when `running` is cleared (at
/// shutdown: it claims nothing more and waits for the attempts under way)
/// or the last clone of the database is dropped.
pub fn spawn(db: &Database, settings: WebhookSettings, running: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    let in_use = db.in_use();
    let db = db.detached();
    tokio::spawn(async move {
        let deliverer = match Deliverer::new(db, settings) {
            Ok(deliverer) => Arc::new(deliverer),
            Err(e) => {
                tracing::error!(error = %e, "webhooks cannot be delivered: no HTTP client");
                return;
            }
        };
        let mut swept = tokio::time::Instant::now();
        while in_use.strong_count() > 0 && running.load(Ordering::SeqCst) {
            let left = match deliverer.clone().round().await {
                Ok(left) => left,
                Err(e) => {
                    // Every poll while the database is out of reach: once a minute.
                    if let Some(not_logged) = ROUND_FAILURES.admit() {
                        tracing::warn!(error = %e, not_logged_since_last = not_logged, "delivering webhooks failed; trying again");
                    }
                    Left::Nothing
                }
            };
            if swept.elapsed() >= SWEEP_EVERY {
                swept = tokio::time::Instant::now();
                if let Err(e) = deliverer.expire_inactive().await {
                    tracing::warn!(error = %e, "expiring the deliveries of inactive webhooks failed");
                }
            }
            let poll = tokio::time::sleep(deliverer.settings.poll);
            match left {
                Left::ToQueue => {}
                // Due deliveries wait for an attempt under way to end.
                Left::ToSend => tokio::select! {
                    _ = deliverer.ended.notified() => {}
                    _ = poll => {}
                },
                Left::Nothing => poll.await,
            }
        }
        // The attempts under way finish and are recorded.
        let _ = deliverer.slots.acquire_many(SENDING as u32).await;
    })
}

/// One replica's deliverer: the database, its settings, an HTTP client,
/// and the attempts under way.
struct Deliverer {
    db: Database,
    settings: WebhookSettings,
    client: reqwest::Client,
    /// One permit per attempt under way.
    slots: Arc<Semaphore>,
    /// The attempts under way per webhook.
    sending: Mutex<HashMap<Uuid, usize>>,
    /// Told each time an attempt ends.
    ended: Notify,
}

/// What a round of the deliverer left to do.
enum Left {
    /// Changes to queue: the next round starts at once.
    ToQueue,
    /// Deliveries due that no slot was free for: the next round starts when an attempt ends.
    ToSend,
    /// Nothing: the next round starts after the poll interval.
    Nothing,
}

/// A delivery claimed for one attempt, with what sending it needs.
struct Claimed {
    row: webhook_delivery::Model,
    url: String,
    secrets: Vec<String>,
}

/// How an attempt ended.
enum Outcome {
    /// The receiver answered with this status.
    Answered(u16),
    /// No answer: why.
    Failed(String),
}

impl Deliverer {
    fn new(db: Database, settings: WebhookSettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver {
                allow: settings.allow.clone(),
            }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout / 2)
            .user_agent(concat!("chanjiao-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Deliverer {
            db,
            settings,
            client,
            slots: Arc::new(Semaphore::new(SENDING)),
            sending: Mutex::new(HashMap::new()),
            ended: Notify::new(),
        })
    }

    /// Queues new changes and starts sending what is due, as far as the
    /// free slots go; what it left to do.
    async fn round(self: Arc<Self>) -> Result<Left, ApiError> {
        let mut to_queue = false;
        let active: Vec<Uuid> = webhook::Entity::find()
            .select_only()
            .column(webhook::Column::Id)
            .filter(webhook::Column::Active.eq(true))
            .into_tuple()
            .all(self.db.read())
            .await?;
        if !active.is_empty() {
            let newest = newest_position(self.db.read()).await?;
            for id in active {
                match self.queue(id, newest).await {
                    Ok(read) => to_queue |= read >= QUEUE_BATCH,
                    // One webhook's trouble holds up no other's.
                    Err(e) => tracing::warn!(error = %e, webhook = %id, "queueing a webhook's changes failed"),
                }
            }
        }
        let (claimed, more_due) = self.claim(self.slots.available_permits()).await?;
        for claimed in claimed {
            let webhook = claimed.row.webhook_id;
            let Ok(slot) = self.slots.clone().try_acquire_owned() else {
                // Not sent now: due again when its claim runs out.
                self.finished(webhook);
                continue;
            };
            let deliverer = self.clone();
            tokio::spawn(async move {
                deliverer.attempt(claimed).await;
                deliverer.finished(webhook);
                drop(slot);
            });
        }
        Ok(match (to_queue, more_due) {
            (true, _) => Left::ToQueue,
            (false, true) => Left::ToSend,
            (false, false) => Left::Nothing,
        })
    }

    /// Counts an attempt of `webhook` as ended.
    fn finished(&self, webhook: Uuid) {
        {
            let mut sending = self.sending.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(count) = sending.get_mut(&webhook) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    sending.remove(&webhook);
                }
            }
        }
        self.ended.notify_one();
    }

    /// Makes the changes after a webhook's position, up to `newest`, into
    /// its deliveries; how many changes it read.
    async fn queue(&self, id: Uuid, newest: i64) -> Result<u64, ApiError> {
        let behind = webhook_state::Entity::find_by_id(id)
            .one(self.db.read())
            .await?
            .is_some_and(|state| state.position < newest);
        if !behind {
            return Ok(0);
        }
        let txn = self.db.begin().await?;
        // The webhook's row first, as a change or a deletion of it locks it
        // (then its state): another replica queueing for it, or an admin
        // changing it, is left to finish.
        let mut hook = webhook::Entity::find_by_id(id);
        if self.db.backend() == sea_orm::DatabaseBackend::Postgres {
            hook = hook.lock_with_behavior(LockType::NoKeyUpdate, LockBehavior::SkipLocked);
        }
        let Some(hook) = hook.one(&txn).await? else {
            txn.rollback().await?;
            return Ok(0);
        };
        let Some(state) = webhook_state::Entity::find_by_id(id).lock_exclusive().one(&txn).await? else {
            txn.rollback().await?;
            return Ok(0);
        };
        if !hook.active.get() || state.position >= newest {
            txn.rollback().await?;
            return Ok(0);
        }
        let changes = change::Entity::find()
            .filter(change::Column::Position.gt(state.position))
            .filter(change::Column::Position.lte(newest))
            .order_by_asc(change::Column::Position)
            .limit(QUEUE_BATCH)
            .all(&txn)
            .await?;
        let read = changes.len() as u64;
        let reached = match changes.last() {
            Some(last) if read == QUEUE_BATCH => last.position,
            _ => newest,
        };
        let at = now();
        let rows: Vec<webhook_delivery::ActiveModel> = changes
            .into_iter()
            .filter(|c| takes(&hook.events, c.resource_type, c.action))
            .map(|c| {
                webhook_delivery::ActiveModel::from(webhook_delivery::Model {
                    id: Uuid::now_v7(),
                    webhook_id: id,
                    position: c.position,
                    change_at: c.at,
                    resource_type: c.resource_type,
                    resource_id: c.resource_id,
                    action: c.action,
                    version: c.version,
                    status: DeliveryStatus::Pending,
                    attempts: 0,
                    last_status_code: None,
                    last_error: None,
                    last_attempt_at: None,
                    next_attempt_at: Some(at),
                    created_at: at,
                })
                .reset_all()
            })
            .collect();
        let mut inserts = super::inserts::Inserts::new();
        inserts.add(rows);
        inserts.execute(&txn).await?;
        webhook_state::Entity::update_many()
            .col_expr(webhook_state::Column::Position, Expr::value(reached))
            .filter(webhook_state::Column::WebhookId.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(read)
    }

    /// Claims up to `free` deliveries that are due (of active webhooks, at
    /// most [`SENDING_PER_WEBHOOK`] of one webhook under way here), each for
    /// one attempt by this replica; and whether more may be due than it
    /// claimed (a limit was reached).
    async fn claim(&self, free: usize) -> Result<(Vec<Claimed>, bool), ApiError> {
        let at = now();
        let due = || {
            webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
                .filter(webhook_delivery::Column::NextAttemptAt.lte(at))
                .filter(webhook_delivery::Column::WebhookId.in_subquery(webhooks_that_are(true)))
        };
        // The webhooks with deliveries due, read without a write transaction.
        let hooks: Vec<Uuid> = due()
            .select_only()
            .column(webhook_delivery::Column::WebhookId)
            .distinct()
            .into_tuple()
            .all(self.db.read())
            .await?;
        let with_due = hooks.len();
        let room: Vec<(Uuid, usize)> = {
            let sending = self.sending.lock().unwrap_or_else(|e| e.into_inner());
            hooks
                .into_iter()
                .map(|id| (id, SENDING_PER_WEBHOOK.saturating_sub(*sending.get(&id).unwrap_or(&0))))
                .filter(|(_, room)| *room > 0)
                .collect()
        };
        // Webhooks with deliveries due but no room here: more is due.
        let mut more_due = room.len() < with_due;
        if room.is_empty() || free == 0 {
            return Ok((Vec::new(), with_due > 0));
        }
        let txn = self.db.begin().await?;
        let mut rows = Vec::new();
        for (id, room) in room {
            let left = free.saturating_sub(rows.len());
            if left == 0 {
                more_due = true;
                break;
            }
            let limit = room.min(left);
            let mut candidates = due()
                .filter(webhook_delivery::Column::WebhookId.eq(id))
                .order_by_asc(webhook_delivery::Column::NextAttemptAt)
                .limit(limit as u64);
            if self.db.backend() == sea_orm::DatabaseBackend::Postgres {
                candidates = candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
            }
            let found = candidates.all(&txn).await?;
            more_due |= found.len() == limit;
            rows.extend(found);
        }
        if rows.is_empty() {
            txn.rollback().await?;
            return Ok((Vec::new(), more_due));
        }
        let lease = at + chrono::Duration::from_std(self.settings.timeout * 3).unwrap_or(chrono::Duration::seconds(30));
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::col(webhook_delivery::Column::Attempts).add(1),
            )
            .col_expr(webhook_delivery::Column::LastAttemptAt, Expr::value(at))
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(lease))
            .filter(webhook_delivery::Column::Id.is_in(ids))
            .exec(&txn)
            .await?;
        let hook_ids: Vec<Uuid> = rows.iter().map(|r| r.webhook_id).collect();
        let hooks = webhook::Entity::find()
            .filter(webhook::Column::Id.is_in(hook_ids.clone()))
            .all(&txn)
            .await?;
        let states = webhook_state::Entity::find()
            .filter(webhook_state::Column::WebhookId.is_in(hook_ids))
            .all(&txn)
            .await?;
        txn.commit().await?;
        let mut sending = self.sending.lock().unwrap_or_else(|e| e.into_inner());
        let claimed = rows
            .into_iter()
            .filter_map(|mut row| {
                let hook = hooks.iter().find(|h| h.id == row.webhook_id)?;
                let state = states.iter().find(|s| s.webhook_id == row.webhook_id)?;
                row.attempts += 1;
                row.last_attempt_at = Some(at);
                *sending.entry(row.webhook_id).or_insert(0) += 1;
                Some(Claimed {
                    url: hook.url.as_str().to_string(),
                    secrets: signing_secrets(state, at),
                    row,
                })
            })
            .collect();
        Ok((claimed, more_due))
    }

    /// Sends one claimed delivery and records how it went.
    async fn attempt(&self, claimed: Claimed) {
        let outcome = self.send(&claimed).await;
        if let Err(e) = self.record(&claimed.row, outcome).await {
            tracing::warn!(error = %e, delivery = %claimed.row.id, "recording a webhook delivery failed");
        }
    }

    async fn send(&self, claimed: &Claimed) -> Outcome {
        let body = match serde_json::to_vec(&DeliveryBody::new(claimed.row.id, change_of(&claimed.row))) {
            Ok(body) => body,
            Err(e) => return Outcome::Failed(format!("the body could not be written: {e}")),
        };
        if let Err(why) = self.check_literal(&claimed.url) {
            return Outcome::Failed(why);
        }
        let t = Utc::now().timestamp();
        let request = self
            .client
            .post(&claimed.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Chanjiao-Event-Id", claimed.row.id.to_string())
            .header("Chanjiao-Signature", signature(&claimed.secrets, t, &body))
            .body(body);
        match request.send().await {
            Ok(response) => Outcome::Answered(response.status().as_u16()),
            Err(e) => Outcome::Failed(describe(e, self.settings.timeout)),
        }
    }

    /// Refuses a URL whose host is a literal address webhooks may not reach
    /// (a name is checked by the resolver, where it is resolved).
    fn check_literal(&self, url: &str) -> Result<(), String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        match self.settings.allow.refuses_url(&parsed) {
            Some(why) => Err(format!("refused: {why}")),
            None => Ok(()),
        }
    }

    /// Records an attempt's outcome, unless the delivery was claimed again
    /// since (its lease ran out): delivered on a 2xx; otherwise due again
    /// after the backoff, or failed once 24 hours have passed.
    async fn record(&self, row: &webhook_delivery::Model, outcome: Outcome) -> Result<(), ApiError> {
        let at = now();
        let (status_code, error) = match &outcome {
            Outcome::Answered(code) => (Some(i32::from(*code)), None),
            Outcome::Failed(why) => (None, Some(why.chars().take(MAX_ERROR_CHARS).collect::<String>())),
        };
        let delivered = matches!(outcome, Outcome::Answered(code) if (200..300).contains(&code));
        let (status, next) = if delivered {
            (DeliveryStatus::Delivered, None)
        } else {
            let next =
                at + chrono::Duration::from_std(self.backoff(row.attempts)).unwrap_or(chrono::Duration::hours(1));
            let give_up = row.created_at
                + chrono::Duration::from_std(self.settings.retry_for).unwrap_or(chrono::Duration::hours(24));
            if next > give_up {
                (DeliveryStatus::Failed, None)
            } else {
                (DeliveryStatus::Pending, Some(next))
            }
        };
        match (&outcome, status) {
            (_, DeliveryStatus::Delivered) => {}
            (_, DeliveryStatus::Failed) => {
                tracing::warn!(delivery = %row.id, attempts = row.attempts, "a webhook delivery failed for good")
            }
            (Outcome::Answered(code), _) => {
                tracing::info!(delivery = %row.id, status = code, "a webhook delivery was refused; it is tried again")
            }
            (Outcome::Failed(why), _) => {
                tracing::info!(delivery = %row.id, error = %why, "a webhook delivery failed; it is tried again")
            }
        }
        let txn = self.db.begin().await?;
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(webhook_delivery::Column::LastStatusCode, Expr::value(status_code))
            .col_expr(webhook_delivery::Column::LastError, Expr::value(error))
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
            .filter(webhook_delivery::Column::Id.eq(row.id))
            .filter(webhook_delivery::Column::Attempts.eq(row.attempts))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The wait after attempt `attempts`: the first retry's wait, doubled
    /// for each attempt since, at most the longest wait.
    fn backoff(&self, attempts: i32) -> StdDuration {
        let doublings = Ord::min(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0), 30);
        Ord::min(
            self.settings.first_retry.saturating_mul(1u32 << doublings),
            self.settings.longest_retry,
        )
    }

    /// Marks failed the deliveries of inactive webhooks that were queued
    /// more than 24 hours ago (those of active ones fail when retried).
    async fn expire_inactive(&self) -> Result<(), ApiError> {
        let cutoff: DateTime<Utc> =
            now() - chrono::Duration::from_std(self.settings.retry_for).unwrap_or(chrono::Duration::hours(24));
        let stale = || {
            Condition::all()
                .add(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
                .add(webhook_delivery::Column::CreatedAt.lt(cutoff))
                .add(webhook_delivery::Column::WebhookId.in_subquery(webhooks_that_are(false)))
        };
        if webhook_delivery::Entity::find()
            .filter(stale())
            .one(self.db.read())
            .await?
            .is_none()
        {
            return Ok(());
        }
        let txn = self.db.begin().await?;
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(DeliveryStatus::Failed))
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value("not delivered within 24 hours: the webhook is inactive"),
            )
            .col_expr(
                webhook_delivery::Column::NextAttemptAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(stale())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The ids of the webhooks that are active (`true`) or not.
fn webhooks_that_are(active: bool) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(webhook::Column::Id)
        .from(webhook::Entity)
        .and_where(webhook::Column::Active.eq(active))
        .to_owned()
}

/// The secrets a delivery is signed with at `at`: the current one, and the
/// previous one while it still signs.
fn signing_secrets(state: &webhook_state::Model, at: DateTime<Utc>) -> Vec<String> {
    let mut secrets = vec![state.secret.clone()];
    if let (Some(previous), Some(until)) = (&state.previous_secret, state.previous_secret_expires_at) {
        if at < until {
            secrets.push(previous.clone());
        }
    }
    secrets
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, one `v1=` per secret.
pub fn signature(secrets: &[String], t: i64, body: &[u8]) -> String {
    let mut header = format!("t={t}");
    for secret in secrets {
        // HMAC takes a key of any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            continue;
        };
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac.finalize().into_bytes()));
    }
    header
}

/// A resolution refused because of the addresses it gave.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

/// An attempt's error in a sentence: a refused address, a timeout, a
/// connection that failed (with its cause), or what else it was.
fn describe(err: reqwest::Error, timeout: StdDuration) -> String {
    // The URL may carry something secret in its path or query: left out.
    let err = err.without_url();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    let mut innermost = err.to_string();
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return refused.0.clone();
        }
        innermost = e.to_string();
        source = e.source();
    }
    if err.is_timeout() {
        format!("no answer within {} s", timeout.as_secs_f64())
    } else if err.is_connect() {
        format!("could not connect: {innermost}")
    } else {
        format!("the request failed: {innermost}")
    }
}

/// Resolves names for the HTTP client and refuses a name any of whose
/// addresses webhooks may not reach, unless the name itself is allowed.
struct GuardedResolver {
    allow: AllowList,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(why) = addrs.iter().find_map(|a| allow.refuses_resolved(&host, a.ip())) {
                return Err(Box::new(Refused(format!("refused: {why}"))) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_the_hmac_of_the_time_and_body_with_each_secret() {
        // The value any HMAC-SHA256 library gives for key "whsec_test" and message "1700000000.{}".
        let header = signature(&["whsec_test".to_string()], 1_700_000_000, b"{}");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_test").unwrap();
        mac.update(b"1700000000.{}");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
        let two = signature(&["a".into(), "b".into()], 1, b"x");
        assert_eq!(two.matches(",v1=").count(), 2);
    }
}
