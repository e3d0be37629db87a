//! Training bases and the placements they take.
//!
//! - `bases`: the record (majors and tags as JSON), its folded search text
//!   with a trigram index (name), `established_on_key` (`established_on`, or
//!   9999-12-31 when it has none, so that the sort has one non-null column),
//!   an index per sort and per filter; the host enterprise and the partner
//!   school with `RESTRICT` foreign keys (neither is deleted while a base
//!   names it).
//! - `apprenticeships.base_id`: the base a placement trains at (`RESTRICT`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{add_reference_sql, index, search_index_sql};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Bases {
    Table,
    Id,
    Name,
    Kind,
    EnterpriseId,
    SchoolId,
    Status,
    EstablishedOn,
    EstablishedOnKey,
    Capacity,
    Majors,
    Address,
    Description,
    Tags,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    BaseId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Enterprises {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Schools {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Bases::Table)
                    .col(uuid(Bases::Id).primary_key())
                    .col(string_len(Bases::Name, 200))
                    .col(string_len(Bases::Kind, 32))
                    .col(uuid_null(Bases::EnterpriseId))
                    .col(uuid_null(Bases::SchoolId))
                    .col(string_len(Bases::Status, 16))
                    .col(date_null(Bases::EstablishedOn))
                    .col(date(Bases::EstablishedOnKey))
                    .col(big_integer_null(Bases::Capacity))
                    .col(json_binary(Bases::Majors))
                    .col(string_len_null(Bases::Address, 500))
                    .col(text_null(Bases::Description))
                    .col(json_binary(Bases::Tags))
                    .col(text(Bases::SearchText))
                    .col(integer(Bases::Version))
                    .col(timestamp_with_time_zone(Bases::CreatedAt))
                    .col(timestamp_with_time_zone(Bases::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("bases_enterprise_fk")
                            .from(Bases::Table, Bases::EnterpriseId)
                            .to(Enterprises::Table, Enterprises::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("bases_school_fk")
                            .from(Bases::Table, Bases::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        connection
            .execute_unprepared(&add_reference_sql(backend, "apprenticeships", "base_id", "bases"))
            .await?;
        let b = Bases::Table;
        let indexes = [
            index(b, "created_at", &[Bases::CreatedAt, Bases::Id]),
            index(b, "updated_at", &[Bases::UpdatedAt, Bases::Id]),
            index(b, "name", &[Bases::Name, Bases::Id]),
            index(b, "established_on_key", &[Bases::EstablishedOnKey, Bases::Id]),
            index(b, "kind", &[Bases::Kind]),
            index(b, "status", &[Bases::Status]),
            index(b, "enterprise", &[Bases::EnterpriseId]),
            index(b, "school", &[Bases::SchoolId]),
            index(Apprenticeships::Table, "base", &[Apprenticeships::BaseId]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        for sql in search_index_sql(backend, "bases") {
            connection.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        manager
            .drop_index(
                Index::drop()
                    .name("apprenticeships_base")
                    .table(Apprenticeships::Table)
                    .to_owned(),
            )
            .await?;
        // SQLite drops a column only once no constraint names it: the
        // placements table keeps an unused column there.
        if backend == DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(Apprenticeships::Table)
                        .drop_column(Apprenticeships::BaseId)
                        .to_owned(),
                )
                .await?;
        } else {
            connection.execute_unprepared("DROP TABLE IF EXISTS bases_fts").await?;
        }
        manager.drop_table(Table::drop().table(Bases::Table).to_owned()).await?;
        Ok(())
    }
}
