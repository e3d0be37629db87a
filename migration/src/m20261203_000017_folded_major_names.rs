//! `school_majors.name_folded` becomes text: folding may lengthen a name
//! (`İ` lower-cases to two characters), so a valid 500-character major could
//! not be stored on PostgreSQL. SQLite does not enforce lengths.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE school_majors ALTER COLUMN name_folded TYPE text")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE school_majors ALTER COLUMN name_folded TYPE varchar(500)")
                .await?;
        }
        Ok(())
    }
}
