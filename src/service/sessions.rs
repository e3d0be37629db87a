//! Logins and their tokens: the token endpoint's grants, refresh token
//! rotation with reuse detection, revocation, and login throttling.

use super::Database;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::audit::{self, Event};
use super::now;
use super::users::find_by_username;
use crate::auth::tokens::{random_secret, token_hash, TokenKeys};
use crate::auth::{password, Actor};
use crate::domain::vocab::{Action, Outcome, ResourceType};
use crate::entity::{login_failure, refresh_token, user};
use crate::error::ApiError;
use crate::model::auth::TokenResponse;
use crate::model::field::TextRule;

/// The sliding window of login throttling.
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Failed logins for one username within the window before logins for it are refused.
pub const MAX_FAILURES_PER_USERNAME: u64 = 5;
/// Failed logins from one client address within the window before logins from it are refused.
pub const MAX_FAILURES_PER_ADDRESS: u64 = 200;

fn token_response(ctx: &TokenContext<'_>, access_token: String, refresh_token: Option<String>) -> TokenResponse {
    TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ctx.keys.access_ttl(),
        refresh_token,
    }
}

/// What the token endpoint needs besides the request.
pub struct TokenContext<'a> {
    /// The database.
    pub db: &'a Database,
    /// The signing keys.
    pub keys: &'a TokenKeys,
    /// Refresh token lifetime in seconds.
    pub refresh_ttl: i64,
    /// The client address.
    pub ip: &'a str,
}

fn actor_of(user: &user::Model, ip: &str) -> Actor {
    Actor {
        user_id: Some(user.id),
        username: Some(user.username.as_str().to_string()),
        ip: ip.to_string(),
    }
}

fn token_event(action: Action, outcome: Outcome, user_id: Option<Uuid>) -> Event {
    Event::new(action, ResourceType::Token, user_id.map(|id| id.to_string()), outcome)
}

/// The seconds until the `limit`-th most recent failure (by `column`) leaves
/// the window, if there are that many in it.
async fn blocked_for(
    db: &impl ConnectionTrait,
    column: login_failure::Column,
    value: &str,
    limit: u64,
) -> Result<Option<u64>, ApiError> {
    let at = now();
    let window_start = at - Duration::seconds(THROTTLE_WINDOW_SECONDS);
    let nth: Option<DateTime<Utc>> = login_failure::Entity::find()
        .select_only()
        .column(login_failure::Column::At)
        .filter(column.eq(value))
        .filter(login_failure::Column::At.gte(window_start))
        .order_by_desc(login_failure::Column::At)
        .offset(limit - 1)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(nth.map(|oldest| {
        let leaves = oldest + Duration::seconds(THROTTLE_WINDOW_SECONDS);
        let millis = (leaves - at).num_milliseconds().max(0) as u64;
        millis.div_ceil(1000).max(1)
    }))
}

/// Refuses a login (429) while its username or client address has too many
/// recent failures.
async fn check_throttle(db: &impl ConnectionTrait, username: &str, ip: &str) -> Result<(), ApiError> {
    let by_name = blocked_for(db, login_failure::Column::Username, username, MAX_FAILURES_PER_USERNAME).await?;
    let by_ip = blocked_for(db, login_failure::Column::Ip, ip, MAX_FAILURES_PER_ADDRESS).await?;
    match by_name.into_iter().chain(by_ip).max() {
        Some(retry_after) => Err(ApiError::TooManyRequests { retry_after }),
        None => Ok(()),
    }
}

/// Records a failed login: a throttling row and a `login_failed` audit row
/// with the username tried (and the user's id when it exists).
async fn record_failure(ctx: &TokenContext<'_>, username: &str, user: Option<&user::Model>) -> Result<(), ApiError> {
    let txn = ctx.db.begin().await?;
    let at = now();
    // Rows that left the window are no longer needed.
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .filter(login_failure::Column::At.lt(at - Duration::seconds(THROTTLE_WINDOW_SECONDS)))
        .exec(&txn)
        .await?;
    super::insert_only(
        &txn,
        login_failure::ActiveModel::from(login_failure::Model {
            id: Uuid::now_v7(),
            username: username.to_string(),
            ip: ctx.ip.to_string(),
            at,
        })
        .reset_all(),
    )
    .await?;
    let actor = Actor {
        user_id: user.map(|u| u.id),
        username: Some(username.to_string()),
        ip: ctx.ip.to_string(),
    };
    audit::record(
        &txn,
        &actor,
        token_event(Action::LoginFailed, Outcome::Failure, user.map(|u| u.id)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Checks a username and password (or a service user's client id and
/// secret), with throttling; a wrong one is recorded as a failure.
async fn check_credentials(
    ctx: &TokenContext<'_>,
    username: &str,
    secret: &str,
    error: &'static str,
) -> Result<user::Model, ApiError> {
    check_throttle(ctx.db.read(), username, ctx.ip).await?;
    let found = find_by_username(ctx.db.read(), username).await?;
    let hash = match &found {
        Some(user) => user.password_hash.clone(),
        None => password::dummy_hash().await,
    };
    let matches = password::verify(secret.to_string(), hash).await;
    match found {
        Some(user) if matches => Ok(user),
        other => {
            record_failure(ctx, username, other.as_ref()).await?;
            Err(ApiError::oauth(error, "the credentials are wrong"))
        }
    }
}

async fn refused_grant(ctx: &TokenContext<'_>, user: &user::Model, error: &'static str, detail: &str) -> ApiError {
    let actor = actor_of(user, ctx.ip);
    if let Err(err) = audit::record(
        ctx.db.write(),
        &actor,
        token_event(Action::LoginFailed, Outcome::Failure, Some(user.id)),
    )
    .await
    {
        tracing::error!(error = %err, "cannot record a refused login");
    }
    ApiError::oauth(error, detail)
}

fn access_token(ctx: &TokenContext<'_>, user: &user::Model) -> Result<String, ApiError> {
    ctx.keys
        .issue(user.id, user.role.as_str(), user.enterprise_id.or(user.school_id))
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("signing a token")))
}

async fn new_refresh_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    login_id: Uuid,
    ttl: i64,
) -> Result<String, ApiError> {
    let token = random_secret();
    let at = now();
    super::insert_only(
        db,
        refresh_token::ActiveModel::from(refresh_token::Model {
            id: Uuid::now_v7(),
            user_id,
            login_id,
            token_hash: token_hash(&token),
            expires_at: at + Duration::seconds(ttl),
            rotated_at: None,
            revoked_at: None,
            created_at: at,
        })
        .reset_all(),
    )
    .await?;
    Ok(token)
}

/// `grant_type=password`: a person's username and password.
pub async fn password_grant(ctx: &TokenContext<'_>, username: &str, secret: &str) -> Result<TokenResponse, ApiError> {
    let user = check_credentials(ctx, username, secret, "invalid_grant").await?;
    if user.service {
        return Err(refused_grant(
            ctx,
            &user,
            "unauthorized_client",
            "service accounts use client_credentials",
        )
        .await);
    }
    if user.disabled {
        return Err(refused_grant(ctx, &user, "invalid_grant", "the account is disabled").await);
    }
    let access = access_token(ctx, &user)?;
    let txn = ctx.db.begin().await?;
    let refresh = new_refresh_token(&txn, user.id, Uuid::now_v7(), ctx.refresh_ttl).await?;
    audit::record(
        &txn,
        &actor_of(&user, ctx.ip),
        token_event(Action::Login, Outcome::Success, Some(user.id)),
    )
    .await?;
    txn.commit().await?;
    Ok(token_response(ctx, access, Some(refresh)))
}

/// `grant_type=client_credentials`: a service user's username and password.
pub async fn client_credentials_grant(
    ctx: &TokenContext<'_>,
    client_id: &str,
    secret: &str,
) -> Result<TokenResponse, ApiError> {
    let user = check_credentials(ctx, client_id, secret, "invalid_client").await?;
    if !user.service {
        return Err(refused_grant(
            ctx,
            &user,
            "unauthorized_client",
            "people log in with the password grant",
        )
        .await);
    }
    if user.disabled {
        return Err(refused_grant(ctx, &user, "invalid_client", "the account is disabled").await);
    }
    let access = access_token(ctx, &user)?;
    audit::record(
        ctx.db.write(),
        &actor_of(&user, ctx.ip),
        token_event(Action::Login, Outcome::Success, Some(user.id)),
    )
    .await?;
    Ok(token_response(ctx, access, None))
}

/// `grant_type=refresh_token`: exchanges a refresh token for a new pair. A
/// token that was already exchanged revokes its whole login.
pub async fn refresh_grant(ctx: &TokenContext<'_>, token: &str) -> Result<TokenResponse, ApiError> {
    let invalid = || ApiError::oauth("invalid_grant", "the refresh token is invalid, expired or revoked");
    let txn = ctx.db.begin().await?;
    let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
        .one(&txn)
        .await?
    else {
        return Err(invalid());
    };
    let user = user::Entity::find_by_id(stored.user_id)
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    let at = now();
    if stored.revoked_at.is_some() || stored.expires_at <= at || user.disabled {
        return Err(invalid());
    }
    // Mark it used; only one exchange can win a race.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(at))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        // Reuse of a rotated token: someone else may hold it. End the login.
        revoke_login(&txn, stored.login_id).await?;
        audit::record(
            &txn,
            &actor_of(&user, ctx.ip),
            token_event(Action::Refresh, Outcome::Failure, Some(user.id)),
        )
        .await?;
        txn.commit().await?;
        return Err(ApiError::oauth(
            "invalid_grant",
            "the refresh token was already used; the login is revoked",
        ));
    }
    let refresh = new_refresh_token(&txn, user.id, stored.login_id, ctx.refresh_ttl).await?;
    audit::record(
        &txn,
        &actor_of(&user, ctx.ip),
        token_event(Action::Refresh, Outcome::Success, Some(user.id)),
    )
    .await?;
    let access = access_token(ctx, &user)?;
    txn.commit().await?;
    Ok(token_response(ctx, access, Some(refresh)))
}

async fn revoke_login(db: &impl ConnectionTrait, login_id: Uuid) -> Result<(), ApiError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::LoginId.eq(login_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every refresh token of a user (password change, disabling).
pub async fn revoke_all_for_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), ApiError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// RFC 7009 revocation: a refresh token ends its login; anything else is
/// ignored (the answer is the same either way).
pub async fn revoke(db: &Database, token: &str, ip: &str) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
        .one(&txn)
        .await?;
    if let Some(stored) = stored {
        revoke_login(&txn, stored.login_id).await?;
        let user = user::Entity::find_by_id(stored.user_id).one(&txn).await?;
        let actor = Actor {
            user_id: Some(stored.user_id),
            username: user.map(|u| u.username.into()),
            ip: ip.to_string(),
        };
        audit::record(
            &txn,
            &actor,
            token_event(Action::Revoke, Outcome::Success, Some(stored.user_id)),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
