//! Journals written and reviewed through the API.
//!
//! - `journals.reviews`: the reviews of the current submission (JSON, at
//!   most one per side); `[]` for the journals already stored.
//! - Indexes for the list's sorts (`created_at`, `updated_at`, each ending
//!   with `id`), alone (an admin's list) and led by the school and by the
//!   enterprise (a school's or a host's list is its own: 30,000 journals of
//!   a school sorted without one took 100 ms), and its `status` filter (by
//!   week), alone and led by the school and by the enterprise (the journals
//!   awaiting a side's review), beside those of `m20261207_000024` (the placement's weeks,
//!   unique; school and enterprise by week; hours).
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
    SchoolId,
    EnterpriseId,
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
            index(J::Table, "school_created", &[J::SchoolId, J::CreatedAt, J::Id]),
            index(J::Table, "school_updated", &[J::SchoolId, J::UpdatedAt, J::Id]),
            index(J::Table, "enterprise_created", &[J::EnterpriseId, J::CreatedAt, J::Id]),
            index(J::Table, "enterprise_updated", &[J::EnterpriseId, J::UpdatedAt, J::Id]),
            index(J::Table, "school_status", &[J::SchoolId, J::Status, J::WeekOf, J::Id]),
            index(
                J::Table,
                "enterprise_status",
                &[J::EnterpriseId, J::Status, J::WeekOf, J::Id],
            ),
        ] {
            manager.create_index(statement).await?;
        }
        add_feed_triggers(manager, &FEED).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_feed_triggers(manager, &FEED).await?;
        for name in [
            "journals_created_at",
            "journals_updated_at",
            "journals_status",
            "journals_school_created",
            "journals_school_updated",
            "journals_enterprise_created",
            "journals_enterprise_updated",
            "journals_school_status",
            "journals_enterprise_status",
        ] {
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
