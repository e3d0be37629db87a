//! The database as the services see it: where reads go, where writes go,
//! and what this replica remembers in front of it.
//!
//! On SQLite the file runs in WAL mode with one writer connection (writes
//! queue for it in the process, in arrival order) and a pool of read-only
//! connections that read in parallel with it and with each other, each
//! from the last committed state. On PostgreSQL both are the same pool.
//!
//! This file holds the handle ([`Database`]): its connections, write
//! transactions, advisory locks, the WAL checkpointer, readiness and
//! closing. Beside it:
//!
//! - `group`: creates committed in groups ([`Database::create_in_group`],
//!   [`GroupedCreate`], [`CreateCheck`]) by a writer thread of their own;
//! - `cache`: users' states ([`UserState`], [`USER_STATE_TTL`]) and the
//!   totals and pages of lists.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::config::WebhookSettings;
use crate::error::{ApiError, Outage, Throttle};

mod cache;
mod group;

pub use cache::{UserState, USER_STATE_TTL};
pub(crate) use group::{CreateCheck, GroupedCreate};

use cache::Caches;
use group::{group_writer, GroupConnection, Queued};

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);

/// The connections of the services, and the caches in front of them.
#[derive(Clone)]
pub struct Database {
    read: DatabaseConnection,
    write: DatabaseConnection,
    /// Users' states, and the totals and pages of lists.
    caches: Caches,
    /// Where creates queue for the group writer (see `group`).
    groups: Option<mpsc::UnboundedSender<Queued>>,
    /// Held by every clone; the checkpointer stops when the last one is gone.
    alive: Arc<()>,
    /// The checkpointer's connection, closed with the others.
    checkpointer: Option<DatabaseConnection>,
    /// The webhook settings, read only by the URL check of a webhook's
    /// create and update (`db.webhooks().allow`), as those services are
    /// given nothing but the database; the deliverer is given its settings
    /// when it starts.
    webhooks: Arc<WebhookSettings>,
}

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
        let groups = match write.get_database_backend() {
            DatabaseBackend::Sqlite => Some(group_writer(GroupConnection::Shared(write.clone()))),
            _ => None,
        };
        Database {
            alive: Arc::new(()),
            checkpointer: None,
            webhooks: Arc::default(),
            groups,
            read,
            write,
            caches: Caches::new(),
        }
    }

    /// One pool for reads and writes.
    pub fn single(connection: DatabaseConnection) -> Self {
        Self::new(connection.clone(), connection)
    }

    /// One PostgreSQL pool for reads and writes, and creates committed in
    /// groups on a connection of their own, opened with `options` (a
    /// PostgreSQL connection belongs to the runtime that opened it, so the
    /// group writer's thread opens its own).
    pub fn postgres(connection: DatabaseConnection, options: sea_orm::ConnectOptions) -> Self {
        let mut database = Self::single(connection);
        database.groups = Some(group_writer(GroupConnection::Open(Box::new(options))));
        database
    }

    /// Copies SQLite's WAL into the database file on `connection` every
    /// [`CHECKPOINT_INTERVAL`], beside the writer: a checkpoint that the
    /// writer ran itself (every 1,000 pages by default) held up every
    /// commit behind it (create_enterprise 3,855 → 5,480 requests/s). A
    /// passive checkpoint waits for no one; the writer starts the WAL over
    /// once it has been copied. Stops when the last clone of the database
    /// is dropped.
    pub fn checkpoint_beside(mut self, connection: DatabaseConnection) -> Self {
        self.checkpointer = Some(connection.clone());
        let alive = Arc::downgrade(&self.alive);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(CHECKPOINT_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if alive.strong_count() == 0 {
                    break;
                }
                if let Err(e) = connection.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
                    // Every 100 ms while the disk is full: logged once a minute.
                    if let Some(not_logged) = CHECKPOINT_FAILURES.admit() {
                        tracing::warn!(error = %e, not_logged_since_last = not_logged, "a checkpoint of the WAL failed");
                    }
                }
            }
            let _ = connection.close().await;
        });
        self
    }

    /// The same database, the URLs of its webhooks checked against
    /// `settings.allow` when a webhook is created or changed.
    pub fn with_webhooks(mut self, settings: WebhookSettings) -> Self {
        self.webhooks = Arc::new(settings);
        self
    }

    /// The webhook settings given to [`Database::with_webhooks`]: which
    /// addresses a webhook's URL may name.
    pub fn webhooks(&self) -> &WebhookSettings {
        &self.webhooks
    }

    /// A clone for background work, which does not keep it alive: the work
    /// holds it with [`Database::in_use`] of the original and stops once
    /// that is gone.
    pub fn detached(&self) -> Database {
        Database {
            alive: Arc::new(()),
            checkpointer: None,
            ..self.clone()
        }
    }

    /// Alive while any clone of this database is: background work stops
    /// when it is gone.
    pub fn in_use(&self) -> std::sync::Weak<()> {
        Arc::downgrade(&self.alive)
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
        begin_write(&self.write).await
    }

    /// Serialises the transactions that name the same thing: on PostgreSQL,
    /// takes the transaction-scoped advisory lock of each of `names` (in
    /// one order, so that two transactions never wait for each other), so
    /// that every replica's transactions about one name run one after
    /// another; on SQLite nothing, as [`Database::begin`] already lets one
    /// write transaction run at a time.
    pub(crate) async fn lock_names(&self, txn: &DatabaseTransaction, names: &[&str]) -> Result<(), DbErr> {
        if self.backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let mut keys: Vec<i64> = names
            .iter()
            .map(|name| {
                let digest = Sha256::new()
                    .chain_update(b"chanjiao advisory lock\0")
                    .chain_update(name.as_bytes())
                    .finalize();
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                i64::from_be_bytes(first)
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [key.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// Closes every connection once the requests using them are done (at
    /// shutdown): on SQLite the last one to close copies the WAL into the
    /// database file and removes it.
    pub async fn close(&self) {
        let mut connections = vec![self.read.clone(), self.write.clone()];
        connections.extend(self.checkpointer.clone());
        for connection in connections {
            if let Err(e) = connection.close().await {
                tracing::warn!(error = %e, "closing a database connection failed");
            }
        }
    }

    /// Checks that the writer and a reader answer, and on SQLite that the
    /// database has room to grow: [`Outage::StorageFull`] when the file may
    /// not grow by [`ROOM_PAGES`] more pages (`max_page_count`) or its file
    /// system has less than [`ROOM_BYTES`] free.
    pub async fn ready(&self) -> Result<(), ApiError> {
        self.write.ping().await?;
        self.read.ping().await?;
        if self.backend() == DatabaseBackend::Sqlite && !self.sqlite_has_room().await? {
            return Err(ApiError::Outage(Outage::StorageFull));
        }
        Ok(())
    }

    async fn sqlite_has_room(&self) -> Result<bool, DbErr> {
        // One statement: the writer is taken once (it may be busy with a write).
        let sql = "SELECT (SELECT page_count FROM pragma_page_count()), \
                   (SELECT max_page_count FROM pragma_max_page_count()), \
                   (SELECT file FROM pragma_database_list WHERE name = 'main')";
        let Some(row) = self
            .write
            .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql))
            .await?
        else {
            return Ok(true);
        };
        let pages: i64 = row.try_get_by_index(0)?;
        let most: i64 = row.try_get_by_index(1)?;
        let file: Option<String> = row.try_get_by_index(2)?;
        if pages.saturating_add(ROOM_PAGES) > most {
            return Ok(false);
        }
        let free = file
            .filter(|f| !f.is_empty())
            .and_then(|f| free_bytes(std::path::Path::new(&f)));
        Ok(free.is_none_or(|free| free >= ROOM_BYTES))
    }
}

/// How many more pages an SQLite database must be allowed to grow by for
/// the service to be ready.
pub const ROOM_PAGES: i64 = 16;

/// How many bytes the file system of an SQLite database must have free for
/// the service to be ready.
pub const ROOM_BYTES: u64 = 1 << 20;

/// How often a failing checkpoint is logged.
static CHECKPOINT_FAILURES: Throttle = Throttle::new(Duration::from_secs(60));

/// The bytes free for the service's user on the file system of `file`
/// (`None` where that cannot be told: an in-memory database, another
/// operating system).
fn free_bytes(file: &std::path::Path) -> Option<u64> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = file.parent().filter(|d| !d.as_os_str().is_empty())?;
        let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
        // SAFETY: `path` is a NUL-terminated string and `stats` is written
        // by statvfs before it is read, only when it succeeds.
        let stats = unsafe {
            if libc::statvfs(path.as_ptr(), stats.as_mut_ptr()) != 0 {
                return None;
            }
            stats.assume_init()
        };
        Some((stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = file;
        None
    }
}

/// Begins a write transaction on `write`; on SQLite `BEGIN IMMEDIATE`.
async fn begin_write(write: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match write.get_database_backend() {
        DatabaseBackend::Sqlite => {
            write
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..Default::default()
                })
                .await
        }
        _ => write.begin().await,
    }
}
