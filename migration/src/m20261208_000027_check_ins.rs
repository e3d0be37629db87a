//! Check-ins: a participant's arrival at and departure from the workplace.
//!
//! - `check_ins`: one row per check-in, naming its placement
//!   (`apprenticeship_id`, a `RESTRICT` foreign key) with that placement's
//!   `school_id` and `enterprise_id` copied (who reads it, as for visits);
//!   the day `on` in the alliance's time zone and the moment `at`; the
//!   coordinates in millionths of a degree and the accuracy in centimetres
//!   (whole numbers: stored and compared exactly), or NULL.
//! - The unique index `check_ins_kind_per_day` on (`apprenticeship_id`,
//!   `on`, `kind`) is the rule "one `in` and one `out` per placement and
//!   day": of two sent at once, the database keeps one. It also serves a
//!   placement's check-ins by day and the missing check-ins' probe.
//! - In the change feed, scoped by the placement's organisations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{add_feed_triggers, drop_feed_triggers, index, FeedTable};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CheckIns {
    Table,
    Id,
    ApprenticeshipId,
    SchoolId,
    EnterpriseId,
    Kind,
    On,
    At,
    Latitude,
    Longitude,
    AccuracyM,
    Note,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    Id,
}

const FEED: FeedTable = FeedTable {
    enterprise: true,
    school: true,
    ..FeedTable::new("check_ins", "check_in")
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CheckIns as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(uuid(C::Id).primary_key())
                    .col(uuid(C::ApprenticeshipId))
                    .col(uuid_null(C::SchoolId))
                    .col(uuid(C::EnterpriseId))
                    .col(string_len(C::Kind, 8))
                    .col(date(C::On))
                    .col(timestamp_with_time_zone(C::At))
                    .col(big_integer_null(C::Latitude))
                    .col(big_integer_null(C::Longitude))
                    .col(big_integer_null(C::AccuracyM))
                    .col(text_null(C::Note))
                    .col(integer(C::Version))
                    .col(timestamp_with_time_zone(C::CreatedAt))
                    .col(timestamp_with_time_zone(C::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("check_ins_apprenticeship_fk")
                            .from(C::Table, C::ApprenticeshipId)
                            .to(Apprenticeships::Table, Apprenticeships::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        let mut per_day = index(C::Table, "kind_per_day", &[C::ApprenticeshipId, C::On, C::Kind]);
        for statement in [
            per_day.unique().to_owned(),
            index(C::Table, "apprenticeship", &[C::ApprenticeshipId, C::CreatedAt, C::Id]),
        ] {
            manager.create_index(statement).await?;
        }
        add_feed_triggers(manager, &FEED).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_feed_triggers(manager, &FEED).await?;
        manager
            .drop_table(Table::drop().table(CheckIns::Table).to_owned())
            .await
    }
}
