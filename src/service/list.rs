//! The one list machinery of every resource: keyset pagination by an opaque
//! cursor (never OFFSET), an allow-listed sort with the id breaking ties,
//! and the total count of the filtered list.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Value};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::cursor::Cursor;
use crate::domain::search::{glob_pattern, like_pattern};

/// A sort order: a field from the resource's allow-list and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The field name as the API spells it.
    pub field: &'static str,
    /// `true` for a `-` prefix: largest first.
    pub descending: bool,
}

/// The value of a sort column, as carried in a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum SortValue {
    /// A text column (names).
    Text(String),
    /// A timestamp column (`created_at`, `updated_at`).
    Time(DateTime<Utc>),
    /// A date column.
    Date(NaiveDate),
}

impl From<SortValue> for Value {
    fn from(value: SortValue) -> Self {
        match value {
            SortValue::Text(s) => s.into(),
            SortValue::Time(t) => t.into(),
            SortValue::Date(d) => d.into(),
        }
    }
}

/// One page request of a list, parsed and checked by the API layer.
#[derive(Debug, Clone)]
pub struct ListRequest {
    /// Items per page, 1–100.
    pub limit: u64,
    /// The order.
    pub sort: Sort,
    /// Where the page starts: the sort value and id of the previous page's last item.
    pub after: Option<(SortValue, Uuid)>,
    /// The folded search text, if any.
    pub q: Option<String>,
    /// Only records updated at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// The binding of this query (sort and filters), carried by the cursors it issues.
    pub binding: String,
}

/// One page of records.
pub struct Page<M> {
    /// The records of this page.
    pub items: Vec<M>,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
    /// How many records match the filters, over all pages.
    pub total: u64,
}

impl<M> Page<M> {
    /// The same page with every item converted.
    pub fn map<N>(self, f: impl FnMut(M) -> N) -> Page<N> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
            total: self.total,
        }
    }
}

/// An entity that can be listed page by page.
pub trait Keyset: EntityTrait {
    /// The primary key column, which breaks ties.
    fn id_column() -> Self::Column;
    /// The column of a sort field from the allow-list.
    fn sort_column(field: &str) -> Self::Column;
    /// A record's value of a sort field.
    fn sort_value(model: &Self::Model, field: &str) -> SortValue;
    /// A record's id.
    fn id_of(model: &Self::Model) -> Uuid;
}

/// Fetches one page of `select` (already filtered) in `request`'s order,
/// starting after its cursor, and counts the filtered records.
pub async fn fetch_page<E, C>(db: &C, select: Select<E>, request: &ListRequest) -> Result<Page<E::Model>, DbErr>
where
    E: Keyset,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let total = select.clone().count(db).await?;
    let sort_column = E::sort_column(request.sort.field);
    let id_column = E::id_column();
    let mut query = select;
    if let Some((value, id)) = &request.after {
        let position = Expr::tuple([
            Expr::col((E::default(), sort_column)),
            Expr::col((E::default(), id_column)),
        ]);
        let cursor = Expr::tuple([Expr::val(value.clone()), Expr::val(*id)]);
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
        items.last().map(|last| {
            Cursor {
                key: serde_json::to_value(E::sort_value(last, request.sort.field)).unwrap_or_default(),
                id: E::id_of(last),
                binding: request.binding.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    Ok(Page {
        items,
        next_cursor,
        total,
    })
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
