//! `table_changes`: a counter per directory table (`enterprises`,
//! `schools`), raised by triggers in the transaction of every statement
//! that inserts, changes or deletes its rows (whatever writes them). A
//! search's exact `total` computed at one counter value stays exact for as
//! long as the counter has that value, so the service counts a search over
//! the directory once per change of the directory, not once per request.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{change_counter_sql, drop_change_counter_sql};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables with a change counter.
const TABLES: [&str; 2] = ["enterprises", "schools"];

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
            for sql in change_counter_sql(backend, table) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for table in TABLES {
            for sql in drop_change_counter_sql(backend, table) {
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
