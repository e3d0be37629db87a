//! The `idempotency_keys` table: the first answer to each caller's
//! `Idempotency-Key`, for 24 hours.

use sea_orm::entity::prelude::*;

/// One caller's key: the request it came with and, once answered, the answer.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// Who sent it: `user:<id>` (or an outside identity's `sub:<subject>`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub caller: String,
    /// The key as sent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// SHA-256 (hex) of the request's method, path, query, media type and body.
    pub request_hash: String,
    /// The answer's status; absent while the first request still runs.
    pub status: Option<i32>,
    /// The answer's headers (`{"location": "…", "etag": "…", …}`).
    pub headers: Option<Json>,
    /// The answer's body.
    pub body: Option<Vec<u8>>,
    /// When the first request arrived.
    pub created_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
