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
//!   dies, it is due again then.
//! - **Sending.** `POST <url>` with the change as JSON, `Chanjiao-Event-Id`
//!   and `Chanjiao-Signature` (HMAC-SHA256 of `"<t>.<body>"`), a 10 s
//!   timeout, no redirects followed, and names resolved by
//!   [`GuardedResolver`], which refuses addresses webhooks may not reach
//!   (the connection goes to the addresses it vetted, so a name cannot
//!   resolve to another address between the check and the connection).
//! - **Recording.** A 2xx marks it delivered; anything else schedules the
//!   next attempt after 1 min, 2, 4… (at most an hour apart), until 24 hours
//!   after it was queued, when it is marked failed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use hmac::{Hmac, Mac};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sha2::Sha256;
use uuid::Uuid;

use super::changes::newest_position;
use super::webhooks::{change_of, is_postgres, signing_secrets};
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
const SEND_BATCH: u64 = 16;

/// How often deliveries of inactive webhooks are checked for expiry.
const SWEEP_EVERY: StdDuration = StdDuration::from_secs(60);

/// The longest `last_error` kept.
const MAX_ERROR_CHARS: usize = 500;

/// Starts the deliverer of this replica; it stops when `running` is
/// cleared (at shutdown, after the round under way) or the last clone of
/// the database is dropped.
pub fn spawn(db: &Database, running: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    let in_use = db.in_use();
    let db = db.detached();
    tokio::spawn(async move {
        let deliverer = match Deliverer::new(db) {
            Ok(deliverer) => deliverer,
            Err(e) => {
                tracing::error!(error = %e, "webhooks cannot be delivered: no HTTP client");
                return;
            }
        };
        let mut swept = tokio::time::Instant::now();
        loop {
            if in_use.strong_count() == 0 || !running.load(Ordering::SeqCst) {
                break;
            }
            let busy = match deliverer.tick().await {
                Ok(busy) => busy,
                Err(e) => {
                    tracing::warn!(error = %e, "delivering webhooks failed; trying again");
                    false
                }
            };
            if swept.elapsed() >= SWEEP_EVERY {
                swept = tokio::time::Instant::now();
                if let Err(e) = deliverer.expire_inactive().await {
                    tracing::warn!(error = %e, "expiring the deliveries of inactive webhooks failed");
                }
            }
            if !busy {
                tokio::time::sleep(deliverer.settings.poll).await;
            }
        }
    })
}

/// One replica's deliverer: the database, its settings and an HTTP client.
struct Deliverer {
    db: Database,
    settings: WebhookSettings,
    client: reqwest::Client,
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
    fn new(db: Database) -> Result<Self, reqwest::Error> {
        let settings = db.webhooks().clone();
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver {
                allow: settings.allow.clone(),
            }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(settings.timeout)
            .user_agent(concat!("chanjiao-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Deliverer { db, settings, client })
    }

    /// Queues new changes and sends what is due; whether there was more
    /// work than one round takes (then the next round starts at once).
    async fn tick(&self) -> Result<bool, ApiError> {
        let mut busy = false;
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
                busy |= self.queue(id, newest).await? >= QUEUE_BATCH;
            }
        }
        let claimed = self.claim().await?;
        busy |= claimed.len() as u64 >= SEND_BATCH;
        join_all(claimed.into_iter().map(|claimed| self.attempt(claimed))).await;
        Ok(busy)
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
        let mut state = webhook_state::Entity::find_by_id(id);
        if is_postgres(&txn) {
            // Another replica queueing for this webhook: leave it to that one.
            state = state.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let (Some(state), Some(hook)) = (state.one(&txn).await?, webhook::Entity::find_by_id(id).one(&txn).await?)
        else {
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

    /// Claims the deliveries that are due (of active webhooks), each for one
    /// attempt by this replica.
    async fn claim(&self) -> Result<Vec<Claimed>, ApiError> {
        let at = now();
        let due = || {
            webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
                .filter(webhook_delivery::Column::NextAttemptAt.lte(at))
        };
        let any_due = due()
            .select_only()
            .column(webhook_delivery::Column::Id)
            .into_tuple::<Uuid>()
            .one(self.db.read())
            .await?
            .is_some();
        if !any_due {
            return Ok(Vec::new());
        }
        let txn = self.db.begin().await?;
        let mut candidates = due()
            .filter(
                webhook_delivery::Column::WebhookId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(webhook::Column::Id)
                        .from(webhook::Entity)
                        .and_where(webhook::Column::Active.eq(true))
                        .to_owned(),
                ),
            )
            .order_by_asc(webhook_delivery::Column::NextAttemptAt)
            .limit(SEND_BATCH);
        if is_postgres(&txn) {
            candidates = candidates.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = candidates.all(&txn).await?;
        if rows.is_empty() {
            txn.rollback().await?;
            return Ok(Vec::new());
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
        Ok(rows
            .into_iter()
            .filter_map(|mut row| {
                let hook = hooks.iter().find(|h| h.id == row.webhook_id)?;
                let state = states.iter().find(|s| s.webhook_id == row.webhook_id)?;
                row.attempts += 1;
                row.last_attempt_at = Some(at);
                Some(Claimed {
                    url: hook.url.as_str().to_string(),
                    secrets: signing_secrets(state, at),
                    row,
                })
            })
            .collect())
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
            Err(e) => Outcome::Failed(describe(&e, self.settings.timeout)),
        }
    }

    /// Refuses a URL whose host is a literal address webhooks may not reach
    /// (a name is checked by the resolver, where it is resolved).
    fn check_literal(&self, url: &str) -> Result<(), String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        let ip: Option<std::net::IpAddr> = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(ip.into()),
            Some(url::Host::Ipv6(ip)) => Some(ip.into()),
            _ => None,
        };
        match ip.and_then(|ip| self.settings.allow.refuses(ip).map(|kind| (ip, kind))) {
            Some((ip, kind)) => Err(refusal(&ip.to_string(), ip, kind)),
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
        let inactive = sea_orm::sea_query::Query::select()
            .column(webhook::Column::Id)
            .from(webhook::Entity)
            .and_where(webhook::Column::Active.eq(false))
            .to_owned();
        let stale = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
            .filter(webhook_delivery::Column::CreatedAt.lt(cutoff))
            .filter(webhook_delivery::Column::WebhookId.in_subquery(inactive.clone()));
        if stale.clone().one(self.db.read()).await?.is_none() {
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
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
            .filter(webhook_delivery::Column::CreatedAt.lt(cutoff))
            .filter(webhook_delivery::Column::WebhookId.in_subquery(inactive))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
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

/// Why a delivery to `host` at `ip` was refused.
fn refusal(host: &str, ip: std::net::IpAddr, kind: &str) -> String {
    if host == ip.to_string() {
        format!(
            "refused: {ip} is {kind}; webhooks reach public addresses only (CHANJIAO_WEBHOOK_ALLOW lists exceptions)"
        )
    } else {
        format!(
            "refused: {host} resolves to {ip}, {kind}; webhooks reach public addresses only (CHANJIAO_WEBHOOK_ALLOW lists exceptions)"
        )
    }
}

/// A resolution refused because of the addresses it gave.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

/// An attempt's error in a sentence: a refused address, a timeout, a
/// connection that failed (with its cause), or what else it was.
fn describe(err: &reqwest::Error, timeout: StdDuration) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
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
            if !allow.allows_host(&host) {
                if let Some((ip, kind)) = addrs
                    .iter()
                    .find_map(|a| allow.refuses(a.ip()).map(|kind| (a.ip(), kind)))
                {
                    return Err(Box::new(Refused(refusal(&host, ip, kind))) as Box<dyn std::error::Error + Send + Sync>);
                }
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
