//! Reason codes and transfers.
//!
//! - `apprenticeship_history.reason_code`: the coded reason of a move
//!   (returns, suspensions, terminations, cancellations, transfers).
//! - `apprenticeships.transferred_from`, `apprenticeships.transferred_to`:
//!   the placements a transfer links (`RESTRICT`: neither is deleted while
//!   the other names it), each with an index, so that deleting a placement
//!   checks the keys without a scan.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{add_reference_sql, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ApprenticeshipHistory {
    Table,
    ReasonCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    TransferredFrom,
    TransferredTo,
}

/// The link columns, with their names (also their indexes' suffixes).
const LINKS: [(Apprenticeships, &str); 2] = [
    (Apprenticeships::TransferredFrom, "transferred_from"),
    (Apprenticeships::TransferredTo, "transferred_to"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApprenticeshipHistory::Table)
                    .add_column(string_len_null(ApprenticeshipHistory::ReasonCode, 32))
                    .to_owned(),
            )
            .await?;
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        for (column, name) in LINKS {
            connection
                .execute_unprepared(&add_reference_sql(backend, "apprenticeships", name, "apprenticeships"))
                .await?;
            manager
                .create_index(index(Apprenticeships::Table, name, &[column]))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (_, name) in LINKS {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("apprenticeships_{name}"))
                        .table(Apprenticeships::Table)
                        .to_owned(),
                )
                .await?;
        }
        // SQLite drops a column only once no constraint names it: the
        // placements table keeps its unused link columns there.
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for (column, _) in LINKS {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Apprenticeships::Table)
                            .drop_column(column)
                            .to_owned(),
                    )
                    .await?;
            }
        }
        manager
            .alter_table(
                Table::alter()
                    .table(ApprenticeshipHistory::Table)
                    .drop_column(ApprenticeshipHistory::ReasonCode)
                    .to_owned(),
            )
            .await
    }
}
