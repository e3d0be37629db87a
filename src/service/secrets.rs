//! Secrets the service generates and keeps in its own database, so that
//! every replica on it uses the same: the key that signs list cursors, and
//! an SQLite installation's JWT secret.

use super::Database;
use sea_orm::{ActiveModelTrait, EntityTrait};

use crate::auth::tokens::random_secret;
use crate::entity::app_setting;
use crate::error::ApiError;

const JWT_SECRET_KEY: &str = "jwt_secret";
const CURSOR_KEY: &str = "cursor_key";

/// The stored JWT secret, generated and stored on first use. The boolean
/// says whether it was generated just now.
pub async fn stored_jwt_secret(db: &Database) -> Result<(String, bool), ApiError> {
    stored_secret(db, JWT_SECRET_KEY).await
}

/// The key list cursors are signed with, generated and stored on first use.
pub async fn cursor_key(db: &Database) -> Result<String, ApiError> {
    Ok(stored_secret(db, CURSOR_KEY).await?.0)
}

/// The secret stored under `name`, generated on first use (the first
/// replica to store one wins); whether it was generated just now.
async fn stored_secret(db: &Database, name: &str) -> Result<(String, bool), ApiError> {
    if let Some(row) = app_setting::Entity::find_by_id(name).one(db.write()).await? {
        return Ok((row.value, false));
    }
    let secret = format!("{}{}", random_secret(), random_secret());
    let inserted = app_setting::ActiveModel::from(app_setting::Model {
        key: name.to_string(),
        value: secret.clone(),
    })
    .reset_all()
    .insert(db.write())
    .await;
    match inserted {
        Ok(_) => Ok((secret, true)),
        // Someone else stored one first: use theirs.
        Err(_) => {
            let row = app_setting::Entity::find_by_id(name).one(db.write()).await?;
            row.map(|r| (r.value, false)).ok_or(ApiError::NotFound)
        }
    }
}
