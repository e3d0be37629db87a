//! Placements (apprenticeships) and their history. An enterprise or a school
//! that placements reference cannot be deleted (`RESTRICT`); a placement's
//! history goes with it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{index, search_index_sql};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    Id,
    Kind,
    EnterpriseId,
    SchoolId,
    Participant,
    Program,
    Major,
    Position,
    Site,
    EnterpriseMentor,
    SchoolSupervisor,
    StartDate,
    EndDate,
    HoursPerWeek,
    MonthlyStipendFen,
    AgreementSignedOn,
    InsurancePolicyNo,
    Status,
    Evaluations,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ApprenticeshipHistory {
    Table,
    Id,
    ApprenticeshipId,
    FromStatus,
    ToStatus,
    Reason,
    ActorUserId,
    ActorUsername,
    At,
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
                    .table(Apprenticeships::Table)
                    .col(uuid(Apprenticeships::Id).primary_key())
                    .col(string_len(Apprenticeships::Kind, 32))
                    .col(uuid(Apprenticeships::EnterpriseId))
                    .col(uuid_null(Apprenticeships::SchoolId))
                    .col(json_binary(Apprenticeships::Participant))
                    .col(string_len_null(Apprenticeships::Program, 500))
                    .col(string_len_null(Apprenticeships::Major, 500))
                    .col(string_len_null(Apprenticeships::Position, 500))
                    .col(string_len_null(Apprenticeships::Site, 500))
                    .col(string_len_null(Apprenticeships::EnterpriseMentor, 500))
                    .col(string_len_null(Apprenticeships::SchoolSupervisor, 500))
                    .col(date(Apprenticeships::StartDate))
                    .col(date_null(Apprenticeships::EndDate))
                    .col(big_integer_null(Apprenticeships::HoursPerWeek))
                    .col(big_integer_null(Apprenticeships::MonthlyStipendFen))
                    .col(date_null(Apprenticeships::AgreementSignedOn))
                    .col(string_len_null(Apprenticeships::InsurancePolicyNo, 500))
                    .col(string_len(Apprenticeships::Status, 16))
                    .col(json_binary(Apprenticeships::Evaluations))
                    .col(text(Apprenticeships::SearchText))
                    .col(integer(Apprenticeships::Version))
                    .col(timestamp_with_time_zone(Apprenticeships::CreatedAt))
                    .col(timestamp_with_time_zone(Apprenticeships::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("apprenticeships_enterprise_fk")
                            .from(Apprenticeships::Table, Apprenticeships::EnterpriseId)
                            .to(Enterprises::Table, Enterprises::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("apprenticeships_school_fk")
                            .from(Apprenticeships::Table, Apprenticeships::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipHistory::Table)
                    .col(uuid(ApprenticeshipHistory::Id).primary_key())
                    .col(uuid(ApprenticeshipHistory::ApprenticeshipId))
                    .col(string_len_null(ApprenticeshipHistory::FromStatus, 16))
                    .col(string_len(ApprenticeshipHistory::ToStatus, 16))
                    .col(string_len_null(ApprenticeshipHistory::Reason, 500))
                    .col(uuid_null(ApprenticeshipHistory::ActorUserId))
                    .col(string_null(ApprenticeshipHistory::ActorUsername))
                    .col(timestamp_with_time_zone(ApprenticeshipHistory::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("apprenticeship_history_apprenticeship_fk")
                            .from(ApprenticeshipHistory::Table, ApprenticeshipHistory::ApprenticeshipId)
                            .to(Apprenticeships::Table, Apprenticeships::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // Every sort (with the id that breaks ties) and every filter has an
        // index; the list's typical queries have composite ones.
        let a = Apprenticeships::Table;
        let indexes = [
            index(a, "created_at", &[Apprenticeships::CreatedAt, Apprenticeships::Id]),
            index(a, "updated_at", &[Apprenticeships::UpdatedAt, Apprenticeships::Id]),
            index(a, "start_date", &[Apprenticeships::StartDate, Apprenticeships::Id]),
            index(a, "kind", &[Apprenticeships::Kind]),
            index(
                a,
                "status_start",
                &[Apprenticeships::Status, Apprenticeships::StartDate],
            ),
            index(
                a,
                "enterprise_status",
                &[Apprenticeships::EnterpriseId, Apprenticeships::Status],
            ),
            index(
                a,
                "school_status",
                &[Apprenticeships::SchoolId, Apprenticeships::Status],
            ),
            index(
                ApprenticeshipHistory::Table,
                "apprenticeship",
                &[ApprenticeshipHistory::ApprenticeshipId, ApprenticeshipHistory::At],
            ),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        let connection = manager.get_connection();
        for sql in search_index_sql(manager.get_database_backend(), "apprenticeships") {
            connection.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS apprenticeships_fts")
                .await?;
        }
        for table in [
            ApprenticeshipHistory::Table.into_iden(),
            Apprenticeships::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
