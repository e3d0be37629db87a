//! Secrets the service generates and keeps in its own database (an SQLite
//! installation's JWT secret).

use super::Database;
use sea_orm::{ActiveModelTrait, EntityTrait};

use crate::auth::tokens::random_secret;
use crate::entity::app_setting;
use crate::error::ApiError;

const JWT_SECRET_KEY: &str = "jwt_secret";

/// The stored JWT secret, generated and stored on first use. The boolean
/// says whether it was generated just now.
pub async fn stored_jwt_secret(db: &Database) -> Result<(String, bool), ApiError> {
    if let Some(row) = app_setting::Entity::find_by_id(JWT_SECRET_KEY).one(db.write()).await? {
        return Ok((row.value, false));
    }
    let secret = format!("{}{}", random_secret(), random_secret());
    let inserted = app_setting::ActiveModel::from(app_setting::Model {
        key: JWT_SECRET_KEY.to_string(),
        value: secret.clone(),
    })
    .reset_all()
    .insert(db.write())
    .await;
    match inserted {
        Ok(_) => Ok((secret, true)),
        // Someone else stored one first: use theirs.
        Err(_) => {
            let row = app_setting::Entity::find_by_id(JWT_SECRET_KEY).one(db.write()).await?;
            row.map(|r| (r.value, false)).ok_or(ApiError::NotFound)
        }
    }
}
