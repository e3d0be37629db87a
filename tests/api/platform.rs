use serde_json::{json, Value};

use crate::helpers::{admin_token_at, get_json_at, problem, spawn_app, start_process, start_process_with};

#[tokio::test]
async fn healthz_and_readyz_answer_200_while_the_database_answers() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    let response = app.get("/readyz").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn with_a_metrics_token_metrics_answer_only_that_bearer_token() {
    let token = "metrics-token-0123456789";
    let app = crate::helpers::spawn_app_with(|s| s.metrics_token = Some(token.into())).await;
    let get = |bearer: Option<&'static str>| {
        let mut request = app.request_as(reqwest::Method::GET, "/metrics", None);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        request.send()
    };
    let refused = get(None).await.unwrap();
    assert_eq!(refused.headers()["www-authenticate"], "Bearer realm=\"chanjiao\"");
    problem(refused, 401).await;
    problem(get(Some("metrics-token-wrong")).await.unwrap(), 401).await;
    let ok = get(Some("metrics-token-0123456789")).await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert!(ok.text().await.unwrap().contains("chanjiao_http_requests_total"));
}

#[tokio::test]
async fn without_a_metrics_token_metrics_answer_only_callers_on_this_machine() {
    let app = crate::helpers::spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let through_a_proxy = app
        .request_as(reqwest::Method::GET, "/metrics", None)
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    let body = problem(through_a_proxy, 403).await;
    assert!(
        body["detail"].as_str().unwrap().contains("CHANJIAO_METRICS_TOKEN"),
        "{body}"
    );
    let here = app.get("/metrics").await;
    assert_eq!(here.status().as_u16(), 200);
}

#[tokio::test]
async fn without_a_metrics_token_a_request_forwarded_by_an_untrusted_proxy_on_this_machine_is_refused() {
    // No trusted proxies: a proxy on this machine forwards whoever it serves.
    let app = spawn_app().await;
    for (name, value) in [
        ("X-Forwarded-For", "203.0.113.9"),
        ("Forwarded", "for=203.0.113.9"),
        ("X-Real-IP", "203.0.113.9"),
    ] {
        let forwarded = app
            .request_as(reqwest::Method::GET, "/metrics", None)
            .header(name, value)
            .send()
            .await
            .unwrap();
        problem(forwarded, 403).await;
    }
    assert_eq!(app.get("/metrics").await.status().as_u16(), 200);
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_does_not() {
    let app = spawn_app().await;
    app.db.clone().close().await.unwrap();
    problem(app.get("/readyz").await, 503).await;
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_status() {
    let app = spawn_app().await;
    app.get("/api/v1/enterprises").await;
    app.get("/api/v1/enterprises/01900000-0000-7000-8000-000000000000")
        .await;
    app.get("/no/such/route").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("chanjiao_http_requests_total"), "{text}");
    assert!(
        text.contains("chanjiao_http_requests_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("endpoint=\"/api/v1/enterprises/{id}\""), "{text}");
    assert!(text.contains("status=\"404\""), "{text}");
    assert!(!text.contains("01900000-0000-7000"), "ids must not become labels");
    assert!(!text.contains("/no/such/route"), "unknown paths must not become labels");
}

#[tokio::test]
async fn swagger_ui_and_the_openapi_document_are_served() {
    let app = spawn_app().await;
    let response = app.get("/swagger-ui/").await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.text().await.unwrap().contains("swagger"));
    let response = app.get("/api-docs/openapi.json").await;
    assert_eq!(response.status().as_u16(), 200);
    let served: Value = response.json().await.unwrap();
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    let committed: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("openapi/openapi.json is JSON");
    assert_eq!(
        served, committed,
        "the served document differs from openapi/openapi.json"
    );
}

#[tokio::test]
async fn the_committed_openapi_document_is_what_the_code_generates() {
    let generated = chanjiao::api::docs::openapi_json().unwrap();
    let committed = include_str!("../../openapi/openapi.json");
    assert!(
        generated.trim() == committed.trim(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn every_operation_has_a_tag_and_documents_its_problem_responses() {
    let doc: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{method} {path}");
            if path.starts_with("/api/v1") {
                let responses = op["responses"].as_object().unwrap();
                let has_problem = responses.iter().any(|(code, r)| {
                    // A shared response is a reference to `components/responses`.
                    let r = match r["$ref"].as_str() {
                        Some(reference) => &doc["components"]["responses"][reference.rsplit('/').next().unwrap()],
                        None => r,
                    };
                    code.starts_with('4') && r["content"]["application/problem+json"]["schema"]["$ref"].is_string()
                });
                assert!(has_problem, "{method} {path} documents no problem response");
            }
        }
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[tokio::test]
async fn every_protected_operation_declares_both_security_schemes_and_its_401_and_403() {
    let doc: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["oauth2"]["type"], "oauth2");
    assert_eq!(schemes["oauth2"]["flows"]["password"]["tokenUrl"], "/api/v1/auth/token");
    let open = ["/api/v1/auth/token", "/api/v1/auth/revoke"];
    let mut protected = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1") || open.contains(&path.as_str()) {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} has no security"));
            let names: Vec<&str> = security
                .iter()
                .flat_map(|s| s.as_object().unwrap().keys().map(String::as_str))
                .collect();
            assert!(
                names.contains(&"bearer") && names.contains(&"oauth2"),
                "{method} {path}: {names:?}"
            );
            for status in ["401", "403"] {
                assert!(op["responses"][status].is_object(), "{method} {path} lacks {status}");
            }
            protected += 1;
        }
    }
    assert!(protected >= 15, "{protected}");
    for path in open {
        assert!(
            doc["paths"][path]["post"]["security"].is_null(),
            "{path} needs no token"
        );
    }
}

#[tokio::test]
async fn the_documented_phone_pattern_is_the_one_the_service_checks() {
    let doc: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    for schema in ["EnterpriseCreate", "EnterprisePatch", "SchoolCreate", "SchoolPatch"] {
        assert_eq!(
            doc["components"]["schemas"][schema]["properties"]["contact_phone"]["pattern"],
            chanjiao::domain::identifiers::PHONE_PATTERN,
            "{schema}"
        );
    }
}

#[tokio::test]
async fn listed_browser_origins_get_cors_headers_and_others_none() {
    let app = crate::helpers::spawn_app_with(|s| s.cors_origins = vec!["https://app.example.cn".into()]).await;
    let preflight = app
        .request_as(
            reqwest::Method::OPTIONS,
            "/api/v1/enterprises/01900000-0000-7000-8000-000000000000",
            None,
        )
        .header("Origin", "https://app.example.cn")
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, if-match",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 200);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://app.example.cn"
    );
    let methods = preflight.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(methods.contains("PATCH"), "{methods}");

    let response = app
        .request(reqwest::Method::GET, "/api/v1/enterprises")
        .header("Origin", "https://app.example.cn")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example.cn"
    );
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("etag") && exposed.contains("location"), "{exposed}");
    assert!(exposed.contains("x-request-id"), "{exposed}");

    // Another origin is served (non-browser clients send any Origin) but gets no CORS headers.
    let response = app
        .request(reqwest::Method::GET, "/api/v1/enterprises")
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().get("access-control-allow-origin").is_none());
    assert!(response.headers().get("access-control-expose-headers").is_none());
}

#[tokio::test]
async fn a_preflight_from_an_unlisted_origin_is_refused_as_problem_json() {
    let app = crate::helpers::spawn_app_with(|s| s.cors_origins = vec!["https://app.example.cn".into()]).await;
    let response = app
        .request_as(reqwest::Method::OPTIONS, "/api/v1/enterprises", None)
        .header("Origin", "https://evil.example.com")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("access-control-allow-origin").is_none());
    assert!(response.headers().get("access-control-expose-headers").is_none());
    let body = problem(response, 400).await;
    assert_eq!(body["type"], "urn:chanjiao:problem:cors-refused");
    assert!(
        body["detail"].as_str().unwrap().contains("CHANJIAO_CORS_ORIGINS"),
        "{body}"
    );
}

#[tokio::test]
async fn every_answer_carries_a_request_id_that_its_problem_body_repeats() {
    let app = spawn_app().await;
    let ok = app.get("/api/v1/enterprises").await;
    let first = ok.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(uuid_like(&first), "{first}");
    let refused = app
        .request_as(reqwest::Method::GET, "/api/v1/enterprises", None)
        .header("X-Request-Id", "from-an-untrusted-client")
        .send()
        .await
        .unwrap();
    let id = refused.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(uuid_like(&id), "an untrusted peer's id is replaced: {id}");
    assert_ne!(id, first);
    let body = problem(refused, 401).await;
    assert_eq!(body["request_id"], id.as_str());
}

#[tokio::test]
async fn a_trusted_proxy_s_request_id_is_kept_and_a_malformed_one_replaced() {
    let app = crate::helpers::spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let kept = app
        .request_as(reqwest::Method::GET, "/api/v1/enterprises/not-a-uuid", None)
        .header("X-Request-Id", "lb-7f000001:1f90_65a1")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "lb-7f000001:1f90_65a1");
    assert_eq!(problem(kept, 401).await["request_id"], "lb-7f000001:1f90_65a1");
    let replaced = app
        .request_as(reqwest::Method::GET, "/api/v1/enterprises", None)
        .header("X-Request-Id", "has spaces and \"quotes\"")
        .send()
        .await
        .unwrap();
    assert!(uuid_like(replaced.headers()["x-request-id"].to_str().unwrap()));
}

fn uuid_like(id: &str) -> bool {
    id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_request_id_and_a_plain_duration() {
    let database = crate::helpers::FreshDatabase::new().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("service.log");
    let (mut child, base) = crate::helpers::start_process_logging_to(
        &database.url,
        &[("CHANJIAO_LOG_FORMAT", "json"), ("CHANJIAO_LOG", "info")],
        &log,
    )
    .await;
    let response = reqwest::get(format!("{base}/api/v1/enterprises")).await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    child.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains('\u{1b}'), "no colour codes when stderr is a file");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let request = lines
        .iter()
        .find(|line| line["message"] == "request" && line["span"]["request_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no request line with {id}: {text}"));
    assert_eq!(request["status"], 401);
    assert_eq!(request["path"], "/api/v1/enterprises");
    let ms = &request["elapsed_ms"];
    assert!(ms.is_f64() || ms.is_u64(), "{ms}");
    let digits = ms.to_string().split('.').nth(1).map_or(0, str::len);
    assert!(digits <= 3, "milliseconds to the microsecond, no float noise: {ms}");
}

#[tokio::test]
async fn without_listed_origins_no_cors_headers_are_sent() {
    let app = spawn_app().await;
    let response = app
        .request(reqwest::Method::GET, "/api/v1/enterprises")
        .header("Origin", "https://app.example.cn")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn chanjiao_openapi_prints_the_committed_document_and_exits_zero() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chanjiao"))
        .arg("openapi")
        .env("CHANJIAO_LOG", "error")
        .output()
        .expect("the chanjiao binary runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(printed.trim(), include_str!("../../openapi/openapi.json").trim());
}

#[tokio::test]
async fn every_documented_path_with_an_undocumented_method_answers_405_with_the_documented_allow() {
    let app = spawn_app().await;
    let doc: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    let id = "01900000-0000-7000-8000-000000000000";
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut documented: Vec<String> = item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        documented.sort();
        let concrete = path.replace("{id}", id);
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if documented.iter().any(|m| m == method) {
                continue;
            }
            let response = app
                .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), &concrete)
                .send()
                .await
                .unwrap();
            let mut allowed: Vec<String> = response
                .headers()
                .get("allow")
                .unwrap_or_else(|| panic!("{method} {path}: {}", response.status()))
                .to_str()
                .unwrap()
                .split(',')
                .map(|m| m.trim().to_string())
                .collect();
            allowed.sort();
            problem(response, 405).await;
            assert_eq!(allowed, documented, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn an_acknowledged_write_survives_a_kill_of_the_process() {
    let database = crate::helpers::FreshDatabase::new().await;
    let client = reqwest::Client::new();
    let (mut child, base) = start_process(&database.url).await;
    let token = admin_token_at(&base).await;
    let mut created = Vec::new();
    for i in 0..20 {
        let response = client
            .post(format!("{base}/api/v1/enterprises"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": format!("辰泰重钢{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        created.push(
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    child.kill();
    let (mut child, base) = start_process(&database.url).await;
    let token = admin_token_at(&base).await;
    for id in &created {
        let response = client
            .get(format!("{base}/api/v1/enterprises/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{id} is gone");
    }
    let page: Value = client
        .get(format!("{base}/api/v1/enterprises"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 20);
    child.kill();
}

#[tokio::test]
async fn writes_reach_the_sqlite_database_file_while_the_service_runs_not_only_its_wal() {
    let app = crate::helpers::spawn_app().await;
    let Some(file) = app
        .database_url()
        .strip_prefix("sqlite://")
        .and_then(|rest| rest.split('?').next())
        .map(std::path::PathBuf::from)
    else {
        return; // PostgreSQL keeps its own files.
    };
    for i in 0..30 {
        app.create(
            "/api/v1/enterprises",
            &serde_json::json!({"name": format!("华建科技园{i}")}),
        )
        .await;
    }
    // Thirty creates are far below the writer's own checkpoint threshold:
    // only the checkpointer beside it copies them into the file.
    let copy = file.with_file_name("copy.db");
    let mut counted = 0;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        std::fs::copy(&file, &copy).unwrap();
        let _ = std::fs::remove_file(copy.with_file_name("copy.db-wal"));
        let reader = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", copy.display()))
            .await
            .unwrap();
        let row = sea_orm::ConnectionTrait::query_one_raw(
            &reader,
            sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM enterprises",
            ),
        )
        .await;
        reader.close().await.ok();
        if let Ok(Some(row)) = row {
            counted = row.try_get::<i64>("", "n").unwrap();
            if counted == 30 {
                return;
            }
        }
    }
    panic!("the database file holds {counted} of 30 enterprises after 5 s");
}

/// Sends SIGTERM to a process.
fn terminate(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits up to `limit` for the process to exit; its exit status.
async fn exit_within(child: &mut crate::helpers::Running, limit: std::time::Duration) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < limit, "the process did not exit within {limit:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Writes a request head and the first bytes of a `Content-Length: 100` body
/// on a connection of its own, and leaves the rest unsent.
async fn stalled_upload(address: &str, path: &str, token: Option<&str>) -> tokio::net::TcpStream {
    crate::helpers::upload_begun(address, path, token, "application/json", 100, "{\"grant").await
}

/// Reads what the server answers on `stream` until it closes or `limit` passes.
async fn answer_on(stream: &mut tokio::net::TcpStream, limit: std::time::Duration) -> String {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    if String::from_utf8_lossy(&answer).contains("\"status\":408") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_slower_than_the_read_timeout_is_answered_408_with_a_problem() {
    let app = crate::helpers::spawn_app_with(|s| s.request_timeout = std::time::Duration::from_secs(1)).await;
    for path in ["/api/v1/auth/token", "/api/v1/enterprises"] {
        let started = std::time::Instant::now();
        let mut stream = stalled_upload(&app.address, path, Some(&app.token)).await;
        // A byte now and then is not enough: the whole body has the timeout.
        for _ in 0..3 {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, b" ").await;
        }
        let answer = answer_on(&mut stream, std::time::Duration::from_secs(5)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
        assert!(answer.contains("application/problem+json"), "{path}: {answer}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "{path}: {:?}",
            started.elapsed()
        );
    }
    // Nothing was stored.
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);
}

#[tokio::test]
async fn at_shutdown_readyz_answers_503_while_requests_are_still_served_then_the_process_exits_cleanly() {
    let database = crate::helpers::FreshDatabase::new().await;
    let (mut child, base) = start_process_with(&database.url, &[("CHANJIAO_SHUTDOWN_GRACE", "2")]).await;
    let client = reqwest::Client::new();
    let token = admin_token_at(&base).await;
    assert_eq!(reqwest::get(format!("{base}/readyz")).await.unwrap().status(), 200);
    let signalled = std::time::Instant::now();
    terminate(child.0.id());
    // Draining: not ready, yet serving, and asking clients to reconnect.
    let mut seen_503 = false;
    for _ in 0..20 {
        if reqwest::get(format!("{base}/readyz")).await.unwrap().status() == 503 {
            seen_503 = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(seen_503, "/readyz never answered 503");
    assert!(signalled.elapsed() < std::time::Duration::from_millis(1500));
    assert_eq!(reqwest::get(format!("{base}/healthz")).await.unwrap().status(), 200);
    let response = client
        .post(format!("{base}/api/v1/enterprises"))
        .bearer_auth(&token)
        .json(&json!({"name": "关机前的企业"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["connection"], "close");
    // After the grace period the listener closes and the process exits with success.
    let status = exit_within(&mut child, std::time::Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}");
    assert!(
        signalled.elapsed() >= std::time::Duration::from_millis(1900),
        "{:?}",
        signalled.elapsed()
    );
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
    // The write answered during the drain is stored, and on SQLite the WAL was folded in.
    if let Some(path) = database.url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap();
        let wal = std::path::PathBuf::from(format!("{file}-wal"));
        assert!(
            !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
            "a WAL is left behind"
        );
    }
    let (_again, base) = start_process(&database.url).await;
    let token = admin_token_at(&base).await;
    let page = get_json_at(&base, &token, "/api/v1/enterprises").await;
    assert_eq!(page["items"][0]["name"], "关机前的企业");
}

#[tokio::test]
async fn a_stalled_upload_delays_shutdown_by_the_read_timeout_at_most_and_gets_408() {
    let database = crate::helpers::FreshDatabase::new().await;
    let (mut child, base) = start_process_with(
        &database.url,
        &[("CHANJIAO_SHUTDOWN_GRACE", "0"), ("CHANJIAO_REQUEST_TIMEOUT", "2")],
    )
    .await;
    let mut stream = stalled_upload(&base, "/api/v1/auth/token", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let signalled = std::time::Instant::now();
    terminate(child.0.id());
    let answer = answer_on(&mut stream, std::time::Duration::from_secs(6)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let status = exit_within(&mut child, std::time::Duration::from_secs(6)).await;
    assert!(status.success(), "{status:?}");
    assert!(
        signalled.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        signalled.elapsed()
    );
}

#[tokio::test]
async fn with_a_rate_limit_each_caller_has_a_budget_and_past_it_gets_429_with_nothing_done_or_audited() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.rate_limit = chanjiao::config::RateLimitSetting::parse("8/60");
    })
    .await;
    let (_, viewer) = app.user_with_role("viewer", None, None).await;
    let audited_before = app.list("/api/v1/audit-events?limit=1").await["total"]
        .as_u64()
        .unwrap();
    let mut remaining = Vec::new();
    for _ in 0..8 {
        let response = app
            .request_as(reqwest::Method::GET, "/api/v1/enterprises", Some(&viewer))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["ratelimit-limit"], "8");
        assert_eq!(response.headers()["ratelimit-policy"], "8;w=60");
        remaining.push(
            response.headers()["ratelimit-remaining"]
                .to_str()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    assert_eq!(remaining, vec![7, 6, 5, 4, 3, 2, 1, 0]);
    // Past the budget: 429, even for a request that would be refused and audited.
    for _ in 0..3 {
        let response = app
            .request_as(reqwest::Method::POST, "/api/v1/enterprises", Some(&viewer))
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert_eq!(response.headers()["ratelimit-remaining"], "0");
        problem(response, 429).await;
    }
    // Nothing of it was audited or stored; another caller still has its budget.
    let audit = app.list("/api/v1/audit-events?limit=1").await;
    assert_eq!(audit["total"].as_u64().unwrap(), audited_before);
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);
    // Outside /api/v1 nothing is counted.
    for _ in 0..12 {
        let response = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers().get("ratelimit-limit").is_none());
    }
}

#[tokio::test]
async fn anonymous_callers_are_budgeted_by_address_and_without_a_setting_nothing_is_limited() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.rate_limit = chanjiao::config::RateLimitSetting::parse("3/60");
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let revoke = |ip: &'static str| {
        app.client
            .post(format!("{}/api/v1/auth/revoke", app.address))
            .header("X-Forwarded-For", ip)
            .form(&[("token", "unknown")])
            .send()
    };
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(revoke("198.51.100.70").await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, vec![200, 200, 200, 429]);
    assert_eq!(revoke("198.51.100.71").await.unwrap().status().as_u16(), 200);

    let unlimited = spawn_app().await;
    for _ in 0..20 {
        let response = unlimited.get("/api/v1/enterprises").await;
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers().get("ratelimit-limit").is_none());
    }
}

/// Runs the binary with `args` and `env` (no terminal: standard input is
/// empty); its exit status and standard error, within 20 s.
fn run_cli(args: &[&str], env: &[(&str, &str)]) -> (std::process::ExitStatus, String) {
    let started = std::time::Instant::now();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chanjiao"))
        .args(args)
        .env_remove("CHANJIAO_JWT_SECRET")
        .env_remove("CHANJIAO_USER_PASSWORD")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "it answered at once"
    );
    (output.status, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn user_create_without_a_terminal_or_a_password_variable_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let (status, stderr) = run_cli(
        &["user", "create", "--username", "liu.officer", "--role", "officer"],
        &[("DATABASE_URL", url.as_str())],
    );
    assert!(!status.success());
    assert!(stderr.contains("CHANJIAO_USER_PASSWORD"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
}

#[test]
fn an_unreachable_database_is_reported_once_with_the_variable_and_no_password() {
    let url = format!("postgres://chanjiao:s3cret%40pw@127.0.0.1:{}/chanjiao", closed_port());
    let (status, stderr) = run_cli(
        &["migrate"],
        &[
            ("DATABASE_URL", url.as_str()),
            ("CHANJIAO_JWT_SECRET", "cli-secret-cli-secret-cli-secret-0123"),
        ],
    );
    assert!(!status.success());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
    assert!(stderr.contains("chanjiao:***@127.0.0.1"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    assert_eq!(stderr.matches("refused").count(), 1, "{stderr}");
}

#[test]
fn a_missing_signing_key_on_postgresql_is_reported_before_waiting_for_the_database() {
    // A blackholed address would make a database wait; the key check comes first.
    let url = format!("postgres://chanjiao@127.0.0.1:{}/chanjiao", closed_port());
    let started = std::time::Instant::now();
    let (status, stderr) = run_cli(&["serve"], &[("DATABASE_URL", url.as_str())]);
    assert!(!status.success());
    assert!(stderr.contains("CHANJIAO_JWT_SECRET"), "{stderr}");
    assert!(!stderr.contains("connect"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn the_service_s_address_and_swagger_ui_without_a_slash_lead_to_swagger_ui() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/", "/swagger-ui"] {
        let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert!(response.status().is_redirection(), "{path}: {}", response.status());
        assert_eq!(response.headers()["location"], "/swagger-ui/", "{path}");
    }
}

#[test]
fn try_it_out_sends_no_example_values_the_user_did_not_type() {
    let document: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "query" {
                    assert!(
                        parameter.get("example").is_none() && parameter["schema"].get("example").is_none(),
                        "{method} {path}: `{}` has an example Swagger UI would send",
                        parameter["name"]
                    );
                }
            }
            assert!(
                operation["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{method} {path} has no description"
            );
        }
    }
    let responses = document["components"]["responses"].as_object().unwrap();
    let mut examples = std::collections::BTreeSet::new();
    for (name, response) in responses {
        let example = &response["content"]["application/problem+json"]["example"];
        assert!(example["status"].is_u64(), "{name} has no example of its own");
        assert!(examples.insert(example.to_string()), "{name} repeats another example");
    }
}

#[tokio::test]
async fn a_swagger_ui_page_load_logs_one_request_line_per_file_under_chanjiao_request_and_no_warning() {
    let database = crate::helpers::FreshDatabase::new().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("service.log");
    let (mut child, base) = crate::helpers::start_process_logging_to(
        &database.url,
        &[("CHANJIAO_LOG_FORMAT", "json"), ("CHANJIAO_LOG", "info")],
        &log,
    )
    .await;
    let page = reqwest::get(format!("{base}/swagger-ui/")).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    // What a browser loads with the page: every `./file` it names, and the document.
    let mut files: Vec<String> = html
        .split(['"', '\''])
        .filter_map(|part| part.strip_prefix("./"))
        .map(|file| format!("/swagger-ui/{file}"))
        .collect();
    files.sort();
    files.dedup();
    assert!(files.len() >= 5, "the page names its files: {files:?}");
    files.push("/api-docs/openapi.json".to_string());
    for file in &files {
        let response = reqwest::get(format!("{base}{file}")).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{file}");
    }
    child.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let warnings: Vec<&Value> = lines.iter().filter(|line| line["level"] != "INFO").collect();
    assert!(warnings.is_empty(), "nothing to warn about: {warnings:?}");
    let requests: Vec<&Value> = lines.iter().filter(|line| line["message"] == "request").collect();
    let page_load = requests.iter().filter(|line| line["path"] != "/healthz").count();
    assert_eq!(page_load, files.len() + 1, "one line per request: {text}");
    for line in requests {
        assert_eq!(line["target"], "chanjiao::request", "{line}");
    }
}
