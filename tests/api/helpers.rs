//! The test harness: every test gets its own database and its own server on
//! a free port, and talks to it over HTTP.

use chanjiao::config::Settings;
use chanjiao::startup::Application;
use reqwest::{Client, Method, RequestBuilder, Response};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;

/// A running service with a database of its own.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// An HTTP client.
    pub client: Client,
    /// The service's writer connection, to check what is stored.
    pub db: DatabaseConnection,
    /// The service's database as its services see it.
    pub database: chanjiao::service::Database,
    /// The bootstrap admin's access token, sent by the request helpers.
    pub token: String,
    handle: actix_web::dev::ServerHandle,
    database_url: String,
    /// The database this app made (a replica of another app has none).
    _fresh: Option<FreshDatabase>,
}

/// Starts a service with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A database of a test's own: an SQLite file in a temporary directory, or,
/// when `TEST_DATABASE_URL` names a PostgreSQL server, a database created
/// on it and dropped with this value.
pub struct FreshDatabase {
    /// Its URL.
    pub url: String,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl FreshDatabase {
    /// Creates one.
    pub async fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("chanjiao_test_{}", uuid::Uuid::now_v7().simple());
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("TEST_DATABASE_URL is set but PostgreSQL cannot be reached");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create the test database");
                admin.close().await.ok();
                FreshDatabase {
                    url: with_database(&admin_url, &name),
                    cleanup: Some((admin_url, name)),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                FreshDatabase {
                    url: format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
                    cleanup: None,
                    _dir: Some(dir),
                }
            }
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.cleanup.take() {
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .await;
                        admin.close().await.ok();
                    }
                });
            })
            .join();
        }
    }
}

/// Starts a service after `adjust` has changed its settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let database = FreshDatabase::new().await;
    let url = database.url.clone();
    serve_on(url, Some(database), adjust).await
}

impl TestApp {
    /// Another replica of this service on the same database (it stops
    /// when dropped; the database stays with this app).
    pub async fn replica(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        serve_on(self.database_url.clone(), None, adjust).await
    }
}

async fn serve_on(url: String, fresh: Option<FreshDatabase>, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings::from_lookup(|_| None).expect("default settings");
    settings.database_url = url.clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.workers = Some(1);
    settings.db_max_connections = 4;
    settings.admin_password = Some(ADMIN_PASSWORD.into());
    settings.auth.jwt_secret = Some(TEST_JWT_SECRET.into());
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("the service starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    let service_database = app.database();
    let db = service_database.write().clone();
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp {
        address,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        db,
        database: service_database,
        token: String::new(),
        handle,
        database_url: url,
        _fresh: fresh,
    };
    app.token = app.login("admin", ADMIN_PASSWORD).await;
    app
}

/// Writes a `POST` of a body of `length` bytes (`media`) and only its
/// first bytes, `begun`, on a connection of its own: the rest is for the
/// caller to send, or not.
pub async fn upload_begun(
    address: &str,
    path: &str,
    token: Option<&str>,
    media: &str,
    length: usize,
    begun: &str,
) -> tokio::net::TcpStream {
    upload_begun_with(address, path, token, &[("Content-Type", media)], length, begun).await
}

/// [`upload_begun`] with these headers (`Content-Type` among them).
pub async fn upload_begun_with(
    address: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    length: usize,
    begun: &str,
) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let authorization = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n{authorization}{headers}Content-Length: {length}\r\n\r\n{begun}"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

/// The bootstrap admin's password in tests.
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
/// The HS256 secret of test servers.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
/// The password of users the tests create.
pub const USER_PASSWORD: &str = "user-password-for-tests";

/// The admin URL with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_end..]
        .find('/')
        .map_or(base.len(), |i| authority_end + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestApp {
    /// The URL of the test's database.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the future only waits for it (the
        // database goes after, with `_fresh`).
        std::mem::drop(self.handle.stop(false));
    }
}

impl TestApp {
    /// A request to `path` (relative to the server) as the admin.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.request_as(method, path, Some(&self.token))
    }

    /// A request to `path` with this bearer token, or none.
    pub fn request_as(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{}", self.address, path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// POSTs a form to the token endpoint.
    pub async fn token_request(&self, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/v1/auth/token", self.address))
            .form(form)
            .send()
            .await
            .expect("POST /auth/token")
    }

    /// POSTs a form to the token endpoint as if from `ip` behind a proxy at
    /// 127.0.0.1 (the app must trust `127.0.0.1/32`).
    pub async fn token_request_from(&self, ip: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/v1/auth/token", self.address))
            .header("X-Forwarded-For", format!("{ip}, 127.0.0.1"))
            .form(form)
            .send()
            .await
            .expect("POST /auth/token")
    }

    /// Sends a password grant to the token endpoint.
    pub async fn password_login(&self, username: &str, password: &str) -> Response {
        self.token_request(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
        ])
        .await
    }

    /// Logs in with the password grant and returns the token response.
    pub async fn token_pair(&self, username: &str, password: &str) -> Value {
        let response = self.password_login(username, password).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(status, 200, "logging in as {username}: {body}");
        body
    }

    /// Logs in with the password grant and returns the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        self.token_pair(username, password).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates a user with this role (and organisation) and returns its id
    /// and an access token for it.
    pub async fn user_with_role(
        &self,
        role: &str,
        enterprise_id: Option<&str>,
        school_id: Option<&str>,
    ) -> (String, String) {
        let username = format!("{role}-{}", uuid::Uuid::now_v7().simple());
        let user = self
            .create(
                "/api/v1/users",
                &serde_json::json!({
                    "username": username, "role": role, "password": USER_PASSWORD,
                    "enterprise_id": enterprise_id, "school_id": school_id,
                }),
            )
            .await;
        let token = self.login(&username, USER_PASSWORD).await;
        (user["id"].as_str().unwrap().to_string(), token)
    }

    /// A participant user for the resident ID `national_id` (made by the
    /// admin through `/users`, with no password change pending), logged in:
    /// its id and access token.
    pub async fn participant_user(&self, national_id: &str) -> (String, String) {
        let username = format!("participant-{}", uuid::Uuid::now_v7().simple());
        let user = self
            .create(
                "/api/v1/users",
                &serde_json::json!({
                    "username": username, "role": "participant", "password": USER_PASSWORD,
                    "participant_national_id": national_id,
                }),
            )
            .await;
        let token = self.login(&username, USER_PASSWORD).await;
        (user["id"].as_str().unwrap().to_string(), token)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("GET")
    }

    /// POST `body` as JSON to `path`.
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path).json(body).send().await.expect("POST")
    }

    /// PATCH `body` as JSON to `path`.
    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// DELETE `path`.
    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path).send().await.expect("DELETE")
    }

    /// Creates a record at `collection` and returns its JSON; panics unless 201.
    pub async fn create(&self, collection: &str, body: &Value) -> Value {
        let response = self.post_json(collection, body).await;
        let status = response.status().as_u16();
        let json: Value = response.json().await.expect("JSON");
        assert_eq!(status, 201, "creating at {collection}: {json}");
        json
    }

    /// Creates a record at `collection` and returns its id; panics unless 201.
    pub async fn create_id(&self, collection: &str, body: &Value) -> String {
        self.create(collection, body).await["id"]
            .as_str()
            .expect("an id")
            .to_string()
    }

    /// GETs a list and returns its JSON; panics unless 200.
    pub async fn list(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let json: Value = response.json().await.expect("JSON");
        assert_eq!(status, 200, "listing {path}: {json}");
        json
    }
}

/// Reads a problem+json response, checking its media type and that its
/// `status` member matches the HTTP status.
pub async fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}

/// The fields named in a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A record the API created: what the `201` answered.
#[derive(Debug, Clone)]
pub struct Created {
    /// The new record's id.
    pub id: String,
    /// Its version (1).
    pub version: i64,
    /// The `ETag` header.
    pub etag: String,
    /// The `Location` header.
    pub location: String,
    /// The whole body.
    pub body: Value,
}

/// One page of a list.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Page {
    /// The items of the page.
    pub items: Vec<Value>,
    /// The cursor of the next page.
    pub next_cursor: Option<String>,
    /// How many items match, over all pages.
    pub total: u64,
}

/// A problem document (RFC 9457).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ProblemBody {
    /// The problem type.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The status phrase.
    pub title: String,
    /// The status code.
    pub status: u16,
    /// What went wrong.
    pub detail: String,
    /// The fields at fault.
    #[serde(default)]
    pub errors: Vec<FieldErrorBody>,
}

impl ProblemBody {
    /// The fields named in `errors`, in order.
    pub fn fields(&self) -> Vec<&str> {
        self.errors.iter().map(|e| e.field.as_str()).collect()
    }
}

/// One entry of a problem's `errors`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct FieldErrorBody {
    /// The field's path.
    pub field: String,
    /// The machine-readable reason.
    pub code: String,
    /// The human-readable reason.
    pub message: String,
}

/// An audit event as the API lists it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AuditRow {
    /// What happened.
    pub action: String,
    /// The kind of record.
    pub resource_type: String,
    /// The record's id.
    pub resource_id: Option<String>,
    /// The acting user's username.
    pub actor_username: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    /// The fields that changed.
    pub changes: Option<Value>,
}

impl TestApp {
    /// POSTs `body` to `collection` and returns what the `201` answered; panics otherwise.
    pub async fn create_record(&self, collection: &str, body: &Value) -> Created {
        let response = self.post_json(collection, body).await;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (etag, location) = (header("etag"), header("location"));
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(status, 201, "creating at {collection}: {body}");
        Created {
            id: body["id"].as_str().expect("an id").to_string(),
            version: body["version"].as_i64().expect("a version"),
            etag,
            location,
            body,
        }
    }

    /// GETs a list page; panics unless 200.
    pub async fn page(&self, path: &str) -> Page {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        assert_eq!(status, 200, "listing {path}: {text}");
        serde_json::from_str(&text).expect("a page")
    }

    /// GETs one record as JSON; panics unless 200.
    pub async fn record(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), 200, "reading {path}");
        response.json().await.expect("JSON")
    }

    /// The audit events of one record, newest first.
    pub async fn audit_of(&self, id: &str) -> Vec<AuditRow> {
        let page = self
            .page(&format!("/api/v1/audit-events?resource_id={id}&limit=100"))
            .await;
        page.items
            .into_iter()
            .map(|item| serde_json::from_value(item).expect("an audit event"))
            .collect()
    }
}

/// Reads a problem response of `status` as a typed value (checking its
/// media type and that its `status` member matches).
pub async fn problem_of(response: Response, status: u16) -> ProblemBody {
    let body = problem(response, status).await;
    serde_json::from_value(body).expect("a problem document")
}

/// A service process, killed when dropped (a failing test leaves none behind).
pub struct Running(pub std::process::Child);

impl Running {
    /// SIGKILL: no shutdown, no checkpoint, no flush.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs the service binary on `database_url`, returns it and its base URL
/// once `/healthz` answers.
pub async fn start_process(database_url: &str) -> (Running, String) {
    start_process_with(database_url, &[]).await
}

/// [`start_process`] with more environment variables.
pub async fn start_process_with(database_url: &str, env: &[(&str, &str)]) -> (Running, String) {
    launch(database_url, env, std::process::Stdio::null(), None).await
}

/// [`start_process_with`], its standard error written to `log` (a file).
pub async fn start_process_logging_to(
    database_url: &str,
    env: &[(&str, &str)],
    log: &std::path::Path,
) -> (Running, String) {
    let file = std::fs::File::create(log).expect("a log file");
    launch(database_url, env, file.into(), None).await
}

/// [`start_process_logging_to`], run in the working directory `dir`.
pub async fn start_process_in(
    dir: &std::path::Path,
    database_url: &str,
    env: &[(&str, &str)],
    log: &std::path::Path,
) -> (Running, String) {
    let file = std::fs::File::create(log).expect("a log file");
    launch(database_url, env, file.into(), Some(dir)).await
}

async fn launch(
    database_url: &str,
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
    dir: Option<&std::path::Path>,
) -> (Running, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_chanjiao"));
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let child = command
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("CHANJIAO_BIND", format!("127.0.0.1:{port}"))
        .env("CHANJIAO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("CHANJIAO_JWT_SECRET", TEST_JWT_SECRET)
        .env("CHANJIAO_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("the service binary starts");
    let child = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (child, base);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the service did not answer /healthz");
}

/// Logs the bootstrap admin in at a service process's `base` URL; its access token.
pub async fn admin_token_at(base: &str) -> String {
    token_at(base, "admin", ADMIN_PASSWORD).await
}

/// Logs a user in at a service process's `base` URL; its access token.
pub async fn token_at(base: &str, username: &str, password: &str) -> String {
    let token: Value = Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST /auth/token")
        .json()
        .await
        .expect("a token response");
    token["access_token"].as_str().expect("an access token").to_string()
}

/// GETs `path` at a service process's `base` URL with a bearer token; the status.
pub async fn status_at(base: &str, token: &str, path: &str) -> u16 {
    Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET")
        .status()
        .as_u16()
}

/// GETs `path` at a service process's `base` URL with a bearer token; the body as JSON.
pub async fn get_json_at(base: &str, token: &str, path: &str) -> Value {
    Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("a JSON body")
}
