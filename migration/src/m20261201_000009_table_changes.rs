//! `table_changes`: a counter per directory table (`enterprises`,
//! `schools`), raised by triggers in the transaction of every statement
//! that inserts, changes or deletes its rows (whatever writes them). A
//! search's exact `total` computed at one counter value stays exact for as
//! long as the counter has that value, so the service counts a search over
//! the directory once per change of the directory, not once per request.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables with a change counter.
const TABLES: [&str; 2] = ["enterprises", "schools"];
/// The statements that raise it.
const EVENTS: [&str; 3] = ["insert", "update", "delete"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared(
            "CREATE TABLE table_changes (resource VARCHAR(64) NOT NULL PRIMARY KEY, changes BIGINT NOT NULL)",
        )
        .await?;
        if backend == DatabaseBackend::Postgres {
            // Statement-level: one raise per statement, however many rows it writes.
            db.execute_unprepared(
                "CREATE FUNCTION table_changes_raised() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN UPDATE table_changes SET changes = changes + 1 WHERE resource = TG_TABLE_NAME; \
                 RETURN NULL; END $$",
            )
            .await?;
        }
        for table in TABLES {
            db.execute_unprepared(&format!(
                "INSERT INTO table_changes (resource, changes) VALUES ('{table}', 0)"
            ))
            .await?;
            for event in EVENTS {
                let sql = match backend {
                    DatabaseBackend::Postgres => format!(
                        "CREATE TRIGGER {table}_changed_{event} AFTER {} ON {table} \
                         FOR EACH STATEMENT EXECUTE FUNCTION table_changes_raised()",
                        event.to_uppercase()
                    ),
                    _ => format!(
                        "CREATE TRIGGER {table}_changed_{event} AFTER {} ON {table} BEGIN \
                         UPDATE table_changes SET changes = changes + 1 WHERE resource = '{table}'; END",
                        event.to_uppercase()
                    ),
                };
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for table in TABLES {
            for event in EVENTS {
                let sql = match backend {
                    DatabaseBackend::Postgres => format!("DROP TRIGGER IF EXISTS {table}_changed_{event} ON {table}"),
                    _ => format!("DROP TRIGGER IF EXISTS {table}_changed_{event}"),
                };
                db.execute_unprepared(&sql).await?;
            }
        }
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS table_changes_raised()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS table_changes").await?;
        Ok(())
    }
}
