//! Skills competitions.
//!
//! - `competitions`: the record (entries as JSON), its folded search text
//!   with a trigram index (name, skill), an index per sort and on `skill`,
//!   `level`; the base with a `RESTRICT` foreign key.
//! - `competition_parties`: every enterprise, school and placement a
//!   competition names (its hosts and entries), with `RESTRICT` foreign keys,
//!   so that the organisation filters are index lookups and a named record is
//!   not deleted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{index, search_index_sql};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Competitions {
    Table,
    Id,
    Name,
    Skill,
    Level,
    HeldOn,
    HostEnterpriseId,
    HostSchoolId,
    BaseId,
    Description,
    Entries,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CompetitionParties {
    Table,
    CompetitionId,
    Position,
    EnterpriseId,
    SchoolId,
    ApprenticeshipId,
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

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Bases {
    Table,
    Id,
}

fn reference(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(action)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict};
        let c = Competitions::Table;
        let p = CompetitionParties::Table;
        manager
            .create_table(
                Table::create()
                    .table(c)
                    .col(uuid(Competitions::Id).primary_key())
                    .col(string_len(Competitions::Name, 200))
                    .col(string_len(Competitions::Skill, 100))
                    .col(string_len_null(Competitions::Level, 16))
                    .col(date(Competitions::HeldOn))
                    .col(uuid_null(Competitions::HostEnterpriseId))
                    .col(uuid_null(Competitions::HostSchoolId))
                    .col(uuid_null(Competitions::BaseId))
                    .col(text_null(Competitions::Description))
                    .col(json_binary(Competitions::Entries))
                    .col(text(Competitions::SearchText))
                    .col(integer(Competitions::Version))
                    .col(timestamp_with_time_zone(Competitions::CreatedAt))
                    .col(timestamp_with_time_zone(Competitions::UpdatedAt))
                    .foreign_key(&mut reference(
                        "competitions_base_fk",
                        (c, Competitions::BaseId),
                        (Bases::Table, Bases::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(p)
                    .col(uuid(CompetitionParties::CompetitionId))
                    .col(integer(CompetitionParties::Position))
                    .col(uuid_null(CompetitionParties::EnterpriseId))
                    .col(uuid_null(CompetitionParties::SchoolId))
                    .col(uuid_null(CompetitionParties::ApprenticeshipId))
                    .primary_key(
                        Index::create()
                            .col(CompetitionParties::CompetitionId)
                            .col(CompetitionParties::Position),
                    )
                    .foreign_key(&mut reference(
                        "competition_parties_competition_fk",
                        (p, CompetitionParties::CompetitionId),
                        (c, Competitions::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut reference(
                        "competition_parties_enterprise_fk",
                        (p, CompetitionParties::EnterpriseId),
                        (Enterprises::Table, Enterprises::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut reference(
                        "competition_parties_school_fk",
                        (p, CompetitionParties::SchoolId),
                        (Schools::Table, Schools::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut reference(
                        "competition_parties_apprenticeship_fk",
                        (p, CompetitionParties::ApprenticeshipId),
                        (Apprenticeships::Table, Apprenticeships::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            index(c, "created_at", &[Competitions::CreatedAt, Competitions::Id]),
            index(c, "updated_at", &[Competitions::UpdatedAt, Competitions::Id]),
            index(c, "held_on", &[Competitions::HeldOn, Competitions::Id]),
            index(c, "skill", &[Competitions::Skill]),
            index(c, "level", &[Competitions::Level]),
            index(c, "base", &[Competitions::BaseId]),
            index(
                p,
                "enterprise",
                &[CompetitionParties::EnterpriseId, CompetitionParties::CompetitionId],
            ),
            index(
                p,
                "school",
                &[CompetitionParties::SchoolId, CompetitionParties::CompetitionId],
            ),
            index(p, "apprenticeship", &[CompetitionParties::ApprenticeshipId]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        let backend = manager.get_database_backend();
        let connection = manager.get_connection();
        for sql in search_index_sql(backend, "competitions") {
            connection.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS competitions_fts")
                .await?;
        }
        for table in [CompetitionParties::Table.into_iden(), Competitions::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
