//! `Idempotency-Key`: the first answer to each caller's key, kept in the
//! database for 24 hours so that every replica answers a retry the same.
//! A key is claimed with one insert (only one request can win it); the
//! answer is stored once it is complete.

use chrono::Duration;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};

use super::{now, Database};
use crate::entity::idempotency_key;
use crate::error::ApiError;

/// How long a key's answer is kept.
pub const KEPT_HOURS: i64 = 24;

/// A claim still without an answer after this long belongs to a request
/// that will never finish (its replica stopped): a retry may run again.
pub const ABANDONED_AFTER_SECONDS: i64 = 120;

/// A stored answer.
#[derive(Debug, Clone)]
pub struct StoredAnswer {
    /// The status.
    pub status: u16,
    /// The headers, by lower-case name.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// What a request with a key may do.
#[derive(Debug)]
pub enum Claim {
    /// It is the first with this key (or the earlier one's answer expired): run it.
    Run,
    /// The same request was answered before: answer that again.
    Replay(StoredAnswer),
    /// The first request with this key is still running.
    Running,
    /// The key came before with another request.
    OtherRequest,
}

/// Claims `key` for `caller`'s request with this hash.
pub async fn claim(db: &Database, caller: &str, key: &str, request_hash: &str) -> Result<Claim, ApiError> {
    use idempotency_key::Column;
    let at = now();
    let fresh = idempotency_key::ActiveModel::from(idempotency_key::Model {
        caller: caller.to_string(),
        key: key.to_string(),
        request_hash: request_hash.to_string(),
        status: None,
        headers: None,
        body: None,
        created_at: at,
    })
    .reset_all();
    let inserted = idempotency_key::Entity::insert(fresh)
        .on_conflict(
            OnConflict::columns([Column::Caller, Column::Key])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db.write())
        .await?;
    if inserted == 1 {
        return Ok(Claim::Run);
    }
    let Some(stored) = idempotency_key::Entity::find_by_id((caller.to_string(), key.to_string()))
        .one(db.write())
        .await?
    else {
        // Removed in between (a failed first request): the retry runs.
        return Box::pin(claim(db, caller, key, request_hash)).await;
    };
    let expired = stored.created_at < at - Duration::hours(KEPT_HOURS);
    let abandoned = stored.status.is_none() && stored.created_at < at - Duration::seconds(ABANDONED_AFTER_SECONDS);
    if expired || abandoned {
        // Take it over, unless another retry just did (the condition is checked again as it is written).
        let still_stale = sea_orm::Condition::any()
            .add(Column::CreatedAt.lt(at - Duration::hours(KEPT_HOURS)))
            .add(
                sea_orm::Condition::all()
                    .add(Column::Status.is_null())
                    .add(Column::CreatedAt.lt(at - Duration::seconds(ABANDONED_AFTER_SECONDS))),
            );
        let taken = idempotency_key::Entity::update_many()
            .col_expr(Column::RequestHash, Expr::value(request_hash))
            .col_expr(Column::Status, Expr::value(Option::<i32>::None))
            .col_expr(Column::Headers, Expr::value(Option::<serde_json::Value>::None))
            .col_expr(Column::Body, Expr::value(Option::<Vec<u8>>::None))
            .col_expr(Column::CreatedAt, Expr::value(at))
            .filter(Column::Caller.eq(caller))
            .filter(Column::Key.eq(key))
            .filter(still_stale)
            .exec(db.write())
            .await?;
        return Ok(if taken.rows_affected == 1 {
            Claim::Run
        } else {
            Claim::Running
        });
    }
    if stored.request_hash != request_hash {
        return Ok(Claim::OtherRequest);
    }
    let Some(status) = stored.status else {
        return Ok(Claim::Running);
    };
    let headers = stored
        .headers
        .and_then(|h| serde_json::from_value::<Vec<(String, String)>>(h).ok())
        .unwrap_or_default();
    Ok(Claim::Replay(StoredAnswer {
        status: u16::try_from(status).unwrap_or(500),
        headers,
        body: stored.body.unwrap_or_default(),
    }))
}

/// Stores the answer of the request that claimed `key`.
pub async fn complete(db: &Database, caller: &str, key: &str, answer: &StoredAnswer) -> Result<(), ApiError> {
    use idempotency_key::Column;
    let headers = serde_json::to_value(&answer.headers).map_err(|e| ApiError::Internal(e.into()))?;
    idempotency_key::Entity::update_many()
        .col_expr(Column::Status, Expr::value(i32::from(answer.status)))
        .col_expr(Column::Headers, Expr::value(headers))
        .col_expr(Column::Body, Expr::value(answer.body.clone()))
        .filter(Column::Caller.eq(caller))
        .filter(Column::Key.eq(key))
        .exec(db.write())
        .await?;
    Ok(())
}

/// Gives a claimed key up (its request was not answered in a way worth
/// repeating: a fault, a timeout, a refusal to try later), so that a retry runs.
pub async fn release(db: &Database, caller: &str, key: &str) -> Result<(), ApiError> {
    use idempotency_key::Column;
    idempotency_key::Entity::delete_many()
        .filter(Column::Caller.eq(caller))
        .filter(Column::Key.eq(key))
        .filter(Column::Status.is_null())
        .exec(db.write())
        .await?;
    Ok(())
}

/// Removes the keys older than 24 hours (on the writer `db`); how many.
pub async fn clean_up(db: &impl sea_orm::ConnectionTrait) -> Result<u64, ApiError> {
    let removed = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(now() - Duration::hours(KEPT_HOURS)))
        .exec(db)
        .await?;
    Ok(removed.rows_affected)
}
