//! The directory: enterprises and schools, with the side tables that make
//! their tag and major filters indexable, and the trigram indexes behind `q`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::{index, search_index_sql};
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Enterprises {
    Table,
    Id,
    Name,
    ShortName,
    CreditCode,
    Industry,
    Scale,
    Address,
    RegionCode,
    ContactName,
    ContactPhone,
    ContactEmail,
    Website,
    Description,
    MembershipStatus,
    JoinedOn,
    Tags,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum EnterpriseTags {
    Table,
    EnterpriseId,
    Tag,
}

#[derive(DeriveIden, Clone, Copy)]
enum Schools {
    Table,
    Id,
    Name,
    ShortName,
    Code,
    Kind,
    Address,
    RegionCode,
    ContactName,
    ContactPhone,
    ContactEmail,
    Website,
    MembershipStatus,
    JoinedOn,
    Majors,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SchoolMajors {
    Table,
    SchoolId,
    Position,
    Code,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enterprises::Table)
                    .col(uuid(Enterprises::Id).primary_key())
                    .col(string_len(Enterprises::Name, 200))
                    .col(string_len_null(Enterprises::ShortName, 50))
                    .col(string_len_null(Enterprises::CreditCode, 18).unique_key())
                    .col(string_len_null(Enterprises::Industry, 100))
                    .col(string_len_null(Enterprises::Scale, 16))
                    .col(string_len_null(Enterprises::Address, 500))
                    .col(string_len_null(Enterprises::RegionCode, 6))
                    .col(string_len_null(Enterprises::ContactName, 500))
                    .col(string_len_null(Enterprises::ContactPhone, 32))
                    .col(string_len_null(Enterprises::ContactEmail, 500))
                    .col(string_len_null(Enterprises::Website, 500))
                    .col(text_null(Enterprises::Description))
                    .col(string_len(Enterprises::MembershipStatus, 16))
                    .col(date_null(Enterprises::JoinedOn))
                    .col(json_binary(Enterprises::Tags))
                    .col(text(Enterprises::SearchText))
                    .col(integer(Enterprises::Version))
                    .col(timestamp_with_time_zone(Enterprises::CreatedAt))
                    .col(timestamp_with_time_zone(Enterprises::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EnterpriseTags::Table)
                    .col(uuid(EnterpriseTags::EnterpriseId))
                    .col(string_len(EnterpriseTags::Tag, 30))
                    .primary_key(
                        Index::create()
                            .col(EnterpriseTags::EnterpriseId)
                            .col(EnterpriseTags::Tag),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("enterprise_tags_enterprise_fk")
                            .from(EnterpriseTags::Table, EnterpriseTags::EnterpriseId)
                            .to(Enterprises::Table, Enterprises::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Schools::Table)
                    .col(uuid(Schools::Id).primary_key())
                    .col(string_len(Schools::Name, 200))
                    .col(string_len_null(Schools::ShortName, 50))
                    .col(string_len_null(Schools::Code, 10).unique_key())
                    .col(string_len_null(Schools::Kind, 32))
                    .col(string_len_null(Schools::Address, 500))
                    .col(string_len_null(Schools::RegionCode, 6))
                    .col(string_len_null(Schools::ContactName, 500))
                    .col(string_len_null(Schools::ContactPhone, 32))
                    .col(string_len_null(Schools::ContactEmail, 500))
                    .col(string_len_null(Schools::Website, 500))
                    .col(string_len(Schools::MembershipStatus, 16))
                    .col(date_null(Schools::JoinedOn))
                    .col(json_binary(Schools::Majors))
                    .col(text(Schools::SearchText))
                    .col(integer(Schools::Version))
                    .col(timestamp_with_time_zone(Schools::CreatedAt))
                    .col(timestamp_with_time_zone(Schools::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SchoolMajors::Table)
                    .col(uuid(SchoolMajors::SchoolId))
                    .col(integer(SchoolMajors::Position))
                    .col(string_len_null(SchoolMajors::Code, 500))
                    .col(string_len(SchoolMajors::Name, 500))
                    .primary_key(Index::create().col(SchoolMajors::SchoolId).col(SchoolMajors::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("school_majors_school_fk")
                            .from(SchoolMajors::Table, SchoolMajors::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // Every sort (with the id that breaks ties) and every filter has an index.
        let indexes = [
            index(
                Enterprises::Table,
                "created_at",
                &[Enterprises::CreatedAt, Enterprises::Id],
            ),
            index(
                Enterprises::Table,
                "updated_at",
                &[Enterprises::UpdatedAt, Enterprises::Id],
            ),
            index(Enterprises::Table, "name", &[Enterprises::Name, Enterprises::Id]),
            index(
                Enterprises::Table,
                "membership_status",
                &[Enterprises::MembershipStatus],
            ),
            index(Enterprises::Table, "scale", &[Enterprises::Scale]),
            index(Enterprises::Table, "industry", &[Enterprises::Industry]),
            index(EnterpriseTags::Table, "tag", &[EnterpriseTags::Tag]),
            index(Schools::Table, "created_at", &[Schools::CreatedAt, Schools::Id]),
            index(Schools::Table, "updated_at", &[Schools::UpdatedAt, Schools::Id]),
            index(Schools::Table, "name", &[Schools::Name, Schools::Id]),
            index(Schools::Table, "membership_status", &[Schools::MembershipStatus]),
            index(Schools::Table, "kind", &[Schools::Kind]),
            index(SchoolMajors::Table, "code", &[SchoolMajors::Code]),
            index(SchoolMajors::Table, "name", &[SchoolMajors::Name]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }

        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        for table in ["enterprises", "schools"] {
            for sql in search_index_sql(backend, table) {
                connection.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            for table in ["enterprises", "schools"] {
                manager
                    .get_connection()
                    .execute_unprepared(&format!("DROP TABLE IF EXISTS {table}_fts"))
                    .await?;
            }
        }
        for table in [
            SchoolMajors::Table.into_iden(),
            Schools::Table.into_iden(),
            EnterpriseTags::Table.into_iden(),
            Enterprises::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
