//! The change feed: reading `change_log` (written by triggers in the
//! transaction of every write, see its migration) in position order, scoped
//! to what the caller may read, and removing the entries older than 90 days.
//!
//! Positions are handed out in commit order, so the committed positions are
//! always a prefix of those handed out. A page is read up to the newest
//! position seen *before* it (`newest`): every smaller position that will
//! ever exist is then already visible, so a page that ends short of `limit`
//! may answer `newest` as `next_after` without skipping anything.

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};

use super::sql::Binds;
use super::{now, Database};
use crate::auth::policy::{FeedScope, Owner};
use crate::domain::vocab::FeedType;
use crate::entity::{app_setting, change};
use crate::error::ApiError;
use crate::model::change::{After, Change, ChangePage, ChangeRequest, KEPT_DAYS};

/// The `app_settings` key of the newest position removed.
const PURGED_THROUGH: &str = "change_log_purged_through";

/// How many entries one statement removes.
const PURGE_BATCH: u64 = 10_000;

/// The kinds of record with few entries (users, an admin's): a caller who
/// reads everything else walks the feed in order and passes over theirs.
const FEW: [FeedType; 1] = [FeedType::User];

/// One branch of a page's query: the entries of one index range.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Branch {
    /// Every entry.
    All,
    /// Every entry but those of kinds with few records (users): the feed
    /// in position order, theirs left out.
    AllBut(Vec<FeedType>),
    /// The entries of one kind of record.
    Kind(FeedType),
    /// An organisation's own entries, of these kinds.
    Own(Owner, Vec<FeedType>),
}

/// The branches that together read what `scope` lets a caller read.
fn branches(scope: &FeedScope) -> Vec<Branch> {
    let mut branches = Vec::new();
    let missing: Vec<FeedType> = FeedType::ALL
        .iter()
        .copied()
        .filter(|kind| !scope.every.contains(kind))
        .collect();
    if missing.is_empty() {
        branches.push(Branch::All);
    } else if missing.iter().all(|kind| FEW.contains(kind)) {
        branches.push(Branch::AllBut(missing));
    } else {
        branches.extend(scope.every.iter().map(|kind| Branch::Kind(*kind)));
    }
    if let Some((owner, kinds)) = &scope.own {
        branches.push(Branch::Own(*owner, kinds.clone()));
    }
    branches
}

/// Builds a page's statement: each branch's first `limit` entries in
/// `(after, newest]`, merged and cut to `limit`.
struct PageSql(Binds);

impl PageSql {
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.0.bind(value)
    }

    fn branch(&mut self, branch: &Branch, after: i64, newest: i64, limit: u64) -> String {
        let mut conditions = vec![
            format!("position > {}", self.bind(after)),
            format!("position <= {}", self.bind(newest)),
        ];
        match branch {
            Branch::All => {}
            Branch::AllBut(kinds) => {
                let kinds: Vec<String> = kinds.iter().map(|k| self.bind(k.as_str())).collect();
                conditions.push(format!("resource_type NOT IN ({})", kinds.join(", ")));
            }
            Branch::Kind(kind) => conditions.push(format!("resource_type = {}", self.bind(kind.as_str()))),
            Branch::Own(owner, kinds) => {
                conditions.push(match owner {
                    Owner::School(id) => format!("school_id = {}", self.bind(*id)),
                    Owner::Enterprise(id) => format!("enterprise_id = {}", self.bind(*id)),
                });
                // Only the organisation's kinds the caller reads (all of them unless narrowed).
                if kinds.len() < owner.kinds().len() {
                    let kinds: Vec<String> = kinds.iter().map(|k| self.bind(k.as_str())).collect();
                    conditions.push(format!("resource_type IN ({})", kinds.join(", ")));
                }
            }
        }
        format!(
            "SELECT position, at, resource_type, resource_id, action, version, enterprise_id, school_id \
             FROM change_log WHERE {} ORDER BY position LIMIT {}",
            conditions.join(" AND "),
            self.bind(limit as i64)
        )
    }
}

fn page_statement(
    backend: DatabaseBackend,
    scope: &FeedScope,
    after: i64,
    newest: i64,
    limit: u64,
) -> Option<Statement> {
    let branches = branches(scope);
    let mut sql = PageSql(Binds::new(backend));
    let text = match branches.as_slice() {
        [] => return None,
        [one] => sql.branch(one, after, newest, limit),
        many => {
            let parts: Vec<String> = many
                .iter()
                .enumerate()
                .map(|(i, b)| format!("SELECT * FROM ({}) AS b{i}", sql.branch(b, after, newest, limit)))
                .collect();
            let limit = sql.bind(limit as i64);
            format!("{} ORDER BY position LIMIT {limit}", parts.join(" UNION ALL "))
        }
    };
    Some(sql.0.statement(text))
}

fn to_change(row: change::Model) -> Change {
    Change {
        position: row.position,
        at: row.at,
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        action: row.action,
        version: row.version,
    }
}

/// The newest position removed (0 when none was).
async fn purged_through(db: &impl ConnectionTrait) -> Result<i64, ApiError> {
    let row = app_setting::Entity::find_by_id(PURGED_THROUGH).one(db).await?;
    Ok(row.and_then(|r| r.value.parse().ok()).unwrap_or(0))
}

#[derive(Debug, FromQueryResult)]
struct Newest {
    newest: Option<i64>,
}

/// The feed's newest position: the newest entry's, or the newest removed
/// one's when none is kept (0 on a new database).
pub(crate) async fn newest_position(db: &impl ConnectionTrait) -> Result<i64, ApiError> {
    // The newest entry first, then the newest removed: a removal that
    // commits in between removed only entries at or below the one read.
    let newest = change::Entity::find()
        .select_only()
        .column_as(change::Column::Position.max(), "newest")
        .into_model::<Newest>()
        .one(db)
        .await?
        .and_then(|row| row.newest)
        .unwrap_or(0);
    Ok(newest.max(purged_through(db).await?))
}

/// Takes the lock that commits of feed entries take (PostgreSQL; on SQLite
/// a write transaction is alone anyway): while it is held no entry is
/// added and none moves, so what the transaction reads of the feed stays true.
async fn lock_feed(txn: &impl ConnectionTrait) -> Result<(), ApiError> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({})", migration::FEED_LOCK),
        ))
        .await?;
    }
    Ok(())
}

/// One page of the feed as `scope` lets the caller read it.
pub async fn page(db: &Database, scope: &FeedScope, request: &ChangeRequest) -> Result<ChangePage, ApiError> {
    let reader = db.read();
    let newest = newest_position(reader).await?;
    let after = match request.after {
        After::Latest => {
            return Ok(ChangePage {
                items: Vec::new(),
                next_after: newest.to_string(),
            })
        }
        After::Start => 0,
        After::Position(position) if position > newest => {
            return Err(ApiError::bad_parameter(
                "after",
                "cursor",
                "names a position this feed has not reached: pass a `next_after` this feed answered",
            ))
        }
        After::Position(position) => position,
    };
    let items: Vec<Change> = match page_statement(db.backend(), scope, after, newest, request.limit) {
        None => Vec::new(),
        Some(statement) => change::Model::find_by_statement(statement)
            .all(reader)
            .await?
            .into_iter()
            .map(to_change)
            .collect(),
    };
    // Read after the page: entries removed before it was read are noticed.
    if matches!(request.after, After::Position(_)) && after < purged_through(reader).await? {
        return Err(ApiError::Gone(format!(
            "the changes after this position are no longer kept (changes are kept {KEPT_DAYS} days): \
             note `after=latest`, sync from the lists again, then follow the feed"
        )));
    }
    let next_after = match items.last() {
        Some(last) if items.len() as u64 == request.limit => last.position,
        _ => newest,
    };
    Ok(ChangePage {
        items,
        next_after: next_after.to_string(),
    })
}

/// Removes the entries older than 90 days (in batches, each in its own
/// transaction under the feed's lock, so that no entry commits or moves
/// meanwhile), only ever the oldest ones, and records the newest position
/// removed; then the webhook deliveries settled more than 90 days ago.
/// Returns how many rows were removed.
pub async fn clean_up(db: &Database) -> Result<u64, ApiError> {
    let cutoff = now() - Duration::days(KEPT_DAYS);
    let mut removed = 0;
    loop {
        let txn = db.begin().await?;
        lock_feed(&txn).await?;
        let first_kept: Option<i64> = change::Entity::find()
            .select_only()
            .column(change::Column::Position)
            .filter(change::Column::At.gte(cutoff))
            .order_by_asc(change::Column::Position)
            .limit(1)
            .into_tuple()
            .one(&txn)
            .await?;
        let mut old = change::Entity::find()
            .select_only()
            .column(change::Column::Position)
            .order_by_asc(change::Column::Position)
            .limit(PURGE_BATCH);
        if let Some(first_kept) = first_kept {
            old = old.filter(change::Column::Position.lt(first_kept));
        }
        let positions: Vec<i64> = old.into_tuple().all(&txn).await?;
        let Some(&last) = positions.last() else {
            txn.rollback().await?;
            return Ok(removed + super::webhooks::clean_up_deliveries(db, cutoff).await?);
        };
        change::Entity::delete_many()
            .filter(change::Column::Position.lte(last))
            .exec(&txn)
            .await?;
        if last > purged_through(&txn).await? {
            app_setting::ActiveModel::from(app_setting::Model {
                key: PURGED_THROUGH.to_string(),
                value: last.to_string(),
            })
            .reset_all()
            .update(&txn)
            .await?;
        }
        txn.commit().await?;
        removed += positions.len() as u64;
        if (positions.len() as u64) < PURGE_BATCH {
            return Ok(removed + super::webhooks::clean_up_deliveries(db, cutoff).await?);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn each_scope_reads_through_the_fewest_index_ranges() {
        let scope = |every: &[FeedType], own| FeedScope {
            every: every.to_vec(),
            own,
        };
        assert_eq!(branches(&scope(FeedType::ALL, None)), vec![Branch::All]);
        let officer: Vec<FeedType> = FeedType::ALL.iter().copied().filter(|t| !FEW.contains(t)).collect();
        assert_eq!(branches(&scope(&officer, None)), vec![Branch::AllBut(FEW.to_vec())]);
        let school = Owner::School(Uuid::now_v7());
        assert_eq!(
            branches(&scope(
                &[FeedType::Meeting],
                Some((school, vec![FeedType::Apprenticeship]))
            )),
            vec![
                Branch::Kind(FeedType::Meeting),
                Branch::Own(school, vec![FeedType::Apprenticeship])
            ]
        );
        assert_eq!(branches(&scope(&[], None)), vec![]);
    }
}
