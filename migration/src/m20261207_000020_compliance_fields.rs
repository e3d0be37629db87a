//! The plain fields the compliance rules rest on.
//!
//! - `enterprises.staff_count` (employees on its payroll, NULL when unknown)
//!   and `enterprises.posts` (its posts as JSON, `[]` for the enterprises
//!   already there);
//! - `apprenticeships.night_shift` and `apprenticeships.hazardous` (`false`
//!   for the placements already there) and
//!   `apprenticeships.insurance_expires_on` (NULL).
//!
//! A participant's `enrolled_on` lives in the `participant` JSON column and
//! needs no column. No new index: the rules read the placements judged on a
//! day by status and dates (`apprenticeships_status_start`) or by host and
//! status (`apprenticeships_enterprise_dates`), and test the new fields on
//! those rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Enterprises {
    Table,
    StaffCount,
    Posts,
}

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    NightShift,
    Hazardous,
    InsuranceExpiresOn,
}

/// The columns added, one statement each (SQLite alters one column at a time).
fn added() -> Vec<(DynIden, ColumnDef)> {
    vec![
        (
            Enterprises::Table.into_iden(),
            big_integer_null(Enterprises::StaffCount),
        ),
        (
            Enterprises::Table.into_iden(),
            json_binary(Enterprises::Posts).default("[]").to_owned(),
        ),
        (
            Apprenticeships::Table.into_iden(),
            boolean(Apprenticeships::NightShift).default(false).to_owned(),
        ),
        (
            Apprenticeships::Table.into_iden(),
            boolean(Apprenticeships::Hazardous).default(false).to_owned(),
        ),
        (
            Apprenticeships::Table.into_iden(),
            date_null(Apprenticeships::InsuranceExpiresOn),
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in added() {
            manager
                .alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in added().into_iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Alias::new(column.get_column_name()))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
