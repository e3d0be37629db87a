//! What the compliance rules read, as indexed columns and tables:
//!
//! - `apprenticeships`: columns computed from the fields by the service:
//!   `position_key` (the folded `position`, matched with a post's),
//!   `birth_date` (the participant's, or the resident ID's),
//!   `enrolled_on` (the participant's) and `first_year_until` (a year after
//!   it); filled here for the placements already stored. The rules find
//!   the placements judged on a day through the indexes by status and dates
//!   (made covering in the next migration).
//! - `enterprise_posts`: one row per post an enterprise lists (its
//!   `posts`), with the folded name, so that the post rules are joins.
//! - `journals`: a placement's weekly journals (实习周记): the week, the
//!   hours and the status the rules read (the journal operations, and the
//!   table's change feed, come with the participants' accounts).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::{Date, Uuid};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult, JsonValue, Statement};

use crate::fold;
use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Apprenticeships {
    Table,
    Id,
    PositionKey,
    BirthDate,
    EnrolledOn,
    FirstYearUntil,
}

#[derive(DeriveIden, Clone, Copy)]
enum Enterprises {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum EnterprisePosts {
    Table,
    EnterpriseId,
    Position,
    Name,
    NameKey,
    StaffCount,
    ProbationMonthlyFen,
}

#[derive(DeriveIden, Clone, Copy)]
enum Journals {
    Table,
    Id,
    ApprenticeshipId,
    SchoolId,
    EnterpriseId,
    WeekOf,
    Content,
    HoursWorked,
    NightHours,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

/// Placements read at once while filling the new columns.
const BATCH: u64 = 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Apprenticeships as A;
        for column in [
            text_null(A::PositionKey),
            date_null(A::BirthDate),
            date_null(A::EnrolledOn),
            date_null(A::FirstYearUntil),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(A::Table).add_column(&mut column).to_owned())
                .await?;
        }
        fill_placements(manager).await?;
        let p = EnterprisePosts::Table;
        manager
            .create_table(
                Table::create()
                    .table(p)
                    .col(uuid(EnterprisePosts::EnterpriseId))
                    .col(integer(EnterprisePosts::Position))
                    .col(string_len(EnterprisePosts::Name, 100))
                    .col(text(EnterprisePosts::NameKey))
                    .col(big_integer_null(EnterprisePosts::StaffCount))
                    .col(big_integer_null(EnterprisePosts::ProbationMonthlyFen))
                    .primary_key(
                        Index::create()
                            .col(EnterprisePosts::EnterpriseId)
                            .col(EnterprisePosts::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("enterprise_posts_enterprise_fk")
                            .from(p, EnterprisePosts::EnterpriseId)
                            .to(Enterprises::Table, Enterprises::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let j = Journals::Table;
        manager
            .create_table(
                Table::create()
                    .table(j)
                    .col(uuid(Journals::Id).primary_key())
                    .col(uuid(Journals::ApprenticeshipId))
                    .col(uuid_null(Journals::SchoolId))
                    .col(uuid(Journals::EnterpriseId))
                    .col(date(Journals::WeekOf))
                    .col(text(Journals::Content))
                    .col(big_integer_null(Journals::HoursWorked))
                    .col(big_integer_null(Journals::NightHours))
                    .col(string_len(Journals::Status, 16))
                    .col(integer(Journals::Version))
                    .col(timestamp_with_time_zone(Journals::CreatedAt))
                    .col(timestamp_with_time_zone(Journals::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("journals_apprenticeship_fk")
                            .from(j, Journals::ApprenticeshipId)
                            .to(A::Table, A::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        let mut week = index(j, "week", &[Journals::ApprenticeshipId, Journals::WeekOf]);
        let indexes = [
            week.unique().to_owned(),
            index(j, "hours", &[Journals::HoursWorked, Journals::ApprenticeshipId]),
            index(j, "school", &[Journals::SchoolId, Journals::WeekOf]),
            index(j, "enterprise", &[Journals::EnterpriseId, Journals::WeekOf]),
            index(
                p,
                "name_key",
                &[EnterprisePosts::EnterpriseId, EnterprisePosts::NameKey],
            ),
        ];
        for statement in indexes {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Journals::Table.into_iden(), EnterprisePosts::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        use Apprenticeships as A;
        for column in [A::PositionKey, A::BirthDate, A::EnrolledOn, A::FirstYearUntil] {
            manager
                .alter_table(Table::alter().table(A::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A stored placement's fields the new columns come from.
#[derive(Debug, FromQueryResult)]
struct Placement {
    id: Uuid,
    position: Option<String>,
    participant: JsonValue,
}

/// Fills `position_key` and `birth_date` of the placements already stored
/// (`enrolled_on` is new: none has one), a batch at a time.
async fn fill_placements(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let connection = manager.get_connection();
    let backend = manager.get_database_backend();
    let (p1, p2, p3) = match backend {
        DatabaseBackend::Postgres => ("$1", "$2", "$3"),
        _ => ("?", "?", "?"),
    };
    let mut after: Option<Uuid> = None;
    loop {
        let (sql, values) = match after {
            None => (
                format!("SELECT id, position, participant FROM apprenticeships ORDER BY id LIMIT {BATCH}"),
                vec![],
            ),
            Some(id) => (
                format!(
                    "SELECT id, position, participant FROM apprenticeships WHERE id > {p1} ORDER BY id LIMIT {BATCH}"
                ),
                vec![id.into()],
            ),
        };
        let rows = Placement::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .all(connection)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(last.id);
        for row in &rows {
            let key = row.position.as_deref().map(fold);
            let born = birth_date(&row.participant);
            if key.is_none() && born.is_none() {
                continue;
            }
            connection
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    format!("UPDATE apprenticeships SET position_key = {p1}, birth_date = {p2} WHERE id = {p3}"),
                    [key.into(), born.into(), row.id.into()],
                ))
                .await?;
        }
    }
}

/// A participant's birth date: its `birth_date`, or the resident ID's
/// (characters 7–14, `YYYYMMDD`).
fn birth_date(participant: &JsonValue) -> Option<Date> {
    if let Some(day) = participant.get("birth_date").and_then(|d| d.as_str()) {
        return day.parse::<Date>().ok();
    }
    let id = participant.get("national_id").and_then(|d| d.as_str())?;
    Date::parse_from_str(id.get(6..14)?, "%Y%m%d").ok()
}
