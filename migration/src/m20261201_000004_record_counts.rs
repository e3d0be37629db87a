//! Exact row counts kept by the database: `record_counts` holds the number
//! of rows of each counted table, changed by triggers in the transaction of
//! every insert and delete (whatever writes the rows), so that an
//! unfiltered list's `total` is one row read instead of a count over a
//! million rows. Counted: `apprenticeships`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows are counted.
const COUNTED: &[&str] = &["apprenticeships"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared(
            "CREATE TABLE record_counts (resource VARCHAR(64) NOT NULL PRIMARY KEY, total BIGINT NOT NULL)",
        )
        .await?;
        if backend == DatabaseBackend::Postgres {
            // A statement-level trigger: one update per statement, however many rows it writes.
            db.execute_unprepared(
                "CREATE FUNCTION record_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN UPDATE record_counts SET total = total + (SELECT count(*) FROM written) \
                 WHERE resource = TG_TABLE_NAME; RETURN NULL; END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE FUNCTION record_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN UPDATE record_counts SET total = total - (SELECT count(*) FROM written) \
                 WHERE resource = TG_TABLE_NAME; RETURN NULL; END $$",
            )
            .await?;
        }
        for table in COUNTED {
            db.execute_unprepared(&format!(
                "INSERT INTO record_counts (resource, total) SELECT '{table}', count(*) FROM {table}"
            ))
            .await?;
            let triggers = match backend {
                DatabaseBackend::Postgres => vec![
                    format!(
                        "CREATE TRIGGER {table}_counted_insert AFTER INSERT ON {table} \
                         REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION record_counts_inserted()"
                    ),
                    format!(
                        "CREATE TRIGGER {table}_counted_delete AFTER DELETE ON {table} \
                         REFERENCING OLD TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION record_counts_deleted()"
                    ),
                ],
                _ => vec![
                    format!(
                        "CREATE TRIGGER {table}_counted_insert AFTER INSERT ON {table} BEGIN \
                         UPDATE record_counts SET total = total + 1 WHERE resource = '{table}'; END"
                    ),
                    format!(
                        "CREATE TRIGGER {table}_counted_delete AFTER DELETE ON {table} BEGIN \
                         UPDATE record_counts SET total = total - 1 WHERE resource = '{table}'; END"
                    ),
                ],
            };
            for sql in triggers {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in COUNTED {
            for suffix in ["insert", "delete"] {
                let sql = match manager.get_database_backend() {
                    DatabaseBackend::Postgres => format!("DROP TRIGGER IF EXISTS {table}_counted_{suffix} ON {table}"),
                    _ => format!("DROP TRIGGER IF EXISTS {table}_counted_{suffix}"),
                };
                db.execute_unprepared(&sql).await?;
            }
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS record_counts_inserted()")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS record_counts_deleted()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS record_counts").await?;
        Ok(())
    }
}
