//! Journals written and reviewed through the API.
//!
//! - `journals.reviews`: the reviews of the current submission (JSON, at
//!   most one per side); `[]` for the journals already stored.
//! - Indexes for the list's sorts (`created_at`, `updated_at`, each ending
//!   with `id`) and its `status` filter (by week), beside those of
//!   `m20261207_000024` (the placement's weeks, unique; school and
//!   enterprise by week; hours).
//! - In the change feed, scoped by the placement's organisations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{add_feed_triggers, drop_feed_triggers, index, FeedTable};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Journals {
    Table,
    Id,
    Reviews,
    Status,
    WeekOf,
    CreatedAt,
    UpdatedAt,
}

const FEED: FeedTable = FeedTable {
    enterprise: true,
    school: true,
    ..FeedTable::new("journals", "journal")
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Journals as J;
        manager
            .alter_table(
                Table::alter()
                    .table(J::Table)
                    .add_column(json_binary(J::Reviews).default("[]"))
                    .to_owned(),
            )
            .await?;
        for statement in [
            index(J::Table, "created_at", &[J::CreatedAt, J::Id]),
            index(J::Table, "updated_at", &[J::UpdatedAt, J::Id]),
            index(J::Table, "status", &[J::Status, J::WeekOf, J::Id]),
        ] {
            manager.create_index(statement).await?;
        }
        add_feed_triggers(manager, &FEED).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_feed_triggers(manager, &FEED).await?;
        for name in ["journals_created_at", "journals_updated_at", "journals_status"] {
            manager
                .drop_index(Index::drop().name(name).table(Journals::Table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Journals::Table)
                    .drop_column(Journals::Reviews)
                    .to_owned(),
            )
            .await
    }
}
