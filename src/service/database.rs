//! The database as the services see it: where reads go, where writes go,
//! and the short-lived cache of users' states in front of it.
//!
//! On SQLite the file runs in WAL mode with one writer connection (writes
//! queue for it in the process, in arrival order) and a pool of read-only
//! connections that read in parallel with it and with each other, each
//! from the last committed state. On PostgreSQL both are the same pool.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use sea_orm::{
    DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use uuid::Uuid;

use crate::domain::vocab::Role;

/// How long a user's state is reused before it is read again: the contract
/// allows a cache of at most 5 s between disabling a user and refusing its
/// tokens on every replica (this replica forgets a changed user at once).
pub const USER_STATE_TTL: Duration = Duration::from_secs(2);

/// What authentication needs to know of a user, as last read.
#[derive(Debug, Clone)]
pub struct UserState {
    /// The login name.
    pub username: String,
    /// The user's role.
    pub role: Role,
    /// The enterprise or school the user belongs to.
    pub org: Option<Uuid>,
    /// A disabled user's tokens are refused.
    pub disabled: bool,
}

/// The connections of the services, and the user-state cache.
#[derive(Clone)]
pub struct Database {
    read: DatabaseConnection,
    write: DatabaseConnection,
    users: Cache<Uuid, Option<UserState>>,
    counts: Cache<String, (i64, u64)>,
    pages: Cache<String, CachedPage>,
}

/// A page of a list as read when its table's change counter had `changes`.
#[derive(Clone)]
struct CachedPage {
    changes: i64,
    rows: u32,
    page: Arc<dyn Any + Send + Sync>,
}

/// How many rows the cached pages hold at most, all lists together (a few
/// megabytes: a page of 20 placements is about 20 kB).
const CACHED_PAGE_ROWS: u64 = 8_000;

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Reads on `read`, writes on `write` (the same pool on PostgreSQL).
    pub fn new(read: DatabaseConnection, write: DatabaseConnection) -> Self {
        Database {
            read,
            write,
            users: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(USER_STATE_TTL)
                .build(),
            counts: Cache::builder()
                .max_capacity(10_000)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            pages: Cache::builder()
                .max_capacity(CACHED_PAGE_ROWS)
                .weigher(|_, page: &CachedPage| page.rows.saturating_add(1))
                .time_to_idle(Duration::from_secs(600))
                .build(),
        }
    }

    /// One pool for reads and writes.
    pub fn single(connection: DatabaseConnection) -> Self {
        Self::new(connection.clone(), connection)
    }

    /// The connection reads run on: each sees the last committed state.
    pub fn read(&self) -> &DatabaseConnection {
        &self.read
    }

    /// The connection writes run on (migrations, and statements outside a
    /// transaction).
    pub fn write(&self) -> &DatabaseConnection {
        &self.write
    }

    /// The database kind.
    pub fn backend(&self) -> DatabaseBackend {
        self.write.get_database_backend()
    }

    /// Begins a write transaction; on SQLite `BEGIN IMMEDIATE`, which takes
    /// the write lock before the first read, so that what it reads cannot
    /// change before it writes.
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.backend() {
            DatabaseBackend::Sqlite => {
                self.write
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await
            }
            _ => self.write.begin().await,
        }
    }

    /// Checks that the writer and a reader answer.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.write.ping().await?;
        self.read.ping().await
    }

    /// The cached state of a user (`Some(None)`: known not to exist).
    pub(crate) fn cached_user(&self, id: Uuid) -> Option<Option<UserState>> {
        self.users.get(&id)
    }

    /// Remembers a user's state for [`USER_STATE_TTL`].
    pub(crate) fn cache_user(&self, id: Uuid, state: Option<UserState>) {
        self.users.insert(id, state);
    }

    /// The total of a search counted when its table's change counter was
    /// `changes`, if this replica counted it then.
    pub(crate) fn cached_count(&self, key: &str, changes: i64) -> Option<u64> {
        self.counts
            .get(key)
            .and_then(|(at, total)| (at == changes).then_some(total))
    }

    /// Remembers a search's total at a change counter value.
    pub(crate) fn cache_count(&self, key: String, changes: i64, total: u64) {
        self.counts.insert(key, (changes, total));
    }

    /// A list's page read when its table's change counter was `changes`,
    /// if this replica read it then.
    pub(crate) fn cached_page<T: Any + Send + Sync>(&self, key: &str, changes: i64) -> Option<Arc<T>> {
        self.pages
            .get(key)
            .filter(|cached| cached.changes == changes)
            .and_then(|cached| cached.page.downcast::<T>().ok())
    }

    /// Remembers a list's page (of `rows` rows) at a change counter value.
    pub(crate) fn cache_page<T: Any + Send + Sync>(&self, key: String, changes: i64, rows: usize, page: Arc<T>) {
        let rows = u32::try_from(rows).unwrap_or(u32::MAX);
        self.pages.insert(key, CachedPage { changes, rows, page });
    }

    /// Forgets a user's state, after a change to the user commits.
    pub(crate) fn forget_user(&self, id: Uuid) {
        self.users.invalidate(&id);
    }
}
