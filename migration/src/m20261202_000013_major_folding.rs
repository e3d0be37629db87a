//! `school_majors.name_folded`: a major's name folded as a `q` search folds
//! text (traditional to simplified Chinese, lower case), so that the schools'
//! `major` filter finds `焊接技术应用` when asked for `焊接技术應用`. Existing rows
//! are filled in here; the index moves from `name` to `name_folded`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::{ConnectionTrait, TransactionTrait};

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum SchoolMajors {
    Table,
    SchoolId,
    Position,
    Name,
    NameFolded,
}

/// The folding of `chanjiao::domain::search::fold` (a test there checks
/// that the two agree).
pub fn fold(text: &str) -> String {
    fast2s::convert(text).to_lowercase()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SchoolMajors::Table)
                    .add_column(string_len(SchoolMajors::NameFolded, 500).default(""))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let select = Query::select()
            .columns([SchoolMajors::SchoolId, SchoolMajors::Position, SchoolMajors::Name])
            .from(SchoolMajors::Table)
            .to_owned();
        let rows = db.query_all(&select).await?;
        let txn = db.begin().await?;
        for row in rows {
            let school_id: Uuid = row.try_get_by_index(0)?;
            let position: i32 = row.try_get_by_index(1)?;
            let name: String = row.try_get_by_index(2)?;
            let update = Query::update()
                .table(SchoolMajors::Table)
                .value(SchoolMajors::NameFolded, fold(&name))
                .and_where(Expr::col(SchoolMajors::SchoolId).eq(school_id))
                .and_where(Expr::col(SchoolMajors::Position).eq(position))
                .to_owned();
            txn.execute(&update).await?;
        }
        txn.commit().await?;
        manager
            .drop_index(
                Index::drop()
                    .name("school_majors_name")
                    .table(SchoolMajors::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(SchoolMajors::Table, "name_folded", &[SchoolMajors::NameFolded]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("school_majors_name_folded")
                    .table(SchoolMajors::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(SchoolMajors::Table, "name", &[SchoolMajors::Name]))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(SchoolMajors::Table)
                    .drop_column(SchoolMajors::NameFolded)
                    .to_owned(),
            )
            .await
    }
}
