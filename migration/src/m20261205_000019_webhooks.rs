//! Webhooks: the changes of the feed pushed to integrators.
//!
//! - `webhooks`: the record (its URL, the events it takes, whether it is
//!   active), and its folded search text (URL and description; few rows, so
//!   no trigram index).
//! - `webhook_states`: what only the service sees of a webhook: its signing
//!   secret (and the previous one while it still signs), and the position of
//!   the feed up to which its deliveries have been made.
//! - `webhook_deliveries`: one row per change a webhook is to receive, with
//!   its state (`pending`, `delivered`, `failed`), attempts, the last answer
//!   and when it is next tried: kept in the database, so that a restarted
//!   service (or another replica) delivers what is pending. A change is
//!   made into a delivery once per webhook (`webhook_id, position` unique);
//!   settled ones are removed after 90 days (`created_at`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Webhooks {
    Table,
    Id,
    Url,
    Events,
    Description,
    Active,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookStates {
    Table,
    WebhookId,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    Position,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    Position,
    ChangeAt,
    ResourceType,
    ResourceId,
    Action,
    Version,
    Status,
    Attempts,
    LastStatusCode,
    LastError,
    LastAttemptAt,
    NextAttemptAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(uuid(Webhooks::Id).primary_key())
                    .col(string_len(Webhooks::Url, 500))
                    .col(json_binary(Webhooks::Events))
                    .col(string_len_null(Webhooks::Description, 500))
                    .col(boolean(Webhooks::Active))
                    .col(text(Webhooks::SearchText))
                    .col(integer(Webhooks::Version))
                    .col(timestamp_with_time_zone(Webhooks::CreatedAt))
                    .col(timestamp_with_time_zone(Webhooks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookStates::Table)
                    .col(uuid(WebhookStates::WebhookId).primary_key())
                    .col(text(WebhookStates::Secret))
                    .col(text_null(WebhookStates::PreviousSecret))
                    .col(timestamp_with_time_zone_null(WebhookStates::PreviousSecretExpiresAt))
                    .col(big_integer(WebhookStates::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("webhook_states_webhook_fk")
                            .from(WebhookStates::Table, WebhookStates::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(uuid(WebhookDeliveries::Id).primary_key())
                    .col(uuid(WebhookDeliveries::WebhookId))
                    .col(big_integer(WebhookDeliveries::Position))
                    .col(timestamp_with_time_zone(WebhookDeliveries::ChangeAt))
                    .col(string_len(WebhookDeliveries::ResourceType, 32))
                    .col(uuid(WebhookDeliveries::ResourceId))
                    .col(string_len(WebhookDeliveries::Action, 8))
                    .col(integer_null(WebhookDeliveries::Version))
                    .col(string_len(WebhookDeliveries::Status, 16))
                    .col(integer(WebhookDeliveries::Attempts))
                    .col(integer_null(WebhookDeliveries::LastStatusCode))
                    .col(string_len_null(WebhookDeliveries::LastError, 500))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::LastAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::NextAttemptAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("webhook_deliveries_webhook_fk")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let w = Webhooks::Table;
        let d = WebhookDeliveries::Table;
        let mut once = index(
            d,
            "change",
            &[WebhookDeliveries::WebhookId, WebhookDeliveries::Position],
        );
        once.unique();
        let indexes = [
            index(w, "created_at", &[Webhooks::CreatedAt, Webhooks::Id]),
            index(w, "updated_at", &[Webhooks::UpdatedAt, Webhooks::Id]),
            index(w, "active", &[Webhooks::Active]),
            once,
            index(
                d,
                "log",
                &[
                    WebhookDeliveries::WebhookId,
                    WebhookDeliveries::CreatedAt,
                    WebhookDeliveries::Id,
                ],
            ),
            index(d, "due", &[WebhookDeliveries::Status, WebhookDeliveries::NextAttemptAt]),
            index(d, "created_at", &[WebhookDeliveries::CreatedAt]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookDeliveries::Table.into_iden(),
            WebhookStates::Table.into_iden(),
            Webhooks::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
