//! Settings read from the environment. A bad value stops start-up with a
//! message naming the variable; secrets are held as `SecretString`, which
//! cannot be printed.

use std::net::SocketAddr;

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
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The longest a request waits for a database connection, by default.
pub const DEFAULT_DB_ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// The longest one database statement may take, by default.
pub const DEFAULT_DB_STATEMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The default time `/readyz` answers 503 before the listener closes at shutdown.
pub const DEFAULT_SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);
/// The default time requests in flight may take to finish at shutdown.
pub const DEFAULT_SHUTDOWN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, coloured only on a terminal.
    Text,
    /// One JSON object per line, for a log shipper.
    Json,
}

/// Everything the service reads from its environment.
#[derive(Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// `CHANJIAO_BIND`: the address and port to listen on (port 0 picks a free one).
    pub bind: SocketAddr,
    /// `CHANJIAO_LOG`: a tracing filter such as `info` or `chanjiao=debug,info`.
    pub log: String,
    /// `CHANJIAO_LOG_FORMAT`: `text` (default) or `json`, one object per line.
    pub log_format: LogFormat,
    /// `CHANJIAO_MAX_BODY_BYTES`: the largest request body accepted.
    pub max_body_bytes: usize,
    /// `CHANJIAO_REQUEST_TIMEOUT`: seconds a whole request body may take to
    /// arrive (default 30); a slower one is answered 408.
    pub request_timeout: std::time::Duration,
    /// `CHANJIAO_SHUTDOWN_GRACE`: seconds `/readyz` answers 503 at shutdown
    /// while requests are still served (default 5), so that a load balancer
    /// stops sending traffic before the listener closes.
    pub shutdown_grace: std::time::Duration,
    /// `CHANJIAO_SHUTDOWN_TIMEOUT`: seconds the requests in flight may take
    /// to finish once the listener has closed (default 30).
    pub shutdown_timeout: std::time::Duration,
    /// `CHANJIAO_RATE_LIMIT`: each caller's request budget for `/api/v1`
    /// (`<requests>/<seconds>`); none by default.
    pub rate_limit: Option<RateLimitSetting>,
    /// `CHANJIAO_WORKERS`: HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// `CHANJIAO_DB_MAX_CONNECTIONS`: the PostgreSQL pool size; on SQLite
    /// the number of read-only connections beside the one writer.
    pub db_max_connections: u32,
    /// `CHANJIAO_DB_ACQUIRE_TIMEOUT`: seconds a request waits for a database
    /// connection before it is answered 503 (default 5).
    pub db_acquire_timeout: std::time::Duration,
    /// `CHANJIAO_DB_STATEMENT_TIMEOUT`: seconds one statement may take
    /// (PostgreSQL's `statement_timeout`), and, with the acquire timeout, how
    /// long a request may wait on the database in all before it is answered
    /// 503 (default 30; 0: neither, for a connection pooler that refuses
    /// PostgreSQL's `options` start-up parameter).
    pub db_statement_timeout: std::time::Duration,
    /// `CHANJIAO_SQLITE_SYNCHRONOUS`: how an SQLite commit reaches the disk.
    pub sqlite_synchronous: SqliteSync,
    /// Token settings.
    pub auth: AuthSettings,
    /// `CHANJIAO_ADMIN_PASSWORD`: the password of the `admin` user created
    /// on a database without an enabled admin (otherwise a generated one is
    /// printed to a terminal or written to a file, never logged).
    pub admin_password: Option<SecretString>,
    /// `CHANJIAO_METRICS_TOKEN`: the bearer token `/metrics` asks for; without
    /// it, `/metrics` answers only callers on this machine (loopback).
    pub metrics_token: Option<SecretString>,
    /// `CHANJIAO_TRUSTED_PROXIES`: comma-separated CIDRs of proxies whose
    /// `X-Forwarded-For` hop names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `CHANJIAO_CORS_ORIGINS`: comma-separated origins (`https://app.example.cn`)
    /// whose browser pages may call the API; none by default.
    pub cors_origins: Vec<String>,
    /// `CHANJIAO_TIMEZONE`: the IANA time zone whose calendar day is "today"
    /// (overdue action items, a done item's `done_on`); default `Asia/Shanghai`.
    pub timezone: chrono_tz::Tz,
    /// How webhooks are delivered.
    pub webhooks: WebhookSettings,
    /// How many imports run at once.
    pub imports: ImportSettings,
}

/// How many imports run at once, and how long another waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSettings {
    /// `CHANJIAO_IMPORTS_AT_ONCE`: imports that read and judge their files
    /// at once in this process (default 2).
    pub at_once: usize,
    /// `CHANJIAO_IMPORT_WAIT`: seconds an import waits for its turn
    /// (default 30) before it is answered 503 with `Retry-After`.
    pub wait: std::time::Duration,
}

impl Default for ImportSettings {
    fn default() -> Self {
        ImportSettings {
            at_once: 2,
            wait: std::time::Duration::from_secs(30),
        }
    }
}

/// How webhooks are delivered: where to, how patiently, how often the
/// deliverer looks for work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `CHANJIAO_WEBHOOK_ALLOW`: comma-separated host names, IP addresses and
    /// CIDRs that webhooks may reach although they are not public (none by default).
    pub allow: crate::domain::network::AllowList,
    /// `CHANJIAO_WEBHOOK_RETRY_SECONDS`: the wait before the first retry of a
    /// delivery (default 60); each wait doubles, up to `longest_retry`.
    pub first_retry: std::time::Duration,
    /// The longest wait between two attempts: an hour.
    pub longest_retry: std::time::Duration,
    /// How long a delivery is retried before it is marked failed: 24 hours.
    pub retry_for: std::time::Duration,
    /// How long an attempt may take, connection included: 10 seconds.
    pub timeout: std::time::Duration,
    /// How often each replica looks for changes to queue and deliveries that are due: every second.
    pub poll: std::time::Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow: Default::default(),
            first_retry: std::time::Duration::from_secs(60),
            longest_retry: std::time::Duration::from_secs(3600),
            retry_for: std::time::Duration::from_secs(24 * 3600),
            timeout: std::time::Duration::from_secs(10),
            poll: std::time::Duration::from_secs(1),
        }
    }
}

/// A request budget: `requests` per `period` for each caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSetting {
    /// Requests per period (also the largest burst).
    pub requests: u32,
    /// The period.
    pub period: std::time::Duration,
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
            period: std::time::Duration::from_secs(seconds),
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
#[derive(Clone)]
pub struct AuthSettings {
    /// `CHANJIAO_JWT_SECRET`: the HS256 secret, at least 32 bytes.
    pub jwt_secret: Option<SecretString>,
    /// `CHANJIAO_JWT_ISSUER`: the `iss` of issued tokens (default `chanjiao`);
    /// further comma-separated issuers are accepted too.
    pub issuers: Vec<String>,
    /// `CHANJIAO_JWT_AUDIENCE`: the `aud` tokens must carry (default `chanjiao-api`).
    pub audience: String,
    /// `CHANJIAO_ACCESS_TOKEN_TTL`: access token lifetime in seconds (default 900).
    pub access_token_ttl: i64,
    /// `CHANJIAO_REFRESH_TOKEN_TTL`: refresh token lifetime in seconds (default 30 days).
    pub refresh_token_ttl: i64,
    /// `CHANJIAO_JWT_PRIVATE_KEY`: a PEM private key (RSA or Ed25519), or a
    /// file holding one; when set, tokens are signed with it.
    pub private_key_pem: Option<SecretString>,
    /// `CHANJIAO_JWT_KEY_ID`: the `kid` of the private key.
    pub key_id: Option<String>,
    /// `CHANJIAO_JWT_JWKS`: a JWKS file (or inline JSON) of accepted public keys.
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

/// Refuses a placeholder as the value of `variable`.
fn refuse_placeholder(variable: &'static str, value: Option<&str>, what: &str) -> Result<(), ConfigError> {
    match value {
        Some(value) if is_placeholder(value) => Err(ConfigError {
            variable,
            reason: format!(
                "is the placeholder of .env.example{what}, which anyone can read: set a secret of your own \
                 (such as `openssl rand -base64 48`)"
            ),
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

    /// Reads the settings through `lookup`, which returns a variable's value if set.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError {
                variable: "DATABASE_URL",
                reason: "must start with sqlite:, postgres:// or postgresql://".into(),
            });
        }

        let bind_text = get("CHANJIAO_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string());
        let bind = bind_text.parse().map_err(|_| ConfigError {
            variable: "CHANJIAO_BIND",
            reason: format!("`{bind_text}` is not an address:port such as 127.0.0.1:8080"),
        })?;

        let log = get("CHANJIAO_LOG").unwrap_or_else(|| DEFAULT_LOG.to_string());
        tracing_subscriber::EnvFilter::try_new(&log).map_err(|e| ConfigError {
            variable: "CHANJIAO_LOG",
            reason: format!("not a tracing filter: {e}"),
        })?;

        let log_format = match get("CHANJIAO_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => {
                return Err(ConfigError {
                    variable: "CHANJIAO_LOG_FORMAT",
                    reason: "must be `text` or `json`".to_string(),
                })
            }
        };

        let max_body_bytes = parse_number(&get, "CHANJIAO_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024, 1 << 30)?;
        let seconds = |name: &'static str, default: std::time::Duration, min: usize, max: usize| {
            parse_number(&get, name, default.as_secs() as usize, min, max)
                .map(|n| std::time::Duration::from_secs(n as u64))
        };
        let request_timeout = seconds("CHANJIAO_REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT, 1, 3600)?;
        let db_acquire_timeout = seconds("CHANJIAO_DB_ACQUIRE_TIMEOUT", DEFAULT_DB_ACQUIRE_TIMEOUT, 1, 600)?;
        let db_statement_timeout = seconds("CHANJIAO_DB_STATEMENT_TIMEOUT", DEFAULT_DB_STATEMENT_TIMEOUT, 0, 86_400)?;
        let shutdown_grace = seconds("CHANJIAO_SHUTDOWN_GRACE", DEFAULT_SHUTDOWN_GRACE, 0, 600)?;
        let shutdown_timeout = seconds("CHANJIAO_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT, 1, 3600)?;
        let rate_limit = match get("CHANJIAO_RATE_LIMIT") {
            None => None,
            Some(text) => Some(RateLimitSetting::parse(&text).ok_or_else(|| ConfigError {
                variable: "CHANJIAO_RATE_LIMIT",
                reason: "must be <requests>/<seconds>, such as 600/60 (1–1000000 requests, 1–86400 seconds)".into(),
            })?),
        };
        let workers = match get("CHANJIAO_WORKERS") {
            None => None,
            Some(_) => Some(parse_number(&get, "CHANJIAO_WORKERS", 1, 1, 256)?),
        };
        let db_max_connections = parse_number(&get, "CHANJIAO_DB_MAX_CONNECTIONS", 10, 1, 1000)? as u32;
        let sqlite_synchronous = match get("CHANJIAO_SQLITE_SYNCHRONOUS").map(|v| v.trim().to_ascii_lowercase()) {
            None => SqliteSync::Normal,
            Some(v) if v == "normal" => SqliteSync::Normal,
            Some(v) if v == "full" => SqliteSync::Full,
            Some(_) => {
                return Err(ConfigError {
                    variable: "CHANJIAO_SQLITE_SYNCHRONOUS",
                    reason: "must be `normal` or `full`".into(),
                })
            }
        };

        let jwt_secret = get("CHANJIAO_JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err(ConfigError {
                variable: "CHANJIAO_JWT_SECRET",
                reason: "must be at least 32 bytes long".into(),
            });
        }
        refuse_placeholder("CHANJIAO_JWT_SECRET", jwt_secret.as_deref(), "")?;
        if database_url.starts_with("postgres") {
            check_database_password(&get, &database_url)?;
        }
        let issuers: Vec<String> = get("CHANJIAO_JWT_ISSUER")
            .unwrap_or_else(|| "chanjiao".to_string())
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if issuers.is_empty() {
            return Err(ConfigError {
                variable: "CHANJIAO_JWT_ISSUER",
                reason: "names no issuer".into(),
            });
        }
        let audience = get("CHANJIAO_JWT_AUDIENCE").unwrap_or_else(|| "chanjiao-api".to_string());
        let access_token_ttl = parse_number(&get, "CHANJIAO_ACCESS_TOKEN_TTL", 900, 30, 86_400)? as i64;
        let refresh_token_ttl = parse_number(&get, "CHANJIAO_REFRESH_TOKEN_TTL", 30 * 86_400, 60, 365 * 86_400)? as i64;
        let private_key_pem = get("CHANJIAO_JWT_PRIVATE_KEY");
        let key_id = get("CHANJIAO_JWT_KEY_ID");
        if private_key_pem.is_some() && key_id.is_none() {
            return Err(ConfigError {
                variable: "CHANJIAO_JWT_KEY_ID",
                reason: "must be set together with CHANJIAO_JWT_PRIVATE_KEY".into(),
            });
        }
        let trusted_proxies = match get("CHANJIAO_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(text) => text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<ipnet::IpNet>()
                        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| ConfigError {
                            variable: "CHANJIAO_TRUSTED_PROXIES",
                            reason: format!("`{s}` is not an IP address or CIDR"),
                        })
                })
                .collect::<Result<_, _>>()?,
        };

        let cors_origins: Vec<String> = get("CHANJIAO_CORS_ORIGINS")
            .map(|text| {
                text.split(',')
                    .map(|s| s.trim().trim_end_matches('/').to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(bad) = cors_origins
            .iter()
            .find(|o| !(o.starts_with("http://") || o.starts_with("https://")) || o.contains(['*', ' ']))
        {
            return Err(ConfigError {
                variable: "CHANJIAO_CORS_ORIGINS",
                reason: format!("`{bad}` is not an origin such as https://app.example.cn"),
            });
        }

        let metrics_token = get("CHANJIAO_METRICS_TOKEN").filter(|t| !t.is_empty());
        if metrics_token
            .as_ref()
            .is_some_and(|t| t.len() < 16 || !t.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(ConfigError {
                variable: "CHANJIAO_METRICS_TOKEN",
                reason: "must be at least 16 printable ASCII characters without spaces".to_string(),
            });
        }
        let metrics_token = metrics_token.map(SecretString::from);

        let timezone = match get("CHANJIAO_TIMEZONE") {
            None => crate::domain::clock::DEFAULT_TIMEZONE,
            Some(name) => name.trim().parse().map_err(|_| ConfigError {
                variable: "CHANJIAO_TIMEZONE",
                reason: format!("`{}` is not an IANA time zone such as Asia/Shanghai", name.trim()),
            })?,
        };

        let allow = match get("CHANJIAO_WEBHOOK_ALLOW") {
            None => Default::default(),
            Some(text) => crate::domain::network::AllowList::parse(&text).map_err(|e| ConfigError {
                variable: "CHANJIAO_WEBHOOK_ALLOW",
                reason: e.to_string(),
            })?,
        };
        let webhooks = WebhookSettings {
            allow,
            first_retry: seconds(
                "CHANJIAO_WEBHOOK_RETRY_SECONDS",
                WebhookSettings::default().first_retry,
                1,
                3600,
            )?,
            ..Default::default()
        };

        let imports = ImportSettings {
            at_once: parse_number(
                &get,
                "CHANJIAO_IMPORTS_AT_ONCE",
                ImportSettings::default().at_once,
                1,
                64,
            )?,
            wait: seconds("CHANJIAO_IMPORT_WAIT", ImportSettings::default().wait, 0, 600)?,
        };

        Ok(Settings {
            database_url,
            bind,
            log,
            log_format,
            max_body_bytes,
            request_timeout,
            shutdown_grace,
            shutdown_timeout,
            rate_limit,
            workers,
            db_max_connections,
            db_acquire_timeout,
            db_statement_timeout,
            sqlite_synchronous,
            auth: AuthSettings {
                jwt_secret: jwt_secret.map(SecretString::from),
                issuers,
                audience,
                access_token_ttl,
                refresh_token_ttl,
                private_key_pem: private_key_pem.map(SecretString::from),
                key_id,
                jwks: get("CHANJIAO_JWT_JWKS"),
            },
            admin_password: get("CHANJIAO_ADMIN_PASSWORD").map(SecretString::from),
            metrics_token,
            trusted_proxies,
            cors_origins,
            timezone,
            webhooks,
            imports,
        })
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

fn parse_number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: usize,
    min: usize,
    max: usize,
) -> Result<usize, ConfigError> {
    let Some(text) = get(variable) else {
        return Ok(default);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ConfigError {
            variable,
            reason: format!("`{text}` is not a whole number from {min} to {max}"),
        }),
    }
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
