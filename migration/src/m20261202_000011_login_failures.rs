//! `login_failures` again, with a username that may be absent: a failed
//! `client_credentials` login, or one whose username could be no one's
//! (longer than 64 characters, a control character), counts toward its
//! client address only. Its rows last 15 minutes, so the table starts
//! over instead of being copied.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum LoginFailures {
    Table,
    Id,
    Username,
    Ip,
    At,
}

async fn create(manager: &SchemaManager<'_>, username: ColumnDef) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(LoginFailures::Table)
                .col(uuid(LoginFailures::Id).primary_key())
                .col(username)
                .col(string_len(LoginFailures::Ip, 64))
                .col(timestamp_with_time_zone(LoginFailures::At))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(index(
            LoginFailures::Table,
            "username_at",
            &[LoginFailures::Username, LoginFailures::At],
        ))
        .await?;
    manager
        .create_index(index(
            LoginFailures::Table,
            "ip_at",
            &[LoginFailures::Ip, LoginFailures::At],
        ))
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginFailures::Table).to_owned())
            .await?;
        create(manager, string_len_null(LoginFailures::Username, 64)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginFailures::Table).to_owned())
            .await?;
        create(manager, string_len(LoginFailures::Username, 500)).await
    }
}
