//! `directory_totals`: how many enterprises and how many schools there are
//! per membership status, kept by triggers on `enterprises` and `schools`
//! in the transaction of every insert, delete and change of status
//! (whatever writes the rows), so that the statistics overview reads a
//! dozen rows instead of counting the directory.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DirectoryTotals {
    Table,
    Resource,
    MembershipStatus,
    Total,
}

/// The directory tables with a tally.
const TABLES: [&str; 2] = ["enterprises", "schools"];

/// The tally triggers of one directory table: statement-level on PostgreSQL
/// (one upsert of the net change per statement, in key order, so that
/// concurrent transactions lock tally rows in the same order), row-level on
/// SQLite (one writer at a time); then the tally of the rows already there.
fn tally_sql(backend: DatabaseBackend, table: &str) -> Vec<String> {
    match backend {
        DatabaseBackend::Postgres => {
            let upsert = |changes: &str| {
                format!(
                    "INSERT INTO directory_totals (resource, membership_status, total) \
                     SELECT '{table}', membership_status, SUM(delta) FROM ({changes}) AS c \
                     GROUP BY 2 HAVING SUM(delta) <> 0 ORDER BY 2 \
                     ON CONFLICT (resource, membership_status) \
                     DO UPDATE SET total = directory_totals.total + excluded.total;"
                )
            };
            let rows = |from: &str, delta: &str| format!("SELECT membership_status, {delta} AS delta FROM {from}");
            let function = |name: &str, changes: &str| {
                format!(
                    "CREATE FUNCTION {table}_tallies_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {} \
                     RETURN NULL; END $$",
                    upsert(changes)
                )
            };
            vec![
                function("inserted", &rows("written", "1")),
                function("deleted", &rows("written", "-1")),
                function(
                    "updated",
                    &format!("{} UNION ALL {}", rows("old_rows", "-1"), rows("new_rows", "1")),
                ),
                format!(
                    "CREATE TRIGGER {table}_tallied_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS written \
                     FOR EACH STATEMENT EXECUTE FUNCTION {table}_tallies_inserted()"
                ),
                format!(
                    "CREATE TRIGGER {table}_tallied_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS written \
                     FOR EACH STATEMENT EXECUTE FUNCTION {table}_tallies_deleted()"
                ),
                format!(
                    "CREATE TRIGGER {table}_tallied_update AFTER UPDATE ON {table} \
                     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT \
                     EXECUTE FUNCTION {table}_tallies_updated()"
                ),
                upsert(&format!("SELECT membership_status, 1 AS delta FROM {table}")),
            ]
        }
        _ => {
            let add = |row: &str, delta: &str| {
                format!(
                    "INSERT INTO directory_totals (resource, membership_status, total) \
                     VALUES ('{table}', {row}.membership_status, {delta}) \
                     ON CONFLICT (resource, membership_status) DO UPDATE SET total = total + ({delta});"
                )
            };
            vec![
                format!(
                    "CREATE TRIGGER {table}_tallied_insert AFTER INSERT ON {table} BEGIN {} END",
                    add("new", "1")
                ),
                format!(
                    "CREATE TRIGGER {table}_tallied_delete AFTER DELETE ON {table} BEGIN {} END",
                    add("old", "-1")
                ),
                format!(
                    "CREATE TRIGGER {table}_tallied_update AFTER UPDATE OF membership_status ON {table} \
                     WHEN old.membership_status IS NOT new.membership_status BEGIN {} {} END",
                    add("old", "-1"),
                    add("new", "1")
                ),
                format!(
                    "INSERT INTO directory_totals (resource, membership_status, total) \
                     SELECT '{table}', membership_status, count(*) FROM {table} GROUP BY membership_status"
                ),
            ]
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DirectoryTotals::Table)
                    .col(string_len(DirectoryTotals::Resource, 32))
                    .col(string_len(DirectoryTotals::MembershipStatus, 32))
                    .col(big_integer(DirectoryTotals::Total))
                    .primary_key(
                        Index::create()
                            .col(DirectoryTotals::Resource)
                            .col(DirectoryTotals::MembershipStatus),
                    )
                    .to_owned(),
            )
            .await?;
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        for table in TABLES {
            for sql in tally_sql(backend, table) {
                connection.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        for table in TABLES {
            for suffix in ["insert", "delete", "update"] {
                let sql = match backend {
                    DatabaseBackend::Postgres => format!("DROP TRIGGER IF EXISTS {table}_tallied_{suffix} ON {table}"),
                    _ => format!("DROP TRIGGER IF EXISTS {table}_tallied_{suffix}"),
                };
                connection.execute_unprepared(&sql).await?;
            }
            if backend == DatabaseBackend::Postgres {
                for function in ["inserted", "deleted", "updated"] {
                    connection
                        .execute_unprepared(&format!("DROP FUNCTION IF EXISTS {table}_tallies_{function}()"))
                        .await?;
                }
            }
        }
        manager
            .drop_table(Table::drop().table(DirectoryTotals::Table).to_owned())
            .await
    }
}
