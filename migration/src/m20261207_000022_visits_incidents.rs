//! Supervision visits and incidents: records that name a placement.
//!
//! - `visits` and `incidents`: the records, each with the placement it names
//!   (`apprenticeship_id`, a `RESTRICT` foreign key: a placement is not
//!   deleted while one names it) and that placement's `school_id` and
//!   `enterprise_id` copied (the service keeps them in step), so that who
//!   reads them and the organisation filters are plain indexed columns; the
//!   folded search text with a trigram index; an index per sort (ending with
//!   `id`) and per filter, and those the compliance rules read
//!   (`no_recent_visit`: a placement's visits by day; `incident_unreported`:
//!   incidents by severity and report day).
//! - Both in the change feed, scoped by the placement's organisations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{add_feed_triggers, drop_feed_triggers, index, search_index_sql, FeedTable};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns both tables have.
#[derive(DeriveIden, Clone, Copy)]
enum Common {
    Id,
    ApprenticeshipId,
    SchoolId,
    EnterpriseId,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Visits {
    Table,
    VisitedOn,
    VisitorName,
    Kind,
    Findings,
    FollowUpDueOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Incidents {
    Table,
    OccurredOn,
    Kind,
    Severity,
    Description,
    InsuranceClaimNo,
    ReportedToBureauOn,
    ResolvedOn,
}

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    Id,
}

const FEED: [FeedTable; 2] = [
    FeedTable {
        enterprise: true,
        school: true,
        ..FeedTable::new("visits", "visit")
    },
    FeedTable {
        enterprise: true,
        school: true,
        ..FeedTable::new("incidents", "incident")
    },
];

/// A table of records naming a placement: `own` adds its own columns
/// between the placement's and the search text, version and times.
fn placement_table(
    table: impl IntoIden + Copy + 'static,
    own: impl FnOnce(&mut TableCreateStatement),
) -> TableCreateStatement {
    let name = table.into_iden().to_string();
    let mut statement = Table::create();
    statement
        .table(table)
        .col(uuid(Common::Id).primary_key())
        .col(uuid(Common::ApprenticeshipId))
        .col(uuid_null(Common::SchoolId))
        .col(uuid(Common::EnterpriseId));
    own(&mut statement);
    statement
        .col(text(Common::SearchText))
        .col(integer(Common::Version))
        .col(timestamp_with_time_zone(Common::CreatedAt))
        .col(timestamp_with_time_zone(Common::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .name(format!("{name}_apprenticeship_fk"))
                .from(table, Common::ApprenticeshipId)
                .to(Apprenticeships::Table, Apprenticeships::Id)
                .on_delete(ForeignKeyAction::Restrict),
        )
        .to_owned()
}

/// The indexes both tables have: the sorts by time, the placement's
/// organisations (scope and filters), the placement by `day` (its filter).
fn placement_indexes(table: impl Iden + Copy + 'static, day: impl Iden) -> Vec<IndexCreateStatement> {
    let column = |c: Common| Alias::new(c.to_string());
    let day = Alias::new(day.to_string());
    vec![
        index(table, "created_at", &[column(Common::CreatedAt), column(Common::Id)]),
        index(table, "updated_at", &[column(Common::UpdatedAt), column(Common::Id)]),
        index(table, "school", &[column(Common::SchoolId)]),
        index(table, "enterprise", &[column(Common::EnterpriseId)]),
        index(
            table,
            "apprenticeship",
            &[column(Common::ApprenticeshipId), day.clone(), column(Common::Id)],
        ),
        index(table, &day.to_string(), &[day.clone(), column(Common::Id)]),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let visits = placement_table(Visits::Table, |t| {
            t.col(date(Visits::VisitedOn))
                .col(string_len(Visits::VisitorName, 100))
                .col(string_len(Visits::Kind, 16))
                .col(text_null(Visits::Findings))
                .col(date_null(Visits::FollowUpDueOn));
        });
        let incidents = placement_table(Incidents::Table, |t| {
            t.col(date(Incidents::OccurredOn))
                .col(string_len(Incidents::Kind, 16))
                .col(string_len(Incidents::Severity, 16))
                .col(text(Incidents::Description))
                .col(string_len_null(Incidents::InsuranceClaimNo, 64))
                .col(date_null(Incidents::ReportedToBureauOn))
                .col(date_null(Incidents::ResolvedOn));
        });
        manager.create_table(visits).await?;
        manager.create_table(incidents).await?;
        let i = Incidents::Table;
        let mut indexes = placement_indexes(Visits::Table, Visits::VisitedOn);
        indexes.extend(placement_indexes(i, Incidents::OccurredOn));
        indexes.extend([
            index(i, "kind", &[Incidents::Kind]),
            index(i, "severity", &[Incidents::Severity, Incidents::ReportedToBureauOn]),
            index(i, "resolved_on", &[Incidents::ResolvedOn]),
        ]);
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        let backend = manager.get_database_backend();
        for table in ["visits", "incidents"] {
            for sql in search_index_sql(backend, table) {
                manager.get_connection().execute_unprepared(&sql).await?;
            }
        }
        for table in &FEED {
            add_feed_triggers(manager, table).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in &FEED {
            drop_feed_triggers(manager, table).await?;
        }
        for table in ["visits", "incidents"] {
            if manager.get_database_backend() != DatabaseBackend::Postgres {
                manager
                    .get_connection()
                    .execute_unprepared(&format!("DROP TABLE IF EXISTS {table}_fts"))
                    .await?;
            }
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
