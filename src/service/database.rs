//! The database as the services see it: where reads go, where writes go,
//! and the short-lived cache of users' states in front of it.
//!
//! On SQLite the file runs in WAL mode with one writer connection (writes
//! queue for it in the process, in arrival order) and a pool of read-only
//! connections that read in parallel with it and with each other, each
//! from the last committed state. On PostgreSQL both are the same pool.
//!
//! Creates commit in groups ([`Database::create_in_group`]): a
//! thread of its own runs every create that arrived while the previous group
//! ran in one transaction, each with its audit row (their rows inserted
//! together, a statement per table), and answers each only after that
//! transaction commits. A create only inserts (its references
//! are checked by reading rows no create changes), so creates in one
//! transaction cannot see each other's half-done state; when any of them
//! fails (a duplicate credit code, a reference to nothing), the group is
//! rolled back and every create in it runs again alone, in arrival order,
//! in a transaction of its own, and gets its own answer. A group commits
//! once for all its creates, instead of once each.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{join_all, LocalBoxFuture};
use moka::sync::Cache;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::inserts::Inserts;
use crate::config::WebhookSettings;
use crate::domain::vocab::Role;
use crate::error::{ApiError, Outage, Throttle};

/// What a create checks before its rows go in (that the records it names
/// exist), in the transaction it is given; run again alone if its group
/// fails, so it must be able to run more than once.
pub(crate) type CreateCheck =
    Box<dyn for<'a> Fn(&'a DatabaseTransaction) -> LocalBoxFuture<'a, Result<(), ApiError>> + Send>;

/// One create: its check and the rows it inserts.
pub(crate) struct GroupedCreate {
    /// Checks the create against what is stored.
    pub check: CreateCheck,
    /// The new record's rows, its audit row among them.
    pub rows: Inserts,
    /// The columns whose values are unique, for mapping a violation to 409.
    pub unique: &'static [&'static str],
}

/// A create waiting for its group, and where its answer goes.
struct Queued {
    create: GroupedCreate,
    done: oneshot::Sender<Result<(), ApiError>>,
}

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);

/// How long the SQLite group writer waits for more creates after the first
/// of a group when the previous group had more than one. Measured with the
/// yardstick (32 clients), as shares of healthz: on SQLite no wait 4.5–5.2 %,
/// 500 µs 5.3–6.1 % (200 µs and 800 µs less); on PostgreSQL, where a group's
/// commit costs little more than one create's, the wait cost two thirds of
/// the creates, so it does not wait there.
const GATHER_WAIT: Duration = Duration::from_micros(500);

/// The most creates one group commits.
const MAX_GROUP: usize = 64;

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
    pages: moka::future::Cache<(i64, String), CachedPage>,
    groups: Option<mpsc::UnboundedSender<Queued>>,
    /// Held by every clone; the checkpointer stops when the last one is gone.
    alive: Arc<()>,
    /// The checkpointer's connection, closed with the others.
    checkpointer: Option<DatabaseConnection>,
    /// How webhooks are delivered (and which URLs they may name).
    webhooks: Arc<WebhookSettings>,
}

/// A page of a list as read at one value of its table's change counter.
#[derive(Clone)]
struct CachedPage {
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
            users: Cache::builder()
                .max_capacity(10_000)
                .time_to_live(USER_STATE_TTL)
                .build(),
            counts: Cache::builder()
                .max_capacity(10_000)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            pages: moka::future::Cache::builder()
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

    /// The same database, its webhooks delivered as `settings` say.
    pub fn with_webhooks(mut self, settings: WebhookSettings) -> Self {
        self.webhooks = Arc::new(settings);
        self
    }

    /// How webhooks are delivered, and which addresses they may reach.
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

    /// Runs a create's statements in a transaction and returns once it has
    /// committed: on SQLite in the next group of creates (see the module
    /// documentation), elsewhere in a transaction of its own.
    pub(crate) async fn create_in_group(&self, create: GroupedCreate) -> Result<(), ApiError> {
        let Some(groups) = &self.groups else {
            return run_alone(&self.write, &create).await;
        };
        let (done, answer) = oneshot::channel();
        if let Err(refused) = groups.send(Queued { create, done }) {
            // No group writer (it could not start): the create runs alone here.
            return run_alone(&self.write, &refused.0.create).await;
        }
        answer
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("the group writer dropped a create")))?
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

    /// The page of `key` that this replica read when its table's change
    /// counter had the value `changes`, or else what `read` reads (with
    /// its number of rows); requests that want the same page at once wait
    /// for one read.
    pub(crate) async fn page_through<T, F>(&self, key: String, changes: i64, read: F) -> Result<Arc<T>, ApiError>
    where
        T: Any + Send + Sync,
        F: std::future::Future<Output = Result<(Arc<T>, usize), ApiError>>,
    {
        let cached = self
            .pages
            .try_get_with((changes, key), async {
                let (page, rows) = read.await?;
                let rows = u32::try_from(rows).unwrap_or(u32::MAX);
                Ok::<_, ApiError>(CachedPage { rows, page })
            })
            .await
            .map_err(|shared| {
                // The waiters share the error: each answers it as it is.
                Arc::try_unwrap(shared).unwrap_or_else(|shared| shared.copied())
            })?;
        cached
            .page
            .downcast::<T>()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("a cached page of another type")))
    }

    /// Forgets a user's state, after a change to the user commits.
    pub(crate) fn forget_user(&self, id: Uuid) {
        self.users.invalidate(&id);
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

/// The connection the group writer writes on.
enum GroupConnection {
    /// The service's own writer (SQLite: its connections are not tied to a runtime).
    Shared(DatabaseConnection),
    /// A pool of one connection that the writer's thread opens (PostgreSQL).
    Open(Box<sea_orm::ConnectOptions>),
}

/// Starts the thread that commits creates in groups; it ends when the last
/// clone of the [`Database`] is dropped (if it cannot connect, it ends at
/// once, and creates run alone on the service's writer).
fn group_writer(connection: GroupConnection) -> mpsc::UnboundedSender<Queued> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    match runtime {
        Ok(runtime) => {
            let spawned = std::thread::Builder::new()
                .name("chanjiao-group-writer".into())
                .spawn(move || {
                    runtime.block_on(async move {
                        // Only SQLite's writer is shared; it gathers (see GATHER_WAIT).
                        let gather = matches!(connection, GroupConnection::Shared(_));
                        let write = match connection {
                            GroupConnection::Shared(write) => write,
                            GroupConnection::Open(mut options) => {
                                options.max_connections(1).min_connections(1);
                                match sea_orm::Database::connect(*options).await {
                                    Ok(write) => write,
                                    Err(e) => {
                                        tracing::error!(error = %e, "the group writer cannot connect");
                                        return;
                                    }
                                }
                            }
                        };
                        run_groups(write, receiver, gather).await
                    })
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start the group writer");
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot start the group writer"),
    }
    sender
}

/// Takes every create that is waiting (at most [`MAX_GROUP`]; with `gather`,
/// after [`GATHER_WAIT`] when the previous group had more than one), runs them in
/// one transaction, and answers them; again and again.
async fn run_groups(write: DatabaseConnection, mut queue: mpsc::UnboundedReceiver<Queued>, gather: bool) {
    let mut previous = 0;
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        if gather && previous > 1 {
            // Creates are arriving together: a moment more gathers the
            // ones on their way into this group (an SQLite commit costs
            // much the same for 8 creates as for 32). This thread runs
            // nothing else, so it may block (a runtime timer would wait a
            // whole millisecond or two).
            std::thread::sleep(GATHER_WAIT);
        }
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        // A create whose request is gone (answered 503 when the database
        // stopped answering, or dropped by its client) is not stored later.
        group.retain(|queued| !queued.done.is_closed());
        previous = group.len();
        if group.is_empty() {
            continue;
        }
        let together = match group.len() {
            1 => None,
            _ => Some(run_together(&write, &group).await),
        };
        match together {
            Some(Ok(())) => {
                for queued in group {
                    let _ = queued.done.send(Ok(()));
                }
                continue;
            }
            // The database is full or gone: each create alone would only
            // wait for the same answer.
            Some(Err(failure)) if failure.outage().is_some() => {
                for queued in group {
                    let _ = queued.done.send(Err(failure.copied()));
                }
                continue;
            }
            _ => {}
        }
        for queued in group {
            if queued.done.is_closed() {
                continue;
            }
            let answer = run_alone(&write, &queued.create).await;
            let _ = queued.done.send(answer);
        }
    }
}

/// Runs a group's checks side by side in one transaction, then inserts the
/// rows of all its creates together (one statement per table and up to
/// 64 rows) and commits when every step succeeded; rolls back otherwise.
async fn run_together(write: &DatabaseConnection, group: &[Queued]) -> Result<(), ApiError> {
    let txn = begin_write(write).await?;
    let checks = join_all(group.iter().map(|queued| (queued.create.check)(&txn))).await;
    let mut rows = Inserts::new();
    for queued in group {
        rows.extend(queued.create.rows.clone());
    }
    let inserted = match checks.into_iter().find_map(Result::err) {
        Some(failure) => Err(failure),
        None => rows.execute(&txn).await.map_err(|e| ApiError::from_db(e, &[])),
    };
    if let Err(failure) = inserted {
        txn.rollback().await?;
        return Err(failure);
    }
    txn.commit().await?;
    Ok(())
}

/// Runs one create in a transaction of its own.
async fn run_alone(write: &DatabaseConnection, create: &GroupedCreate) -> Result<(), ApiError> {
    let txn = begin_write(write).await?;
    (create.check)(&txn).await?;
    create
        .rows
        .execute(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, create.unique))?;
    txn.commit().await?;
    Ok(())
}
