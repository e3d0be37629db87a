//! Building and running the service: connect, migrate, bind, serve, drain.
//!
//! The parts live beside this file: `database.rs` opens and tunes the
//! database and migrates it, `admin.rs` creates the first admin,
//! `middleware.rs` wraps every route, and `jobs.rs` starts the work each
//! replica does beside serving.

mod admin;
mod database;
mod jobs;
mod middleware;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use actix_web_prom::PrometheusMetricsBuilder;
use anyhow::Context;
use secrecy::ExposeSecret;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub use admin::ADMIN_PASSWORD_FILE;
pub use database::{connect, migrate};

use crate::api::body::BodyLimit;
use crate::api::{docs, extractor_config, routes, unknown_route, AppState, RouteTable};
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::service::Database;

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
        admin::bootstrap_admin(&settings, &db).await?;
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
            let app = App::new().into_utoipa_app().configure(routes).into_app();
            middleware::wrap(app, &cors_origins, metrics.clone())
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
        let deliverer = jobs::start(&db, settings.webhooks.clone(), ready.clone());
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
