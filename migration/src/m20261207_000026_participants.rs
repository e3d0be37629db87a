//! Participants' accounts: a user of role `participant` names its resident
//! ID (`participant_national_id`, one account per number); any user may be
//! made to change its password first (`must_change_password`). A placement
//! keeps its participant's resident ID as `participant_key`, by which the
//! participant's user finds its placements (filled here for those stored).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    ParticipantNationalId,
    MustChangePassword,
}

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    ParticipantKey,
    StartDate,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null(Users::ParticipantNationalId, 18),
            boolean(Users::MustChangePassword).default(false).to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(Users::Table).add_column(&mut column).to_owned())
                .await?;
        }
        let mut one_each = index(Users::Table, "participant_national_id", &[Users::ParticipantNationalId]);
        manager.create_index(one_each.unique().to_owned()).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Apprenticeships::Table)
                    .add_column(text_null(Apprenticeships::ParticipantKey))
                    .to_owned(),
            )
            .await?;
        let national_id = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "participant ->> 'national_id'",
            _ => "json_extract(participant, '$.national_id')",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE apprenticeships SET participant_key = UPPER({national_id}) WHERE {national_id} IS NOT NULL"
            ))
            .await?;
        manager
            .create_index(index(
                Apprenticeships::Table,
                "participant",
                &[
                    Apprenticeships::ParticipantKey,
                    Apprenticeships::StartDate,
                    Apprenticeships::Id,
                ],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("apprenticeships_participant").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Apprenticeships::Table)
                    .drop_column(Apprenticeships::ParticipantKey)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name("users_participant_national_id").to_owned())
            .await?;
        for column in [Users::ParticipantNationalId, Users::MustChangePassword] {
            manager
                .alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
