//! Logins and their tokens: the token endpoint's grants, refresh token
//! rotation with reuse detection, revocation, and login throttling.

use super::Database;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
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
/// Failed logins for one username from one client address within the
/// window before logins for it from there are refused.
pub const MAX_FAILURES_PER_USERNAME_AND_ADDRESS: u64 = 5;
/// Failed logins for one username from all addresses within the window
/// before every login for it is refused.
pub const MAX_FAILURES_PER_USERNAME: u64 = 100;
/// Failed logins from one client address within the window before logins from it are refused.
pub const MAX_FAILURES_PER_ADDRESS: u64 = 200;
/// The longest username or client id a login may name; a longer one is a
/// failed login without a look-up or a hash.
pub const MAX_LOGIN_NAME_CHARS: usize = 64;

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

/// The seconds until the `limit`-th most recent failure matching
/// `condition` leaves the window, if there are that many in it.
async fn blocked_for(
    db: &impl ConnectionTrait,
    condition: Condition,
    limit: u64,
    at: DateTime<Utc>,
) -> Result<Option<u64>, ApiError> {
    let window_start = at - Duration::seconds(THROTTLE_WINDOW_SECONDS);
    let nth: Option<DateTime<Utc>> = login_failure::Entity::find()
        .select_only()
        .column(login_failure::Column::At)
        .filter(condition)
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

/// Counts a login attempt as a failure before its password is checked, in
/// one transaction with the check of the limits, so that logins sent at
/// once are counted one after another (40 wrong passwords at once are at
/// most 5 checks). `username` is `None` when the attempt counts toward the
/// client address only. Answers 429 (and counts nothing) past a limit;
/// otherwise the id of the failure row, removed again if the login
/// succeeds.
async fn reserve_attempt(ctx: &TokenContext<'_>, username: Option<&str>) -> Result<Uuid, ApiError> {
    use login_failure::Column;
    let txn = ctx.db.begin().await?;
    // Every replica's logins for this username or from this address count one after another.
    let address_lock = format!("login address {}", ctx.ip);
    let username_lock = username.map(|name| format!("login username {name}"));
    let mut names = vec![address_lock.as_str()];
    names.extend(username_lock.as_deref());
    ctx.db.lock_names(&txn, &names).await?;
    let at = now();
    let mut limits = vec![(Condition::all().add(Column::Ip.eq(ctx.ip)), MAX_FAILURES_PER_ADDRESS)];
    if let Some(name) = username {
        limits.push((
            Condition::all()
                .add(Column::Username.eq(name))
                .add(Column::Ip.eq(ctx.ip)),
            MAX_FAILURES_PER_USERNAME_AND_ADDRESS,
        ));
        limits.push((
            Condition::all().add(Column::Username.eq(name)),
            MAX_FAILURES_PER_USERNAME,
        ));
    }
    let mut retry_after = None;
    for (condition, limit) in limits {
        retry_after = retry_after.max(blocked_for(&txn, condition, limit, at).await?);
    }
    if let Some(retry_after) = retry_after {
        txn.rollback().await?;
        return Err(ApiError::TooManyRequests { retry_after });
    }
    // Rows that left the window are no longer needed.
    let window_start = at - Duration::seconds(THROTTLE_WINDOW_SECONDS);
    login_failure::Entity::delete_many()
        .filter(Column::Ip.eq(ctx.ip))
        .filter(Column::At.lt(window_start))
        .exec(&txn)
        .await?;
    if let Some(name) = username {
        login_failure::Entity::delete_many()
            .filter(Column::Username.eq(name))
            .filter(Column::At.lt(window_start))
            .exec(&txn)
            .await?;
    }
    let id = Uuid::now_v7();
    super::insert_only(
        &txn,
        login_failure::ActiveModel::from(login_failure::Model {
            id,
            username: username.map(str::to_string),
            ip: ctx.ip.to_string(),
            at,
        })
        .reset_all(),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The username as the audit trail keeps it for a failed login: at most
/// 64 characters, control characters replaced.
fn audited_name(username: &str) -> String {
    username
        .chars()
        .take(MAX_LOGIN_NAME_CHARS)
        .map(|c| if c.is_control() { char::REPLACEMENT_CHARACTER } else { c })
        .collect()
}

/// Whether `username` could name a user: not longer than 64 characters and
/// without control characters (a NUL among them).
fn could_be_a_name(username: &str) -> bool {
    username.chars().count() <= MAX_LOGIN_NAME_CHARS && !username.chars().any(char::is_control)
}

/// Records a failed login's `login_failed` audit row, with the username
/// tried (and the user's id when it exists).
async fn record_failure(ctx: &TokenContext<'_>, username: &str, user: Option<&user::Model>) -> Result<(), ApiError> {
    let actor = Actor {
        user_id: user.map(|u| u.id),
        username: Some(audited_name(username)),
        ip: ctx.ip.to_string(),
    };
    audit::record(
        ctx.db.write(),
        &actor,
        token_event(Action::LoginFailed, Outcome::Failure, user.map(|u| u.id)),
    )
    .await?;
    Ok(())
}

/// Which failures a grant's failed logins count toward.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counted {
    /// A person's login: the username (from this address and from all), and the address.
    ByUsername,
    /// A service account's: the address only, so that knowing its name
    /// does not let anyone lock it out.
    ByAddressOnly,
}

/// Checks a username and password (or a service user's client id and
/// secret), with throttling: the attempt is counted before the hash is
/// checked and forgotten again when it matches.
async fn check_credentials(
    ctx: &TokenContext<'_>,
    username: &str,
    secret: &str,
    error: &'static str,
    counted: Counted,
) -> Result<user::Model, ApiError> {
    let wrong = || ApiError::oauth(error, "the credentials are wrong");
    let plausible = could_be_a_name(username);
    let counted_name = (plausible && counted == Counted::ByUsername).then_some(username);
    let reservation = reserve_attempt(ctx, counted_name).await?;
    if !plausible {
        record_failure(ctx, username, None).await?;
        return Err(wrong());
    }
    let checked = async {
        let found = find_by_username(ctx.db.read(), username).await?;
        let hash = match &found {
            Some(user) => user.password_hash.clone(),
            None => password::dummy_hash().await?,
        };
        let matches = password::verify(secret.to_string(), hash).await?;
        Ok::<_, ApiError>((found, matches))
    }
    .await;
    match checked {
        Ok((Some(user), true)) => {
            login_failure::Entity::delete_by_id(reservation)
                .exec(ctx.db.write())
                .await?;
            Ok(user)
        }
        Ok((other, _)) => {
            record_failure(ctx, username, other.as_ref()).await?;
            Err(wrong())
        }
        Err(err) => {
            // Not checked (hashing was busy, the database failed): not a failure.
            if let Err(e) = login_failure::Entity::delete_by_id(reservation)
                .exec(ctx.db.write())
                .await
            {
                tracing::warn!(error = %e, "cannot forget an unchecked login attempt");
            }
            Err(err)
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
    let user = check_credentials(ctx, username, secret, "invalid_grant", Counted::ByUsername).await?;
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
    let user = check_credentials(ctx, client_id, secret, "invalid_client", Counted::ByAddressOnly).await?;
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
