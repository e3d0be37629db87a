//! The one list machinery of every resource: keyset pagination by an opaque
//! cursor (never OFFSET), an allow-listed sort with the id breaking ties,
//! and the total count of the filtered list.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;

use sea_orm::sea_query::{Condition, Expr, ExprTrait, LikeExpr, Value};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, Iterable, ModelTrait, Order, PaginatorTrait,
    PrimaryKeyToColumn, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::Database;
use crate::domain::cursor::Cursor;
use crate::domain::search::{glob_pattern, like_pattern};
use crate::error::ApiError;
use crate::model::list::{bad_cursor, ListRequest, PageOf, SharedPage, SortKey, SortKind, SortValue};

/// A sort value as a query value.
fn value_of(value: SortValue) -> Value {
    match value {
        SortValue::Text(s) => s.into(),
        SortValue::Time(t) => t.into(),
        SortValue::Date(d) => d.into(),
    }
}

/// A column value that can be a sort key.
pub trait IntoSortValue {
    /// The type of such values in a cursor.
    const KIND: SortKind;
    /// The value as a cursor carries it.
    fn sort_value(&self) -> SortValue;
}

/// The sort kind of a row field, named by a function that borrows it (so
/// that [`keyset!`] derives each sort key's kind from its field's type).
pub fn kind_of<M, T: IntoSortValue>(_field: fn(&M) -> &T) -> SortKind {
    T::KIND
}

impl IntoSortValue for chrono::DateTime<chrono::Utc> {
    const KIND: SortKind = SortKind::Time;
    fn sort_value(&self) -> SortValue {
        SortValue::Time(*self)
    }
}

impl IntoSortValue for chrono::NaiveDate {
    const KIND: SortKind = SortKind::Date;
    fn sort_value(&self) -> SortValue {
        SortValue::Date(*self)
    }
}

impl IntoSortValue for crate::model::field::Date {
    const KIND: SortKind = SortKind::Date;
    fn sort_value(&self) -> SortValue {
        SortValue::Date(self.naive())
    }
}

impl<T: crate::model::field::TextRule> IntoSortValue for T {
    const KIND: SortKind = SortKind::Text;
    fn sort_value(&self) -> SortValue {
        SortValue::Text(self.as_str().to_string())
    }
}

/// The sort key of an optional date: the date, or the last day of the year
/// 9999 (after every date a record may hold, 1900–2100) when there is none,
/// so that records without one come last ascending and first descending.
pub fn date_or_last(date: Option<crate::model::field::Date>) -> crate::model::field::Date {
    use crate::model::field::Stored as _;
    date.unwrap_or_else(|| {
        crate::model::field::Date::from_stored(
            chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(chrono::NaiveDate::MAX),
        )
    })
}

/// An entity that can be listed page by page. By default a sort field's
/// column is the one [`SortKey::column`] names, its kind that column's type
/// and a row's value of it the row's value of that column, so that an
/// entity says no more than its sort table: `impl Keyset for base::Entity
/// { type Sort = BaseSort; }`.
pub trait Keyset: EntityTrait {
    /// The list's sort table.
    type Sort: SortKey;

    /// The primary key column (`id` in every listed table), which breaks ties.
    fn id_column() -> Self::Column {
        match Self::PrimaryKey::iter().next() {
            Some(key) => key.into_column(),
            // sea-orm's `DeriveEntityModel` does not compile an entity without one.
            None => unreachable!("an entity without a primary key"),
        }
    }

    /// The column of a sort field (the id's, for a name no column has:
    /// `every_sort_key_names_a_column` tests that none is so).
    fn sort_column(key: Self::Sort) -> Self::Column {
        Self::Column::from_str(key.column()).unwrap_or_else(|_| Self::id_column())
    }

    /// The type of a sort field.
    fn sort_kind(key: Self::Sort) -> SortKind {
        use sea_orm::sea_query::ColumnType;
        match Self::sort_column(key).def().get_column_type() {
            ColumnType::Date => SortKind::Date,
            ColumnType::Timestamp | ColumnType::TimestampWithTimeZone | ColumnType::DateTime => SortKind::Time,
            _ => SortKind::Text,
        }
    }

    /// A row's value of a sort field.
    fn sort_value(model: &Self::Model, key: Self::Sort) -> SortValue {
        match model.get(Self::sort_column(key)) {
            Value::ChronoDate(Some(day)) => SortValue::Date(day),
            Value::ChronoDateTimeUtc(Some(at)) => SortValue::Time(at),
            Value::String(Some(text)) => SortValue::Text(text),
            other => SortValue::Text(format!("{other:?}")),
        }
    }

    /// A row's id.
    fn id_of(model: &Self::Model) -> Uuid {
        match model.get(Self::id_column()) {
            Value::Uuid(Some(id)) => id,
            _ => Uuid::nil(),
        }
    }
}

/// Fetches one page of `select` (already filtered) in `request`'s order,
/// starting after its cursor, and counts the filtered records.
pub async fn fetch_page<E, C>(
    db: &C,
    select: Select<E>,
    request: &ListRequest<E::Sort>,
) -> Result<PageOf<E::Model>, ApiError>
where
    E: Keyset,
    E::Model: Sync,
    C: ConnectionTrait,
{
    fetch_page_of(db, select, request, None).await
}

/// The first bind parameter of a hand-written statement: `$1` on PostgreSQL, `?` on SQLite.
pub(crate) fn placeholder(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => "$1",
        _ => "?",
    }
}

/// The exact number of rows of a table whose rows the database counts
/// (`record_counts`, kept by triggers in the transaction of every insert and
/// delete): for the `total` of a list without filters.
pub async fn counted_rows(db: &impl ConnectionTrait, table: &str) -> Result<u64, DbErr> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Count {
        total: i64,
    }
    let backend = db.get_database_backend();
    let placeholder = placeholder(backend);
    let statement = Statement::from_sql_and_values(
        backend,
        format!("SELECT total FROM record_counts WHERE resource = {placeholder}"),
        [table.into()],
    );
    let row = Count::find_by_statement(statement)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::Custom(format!("no count is kept for `{table}`")))?;
    Ok(u64::try_from(row.total).unwrap_or(0))
}

/// [`fetch_page`] with the total already known (`None`: count the filtered rows).
pub async fn fetch_page_of<E, C>(
    db: &C,
    select: Select<E>,
    request: &ListRequest<E::Sort>,
    known_total: Option<u64>,
) -> Result<PageOf<E::Model>, ApiError>
where
    E: Keyset,
    E::Model: Sync,
    C: ConnectionTrait,
{
    if let Some((value, _)) = &request.after {
        // A signed cursor carries the type it was issued with; check it anyway.
        if value.kind() != E::sort_kind(request.sort.key) {
            return Err(bad_cursor());
        }
    }
    let total = match known_total {
        Some(total) => total,
        None if !request.with_total => 0,
        None => select.clone().count(db).await?,
    };
    let sort_column = E::sort_column(request.sort.key);
    let id_column = E::id_column();
    let mut query = select;
    if let Some((value, id)) = &request.after {
        let position = Expr::tuple([
            Expr::col((E::default(), sort_column)),
            Expr::col((E::default(), id_column)),
        ]);
        let cursor = Expr::tuple([Expr::val(value_of(value.clone())), Expr::val(*id)]);
        query = query.filter(if request.sort.descending {
            position.lt(cursor)
        } else {
            position.gt(cursor)
        });
    }
    let order = if request.sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let mut items = query
        .order_by(sort_column, order.clone())
        .order_by(id_column, order)
        .limit(request.limit + 1)
        .all(db)
        .await?;
    let next_cursor = if items.len() as u64 > request.limit {
        items.truncate(request.limit as usize);
        match items.last() {
            Some(last) => {
                let key = serde_json::to_value(E::sort_value(last, request.sort.key))
                    .map_err(|e| DbErr::Custom(format!("a sort value does not serialise: {e}")))?;
                Some(
                    Cursor {
                        key,
                        id: E::id_of(last),
                        binding: request.binding.clone(),
                    }
                    .encode(),
                )
            }
            None => None,
        }
    } else {
        None
    };
    Ok(PageOf {
        items,
        next_cursor,
        total,
    })
}

/// A directory table's change counter (`table_changes`) and its number of
/// rows (`directory_totals`), in one statement.
async fn directory_state(db: &impl ConnectionTrait, table: &str) -> Result<(i64, u64), DbErr> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct State {
        changes: i64,
        rows_total: i64,
    }
    let backend = db.get_database_backend();
    let (first, second) = match backend {
        DatabaseBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let statement = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT (SELECT changes FROM table_changes WHERE resource = {first}) AS changes, \
             (SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM directory_totals WHERE resource = {second}) AS rows_total"
        ),
        [table.into(), table.into()],
    );
    let state = State::find_by_statement(statement)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::Custom(format!("no change counter is kept for `{table}`")))?;
    Ok((state.changes, u64::try_from(state.rows_total).unwrap_or(0)))
}

/// One page of a directory list (`enterprises`, `schools`: tables with a
/// change counter). Without `q`, [`fetch_page`]. With `q`, the exact total
/// of the search is counted once per change of the table (this replica
/// keeps it with the counter's value, and any insert, change or delete
/// raises the counter in its own transaction), and the page is read the
/// cheaper way: through the trigram index when the search matches few rows,
/// or, on SQLite, when it matches so many that walking the sort's index
/// finds a page sooner (`total² > page × rows`) or is shorter than three
/// characters (which that index cannot serve), by that walk.
pub async fn fetch_directory_page<E, R>(
    db: &Database,
    select: Select<E>,
    search_column: E::Column,
    request: &ListRequest<E::Sort>,
    to_record: fn(E::Model) -> R,
) -> Result<Arc<SharedPage<R>>, ApiError>
where
    E: Keyset,
    E::Model: Sync,
    R: Send + Sync + 'static,
{
    let reader = db.read();
    let table = E::default().table_name().to_string();
    // The counter first: what is read after it is at least as new.
    let (changes, rows) = directory_state(reader, &table).await?;
    let key = page_key(db.backend(), &select, request);
    cached_page(db, key, changes, request, || async {
        let Some(q) = &request.q else {
            return Ok(fetch_page(reader, select, request).await?.map(to_record));
        };
        let backend = db.backend();
        let indexed = select.clone().filter(search_condition::<E>(backend, search_column, q));
        let statement = sea_orm::QueryTrait::build(&indexed, backend);
        let key = format!("{table}\u{0}{}\u{0}{:?}", statement.sql, statement.values);
        let total = match db.cached_count(&key, changes) {
            Some(total) => total,
            None => {
                let total = indexed.clone().count(reader).await?;
                db.cache_count(key, changes, total);
                total
            }
        };
        if total == 0 {
            return Ok::<_, ApiError>(PageOf {
                items: Vec::new(),
                next_cursor: None,
                total: 0,
            });
        }
        // SQLite's trigram index cannot serve a pattern of fewer than three
        // characters (it reads every row then), so such a search always walks.
        let walk = backend == DatabaseBackend::Sqlite
            && (q.chars().count() < 3 || total.saturating_mul(total) > (request.limit + 1).saturating_mul(rows));
        let page = match walk {
            true => select.filter(scan_search_condition::<E>(search_column, q)),
            false => indexed,
        };
        Ok(fetch_page_of(reader, page, request, Some(total)).await?.map(to_record))
    })
    .await
}

/// A table's change counter (`table_changes`, raised by triggers in the
/// transaction of every statement that writes the table).
pub async fn table_changes(db: &impl ConnectionTrait, table: &str) -> Result<i64, DbErr> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Changes {
        changes: i64,
    }
    let backend = db.get_database_backend();
    let placeholder = placeholder(backend);
    let statement = Statement::from_sql_and_values(
        backend,
        format!("SELECT changes FROM table_changes WHERE resource = {placeholder}"),
        [table.into()],
    );
    let row = Changes::find_by_statement(statement)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::Custom(format!("no change counter is kept for `{table}`")))?;
    Ok(row.changes)
}

/// The key of a page of `select` (already filtered and scoped to the
/// caller) in the page cache: the table, the statement with its values,
/// and every part of the request that shapes the page.
pub fn page_key<E: Keyset>(backend: DatabaseBackend, select: &Select<E>, request: &ListRequest<E::Sort>) -> String {
    let statement = sea_orm::QueryTrait::build(select, backend);
    let ListRequest {
        limit,
        sort,
        after,
        q,
        updated_since,
        binding,
        with_total,
    } = request;
    format!(
        "{}\u{0}{}\u{0}{:?}\u{0}{limit}\u{0}{sort:?}\u{0}{after:?}\u{0}{q:?}\u{0}{updated_since:?}\u{0}{binding}\u{0}{with_total}",
        E::default().table_name(),
        statement.sql,
        statement.values,
    )
}

/// The page of `key` (see [`page_key`]) as `read` reads it, or as this
/// replica read it before while the table's change counter had the value
/// `changes` (which the caller read *before* anything of the page, so that
/// a page is never older than its counter). A page's rows, cursor and total
/// depend only on the rows of that one table, and every write of it raises
/// the counter in its own transaction, so a cached page is exactly what
/// `read` would read now. Repeated lists (a dashboard's, the first pages
/// everyone opens, a walk others walked) cost one counter read until the
/// table changes. The pages of a request without a total (an export's
/// after its first) are read, not kept: an export of a long list would
/// otherwise push every other page out of the cache.
pub async fn cached_page<T, K, F, Fut>(
    db: &Database,
    key: String,
    changes: i64,
    request: &ListRequest<K>,
    read: F,
) -> Result<Arc<SharedPage<T>>, ApiError>
where
    T: Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<PageOf<T>, ApiError>>,
{
    if !request.with_total {
        return Ok(Arc::new(SharedPage::new(read().await?)));
    }
    db.page_through(key, changes, async {
        let page = read().await?;
        let rows = page.items.len();
        Ok((Arc::new(SharedPage::new(page)), rows))
    })
    .await
}

/// The condition that a record's `id` is one a side table of the records it
/// names (`meeting_parties`, `competition_parties`) lists with `value` in
/// `column`: the `enterprise_id` / `school_id` filters, an index lookup.
pub fn named_in<P: EntityTrait>(id: impl ColumnTrait, owner: P::Column, column: P::Column, value: uuid::Uuid) -> Expr {
    id.in_subquery(
        sea_orm::sea_query::Query::select()
            .column(owner)
            .from(P::default())
            .and_where(column.eq(value))
            .to_owned(),
    )
}

/// The condition of a `major` filter on a majors side table: a major whose
/// code is `major`, or whose name folds (as `q` folds) to what `major` folds to.
pub fn major_condition(code: impl ColumnTrait, name_folded: impl ColumnTrait, major: &str) -> Condition {
    Condition::any()
        .add(code.eq(major))
        .add(name_folded.eq(crate::domain::search::fold(major)))
}

/// The condition of a `q` search on a resource's folded `search_text`
/// column, served by its trigram index: `LIKE` over pg_trgm on PostgreSQL,
/// `GLOB` over the FTS5 trigram table `<table>_fts` on SQLite.
pub fn search_condition<E: EntityTrait>(backend: DatabaseBackend, search_column: E::Column, folded: &str) -> Expr {
    match backend {
        DatabaseBackend::Postgres => Expr::col((E::default(), search_column)).like(like_pattern(folded)),
        _ => {
            let table = E::default().table_name().to_string();
            Expr::cust_with_values(
                format!("\"{table}\".rowid IN (SELECT rowid FROM \"{table}_fts\" WHERE search_text GLOB ?)"),
                [glob_pattern(folded)],
            )
        }
    }
}

/// A `q` search by scanning the folded `search_text` column with
/// `LIKE … ESCAPE '\'`: for small tables that keep no trigram index.
pub fn scan_search_condition<E: EntityTrait>(search_column: E::Column, folded: &str) -> Expr {
    Expr::col((E::default(), search_column)).like(LikeExpr::new(like_pattern(folded)).escape('\\'))
}
