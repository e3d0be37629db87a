//! Building and running the service: connect, migrate, bind, serve.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, ErrorHandlers, Next};
use actix_web::{web, App, HttpServer};
use actix_web_prom::PrometheusMetricsBuilder;
use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseBackend, TransactionTrait};
use secrecy::ExposeSecret;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::body::BodyLimit;
use crate::api::idempotency::Idempotency;
use crate::api::problem::problem_fallback;
use crate::api::{audit_refusals, docs, extractor_config, routes, unknown_route, AppState, RouteTable};
use crate::auth::tokens::TokenKeys;
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

/// Makes freed memory go back to the system. glibc's malloc raises its
/// mmap threshold to the size of each large block freed, so that after one
/// password check the next check's 19 MiB come from a thread's arena and
/// stay there when freed: bursts of logins left gigabytes resident. A fixed
/// threshold keeps blocks of 1 MiB and more in mappings of their own, which
/// are unmapped when freed. Call it once, early, in the binary.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes malloc's tuning; any value is valid.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

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
        options
            .max_connections(settings.db_max_connections)
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

/// Refuses settings without a way to sign tokens that every replica
/// shares (on PostgreSQL: a secret or a private key), before anything
/// waits for the database.
pub fn check_signing_key(settings: &Settings) -> anyhow::Result<()> {
    if settings.is_postgres() && settings.auth.jwt_secret.is_none() && settings.auth.private_key_pem.is_none() {
        anyhow::bail!(
            "CHANJIAO_JWT_SECRET: must be set (at least 32 bytes) when DATABASE_URL is PostgreSQL, \
             so that every replica signs and checks tokens with the same key"
        );
    }
    Ok(())
}

/// The token keys: a configured private key and/or secret; on SQLite with
/// neither, a generated secret kept in the database; on PostgreSQL with
/// neither, an error, because every replica must share the secret.
pub async fn load_keys(settings: &Settings, db: &Database) -> anyhow::Result<TokenKeys> {
    check_signing_key(settings)?;
    let secret = match (&settings.auth.jwt_secret, &settings.auth.private_key_pem) {
        (Some(secret), _) => Some(secret.expose_secret().to_string()),
        (None, Some(_)) => None,
        (None, None) => {
            let (secret, generated) = crate::service::secrets::stored_jwt_secret(db)
                .await
                .context("cannot keep a generated JWT secret")?;
            if generated {
                tracing::warn!("CHANJIAO_JWT_SECRET is not set: generated one and stored it in the SQLite database");
            }
            Some(secret)
        }
    };
    TokenKeys::new(&settings.auth, secret.as_deref().map(str::as_bytes))
}

/// The file, in the working directory, that holds a generated password of
/// `admin` when standard error is no terminal (a log file, a container's log).
pub const ADMIN_PASSWORD_FILE: &str = "chanjiao-admin-password";

/// Unless an enabled admin exists, creates `admin` with
/// `CHANJIAO_ADMIN_PASSWORD` or a generated password. A generated password
/// never enters the log: it is printed to standard error when that is a
/// terminal, and otherwise written to [`ADMIN_PASSWORD_FILE`] (readable only
/// by the service's user), whose path is logged. A password set while an
/// enabled admin exists is not used, and a warning says so.
async fn bootstrap_admin(settings: &Settings, db: &Database) -> anyhow::Result<()> {
    use crate::service::users::{self, Bootstrap};
    use std::io::IsTerminal;
    let configured = settings.admin_password.as_ref().map(|p| p.expose_secret());
    if configured.is_some_and(|p| p.chars().count() < crate::model::field::MIN_PASSWORD_CHARS) {
        anyhow::bail!("CHANJIAO_ADMIN_PASSWORD: must be at least 12 characters");
    }
    let not_created = |outcome: Bootstrap| {
        if outcome == Bootstrap::NameTaken {
            tracing::warn!(
                "no enabled admin exists and the username `admin` is taken by a disabled user or another role: \
                 create an admin with `chanjiao user create --role admin --username <name>`"
            );
        } else if configured.is_some() {
            tracing::warn!(
                "CHANJIAO_ADMIN_PASSWORD is set but not used: an enabled admin already exists, and the variable \
                 only sets the password of the admin created when there is none (change a password with \
                 POST /api/v1/auth/password)"
            );
        }
    };
    if users::has_enabled_admin(db).await.context("cannot look for an admin")? {
        not_created(Bootstrap::AdminExists);
        return Ok(());
    }
    if let Some(password) = configured {
        let outcome = users::bootstrap_admin(db, password)
            .await
            .context("cannot create the first admin")?;
        if outcome == Bootstrap::Created {
            tracing::info!("created user `admin` with the password of CHANJIAO_ADMIN_PASSWORD");
        } else {
            not_created(outcome);
        }
        return Ok(());
    }
    let password = crate::auth::tokens::random_secret();
    let on_terminal = std::io::stderr().is_terminal();
    // Kept before the admin exists: an admin whose password went nowhere
    // could not be logged in as.
    let file = if on_terminal {
        None
    } else {
        Some(keep_admin_password(&password)?)
    };
    let outcome = users::bootstrap_admin(db, &password)
        .await
        .context("cannot create the first admin")?;
    match (outcome, file) {
        (Bootstrap::Created, None) => {
            eprintln!("chanjiao: created user `admin` with the generated password: {password}");
            eprintln!("chanjiao: it is shown only this once; change it with POST /api/v1/auth/password");
        }
        (Bootstrap::Created, Some(file)) => tracing::warn!(
            file = %file.display(),
            "created user `admin` with a generated password, written to {} (readable only by this user): \
             log in, change it with POST /api/v1/auth/password, and delete the file",
            file.display()
        ),
        (outcome, file) => {
            if let Some(file) = file {
                let _ = std::fs::remove_file(file);
            }
            not_created(outcome);
        }
    }
    Ok(())
}

/// Writes a generated admin password to [`ADMIN_PASSWORD_FILE`] in the
/// working directory, readable and writable only by this user (a file left
/// by an earlier start is replaced); its absolute path.
fn keep_admin_password(password: &str) -> anyhow::Result<std::path::PathBuf> {
    use std::io::Write;
    let path = std::env::current_dir()
        .context("cannot find the working directory for the generated admin password")?
        .join(ADMIN_PASSWORD_FILE);
    let failed = |e: std::io::Error| {
        anyhow::anyhow!(
            "cannot write the generated admin password to {} ({e}); run from a writable directory, \
             or set CHANJIAO_ADMIN_PASSWORD",
            path.display()
        )
    };
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e)),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(failed)?;
    writeln!(file, "{password}")
        .and_then(|()| file.sync_all())
        .map_err(failed)?;
    Ok(path)
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
    ready: Arc<AtomicBool>,
    db: Database,
    shutdown_grace: Duration,
    /// The webhook deliverer, which stops claiming deliveries when shutdown begins.
    deliverer: tokio::task::JoinHandle<()>,
    /// How long a webhook delivery attempt may take (the deliverer's last one, at shutdown).
    delivery_timeout: Duration,
}

impl Application {
    /// Connects, migrates, loads the token keys, creates the first admin on a
    /// database without an enabled admin, and binds `settings.bind` (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        crate::domain::clock::set_timezone(settings.timezone);
        check_signing_key(&settings)?;
        let db = connect(&settings).await?.with_webhooks(settings.webhooks.clone());
        migrate(&db).await?;
        let keys = load_keys(&settings, &db).await?;
        let cursor_key = crate::service::secrets::cursor_key(&db)
            .await
            .context("cannot keep the key that signs list cursors")?;
        crate::domain::cursor::use_key(cursor_key.as_bytes());
        bootstrap_admin(&settings, &db).await?;
        let listener =
            TcpListener::bind(settings.bind).with_context(|| format!("cannot listen on {}", settings.bind))?;
        Self::serve(listener, db, keys, &settings)
    }

    fn serve(listener: TcpListener, db: Database, keys: TokenKeys, settings: &Settings) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let ready = Arc::new(AtomicBool::new(true));
        let keys = Arc::new(keys);
        TokenKeys::watch_jwks(&keys);
        let state = web::Data::new(AppState {
            db: db.clone(),
            ready: ready.clone(),
            keys,
            trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
            refresh_token_ttl: settings.auth.refresh_token_ttl,
            budgets: settings
                .rate_limit
                .map(|setting| Arc::new(crate::api::rate_limit::Budgets::new(setting))),
            metrics_token: settings
                .metrics_token
                .as_ref()
                .map(|token| crate::api::platform::token_digest(token.expose_secret())),
            deadline: (!settings.db_statement_timeout.is_zero())
                .then(|| settings.db_acquire_timeout + settings.db_statement_timeout),
            imports: Arc::new(crate::api::import::ImportTurns::new(
                settings.imports.at_once,
                settings.imports.wait,
            )),
        });
        let metrics = PrometheusMetricsBuilder::new("chanjiao")
            .endpoint("/metrics")
            .mask_unmatched_patterns("UNMATCHED")
            .build()
            .map_err(|e| anyhow::Error::from_boxed(e).context("cannot set up metrics"))?;
        let limit = BodyLimit {
            limit: settings.max_body_bytes,
            timeout: settings.request_timeout,
        };
        let cors_origins = settings.cors_origins.clone();
        let openapi = docs::openapi();
        let route_table = web::Data::new(RouteTable::from_document(&openapi));
        let mut server = HttpServer::new(move || {
            App::new()
                .into_utoipa_app()
                .configure(routes)
                .into_app()
                .wrap(from_fn(audit_refusals))
                .wrap(ErrorHandlers::new().default_handler(problem_fallback))
                .wrap(Idempotency)
                // Outside what writes to the database on the way (the
                // Idempotency-Key, a refusal's audit row), inside the log and
                // the metrics, which record its 503.
                .wrap(from_fn(crate::api::deadline))
                .wrap(from_fn(close_while_draining))
                .wrap(from_fn(crate::api::rate_limit::rate_limit))
                .wrap(cors(&cors_origins))
                .wrap(from_fn(cors_outcome))
                .wrap(metrics.clone())
                .wrap(from_fn(crate::api::platform::guard_metrics))
                // Just inside the request id: every answer is logged, the
                // refusals of the middlewares above included.
                .wrap(from_fn(crate::api::request_id::log_request))
                .wrap(from_fn(crate::api::request_id::request_id))
                .app_data(state.clone())
                .app_data(limit)
                .app_data(route_table.clone())
                .configure(extractor_config)
                // A tail segment (`{tail}*`), not a regex (`{_:.*}`): the metrics
                // middleware builds its label from the pattern, and cannot from a regex.
                .service(SwaggerUi::new("/swagger-ui/{tail}*").url("/api-docs/openapi.json", openapi.clone()))
                // A newcomer who opens the service's address finds the docs.
                .service(web::redirect("/", "/swagger-ui/"))
                .service(web::redirect("/swagger-ui", "/swagger-ui/"))
                .default_service(web::to(unknown_route))
        })
        .disable_signals()
        .shutdown_timeout(settings.shutdown_timeout.as_secs());
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        clean_up_idempotency_keys(&db);
        clean_up_changes(&db);
        let deliverer = crate::service::delivery::spawn(&db, settings.webhooks.clone(), ready.clone());
        Ok(Application {
            port,
            server,
            ready,
            db,
            shutdown_grace: settings.shutdown_grace,
            deliverer,
            delivery_timeout: settings.webhooks.timeout,
        })
    }

    /// The port the service listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The service's database (tests use its writer to look behind the API).
    pub fn database(&self) -> Database {
        self.db.clone()
    }

    /// Serves until the server is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until SIGINT or SIGTERM, then drains: `/readyz` answers 503
    /// at once while requests are still served (with `Connection: close`)
    /// for the shutdown grace period, so that a load balancer stops sending
    /// traffic first; then the listener closes, the requests in flight
    /// finish (up to the shutdown timeout), the webhook deliveries under
    /// way finish (it claims no new ones once shutdown begins), and the
    /// database connections close. A second signal ends the grace period at once.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let ready = self.ready.clone();
        let grace = self.shutdown_grace;
        tokio::spawn(async move {
            shutdown_signal().await;
            ready.store(false, Ordering::SeqCst);
            tracing::info!(
                grace_seconds = grace.as_secs(),
                "shutting down: /readyz answers 503; the listener closes after the grace period"
            );
            tokio::select! {
                _ = tokio::time::sleep(grace) => {}
                _ = shutdown_signal() => {}
            }
            tracing::info!("the listener closes; finishing the requests in flight");
            handle.stop(true).await;
        });
        let served = self.server.await;
        // The attempts under way finish and are recorded (a delivery cut
        // off here would wait for its claim to run out, then go again).
        let mut deliverer = self.deliverer;
        if tokio::time::timeout(self.delivery_timeout + Duration::from_secs(5), &mut deliverer)
            .await
            .is_err()
        {
            deliverer.abort();
            tracing::warn!("webhook deliveries were still under way at shutdown; they are tried again later");
        }
        self.db.close().await;
        tracing::info!("stopped");
        served
    }
}

/// How often each replica removes the `Idempotency-Key` answers older than 24 hours.
const IDEMPOTENCY_CLEAN_UP_INTERVAL: Duration = Duration::from_secs(600);

/// How often each replica removes the changes older than 90 days.
const CHANGES_CLEAN_UP_INTERVAL: Duration = Duration::from_secs(3600);

/// Removes expired `Idempotency-Key` answers now and every ten minutes.
fn clean_up_idempotency_keys(db: &Database) {
    every(
        db,
        IDEMPOTENCY_CLEAN_UP_INTERVAL,
        "expired Idempotency-Key answers",
        |db| async move { crate::service::idempotency::clean_up(db.write()).await },
    );
}

/// Removes the changes of the feed older than 90 days now and every hour.
fn clean_up_changes(db: &Database) {
    every(
        db,
        CHANGES_CLEAN_UP_INTERVAL,
        "changes older than 90 days",
        |db| async move { crate::service::changes::clean_up(&db).await },
    );
}

/// Runs `remove` now and every `interval` until the last clone of the
/// database is dropped, logging how many `what` it removed.
fn every<F, Fut>(db: &Database, interval: Duration, what: &'static str, remove: F)
where
    F: Fn(Database) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<u64, crate::error::ApiError>> + Send,
{
    let in_use = db.in_use();
    let db = db.detached();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            if in_use.strong_count() == 0 {
                break;
            }
            match remove(db.clone()).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed {what}"),
                Err(e) => tracing::warn!(error = %e, "removing {what} failed"),
            }
        }
    });
}

/// While the service drains at shutdown, asks each client to close its
/// connection after the answer, so that keep-alive clients reconnect
/// (through their load balancer, to another replica).
async fn close_while_draining<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let ready = req.app_data::<web::Data<AppState>>().map(|state| state.ready.clone());
    let mut response = next.call(req).await?;
    if ready.is_some_and(|ready| !ready.load(Ordering::SeqCst)) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(response)
}

/// Cross-origin access for the listed browser origins only (none by
/// default): the API's methods and headers, with `ETag`, `Location` and
/// `Retry-After` readable by the page.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static(crate::api::idempotency::IDEMPOTENCY_KEY),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            header::HeaderName::from_static(crate::api::idempotency::REPLAYED),
            header::HeaderName::from_static(crate::api::request_id::HEADER),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// What actix-cors leaves to the application: `Access-Control-Expose-Headers`
/// only beside an `Access-Control-Allow-Origin` (actix-cors adds it to every
/// response), and a refused preflight answered as problem+json (actix-cors
/// answers it in plain text).
async fn cors_outcome<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let preflight = req.method() == actix_web::http::Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = next.call(req).await?;
    if !response.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        response.headers_mut().remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
    }
    if preflight && response.status().is_client_error() {
        let problem = crate::error::Problem::new(
            response.status().as_u16(),
            "urn:chanjiao:problem:cors-refused",
            "this origin, method or header is not allowed cross-origin; \
             CHANJIAO_CORS_ORIGINS lists the browser origins that may call the API",
        );
        let (request, refused) = response.into_parts();
        let answer = crate::api::problem::problem_in_place_of(&problem, &refused);
        return Ok(ServiceResponse::new(request, answer));
    }
    Ok(response.map_into_boxed_body())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
