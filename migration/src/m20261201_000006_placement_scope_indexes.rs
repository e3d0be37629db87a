//! An organisation's placements by status, twice: newest first with their
//! dates (`…_scope`), and by their dates (`…_dates`). The list a school or an
//! enterprise opens most (`status=active&enterprise_id=…&active_on=…`) walks
//! the first in its order and reads only the rows of its page; its `total`
//! is counted from the second alone, reading only the entries that started
//! by that day. They replace the `(enterprise_id, status)` and
//! `(school_id, status)` indexes, which both begin with.

use sea_orm_migration::prelude::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    EnterpriseId,
    SchoolId,
    Status,
    StartDate,
    EndDate,
    CreatedAt,
    Id,
}

fn scoped(owner: Apprenticeships, suffix: &str) -> IndexCreateStatement {
    use Apprenticeships::*;
    index(Table, suffix, &[owner, Status, CreatedAt, Id, StartDate, EndDate])
}

fn dated(owner: Apprenticeships, suffix: &str) -> IndexCreateStatement {
    use Apprenticeships::*;
    index(Table, suffix, &[owner, Status, StartDate, EndDate])
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for old in ["apprenticeships_enterprise_status", "apprenticeships_school_status"] {
            manager
                .drop_index(Index::drop().name(old).table(Apprenticeships::Table).to_owned())
                .await?;
        }
        manager
            .create_index(scoped(Apprenticeships::EnterpriseId, "enterprise_scope"))
            .await?;
        manager
            .create_index(scoped(Apprenticeships::SchoolId, "school_scope"))
            .await?;
        manager
            .create_index(dated(Apprenticeships::EnterpriseId, "enterprise_dates"))
            .await?;
        manager
            .create_index(dated(Apprenticeships::SchoolId, "school_dates"))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Apprenticeships::*;
        for new in [
            "apprenticeships_enterprise_scope",
            "apprenticeships_school_scope",
            "apprenticeships_enterprise_dates",
            "apprenticeships_school_dates",
        ] {
            manager
                .drop_index(Index::drop().name(new).table(Table).to_owned())
                .await?;
        }
        manager
            .create_index(index(Table, "enterprise_status", &[EnterpriseId, Status]))
            .await?;
        manager
            .create_index(index(Table, "school_status", &[SchoolId, Status]))
            .await?;
        Ok(())
    }
}
