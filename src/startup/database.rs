//! The database as the service opens it: the pools and their timeouts
//! (connect, acquire, statement), SQLite's writer, readers and checkpointer
//! with their pragmas and planner option, the check that hands a connection
//! out only outside any transaction, and the migrations.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseBackend, TransactionTrait};

use crate::config::{redact_url, Settings, SqliteSync};
use crate::service::Database;

/// An advisory lock key, so that replicas starting together migrate one at a time.
const MIGRATION_LOCK: i64 = 0x6368_616e_6a69_616f;

/// The WAL size (in pages of 4 KiB) past which the SQLite writer copies the
/// WAL into the database file itself, inside a commit: only when the
/// checkpointer beside it falls that far behind.
const WRITER_CHECKPOINT_PAGES: u32 = 16_384;

/// How long a PostgreSQL connection may sit idle in the pool before it is
/// tested on its way out.
const IDLE_BEFORE_TEST: Duration = Duration::from_secs(10);

/// How long an SQLite request waits for a connection: writes queue for the
/// one writer in the process (a large import holds it for seconds).
const SQLITE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long opening a database connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The size (bytes) the WAL file is cut back to when it starts over.
const WAL_SIZE_LIMIT: u64 = 64 << 20;

/// Opens the database. PostgreSQL gets one pool for reads and writes. An
/// SQLite file runs in WAL mode with one writer connection, so that writes
/// queue in the process rather than retry on a busy file, and a pool of
/// read-only connections (`CHANJIAO_DB_MAX_CONNECTIONS`) that read in
/// parallel; a connection of its own copies the WAL into the database file
/// (a checkpoint) beside the writer, instead of the writer doing it inside
/// a commit every 1,000 pages; an in-memory SQLite database is one connection.
pub async fn connect(settings: &Settings) -> anyhow::Result<Database> {
    // One line that names the setting, the address (without its password)
    // and the cause once (a pool's error repeats its cause in its source).
    let unreachable = |cause: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "cannot connect to the database at {} (DATABASE_URL): {cause}",
            redact_url(&settings.database_url)
        )
    };
    let open =
        |options: ConnectOptions| async move { sea_orm::Database::connect(options).await.map_err(|e| unreachable(&e)) };
    let mut options = ConnectOptions::new(settings.database_url.clone());
    options
        .sqlx_logging(false)
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(SQLITE_ACQUIRE_TIMEOUT);
    if settings.is_postgres() {
        // A request waits this long for a connection, and a statement runs
        // this long at most (the server cancels it): then 503.
        options.acquire_timeout(settings.db_acquire_timeout);
        if !settings.db_statement_timeout.is_zero() {
            options.statement_timeout(settings.db_statement_timeout);
        }
        // One connection first: a pool that cannot connect keeps retrying
        // until it times out, and then reports the timeout, not the cause.
        probe_postgres(&settings.database_url)
            .await
            .map_err(|e| unreachable(&e))?;
        // A pooled connection is tested (a round trip) before it is handed
        // out only once it has been idle long enough for a proxy or a
        // restarted server to have dropped it, not before every query.
        // The whole pool is opened at start-up and kept open however idle:
        // opening a connection took ~90 ms on the development machine, which
        // a request running its queries side by side (a compliance findings
        // page runs four) paid whenever the pool had to grow, and it grew
        // whenever the connections a request had just used were not yet
        // back in the pool when the next one asked.
        options
            .max_connections(settings.db_max_connections)
            .min_connections(settings.db_max_connections)
            .test_before_acquire_if_idle_for(IDLE_BEFORE_TEST)
            .map_sqlx_postgres_before_acquire(|conn, _| Box::pin(outside_any_transaction(conn)));
        return Ok(Database::postgres(open(options.clone()).await?, options));
    }
    let in_memory = settings.database_url.contains(":memory:") || settings.database_url.contains("mode=memory");
    let synchronous = match settings.sqlite_synchronous {
        SqliteSync::Normal => SqliteSynchronous::Normal,
        SqliteSync::Full => SqliteSynchronous::Full,
    };
    // Every SQLite connection, writer and readers alike; a connection to a
    // file cannot drop, so none is tested (a hand-off to its worker thread)
    // before each query.
    options.test_before_acquire(false);
    options.map_sqlx_sqlite_pool_opts(|pool| pool.after_connect(|conn, _| Box::pin(stable_plans(conn))));
    let mut writer = options.clone();
    writer
        .max_connections(1)
        .min_connections(1)
        .map_sqlx_sqlite_pool_opts(move |pool| {
            let pool = pool.after_connect(|conn, _| Box::pin(stable_plans(conn)));
            match in_memory {
                true => pool,
                false => pool.before_acquire(|conn, _| Box::pin(outside_any_transaction(conn))),
            }
        })
        .map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                // The checkpointer copies the WAL into the file beside the
                // writer (`Database::checkpoint_beside`); the writer does it
                // itself only if the WAL ever outgrows this many pages.
                .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string())
                .pragma("journal_size_limit", WAL_SIZE_LIMIT.to_string())
                .busy_timeout(Duration::from_secs(10))
        });
    let writer = open(writer).await?;
    if in_memory {
        return Ok(Database::single(writer));
    }
    let mut checkpointer = options.clone();
    checkpointer
        .max_connections(1)
        .min_connections(1)
        .map_sqlx_sqlite_opts(|o| o.busy_timeout(Duration::from_secs(10)));
    let checkpointer = open(checkpointer).await?;
    let mut reader = options;
    reader
        .max_connections(settings.db_max_connections)
        .min_connections(1)
        .map_sqlx_sqlite_opts(|o| o.read_only(true).busy_timeout(Duration::from_secs(10)));
    let reader = open(reader).await?;
    Ok(Database::new(reader, writer).checkpoint_beside(checkpointer))
}

/// Hands out the SQLite writer only outside any transaction. When a COMMIT
/// fails (a full disk), SQLite has already rolled the transaction back but
/// sqlx still counts it as open, so the connection's next BEGIN would be a
/// SAVEPOINT inside a transaction that never commits: every later write
/// would be answered as saved and be lost. Such a connection is closed
/// (which ends whatever it has open) and the pool opens a new one.
/// PostgreSQL's pools take the same check (a COMMIT that fails there, in
/// the change feed's deferred triggers, leaves sqlx's count the same way).
/// An in-memory SQLite database does not: closing its one connection would
/// lose it.
async fn outside_any_transaction<C: sea_orm::sqlx::Connection>(conn: &mut C) -> Result<bool, sea_orm::sqlx::Error> {
    if conn.is_in_transaction() {
        tracing::warn!("a database connection was left inside a failed transaction: it is closed and another opened");
        return Ok(false);
    }
    Ok(true)
}

/// Turns on SQLite's query planner stability guarantee for a new
/// connection. Without it a statement whose plan looked at a bound value
/// (every `LIMIT ?`, every `GLOB ?`) is compiled again each time it is run
/// with new values, which was a fifth of the time of a single-record read.
async fn stable_plans(conn: &mut sea_orm::sqlx::SqliteConnection) -> Result<(), sea_orm::sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the open handle this connection owns, locked away from
    // its worker thread for the duration of the call; the option takes an
    // int and a nullable int pointer.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        return Err(sea_orm::sqlx::Error::Configuration(
            format!("SQLite refused the planner stability option (code {rc})").into(),
        ));
    }
    Ok(())
}

/// Applies pending migrations; on PostgreSQL under an advisory lock.
pub async fn migrate(db: &Database) -> anyhow::Result<()> {
    let db = db.write();
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let txn = db.begin().await?;
        // A migration may take longer than a request's statement may.
        txn.execute_unprepared("SET LOCAL statement_timeout = 0").await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
        Migrator::up(&txn, None).await.context("migrating the database")?;
        txn.commit().await?;
    } else {
        Migrator::up(db, None).await.context("migrating the database")?;
    }
    Ok(())
}

/// One PostgreSQL connection, opened and closed, within the connect
/// timeout: its error says why the database cannot be reached.
async fn probe_postgres(url: &str) -> Result<(), String> {
    use sea_orm::sqlx::{ConnectOptions as _, Connection as _};
    let options: sea_orm::sqlx::postgres::PgConnectOptions = url.parse().map_err(|e| format!("{e}"))?;
    match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Err(_) => Err(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
    }
}
