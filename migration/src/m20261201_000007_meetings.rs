//! Meetings with their side tables, and the placement tallies behind the
//! statistics.
//!
//! - `meetings`: the record (chair, attendees, agenda, decisions, action
//!   items and tags as JSON), its folded search text with a trigram index
//!   (title, summary and minutes), an index per sort and on `held_on`.
//! - `meeting_parties`: every enterprise and school a meeting names, with
//!   foreign keys, so that the organisation filters are index lookups and a
//!   named organisation cannot be deleted (`RESTRICT`).
//! - `action_items`: every meeting's items as rows, for the cross-meeting
//!   list and the statistics.
//! - `placement_totals` (placements per start year, status and kind) and
//!   `host_actives` (active placements per host enterprise and start year,
//!   start year 0 meaning every year, with the host's name): kept by triggers on `apprenticeships`
//!   (and on `enterprises` for a renamed host)
//!   in the transaction of every write (whatever writes the rows), so that
//!   the overview reads a few hundred small rows and a ten-row index walk
//!   instead of counting a million placements.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{index, search_index_sql};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Meetings {
    Table,
    Id,
    Title,
    Kind,
    HeldOn,
    Location,
    HostEnterpriseId,
    HostSchoolId,
    Chair,
    Summary,
    Minutes,
    Attendees,
    Agenda,
    Decisions,
    ActionItems,
    Tags,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MeetingParties {
    Table,
    MeetingId,
    Position,
    EnterpriseId,
    SchoolId,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActionItems {
    Table,
    Id,
    MeetingId,
    Position,
    Description,
    OwnerEnterpriseId,
    OwnerSchoolId,
    OwnerName,
    DueOn,
    Status,
    DoneOn,
    HeldOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PlacementTotals {
    Table,
    StartYear,
    Status,
    Kind,
    Total,
}

#[derive(DeriveIden, Clone, Copy)]
enum HostActives {
    Table,
    EnterpriseId,
    StartYear,
    Total,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
enum Enterprises {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Schools {
    Table,
    Id,
}

fn restrict<T: IntoIden + 'static, U: IntoIden + 'static>(
    name: &str,
    from: (T, U),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(action)
        .to_owned()
}

/// The tally triggers of `apprenticeships`: statement-level on PostgreSQL
/// (per statement one upsert of each table, of the net change of each row
/// it touches, in key order, so that concurrent transactions lock tally rows
/// in the same order and never deadlock), row-level on SQLite (one writer at
/// a time).
fn tally_sql(backend: DatabaseBackend) -> Vec<String> {
    match backend {
        DatabaseBackend::Postgres => {
            let year = "EXTRACT(YEAR FROM start_date)::int";
            let upserts = |changes: &str| {
                format!(
                    "INSERT INTO placement_totals (start_year, status, kind, total) \
                     SELECT {year}, status, kind, SUM(delta) FROM ({changes}) AS c \
                     GROUP BY 1, 2, 3 HAVING SUM(delta) <> 0 ORDER BY 1, 2, 3 \
                     ON CONFLICT (start_year, status, kind) DO UPDATE SET total = placement_totals.total + excluded.total; \
                     INSERT INTO host_actives (enterprise_id, start_year, total, name) \
                     SELECT h.enterprise_id, h.y, SUM(h.delta), \
                       COALESCE((SELECT e.name FROM enterprises e WHERE e.id = h.enterprise_id), '') FROM ( \
                       SELECT enterprise_id, {year} AS y, delta FROM ({changes}) AS c WHERE status = 'active' \
                       UNION ALL SELECT enterprise_id, 0, delta FROM ({changes}) AS c WHERE status = 'active') AS h \
                     GROUP BY 1, 2 HAVING SUM(h.delta) <> 0 ORDER BY 1, 2 \
                     ON CONFLICT (enterprise_id, start_year) DO UPDATE SET total = host_actives.total + excluded.total;"
                )
            };
            let function = |name: &str, changes: &str| {
                format!(
                    "CREATE FUNCTION placement_tallies_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {} \
                     RETURN NULL; END $$",
                    upserts(changes)
                )
            };
            let rows = |table: &str, delta: &str| {
                format!("SELECT enterprise_id, start_date, status, kind, {delta} AS delta FROM {table}")
            };
            vec![
                function("inserted", &rows("written", "1")),
                function("deleted", &rows("written", "-1")),
                function(
                    "updated",
                    &format!("{} UNION ALL {}", rows("old_rows", "-1"), rows("new_rows", "1")),
                ),
                "CREATE TRIGGER apprenticeships_tallied_insert AFTER INSERT ON apprenticeships \
                 REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION placement_tallies_inserted()"
                    .into(),
                "CREATE TRIGGER apprenticeships_tallied_delete AFTER DELETE ON apprenticeships \
                 REFERENCING OLD TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION placement_tallies_deleted()"
                    .into(),
                "CREATE TRIGGER apprenticeships_tallied_update AFTER UPDATE ON apprenticeships \
                 REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT \
                 EXECUTE FUNCTION placement_tallies_updated()"
                    .into(),
                "CREATE FUNCTION host_actives_renamed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 UPDATE host_actives SET name = NEW.name WHERE enterprise_id = NEW.id; RETURN NULL; END $$"
                    .into(),
                "CREATE TRIGGER enterprises_host_name AFTER UPDATE OF name ON enterprises FOR EACH ROW \
                 WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION host_actives_renamed()"
                    .into(),
                upserts("SELECT enterprise_id, start_date, status, kind, 1 AS delta FROM apprenticeships"),
            ]
        }
        _ => {
            let year = |row: &str| format!("CAST(substr({row}.start_date, 1, 4) AS INTEGER)");
            let add = |row: &str, delta: &str| {
                let y = year(row);
                let host = |y: &str| {
                    format!(
                        "INSERT INTO host_actives (enterprise_id, start_year, total, name) \
                         SELECT {row}.enterprise_id, {y}, {delta}, \
                           COALESCE((SELECT name FROM enterprises WHERE id = {row}.enterprise_id), '') \
                         WHERE {row}.status = 'active' \
                         ON CONFLICT (enterprise_id, start_year) DO UPDATE SET total = total + ({delta});"
                    )
                };
                format!(
                    "INSERT INTO placement_totals (start_year, status, kind, total) \
                     VALUES ({y}, {row}.status, {row}.kind, {delta}) \
                     ON CONFLICT (start_year, status, kind) DO UPDATE SET total = total + ({delta}); {} {}",
                    host(&y),
                    host("0")
                )
            };
            vec![
                format!(
                    "CREATE TRIGGER apprenticeships_tallied_insert AFTER INSERT ON apprenticeships BEGIN {} END",
                    add("new", "1")
                ),
                format!(
                    "CREATE TRIGGER apprenticeships_tallied_delete AFTER DELETE ON apprenticeships BEGIN {} END",
                    add("old", "-1")
                ),
                format!(
                    "CREATE TRIGGER apprenticeships_tallied_update \
                     AFTER UPDATE OF enterprise_id, start_date, status, kind ON apprenticeships \
                     WHEN old.enterprise_id IS NOT new.enterprise_id OR old.start_date IS NOT new.start_date \
                     OR old.status IS NOT new.status OR old.kind IS NOT new.kind BEGIN {} {} END",
                    add("old", "-1"),
                    add("new", "1")
                ),
                "INSERT INTO placement_totals (start_year, status, kind, total) \
                 SELECT CAST(substr(start_date, 1, 4) AS INTEGER), status, kind, count(*) \
                 FROM apprenticeships GROUP BY 1, 2, 3"
                    .into(),
                "INSERT INTO host_actives (enterprise_id, start_year, total, name) \
                 SELECT a.enterprise_id, CAST(substr(a.start_date, 1, 4) AS INTEGER), count(*), e.name \
                 FROM apprenticeships a JOIN enterprises e ON e.id = a.enterprise_id \
                 WHERE a.status = 'active' GROUP BY 1, 2"
                    .into(),
                "INSERT INTO host_actives (enterprise_id, start_year, total, name) \
                 SELECT a.enterprise_id, 0, count(*), e.name \
                 FROM apprenticeships a JOIN enterprises e ON e.id = a.enterprise_id \
                 WHERE a.status = 'active' GROUP BY 1"
                    .into(),
                "CREATE TRIGGER enterprises_host_name AFTER UPDATE OF name ON enterprises \
                 WHEN old.name IS NOT new.name BEGIN \
                 UPDATE host_actives SET name = new.name WHERE enterprise_id = new.id; END"
                    .into(),
            ]
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        // The host's name, kept beside its count so that the top ten (most first, ties by
        // name in character order) are one index walk; PostgreSQL compares it as "C".
        let mut host_name = string_len(HostActives::Name, 200);
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            host_name.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(Meetings::Table)
                    .col(uuid(Meetings::Id).primary_key())
                    .col(string_len(Meetings::Title, 500))
                    .col(string_len_null(Meetings::Kind, 32))
                    .col(date(Meetings::HeldOn))
                    .col(string_len_null(Meetings::Location, 500))
                    .col(uuid_null(Meetings::HostEnterpriseId))
                    .col(uuid_null(Meetings::HostSchoolId))
                    .col(json_binary_null(Meetings::Chair))
                    .col(text_null(Meetings::Summary))
                    .col(text_null(Meetings::Minutes))
                    .col(json_binary(Meetings::Attendees))
                    .col(json_binary(Meetings::Agenda))
                    .col(json_binary(Meetings::Decisions))
                    .col(json_binary(Meetings::ActionItems))
                    .col(json_binary(Meetings::Tags))
                    .col(text(Meetings::SearchText))
                    .col(integer(Meetings::Version))
                    .col(timestamp_with_time_zone(Meetings::CreatedAt))
                    .col(timestamp_with_time_zone(Meetings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeetingParties::Table)
                    .col(uuid(MeetingParties::MeetingId))
                    .col(integer(MeetingParties::Position))
                    .col(uuid_null(MeetingParties::EnterpriseId))
                    .col(uuid_null(MeetingParties::SchoolId))
                    .primary_key(
                        Index::create()
                            .col(MeetingParties::MeetingId)
                            .col(MeetingParties::Position),
                    )
                    .foreign_key(&mut restrict(
                        "meeting_parties_meeting_fk",
                        (MeetingParties::Table, MeetingParties::MeetingId),
                        (Meetings::Table, Meetings::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut restrict(
                        "meeting_parties_enterprise_fk",
                        (MeetingParties::Table, MeetingParties::EnterpriseId),
                        (Enterprises::Table, Enterprises::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut restrict(
                        "meeting_parties_school_fk",
                        (MeetingParties::Table, MeetingParties::SchoolId),
                        (Schools::Table, Schools::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActionItems::Table)
                    .col(uuid(ActionItems::Id).primary_key())
                    .col(uuid(ActionItems::MeetingId))
                    .col(integer(ActionItems::Position))
                    .col(text(ActionItems::Description))
                    .col(uuid_null(ActionItems::OwnerEnterpriseId))
                    .col(uuid_null(ActionItems::OwnerSchoolId))
                    .col(string_len_null(ActionItems::OwnerName, 500))
                    .col(date_null(ActionItems::DueOn))
                    .col(string_len(ActionItems::Status, 16))
                    .col(date_null(ActionItems::DoneOn))
                    .col(date(ActionItems::HeldOn))
                    .col(timestamp_with_time_zone(ActionItems::CreatedAt))
                    .col(timestamp_with_time_zone(ActionItems::UpdatedAt))
                    .foreign_key(&mut restrict(
                        "action_items_meeting_fk",
                        (ActionItems::Table, ActionItems::MeetingId),
                        (Meetings::Table, Meetings::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlacementTotals::Table)
                    .col(integer(PlacementTotals::StartYear))
                    .col(string_len(PlacementTotals::Status, 16))
                    .col(string_len(PlacementTotals::Kind, 32))
                    .col(big_integer(PlacementTotals::Total))
                    .primary_key(
                        Index::create()
                            .col(PlacementTotals::StartYear)
                            .col(PlacementTotals::Status)
                            .col(PlacementTotals::Kind),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HostActives::Table)
                    .col(uuid(HostActives::EnterpriseId))
                    .col(integer(HostActives::StartYear))
                    .col(big_integer(HostActives::Total))
                    .col(&mut host_name)
                    .primary_key(
                        Index::create()
                            .col(HostActives::EnterpriseId)
                            .col(HostActives::StartYear),
                    )
                    .to_owned(),
            )
            .await?;

        let m = Meetings::Table;
        let a = ActionItems::Table;
        let p = MeetingParties::Table;
        let indexes = [
            index(m, "created_at", &[Meetings::CreatedAt, Meetings::Id]),
            index(m, "updated_at", &[Meetings::UpdatedAt, Meetings::Id]),
            index(m, "held_on", &[Meetings::HeldOn, Meetings::Id]),
            index(m, "kind", &[Meetings::Kind]),
            index(
                p,
                "enterprise",
                &[MeetingParties::EnterpriseId, MeetingParties::MeetingId],
            ),
            index(p, "school", &[MeetingParties::SchoolId, MeetingParties::MeetingId]),
            index(a, "meeting", &[ActionItems::MeetingId, ActionItems::Position]),
            index(a, "created_at", &[ActionItems::CreatedAt, ActionItems::Id]),
            index(a, "updated_at", &[ActionItems::UpdatedAt, ActionItems::Id]),
            index(a, "status_due", &[ActionItems::Status, ActionItems::DueOn]),
            index(a, "due_on", &[ActionItems::DueOn]),
            index(
                a,
                "owner_enterprise",
                &[ActionItems::OwnerEnterpriseId, ActionItems::Status],
            ),
            index(a, "owner_school", &[ActionItems::OwnerSchoolId, ActionItems::Status]),
            index(a, "held_on", &[ActionItems::HeldOn, ActionItems::Status]),
            Index::create()
                .name("host_actives_ranking")
                .table(HostActives::Table)
                .col(HostActives::StartYear)
                .col((HostActives::Total, IndexOrder::Desc))
                .col(HostActives::Name)
                .col(HostActives::EnterpriseId)
                .to_owned(),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        for sql in search_index_sql(backend, "meetings")
            .into_iter()
            .chain(tally_sql(backend))
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
                    format!("DROP TRIGGER IF EXISTS apprenticeships_tallied_{suffix} ON apprenticeships")
                }
                _ => format!("DROP TRIGGER IF EXISTS apprenticeships_tallied_{suffix}"),
            };
            connection.execute_unprepared(&sql).await?;
        }
        let sql = match backend {
            DatabaseBackend::Postgres => "DROP TRIGGER IF EXISTS enterprises_host_name ON enterprises",
            _ => "DROP TRIGGER IF EXISTS enterprises_host_name",
        };
        connection.execute_unprepared(sql).await?;
        if backend == DatabaseBackend::Postgres {
            connection
                .execute_unprepared("DROP FUNCTION IF EXISTS host_actives_renamed()")
                .await?;
            for function in ["inserted", "deleted", "updated"] {
                connection
                    .execute_unprepared(&format!("DROP FUNCTION IF EXISTS placement_tallies_{function}()"))
                    .await?;
            }
        } else {
            connection
                .execute_unprepared("DROP TABLE IF EXISTS meetings_fts")
                .await?;
        }
        for table in [
            PlacementTotals::Table.into_iden(),
            HostActives::Table.into_iden(),
            ActionItems::Table.into_iden(),
            MeetingParties::Table.into_iden(),
            Meetings::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
