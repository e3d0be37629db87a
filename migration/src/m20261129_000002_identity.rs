//! Identity and audit: users, refresh tokens, failed logins (for
//! throttling), the audit trail, and a key–value table for generated secrets.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    Role,
    EnterpriseId,
    SchoolId,
    Service,
    Disabled,
    PasswordHash,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RefreshTokens {
    Table,
    Id,
    UserId,
    LoginId,
    TokenHash,
    ExpiresAt,
    RotatedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum LoginFailures {
    Table,
    Id,
    Username,
    Ip,
    At,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorUserId,
    ActorUsername,
    Action,
    ResourceType,
    ResourceId,
    Outcome,
    Ip,
    Changes,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppSettings {
    Table,
    Key,
    Value,
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
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    .col(string_len(Users::Username, 64).unique_key())
                    .col(string_len_null(Users::DisplayName, 500))
                    .col(string_len(Users::Role, 16))
                    .col(uuid_null(Users::EnterpriseId))
                    .col(uuid_null(Users::SchoolId))
                    .col(boolean(Users::Service))
                    .col(boolean(Users::Disabled))
                    .col(text(Users::PasswordHash))
                    .col(text(Users::SearchText))
                    .col(integer(Users::Version))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("users_enterprise_fk")
                            .from(Users::Table, Users::EnterpriseId)
                            .to(Enterprises::Table, Enterprises::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("users_school_fk")
                            .from(Users::Table, Users::SchoolId)
                            .to(Schools::Table, Schools::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(uuid(RefreshTokens::Id).primary_key())
                    .col(uuid(RefreshTokens::UserId))
                    .col(uuid(RefreshTokens::LoginId))
                    .col(string_len(RefreshTokens::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RotatedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("refresh_tokens_user_fk")
                            .from(RefreshTokens::Table, RefreshTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(uuid(LoginFailures::Id).primary_key())
                    .col(string_len(LoginFailures::Username, 500))
                    .col(string_len(LoginFailures::Ip, 64))
                    .col(timestamp_with_time_zone(LoginFailures::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(uuid(AuditEvents::Id).primary_key())
                    .col(timestamp_with_time_zone(AuditEvents::At))
                    .col(uuid_null(AuditEvents::ActorUserId))
                    .col(string_len_null(AuditEvents::ActorUsername, 500))
                    .col(string_len(AuditEvents::Action, 32))
                    .col(string_len(AuditEvents::ResourceType, 32))
                    .col(string_len_null(AuditEvents::ResourceId, 64))
                    .col(string_len(AuditEvents::Outcome, 16))
                    .col(string_len(AuditEvents::Ip, 64))
                    .col(json_binary_null(AuditEvents::Changes))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppSettings::Table)
                    .col(string_len(AppSettings::Key, 100).primary_key())
                    .col(text(AppSettings::Value))
                    .to_owned(),
            )
            .await?;

        let indexes = [
            index(Users::Table, "created_at", &[Users::CreatedAt, Users::Id]),
            index(Users::Table, "updated_at", &[Users::UpdatedAt, Users::Id]),
            index(Users::Table, "username_sort", &[Users::Username, Users::Id]),
            index(Users::Table, "role", &[Users::Role]),
            index(Users::Table, "disabled", &[Users::Disabled]),
            index(Users::Table, "enterprise_id", &[Users::EnterpriseId]),
            index(Users::Table, "school_id", &[Users::SchoolId]),
            index(RefreshTokens::Table, "user_id", &[RefreshTokens::UserId]),
            index(RefreshTokens::Table, "login_id", &[RefreshTokens::LoginId]),
            index(
                LoginFailures::Table,
                "username_at",
                &[LoginFailures::Username, LoginFailures::At],
            ),
            index(LoginFailures::Table, "ip_at", &[LoginFailures::Ip, LoginFailures::At]),
            index(AuditEvents::Table, "at", &[AuditEvents::At, AuditEvents::Id]),
            index(
                AuditEvents::Table,
                "resource",
                &[AuditEvents::ResourceType, AuditEvents::ResourceId],
            ),
            index(AuditEvents::Table, "resource_id", &[AuditEvents::ResourceId]),
            index(AuditEvents::Table, "actor_user_id", &[AuditEvents::ActorUserId]),
            index(AuditEvents::Table, "action", &[AuditEvents::Action]),
            index(AuditEvents::Table, "ip_at", &[AuditEvents::Ip, AuditEvents::At]),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AppSettings::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
