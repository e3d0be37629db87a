//! The statistics overview. Placements are counted from the tallies the
//! database keeps (written by triggers in every write's transaction):
//! `placement_totals` per start year, status and kind, a few hundred rows
//! however many placements there are, and `host_actives`, active placements
//! per host and start year (0: every year) with the host's name, whose top
//! ten are a ten-entry walk of its `(start_year, total DESC, name)` index;
//! the directory from `directory_totals`, a row per resource and membership
//! status. Meetings and action items are counted by indexed `GROUP BY`s.

use super::Database;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, IsolationLevel,
    PaginatorTrait, QueryFilter, QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::domain::clock;
use crate::domain::vocab::{ActionItemStatus, ApprenticeshipKind, ApprenticeshipStatus, MembershipStatus};
use crate::entity::{action_item, directory_total, meeting, placement_total};
use crate::error::ApiError;
use crate::model::stats::{ActionItemCounts, DirectoryCounts, MeetingCounts, Overview, PlacementCounts, TopHost};

/// The years the overview accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// How many top hosts the overview lists.
const TOP_HOSTS: u64 = 10;

/// The overview, for every role alike (counts only, no personal data).
pub async fn overview(db: &Database, year: Option<i32>) -> Result<Overview, ApiError> {
    if let Some(year) = year.filter(|y| !YEARS.contains(y)) {
        return Err(ApiError::bad_parameter(
            "year",
            "range",
            format!("must be a year from 1900 to 2100, not {year}"),
        ));
    }
    let days = year.map(|y| {
        (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or_default(),
        )
    });
    // One snapshot for every count (PostgreSQL: a read-only repeatable-read
    // transaction; SQLite: a read transaction is one already).
    let reader = db.read();
    let txn = match db.backend() {
        DatabaseBackend::Postgres => {
            reader
                .begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                .await?
        }
        _ => reader.begin().await?,
    };
    let overview = Overview {
        enterprises: directory(&txn, "enterprises").await?,
        schools: directory(&txn, "schools").await?,
        apprenticeships: placements(&txn, year).await?,
        top_host_enterprises: top_hosts(&txn, year).await?,
        meetings: meetings(&txn, days).await?,
        action_items: action_items(&txn, days).await?,
    };
    txn.commit().await?;
    Ok(overview)
}

fn every<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> BTreeMap<String, u64> {
    all.iter().map(|v| (name(*v).to_string(), 0)).collect()
}

/// The directory counts of `enterprises` or `schools`, from
/// `directory_totals` (a row per membership status).
async fn directory(db: &impl ConnectionTrait, resource: &str) -> Result<DirectoryCounts, ApiError> {
    use directory_total::Column;
    let rows: Vec<(MembershipStatus, i64)> = directory_total::Entity::find()
        .select_only()
        .column(Column::MembershipStatus)
        .column(Column::Total)
        .filter(Column::Resource.eq(resource))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_membership_status = every(MembershipStatus::ALL, MembershipStatus::as_str);
    let mut total = 0;
    for (status, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        total += n;
        by_membership_status.insert(status.as_str().to_string(), n);
    }
    Ok(DirectoryCounts {
        total,
        by_membership_status,
    })
}

/// `SUM(total)` as a 64-bit integer on both databases (PostgreSQL's sum of a bigint is a numeric).
fn summed_total() -> Expr {
    Expr::cust("CAST(SUM(\"total\") AS BIGINT)")
}

/// How many placements have `status` and `kind` (each when given), from
/// `placement_totals`: a few dozen rows, however many placements there are.
pub(crate) async fn tallied_placements(
    db: &impl ConnectionTrait,
    status: Option<ApprenticeshipStatus>,
    kind: Option<ApprenticeshipKind>,
) -> Result<u64, ApiError> {
    use placement_total::Column;
    let mut select = placement_total::Entity::find()
        .select_only()
        .column_as(summed_total(), "n");
    if let Some(status) = status {
        select = select.filter(Column::Status.eq(status));
    }
    if let Some(kind) = kind {
        select = select.filter(Column::Kind.eq(kind));
    }
    // No matching tally row: SUM is NULL.
    let total: Option<Option<i64>> = select.into_tuple().one(db).await?;
    Ok(total.flatten().and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
}

async fn placements(db: &impl ConnectionTrait, year: Option<i32>) -> Result<PlacementCounts, ApiError> {
    use placement_total::Column;
    let mut select = placement_total::Entity::find()
        .select_only()
        .column(Column::Status)
        .column(Column::Kind)
        .column_as(summed_total(), "n")
        .group_by(Column::Status)
        .group_by(Column::Kind);
    if let Some(year) = year {
        select = select.filter(Column::StartYear.eq(year));
    }
    let rows: Vec<(ApprenticeshipStatus, ApprenticeshipKind, i64)> = select.into_tuple().all(db).await?;
    let mut by_status = every(ApprenticeshipStatus::ALL, ApprenticeshipStatus::as_str);
    let mut by_kind = every(ApprenticeshipKind::ALL, ApprenticeshipKind::as_str);
    let mut total = 0;
    for (status, kind, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        total += n;
        *by_status.entry(status.as_str().to_string()).or_default() += n;
        *by_kind.entry(kind.as_str().to_string()).or_default() += n;
    }
    Ok(PlacementCounts {
        total,
        by_status,
        by_kind,
    })
}

async fn top_hosts(db: &impl ConnectionTrait, year: Option<i32>) -> Result<Vec<TopHost>, ApiError> {
    #[derive(FromQueryResult)]
    struct Row {
        enterprise_id: Uuid,
        name: String,
        active: i64,
    }
    let backend = db.get_database_backend();
    let placeholder = super::list::placeholder(backend);
    // One walk of the `(start_year, total DESC, name, enterprise_id)` index; every
    // year is kept as start year 0; names compare in character order on both
    // databases (SQLite's BINARY, the column's "C" collation on PostgreSQL).
    let sql = format!(
        "SELECT enterprise_id, name, total AS active FROM host_actives \
         WHERE start_year = {placeholder} AND total > 0 \
         ORDER BY total DESC, name, enterprise_id LIMIT {TOP_HOSTS}"
    );
    let rows = Row::find_by_statement(Statement::from_sql_and_values(backend, sql, [year.unwrap_or(0).into()]))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| TopHost {
            enterprise_id: row.enterprise_id,
            name: row.name,
            active: u64::try_from(row.active).unwrap_or(0),
        })
        .collect())
}

async fn meetings(db: &impl ConnectionTrait, days: Option<(NaiveDate, NaiveDate)>) -> Result<MeetingCounts, ApiError> {
    let mut select = meeting::Entity::find();
    if let Some((first, last)) = days {
        select = select.filter(meeting::Column::HeldOn.between(first, last));
    }
    Ok(MeetingCounts {
        total: select.count(db).await?,
    })
}

async fn action_items(
    db: &impl ConnectionTrait,
    days: Option<(NaiveDate, NaiveDate)>,
) -> Result<ActionItemCounts, ApiError> {
    use action_item::Column;
    let narrowed = || {
        let select = action_item::Entity::find();
        match days {
            Some((first, last)) => select.filter(Column::HeldOn.between(first, last)),
            None => select,
        }
    };
    let rows: Vec<(ActionItemStatus, i64)> = narrowed()
        .select_only()
        .column(Column::Status)
        .column_as(Expr::expr(Func::count(Expr::col(Column::Id))), "n")
        .group_by(Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let overdue = narrowed()
        .filter(Column::Status.is_in(ActionItemStatus::PENDING.iter().copied()))
        .filter(Column::DueOn.lt(clock::today()))
        .count(db)
        .await?;
    let count = |status: ActionItemStatus| {
        rows.iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
    };
    Ok(ActionItemCounts {
        open: count(ActionItemStatus::Open),
        in_progress: count(ActionItemStatus::InProgress),
        done: count(ActionItemStatus::Done),
        cancelled: count(ActionItemStatus::Cancelled),
        overdue,
    })
}
