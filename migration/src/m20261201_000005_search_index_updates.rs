//! The trigram indexes behind `q` take every insert at once (PostgreSQL's
//! `fastupdate = off`): with GIN's pending list, a search after many
//! inserts scans the list until a vacuum merges it, and its latency depends
//! on when that last happened. Databases made before this migration have
//! their directory indexes changed; newer ones are made that way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for table in ["enterprises", "schools", "apprenticeships"] {
                manager
                    .get_connection()
                    .execute_unprepared(&format!("ALTER INDEX {table}_search_trgm SET (fastupdate = off)"))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for table in ["enterprises", "schools", "apprenticeships"] {
                manager
                    .get_connection()
                    .execute_unprepared(&format!("ALTER INDEX {table}_search_trgm RESET (fastupdate)"))
                    .await?;
            }
        }
        Ok(())
    }
}
