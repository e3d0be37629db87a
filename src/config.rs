//! Settings read from the environment. Each setting is declared once, as a
//! field with clap's `env` attribute: its variable, its default, its parser
//! (bounds included) and its documentation. A bad value stops start-up with
//! a message naming the variable; secrets are held as `SecretString`, which
//! cannot be printed.
//!
//! The variables are looked up by [`Settings::from_lookup`] (the process
//! environment, or a test's map) rather than by clap itself, so that a
//! variable set to blank text counts as unset; each value found is handed to
//! clap as the setting's `--<name>=<value>` argument, and clap applies the
//! parsers and the defaults. These arguments are not the program's command
//! line ([`crate::cli`]), which takes no settings.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use clap::{Args, FromArgMatches};
use secrecy::SecretString;

/// The default database: an SQLite file in the working directory, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://chanjiao.db?mode=rwc";
/// The default listening address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The default tracing filter.
pub const DEFAULT_LOG: &str = "info";
/// The default request body limit: 2 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// The default time a whole request body may take to arrive.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a request waits for a database connection, by default.
pub const DEFAULT_DB_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest one database statement may take, by default.
pub const DEFAULT_DB_STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time `/readyz` answers 503 before the listener closes at shutdown.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// The default time requests in flight may take to finish at shutdown.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, coloured only on a terminal.
    Text,
    /// One JSON object per line, for a log shipper.
    Json,
}

/// Everything the service reads from its environment. The fields' order is
/// the order in which their values are checked.
#[derive(Clone, Args)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = database_url)]
    pub database_url: String,
    /// The address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "CHANJIAO_BIND", default_value = DEFAULT_BIND, value_parser = bind)]
    pub bind: SocketAddr,
    /// A tracing filter such as `info` or `chanjiao=debug,info`.
    #[arg(long, env = "CHANJIAO_LOG", default_value = DEFAULT_LOG, value_parser = log_filter)]
    pub log: String,
    /// `text` (default) or `json`, one object per line.
    #[arg(long, env = "CHANJIAO_LOG_FORMAT", default_value = "text", value_parser = log_format)]
    pub log_format: LogFormat,
    /// The largest request body accepted.
    #[arg(long, env = "CHANJIAO_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES,
          value_parser = whole::<usize>(1024, 1 << 30))]
    pub max_body_bytes: usize,
    /// Seconds a whole request body may take to arrive (default 30); a
    /// slower one is answered 408.
    #[arg(long, env = "CHANJIAO_REQUEST_TIMEOUT", default_value = "30", value_parser = seconds(1, 3600))]
    pub request_timeout: Duration,
    /// Seconds a request waits for a database connection before it is
    /// answered 503 (default 5).
    #[arg(long, env = "CHANJIAO_DB_ACQUIRE_TIMEOUT", default_value = "5", value_parser = seconds(1, 600))]
    pub db_acquire_timeout: Duration,
    /// Seconds one statement may take (PostgreSQL's `statement_timeout`),
    /// and, with the acquire timeout, how long a request may wait on the
    /// database in all before it is answered 503 (default 30; 0: neither,
    /// for a connection pooler that refuses PostgreSQL's `options` start-up
    /// parameter).
    #[arg(long, env = "CHANJIAO_DB_STATEMENT_TIMEOUT", default_value = "30", value_parser = seconds(0, 86_400))]
    pub db_statement_timeout: Duration,
    /// Seconds `/readyz` answers 503 at shutdown while requests are still
    /// served (default 5), so that a load balancer stops sending traffic
    /// before the listener closes.
    #[arg(long, env = "CHANJIAO_SHUTDOWN_GRACE", default_value = "5", value_parser = seconds(0, 600))]
    pub shutdown_grace: Duration,
    /// Seconds the requests in flight may take to finish once the listener
    /// has closed (default 30).
    #[arg(long, env = "CHANJIAO_SHUTDOWN_TIMEOUT", default_value = "30", value_parser = seconds(1, 3600))]
    pub shutdown_timeout: Duration,
    /// Each caller's request budget for `/api/v1` (`<requests>/<seconds>`);
    /// none by default.
    #[arg(long, env = "CHANJIAO_RATE_LIMIT", value_parser = rate_limit)]
    pub rate_limit: Option<RateLimitSetting>,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "CHANJIAO_WORKERS", value_parser = whole::<usize>(1, 256))]
    pub workers: Option<usize>,
    /// The PostgreSQL pool size; on SQLite the number of read-only
    /// connections beside the one writer.
    #[arg(long, env = "CHANJIAO_DB_MAX_CONNECTIONS", default_value_t = 10, value_parser = whole::<u32>(1, 1000))]
    pub db_max_connections: u32,
    /// How an SQLite commit reaches the disk: `normal` (default) or `full`.
    #[arg(long, env = "CHANJIAO_SQLITE_SYNCHRONOUS", default_value = "normal", value_parser = sqlite_synchronous)]
    pub sqlite_synchronous: SqliteSync,
    /// Token settings.
    #[command(flatten)]
    pub auth: AuthSettings,
    /// The password of the `admin` user created on a database without an
    /// enabled admin (otherwise a generated one is printed to a terminal or
    /// written to a file, never logged).
    #[arg(long, env = "CHANJIAO_ADMIN_PASSWORD", value_parser = secret)]
    pub admin_password: Option<SecretString>,
    /// Comma-separated CIDRs of proxies whose `X-Forwarded-For` hop names
    /// the client.
    #[arg(long, env = "CHANJIAO_TRUSTED_PROXIES", default_value = "", value_parser = trusted_proxies)]
    pub trusted_proxies: ::std::vec::Vec<ipnet::IpNet>,
    /// Comma-separated origins (`https://app.example.cn`) whose browser
    /// pages may call the API; none by default.
    #[arg(long, env = "CHANJIAO_CORS_ORIGINS", default_value = "", value_parser = cors_origins)]
    pub cors_origins: ::std::vec::Vec<String>,
    /// The bearer token `/metrics` asks for; without it, `/metrics` answers
    /// only callers on this machine (loopback).
    #[arg(long, env = "CHANJIAO_METRICS_TOKEN", value_parser = metrics_token)]
    pub metrics_token: Option<SecretString>,
    /// The IANA time zone whose calendar day is "today" (overdue action
    /// items, a done item's `done_on`); default `Asia/Shanghai`.
    #[arg(long, env = "CHANJIAO_TIMEZONE", default_value_t = crate::domain::clock::DEFAULT_TIMEZONE,
          value_parser = timezone)]
    pub timezone: chrono_tz::Tz,
    /// How webhooks are delivered.
    #[command(flatten)]
    pub webhooks: WebhookSettings,
    /// How many imports run at once.
    #[command(flatten)]
    pub imports: ImportSettings,
}

/// How many imports run at once, and how long another waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct ImportSettings {
    /// Imports that read and judge their files at once in this process
    /// (default 2).
    #[arg(long, env = "CHANJIAO_IMPORTS_AT_ONCE", default_value = "2",
          value_parser = whole::<usize>(1, 64))]
    pub at_once: usize,
    /// Seconds an import waits for its turn (default 30) before it is
    /// answered 503 with `Retry-After`.
    #[arg(long, env = "CHANJIAO_IMPORT_WAIT", default_value = "30", value_parser = seconds(0, 600))]
    pub wait: Duration,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings {
            at_once: 2,
            wait: Duration::from_secs(30),
        }
    }
}

/// How webhooks are delivered: where to, how patiently, how often the
/// deliverer looks for work.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct WebhookSettings {
    /// Comma-separated host names, IP addresses and CIDRs that webhooks may
    /// reach although they are not public (none by default).
    #[arg(long, env = "CHANJIAO_WEBHOOK_ALLOW", default_value = "", value_parser = webhook_allow)]
    pub allow: crate::domain::network::AllowList,
    /// The wait before the first retry of a delivery (default 60); each
    /// wait doubles, up to `longest_retry`.
    #[arg(long, env = "CHANJIAO_WEBHOOK_RETRY_SECONDS", default_value = "60",
          value_parser = seconds(1, 3600))]
    pub first_retry: Duration,
    /// The longest wait between two attempts: an hour.
    #[arg(skip = WebhookSettings::default().longest_retry)]
    pub longest_retry: Duration,
    /// How long a delivery is retried before it is marked failed: 24 hours.
    #[arg(skip = WebhookSettings::default().retry_for)]
    pub retry_for: Duration,
    /// How long an attempt may take, connection included: 10 seconds.
    #[arg(skip = WebhookSettings::default().timeout)]
    pub timeout: Duration,
    /// How often each replica looks for changes to queue and deliveries that are due: every second.
    #[arg(skip = WebhookSettings::default().poll)]
    pub poll: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow: Default::default(),
            first_retry: Duration::from_secs(60),
            longest_retry: Duration::from_secs(3600),
            retry_for: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(1),
        }
    }
}

/// A request budget: `requests` per `period` for each caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSetting {
    /// Requests per period (also the largest burst).
    pub requests: u32,
    /// The period.
    pub period: Duration,
}

impl RateLimitSetting {
    /// Reads `<requests>/<seconds>`, such as `600/60`.
    pub fn parse(text: &str) -> Option<Self> {
        let (requests, seconds) = text.trim().split_once('/')?;
        let requests: u32 = requests.trim().parse().ok().filter(|n| (1..=1_000_000).contains(n))?;
        let seconds: u64 = seconds
            .trim()
            .trim_end_matches('s')
            .parse()
            .ok()
            .filter(|n| (1..=86_400).contains(n))?;
        Some(RateLimitSetting {
            requests,
            period: Duration::from_secs(seconds),
        })
    }
}

/// When an SQLite commit is on the disk (`PRAGMA synchronous` in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    /// `normal` (the default): a commit is written to the WAL file before it
    /// is acknowledged and survives a crash or kill of the process; the WAL
    /// is synced at each checkpoint, so a power loss or OS crash may lose
    /// the last commits (never corrupt the file).
    Normal,
    /// `full`: the WAL is synced before each commit is acknowledged, which
    /// survives a power loss too, at the cost of one disk sync per write.
    Full,
}

/// How access tokens are signed and checked.
#[derive(Clone, Args)]
pub struct AuthSettings {
    /// The HS256 secret, at least 32 bytes.
    #[arg(long, env = "CHANJIAO_JWT_SECRET", value_parser = jwt_secret)]
    pub jwt_secret: Option<SecretString>,
    /// The `iss` of issued tokens (default `chanjiao`); further
    /// comma-separated issuers are accepted too.
    #[arg(long, env = "CHANJIAO_JWT_ISSUER", default_value = "chanjiao", value_parser = issuers)]
    pub issuers: ::std::vec::Vec<String>,
    /// The `aud` tokens must carry (default `chanjiao-api`).
    #[arg(long, env = "CHANJIAO_JWT_AUDIENCE", default_value = "chanjiao-api")]
    pub audience: String,
    /// Access token lifetime in seconds (default 900).
    #[arg(long, env = "CHANJIAO_ACCESS_TOKEN_TTL", default_value_t = 900, value_parser = whole::<i64>(30, 86_400))]
    pub access_token_ttl: i64,
    /// Refresh token lifetime in seconds (default 30 days).
    #[arg(long, env = "CHANJIAO_REFRESH_TOKEN_TTL", default_value_t = 30 * 86_400,
          value_parser = whole::<i64>(60, 365 * 86_400))]
    pub refresh_token_ttl: i64,
    /// A PEM private key (RSA or Ed25519), or a file holding one; when set,
    /// tokens are signed with it.
    #[arg(long, env = "CHANJIAO_JWT_PRIVATE_KEY", value_parser = secret)]
    pub private_key_pem: Option<SecretString>,
    /// The `kid` of the private key.
    #[arg(long, env = "CHANJIAO_JWT_KEY_ID")]
    pub key_id: Option<String>,
    /// A JWKS file (or inline JSON) of accepted public keys.
    #[arg(long, env = "CHANJIAO_JWT_JWKS")]
    pub jwks: Option<String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("log", &self.log)
            .field("log_format", &self.log_format)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("request_timeout", &self.request_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("rate_limit", &self.rate_limit)
            .field("workers", &self.workers)
            .field("db_max_connections", &self.db_max_connections)
            .field("db_acquire_timeout", &self.db_acquire_timeout)
            .field("db_statement_timeout", &self.db_statement_timeout)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .field("jwt_secret", &self.auth.jwt_secret)
            .field("jwt_issuers", &self.auth.issuers)
            .field("jwt_audience", &self.auth.audience)
            .field("private_key", &self.auth.private_key_pem)
            .field("key_id", &self.auth.key_id)
            .field("admin_password", &self.admin_password)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("cors_origins", &self.cors_origins)
            .field("timezone", &self.timezone)
            .field("webhooks", &self.webhooks)
            .field("imports", &self.imports)
            .finish()
    }
}

/// A setting with a bad value.
#[derive(Debug, thiserror::Error)]
#[error("invalid {variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// Why its value was refused (never the value itself, which may be secret).
    pub reason: String,
}

/// The secrets that `.env.example` shows as placeholders: a service started
/// with one would run on a secret anyone can read.
pub const PLACEHOLDER_SECRETS: &[&str] = &[
    "change-me-to-at-least-32-random-bytes-0000",
    "change-me:any@characters/#ok",
];

/// Whether a secret is a known placeholder: one of [`PLACEHOLDER_SECRETS`],
/// or any text that still begins with `change-me` / `changeme`.
pub fn is_placeholder(secret: &str) -> bool {
    let secret = secret.trim().to_ascii_lowercase();
    PLACEHOLDER_SECRETS.contains(&secret.as_str()) || secret.starts_with("change-me") || secret.starts_with("changeme")
}

/// Why a placeholder is refused; `what` says where it was found.
fn placeholder_refused(what: &str) -> String {
    format!(
        "is the placeholder of .env.example{what}, which anyone can read: set a secret of your own \
         (such as `openssl rand -base64 48`)"
    )
}

/// Refuses a placeholder as the value of `variable`.
fn refuse_placeholder(variable: &'static str, value: Option<&str>, what: &str) -> Result<(), ConfigError> {
    match value {
        Some(value) if is_placeholder(value) => Err(ConfigError {
            variable,
            reason: placeholder_refused(what),
        }),
        _ => Ok(()),
    }
}

/// The database's password as the service would use it: the URL's own
/// (decoded), else `PGPASSWORD`, which docker-compose.yml fills from
/// `POSTGRES_PASSWORD`; each refused when it is a placeholder.
fn check_database_password(get: &impl Fn(&str) -> Option<String>, database_url: &str) -> Result<(), ConfigError> {
    let in_url = url::Url::parse(database_url)
        .ok()
        .and_then(|url| url.password().map(percent_decode));
    refuse_placeholder("DATABASE_URL", in_url.as_deref(), " (the password in the URL)")?;
    refuse_placeholder("PGPASSWORD", get("PGPASSWORD").as_deref(), " (POSTGRES_PASSWORD)")?;
    refuse_placeholder("POSTGRES_PASSWORD", get("POSTGRES_PASSWORD").as_deref(), "")
}

/// A URL component with its `%XX` escapes decoded.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, which returns a variable's value
    /// if set; a value of blank text counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // The values set, as arguments.
        let mut given = Vec::new();
        let mut command = Self::augment_args(clap::Command::new("settings").no_binary_name(true)).mut_args(|arg| {
            if let Some(variable) = arg.get_env().and_then(|name| name.to_str()) {
                if let (Some(value), Some(long)) = (get(variable), arg.get_long()) {
                    given.push(format!("--{long}={value}"));
                }
            }
            // The values come from `lookup` alone, never from clap's own
            // reading of the process environment.
            arg.env(None::<&str>)
        });
        let settings = command
            .try_get_matches_from_mut(given)
            .and_then(|matches| Self::from_arg_matches(&matches))
            .map_err(|error| refused(&command, &error))?;
        if settings.is_postgres() {
            check_database_password(&get, &settings.database_url)?;
        }
        if settings.auth.private_key_pem.is_some() && settings.auth.key_id.is_none() {
            return Err(ConfigError {
                variable: "CHANJIAO_JWT_KEY_ID",
                reason: "must be set together with CHANJIAO_JWT_PRIVATE_KEY".into(),
            });
        }
        Ok(settings)
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

/// Each setting's argument and variable, as declared on [`Settings`]'s fields.
fn variables() -> &'static [(clap::Id, String)] {
    static VARIABLES: OnceLock<Vec<(clap::Id, String)>> = OnceLock::new();
    VARIABLES.get_or_init(|| {
        Settings::augment_args(clap::Command::new("settings"))
            .get_arguments()
            .filter_map(|arg| Some((arg.get_id().clone(), arg.get_env()?.to_str()?.to_string())))
            .collect()
    })
}

/// clap's refusal of a value as a [`ConfigError`]: the variable of the
/// argument at fault (found among the `command`'s arguments by the name the
/// error shows) and the parser's reason, never the value.
fn refused(command: &clap::Command, error: &clap::Error) -> ConfigError {
    use clap::error::{ContextKind, ContextValue};
    let shown = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(shown)) => Some(shown.as_str()),
        _ => None,
    };
    let variable = shown
        .and_then(|shown| command.get_arguments().find(|arg| arg.to_string() == shown))
        .and_then(|arg| variables().iter().find(|(id, _)| id == arg.get_id()))
        .map_or("settings", |(_, variable)| variable.as_str());
    let reason = std::error::Error::source(error).map_or_else(|| format!("{:?}", error.kind()), ToString::to_string);
    ConfigError { variable, reason }
}

/// A parser of a whole number from `min` to `max`, as a `T`.
fn whole<T: TryFrom<u64>>(min: u64, max: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |text| {
        text.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| format!("`{text}` is not a whole number from {min} to {max}"))
    }
}

/// A parser of a whole number of seconds from `min` to `max`.
fn seconds(min: u64, max: u64) -> impl Fn(&str) -> Result<Duration, String> + Clone + Send + Sync + 'static {
    let whole = whole::<u64>(min, max);
    move |text| whole(text).map(Duration::from_secs)
}

fn database_url(text: &str) -> Result<String, String> {
    if text.starts_with("sqlite:") || text.starts_with("postgres://") || text.starts_with("postgresql://") {
        Ok(text.to_string())
    } else {
        Err("must start with sqlite:, postgres:// or postgresql://".into())
    }
}

fn bind(text: &str) -> Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not an address:port such as 127.0.0.1:8080"))
}

fn log_filter(text: &str) -> Result<String, String> {
    match tracing_subscriber::EnvFilter::try_new(text) {
        Ok(_) => Ok(text.to_string()),
        Err(e) => Err(format!("not a tracing filter: {e}")),
    }
}

fn log_format(text: &str) -> Result<LogFormat, String> {
    match text.trim() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("must be `text` or `json`".into()),
    }
}

fn rate_limit(text: &str) -> Result<RateLimitSetting, String> {
    RateLimitSetting::parse(text)
        .ok_or_else(|| "must be <requests>/<seconds>, such as 600/60 (1–1000000 requests, 1–86400 seconds)".to_string())
}

fn sqlite_synchronous(text: &str) -> Result<SqliteSync, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "normal" => Ok(SqliteSync::Normal),
        "full" => Ok(SqliteSync::Full),
        _ => Err("must be `normal` or `full`".into()),
    }
}

/// A secret as it is given.
fn secret(text: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(text))
}

fn jwt_secret(text: &str) -> Result<SecretString, String> {
    if text.len() < 32 {
        return Err("must be at least 32 bytes long".into());
    }
    if is_placeholder(text) {
        return Err(placeholder_refused(""));
    }
    secret(text)
}

fn issuers(text: &str) -> Result<Vec<String>, String> {
    let issuers: Vec<String> = text
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if issuers.is_empty() {
        return Err("names no issuer".into());
    }
    Ok(issuers)
}

fn trusted_proxies(text: &str) -> Result<Vec<ipnet::IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{s}` is not an IP address or CIDR"))
        })
        .collect()
}

fn cors_origins(text: &str) -> Result<Vec<String>, String> {
    let origins: Vec<String> = text
        .split(',')
        .map(|s| s.trim().trim_end_matches('/').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    match origins
        .iter()
        .find(|o| !(o.starts_with("http://") || o.starts_with("https://")) || o.contains(['*', ' ']))
    {
        Some(bad) => Err(format!("`{bad}` is not an origin such as https://app.example.cn")),
        None => Ok(origins),
    }
}

fn metrics_token(text: &str) -> Result<SecretString, String> {
    if text.len() < 16 || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be at least 16 printable ASCII characters without spaces".into());
    }
    secret(text)
}

fn timezone(text: &str) -> Result<chrono_tz::Tz, String> {
    let name = text.trim();
    name.parse()
        .map_err(|_| format!("`{name}` is not an IANA time zone such as Asia/Shanghai"))
}

fn webhook_allow(text: &str) -> Result<crate::domain::network::AllowList, String> {
    crate::domain::network::AllowList::parse(text).map_err(|e| e.to_string())
}

/// A database URL with any password replaced by `***`, for logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_is_requests_per_seconds() {
        let setting = RateLimitSetting::parse("600/60").unwrap();
        assert_eq!((setting.requests, setting.period.as_secs()), (600, 60));
        assert_eq!(RateLimitSetting::parse(" 10 / 1s ").unwrap().requests, 10);
        for bad in ["", "600", "0/60", "600/0", "x/60", "600/60m", "-1/60"] {
            assert!(RateLimitSetting::parse(bad).is_none(), "{bad}");
        }
        let lookup = |name: &str| (name == "CHANJIAO_RATE_LIMIT").then(|| "lots".to_string());
        let err = Settings::from_lookup(lookup).unwrap_err();
        assert_eq!(err.variable, "CHANJIAO_RATE_LIMIT");
        assert!(Settings::from_lookup(|_| None).unwrap().rate_limit.is_none());
    }
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.bind.to_string(), DEFAULT_BIND);
        assert_eq!(s.max_body_bytes, 2 * 1024 * 1024);
        assert_eq!(s.timezone, chrono_tz::Asia::Shanghai);
        assert_eq!((s.imports.at_once, s.imports.wait.as_secs()), (2, 30));
        let s = settings(&[
            ("CHANJIAO_TIMEZONE", "Europe/Berlin"),
            ("CHANJIAO_IMPORTS_AT_ONCE", "4"),
            ("CHANJIAO_IMPORT_WAIT", "0"),
        ])
        .unwrap();
        assert_eq!(s.timezone, chrono_tz::Europe::Berlin);
        assert_eq!((s.imports.at_once, s.imports.wait.as_secs()), (4, 0));
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (var, value) in [
            ("CHANJIAO_BIND", "localhost"),
            ("CHANJIAO_MAX_BODY_BYTES", "2MB"),
            ("CHANJIAO_LOG", "info,[["),
            ("DATABASE_URL", "mysql://x"),
            ("CHANJIAO_WORKERS", "0"),
            ("CHANJIAO_IMPORTS_AT_ONCE", "0"),
            ("CHANJIAO_JWT_SECRET", "too short"),
            ("CHANJIAO_TRUSTED_PROXIES", "10.0.0.0/8,nonsense"),
            ("CHANJIAO_ACCESS_TOKEN_TTL", "forever"),
            ("CHANJIAO_CORS_ORIGINS", "*"),
            ("CHANJIAO_TIMEZONE", "Mars/Olympus_Mons"),
            ("CHANJIAO_WEBHOOK_ALLOW", "127.0.0.1/33"),
            ("CHANJIAO_WEBHOOK_RETRY_SECONDS", "0"),
        ] {
            let err = settings(&[(var, value)]).expect_err(var);
            assert_eq!(err.variable, var);
            assert!(err.to_string().contains(var));
        }
    }

    #[test]
    fn a_refusal_says_why_and_repeats_no_secret() {
        let message = |var: &str, value: &str| settings(&[(var, value)]).unwrap_err().to_string();
        for (var, value, expected) in [
            (
                "CHANJIAO_BIND",
                "localhost",
                "invalid CHANJIAO_BIND: `localhost` is not an address:port such as 127.0.0.1:8080",
            ),
            (
                "CHANJIAO_MAX_BODY_BYTES",
                "2MB",
                "invalid CHANJIAO_MAX_BODY_BYTES: `2MB` is not a whole number from 1024 to 1073741824",
            ),
            (
                "CHANJIAO_JWT_SECRET",
                "too short",
                "invalid CHANJIAO_JWT_SECRET: must be at least 32 bytes long",
            ),
            // A value that begins with `-` is a value all the same.
            (
                "CHANJIAO_JWT_PRIVATE_KEY",
                "-----BEGIN PRIVATE KEY-----\n…",
                "invalid CHANJIAO_JWT_KEY_ID: must be set together with CHANJIAO_JWT_PRIVATE_KEY",
            ),
        ] {
            assert_eq!(message(var, value), expected);
        }
        let text = message("CHANJIAO_METRICS_TOKEN", "short secret");
        assert!(
            text.starts_with("invalid CHANJIAO_METRICS_TOKEN: ") && !text.contains("short"),
            "{text}"
        );
    }

    #[test]
    fn a_blank_variable_counts_as_unset() {
        let s = settings(&[
            ("CHANJIAO_BIND", "  "),
            ("CHANJIAO_WORKERS", ""),
            ("CHANJIAO_ADMIN_PASSWORD", ""),
            ("CHANJIAO_JWT_ISSUER", " "),
        ])
        .unwrap();
        assert_eq!(s.bind.to_string(), DEFAULT_BIND);
        assert!(s.workers.is_none() && s.admin_password.is_none());
        assert_eq!(s.auth.issuers, ["chanjiao"]);
    }

    #[test]
    fn every_setting_has_a_variable_and_its_default_agrees_with_the_constants() {
        let command = Settings::augment_args(clap::Command::new("settings"));
        for arg in command.get_arguments() {
            assert!(arg.get_env().is_some() && arg.get_long().is_some(), "{}", arg.get_id());
        }
        let s = settings(&[]).unwrap();
        assert_eq!(s.log, DEFAULT_LOG);
        assert_eq!(s.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(s.request_timeout, DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(s.db_acquire_timeout, DEFAULT_DB_ACQUIRE_TIMEOUT);
        assert_eq!(s.db_statement_timeout, DEFAULT_DB_STATEMENT_TIMEOUT);
        assert_eq!(s.shutdown_grace, DEFAULT_SHUTDOWN_GRACE);
        assert_eq!(s.shutdown_timeout, DEFAULT_SHUTDOWN_TIMEOUT);
        assert_eq!(s.webhooks, WebhookSettings::default());
        assert_eq!(s.imports, ImportSettings::default());
        assert_eq!(
            (s.log_format, s.sqlite_synchronous),
            (LogFormat::Text, SqliteSync::Normal)
        );
        assert_eq!(
            (s.auth.issuers.as_slice(), s.auth.audience.as_str()),
            (&["chanjiao".to_string()][..], "chanjiao-api")
        );
        assert_eq!((s.auth.access_token_ttl, s.auth.refresh_token_ttl), (900, 30 * 86_400));
        assert!(s.trusted_proxies.is_empty() && s.cors_origins.is_empty() && s.rate_limit.is_none());
    }

    #[test]
    fn secrets_never_appear_in_the_debug_form() {
        let s = settings(&[
            ("CHANJIAO_JWT_SECRET", "0123456789abcdef0123456789abcdef-secret"),
            ("CHANJIAO_ADMIN_PASSWORD", "admin-password-secret"),
            ("DATABASE_URL", "postgres://app:db-secret@db/x"),
        ])
        .unwrap();
        let text = format!("{s:?}");
        for secret in ["0123456789abcdef", "admin-password", "db-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact_url("sqlite://chanjiao.db?mode=rwc"),
            "sqlite://chanjiao.db?mode=rwc"
        );
    }
}
