//! The county's settings of the internship rules (`compliance_settings`):
//! one row, made here with the rules' defaults, in the change feed as
//! `compliance_settings`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{add_feed_triggers, drop_feed_triggers, FeedTable, SQLITE_NOW};

/// The id of the one row (the service reads the only row there is).
const SETTINGS_ID: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_00c0_5e77_1265);

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ComplianceSettings {
    Table,
    Id,
    InternShareEnterprisePct,
    InternSharePostPct,
    PayFloorPct,
    MinimumMonthlyFen,
    VisitIntervalDays,
    Version,
    CreatedAt,
    UpdatedAt,
}

const FEED: FeedTable = FeedTable::new("compliance_settings", "compliance_settings");

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ComplianceSettings as S;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(uuid(S::Id).primary_key())
                    .col(big_integer(S::InternShareEnterprisePct))
                    .col(big_integer(S::InternSharePostPct))
                    .col(big_integer(S::PayFloorPct))
                    .col(big_integer_null(S::MinimumMonthlyFen))
                    .col(big_integer(S::VisitIntervalDays))
                    .col(integer(S::Version))
                    .col(timestamp_with_time_zone(S::CreatedAt))
                    .col(timestamp_with_time_zone(S::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let now = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "now()",
            _ => SQLITE_NOW,
        };
        let mut insert = Query::insert();
        insert
            .into_table(S::Table)
            .columns([
                S::Id,
                S::InternShareEnterprisePct,
                S::InternSharePostPct,
                S::PayFloorPct,
                S::VisitIntervalDays,
                S::Version,
                S::CreatedAt,
                S::UpdatedAt,
            ])
            .values([
                SETTINGS_ID.into(),
                10.into(),
                20.into(),
                80.into(),
                30.into(),
                1.into(),
                Expr::cust(now),
                Expr::cust(now),
            ])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        manager.exec_stmt(insert).await?;
        add_feed_triggers(manager, &FEED).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_feed_triggers(manager, &FEED).await?;
        manager
            .drop_table(Table::drop().table(ComplianceSettings::Table).to_owned())
            .await
    }
}
