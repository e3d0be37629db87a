//! Demands (需求清单) and the placements that answer them.
//!
//! - `demands`: the record (majors and tags as JSON), its folded search text
//!   with a trigram index (title, description), `needed_by_key` (`needed_by`,
//!   or 9999-12-31 when it has none, so that the sort has one non-null
//!   column), an index per sort and per filter; `fulfilled_headcount`, kept
//!   by triggers on `apprenticeships` in the transaction of every write
//!   (which also bump the demand's `version` and `updated_at`).
//! - `demand_majors`: one row per major, for the `major` filter and matching.
//! - `apprenticeships.demand_id`: the demand a placement answers (`RESTRICT`:
//!   a demand that placements name is not deleted).
//! - `schools_region_code`: matching reads the schools of a city by range.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{add_reference_sql, index, search_index_sql, SQLITE_NOW};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Demands {
    Table,
    Id,
    EnterpriseId,
    Kind,
    Title,
    Description,
    Majors,
    Headcount,
    NeededBy,
    NeededByKey,
    Status,
    Source,
    MeetingId,
    Tags,
    FulfilledHeadcount,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DemandMajors {
    Table,
    DemandId,
    Position,
    Code,
    NameFolded,
}

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    DemandId,
    Status,
}

#[derive(DeriveIden, Clone, Copy)]
enum Enterprises {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Meetings {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Schools {
    Table,
    RegionCode,
}

/// The statuses in which a placement fulfils its demand.
const COUNTED: &str = "('active', 'completed')";

/// The triggers that keep `demands.fulfilled_headcount`: per row, only for
/// placements that name a demand (and, on update, change its demand or
/// status so that a count changes). A demand whose count changes is a
/// changed record: its `version` grows and `updated_at` moves (so that its
/// ETag and `updated_since` see it), in the placement write's transaction.
fn fulfilment_sql(backend: DatabaseBackend) -> Vec<String> {
    let (now, same) = match backend {
        DatabaseBackend::Postgres => ("now()", "IS NOT DISTINCT FROM"),
        _ => (SQLITE_NOW, "IS"),
    };
    // `row` counts toward its demand unless `other` counts toward the same one.
    let add = |row: &str, delta: &str, other: Option<&str>| {
        let unless = other
            .map(|o| format!(" AND NOT ({o}.status IN {COUNTED} AND {o}.demand_id {same} {row}.demand_id)"))
            .unwrap_or_default();
        format!(
            "UPDATE demands SET fulfilled_headcount = fulfilled_headcount + ({delta}), version = version + 1, \
             updated_at = {now} WHERE id = {row}.demand_id AND {row}.status IN {COUNTED}{unless};"
        )
    };
    match backend {
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION demand_fulfilment() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF TG_OP = 'INSERT' THEN {} \
                 ELSIF TG_OP = 'DELETE' THEN {} \
                 ELSE {} {} END IF; \
                 RETURN NULL; END $$",
                add("NEW", "1", None),
                add("OLD", "-1", None),
                add("OLD", "-1", Some("NEW")),
                add("NEW", "1", Some("OLD"))
            ),
            "CREATE TRIGGER apprenticeships_fulfil_insert AFTER INSERT ON apprenticeships FOR EACH ROW \
             WHEN (NEW.demand_id IS NOT NULL) EXECUTE FUNCTION demand_fulfilment()"
                .into(),
            "CREATE TRIGGER apprenticeships_fulfil_delete AFTER DELETE ON apprenticeships FOR EACH ROW \
             WHEN (OLD.demand_id IS NOT NULL) EXECUTE FUNCTION demand_fulfilment()"
                .into(),
            "CREATE TRIGGER apprenticeships_fulfil_update AFTER UPDATE OF demand_id, status ON apprenticeships \
             FOR EACH ROW WHEN (OLD.demand_id IS DISTINCT FROM NEW.demand_id OR OLD.status IS DISTINCT FROM NEW.status) \
             EXECUTE FUNCTION demand_fulfilment()"
                .into(),
        ],
        _ => vec![
            format!(
                "CREATE TRIGGER apprenticeships_fulfil_insert AFTER INSERT ON apprenticeships \
                 WHEN new.demand_id IS NOT NULL BEGIN {} END",
                add("new", "1", None)
            ),
            format!(
                "CREATE TRIGGER apprenticeships_fulfil_delete AFTER DELETE ON apprenticeships \
                 WHEN old.demand_id IS NOT NULL BEGIN {} END",
                add("old", "-1", None)
            ),
            format!(
                "CREATE TRIGGER apprenticeships_fulfil_update AFTER UPDATE OF demand_id, status ON apprenticeships \
                 WHEN old.demand_id IS NOT new.demand_id OR old.status IS NOT new.status BEGIN {} {} END",
                add("old", "-1", Some("new")),
                add("new", "1", Some("old"))
            ),
        ],
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Demands::Table)
                    .col(uuid(Demands::Id).primary_key())
                    .col(uuid(Demands::EnterpriseId))
                    .col(string_len(Demands::Kind, 32))
                    .col(string_len(Demands::Title, 200))
                    .col(text_null(Demands::Description))
                    .col(json_binary(Demands::Majors))
                    .col(big_integer_null(Demands::Headcount))
                    .col(date_null(Demands::NeededBy))
                    .col(date(Demands::NeededByKey))
                    .col(string_len(Demands::Status, 16))
                    .col(string_len_null(Demands::Source, 16))
                    .col(uuid_null(Demands::MeetingId))
                    .col(json_binary(Demands::Tags))
                    .col(integer(Demands::FulfilledHeadcount).default(0))
                    .col(text(Demands::SearchText))
                    .col(integer(Demands::Version))
                    .col(timestamp_with_time_zone(Demands::CreatedAt))
                    .col(timestamp_with_time_zone(Demands::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("demands_enterprise_fk")
                            .from(Demands::Table, Demands::EnterpriseId)
                            .to(Enterprises::Table, Enterprises::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("demands_meeting_fk")
                            .from(Demands::Table, Demands::MeetingId)
                            .to(Meetings::Table, Meetings::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DemandMajors::Table)
                    .col(uuid(DemandMajors::DemandId))
                    .col(integer(DemandMajors::Position))
                    .col(string_len_null(DemandMajors::Code, 500))
                    .col(text(DemandMajors::NameFolded))
                    .primary_key(Index::create().col(DemandMajors::DemandId).col(DemandMajors::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("demand_majors_demand_fk")
                            .from(DemandMajors::Table, DemandMajors::DemandId)
                            .to(Demands::Table, Demands::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        connection
            .execute_unprepared(&add_reference_sql(backend, "apprenticeships", "demand_id", "demands"))
            .await?;
        let d = Demands::Table;
        let indexes = [
            index(d, "created_at", &[Demands::CreatedAt, Demands::Id]),
            index(d, "updated_at", &[Demands::UpdatedAt, Demands::Id]),
            index(d, "needed_by_key", &[Demands::NeededByKey, Demands::Id]),
            index(d, "enterprise", &[Demands::EnterpriseId, Demands::Status]),
            index(d, "status", &[Demands::Status]),
            index(d, "kind", &[Demands::Kind]),
            index(d, "meeting", &[Demands::MeetingId]),
            index(DemandMajors::Table, "code", &[DemandMajors::Code]),
            index(DemandMajors::Table, "name_folded", &[DemandMajors::NameFolded]),
            index(
                Apprenticeships::Table,
                "demand",
                &[Apprenticeships::DemandId, Apprenticeships::Status],
            ),
            index(Schools::Table, "region_code", &[Schools::RegionCode]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        for sql in search_index_sql(backend, "demands")
            .into_iter()
            .chain(fulfilment_sql(backend))
        {
            connection.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        for suffix in ["insert", "delete", "update"] {
            let sql = match backend {
                DatabaseBackend::Postgres => {
                    format!("DROP TRIGGER IF EXISTS apprenticeships_fulfil_{suffix} ON apprenticeships")
                }
                _ => format!("DROP TRIGGER IF EXISTS apprenticeships_fulfil_{suffix}"),
            };
            connection.execute_unprepared(&sql).await?;
        }
        if backend == DatabaseBackend::Postgres {
            connection
                .execute_unprepared("DROP FUNCTION IF EXISTS demand_fulfilment()")
                .await?;
        } else {
            connection
                .execute_unprepared("DROP TABLE IF EXISTS demands_fts")
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("apprenticeships_demand")
                    .table(Apprenticeships::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("schools_region_code")
                    .table(Schools::Table)
                    .to_owned(),
            )
            .await?;
        // SQLite drops a column only once no constraint names it: the
        // placements table keeps an unused column there.
        if backend == DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(Apprenticeships::Table)
                        .drop_column(Apprenticeships::DemandId)
                        .to_owned(),
                )
                .await?;
        }
        for table in [DemandMajors::Table.into_iden(), Demands::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
