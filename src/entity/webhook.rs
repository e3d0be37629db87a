//! The `webhooks` table: the record. Its secret and progress are in
//! `webhook_states`.

use chanjiao_derive::Row;
use sea_orm::entity::prelude::*;

use crate::model::field::{Flag, PlainText, WebhookUrl};
use crate::model::webhook::{Events, WebhookFields};

/// One webhook row: the contract's fields, the folded search text, version and times.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Row)]
#[sea_orm(table_name = "webhooks")]
#[row(fields = WebhookFields)]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: WebhookUrl,
    pub events: Events,
    pub description: Option<PlainText>,
    pub active: Flag<true>,
    #[sea_orm(column_type = "Text")]
    #[row(derived)]
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
