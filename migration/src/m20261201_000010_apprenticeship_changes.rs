//! A change counter for `apprenticeships` in `table_changes` (see the
//! `table_changes` migration): a page of placements read at one counter
//! value stays the same page for as long as the counter has that value, so
//! a replica reads a repeated list once per change of the placements.

use sea_orm_migration::prelude::*;

use crate::util::{change_counter_sql, drop_change_counter_sql};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in change_counter_sql(manager.get_database_backend(), "apprenticeships") {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in drop_change_counter_sql(manager.get_database_backend(), "apprenticeships") {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
