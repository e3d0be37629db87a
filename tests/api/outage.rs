//! A PostgreSQL server that stops answering: the service answers 503 with
//! `Retry-After` within its timeouts (never 500, never a hang), logs the
//! outage once, and loses no write it acknowledged. A TCP proxy between the
//! service and PostgreSQL, which the test controls, causes the outages.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{admin_token_at, problem, start_process_logging_to, status_at, FreshDatabase};

/// What the proxy does with the connections through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Passes bytes both ways.
    Forward,
    /// Keeps every connection open and passes nothing (a hung server or network).
    Freeze,
    /// Closes every connection and every new one at once (a stopped server).
    Down,
}

/// A TCP proxy to `upstream` on a port of its own.
struct Proxy {
    port: u16,
    mode: Arc<watch::Sender<Mode>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(watch::Sender::new(Mode::Forward));
        let modes = mode.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *modes.borrow() == Mode::Down {
                    continue; // dropped: closed at once
                }
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(client_read, server_write, modes.subscribe()));
                tokio::spawn(pump(server_read, client_write, modes.subscribe()));
            }
        });
        Proxy { port, mode }
    }

    fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

/// Copies `from` to `to` while the mode allows, holding what it read while
/// frozen; ends (closing both) when the mode is `Down`.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut mode: watch::Receiver<Mode>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            _ = mode.wait_for(|m| *m == Mode::Down) => return,
        };
        let n = match read {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        match mode.wait_for(|m| *m != Mode::Freeze).await.map(|m| *m) {
            Ok(Mode::Forward) => {}
            _ => return,
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

/// Checks a refusal for a database out of reach: 503 with its problem type
/// and `Retry-After`, within `within` of `since`.
async fn assert_unavailable(response: reqwest::Response, since: Instant, within: Duration, what: &str) {
    let took = since.elapsed();
    assert!(took <= within, "{what}: answered after {took:?}, more than {within:?}");
    assert_eq!(response.status().as_u16(), 503, "{what}");
    assert!(response.headers().contains_key("retry-after"), "{what}: Retry-After");
    let body = problem(response, 503).await;
    assert_eq!(
        body["type"], "urn:chanjiao:problem:database-unavailable",
        "{what}: {body}"
    );
}

/// Sends `create` until it answers 201 (only 503 before, for at most 20 s):
/// the created record.
async fn created_again<F, A>(create: F, what: &str) -> Value
where
    F: Fn() -> A,
    A: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
{
    let back = Instant::now();
    loop {
        let response = create().await.unwrap();
        if response.status().as_u16() == 201 {
            return response.json().await.unwrap();
        }
        assert_eq!(response.status().as_u16(), 503, "only 503 until {what}");
        assert!(
            back.elapsed() < Duration::from_secs(20),
            "writes never came back after {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Checks that `/readyz` at `base` answers 503 within 2.5 s.
async fn assert_not_ready(client: &Client, base: &str, what: &str) {
    let since = Instant::now();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert!(since.elapsed() < Duration::from_millis(2_500), "{what}");
    assert_eq!(ready.status().as_u16(), 503, "{what}");
}

#[tokio::test]
async fn a_postgresql_outage_answers_503_in_time_logs_it_once_and_loses_no_acknowledged_write() {
    let database = FreshDatabase::new().await;
    if !database.url.starts_with("postgres") {
        return; // An SQLite file has no connection to lose: see storage.rs for its failures.
    }
    let mut url = url::Url::parse(&database.url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(upstream).await;
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.port)).unwrap();
    let log = tempfile::NamedTempFile::new().unwrap();
    let (_service, base) = start_process_logging_to(
        url.as_str(),
        &[
            ("CHANJIAO_DB_ACQUIRE_TIMEOUT", "1"),
            ("CHANJIAO_DB_STATEMENT_TIMEOUT", "2"),
        ],
        log.path(),
    )
    .await;
    let token = admin_token_at(&base).await;
    let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let create = |name: String| {
        client
            .post(format!("{base}/api/v1/enterprises"))
            .bearer_auth(&token)
            .json(&json!({ "name": name }))
            .send()
    };
    let readyz = || client.get(format!("{base}/readyz")).send();
    let mut acknowledged = Vec::new();
    let mut keep = |response: Value| acknowledged.push(response["id"].as_str().unwrap().to_string());

    let response = create("停机之前".into()).await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    keep(response.json().await.unwrap());

    // The server stops: connections close, new ones are cut at once.
    proxy.set(Mode::Down);
    for n in 0..5 {
        let since = Instant::now();
        let response = create(format!("停机之中{n}")).await.unwrap();
        assert_unavailable(
            response,
            since,
            Duration::from_secs(5),
            "a create while the server is down",
        )
        .await;
    }
    let since = Instant::now();
    let response = client
        .get(format!("{base}/api/v1/enterprises"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_unavailable(
        response,
        since,
        Duration::from_secs(5),
        "a list while the server is down",
    )
    .await;
    assert_not_ready(&client, &base, "/readyz while the server is down").await;

    // It comes back: writes succeed again within seconds.
    proxy.set(Mode::Forward);
    let back = Instant::now();
    keep(created_again(|| create("恢复之后".into()), "the server is back").await);
    // Pooled connections the outage broke are each found out once (a 503)
    // and replaced; readiness returns with them.
    while readyz().await.unwrap().status().as_u16() != 200 {
        assert!(back.elapsed() < Duration::from_secs(20), "never ready again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The network hangs: nothing answers, nothing fails. Requests are
    // answered within the acquire and statement timeouts (1 + 2 s).
    proxy.set(Mode::Freeze);
    for n in 0..3 {
        let since = Instant::now();
        let response = create(format!("挂起之中{n}")).await.unwrap();
        assert_unavailable(
            response,
            since,
            Duration::from_secs(5),
            "a create while the network hangs",
        )
        .await;
    }
    // A create with an Idempotency-Key: its claim is written on the way in,
    // and that must not hang either.
    let keyed = || {
        client
            .post(format!("{base}/api/v1/enterprises"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "outage-keyed-create")
            .json(&json!({"name": "带键创建"}))
            .send()
    };
    let since = Instant::now();
    let response = keyed().await.unwrap();
    assert_unavailable(
        response,
        since,
        Duration::from_secs(5),
        "a keyed create while the network hangs",
    )
    .await;
    assert_not_ready(&client, &base, "/readyz while the network hangs").await;

    proxy.set(Mode::Forward);
    keep(created_again(|| create("解冻之后".into()), "the network is back").await);

    // The keyed create sent again: run once (201), or refused while the
    // first attempt's claim stands (409); never stored twice.
    let again = keyed().await.unwrap();
    assert!(matches!(again.status().as_u16(), 201 | 409), "{}", again.status());
    let named = |name: &str| {
        client
            .get(format!("{base}/api/v1/enterprises"))
            .query(&[("q", name)])
            .bearer_auth(&token)
            .send()
    };
    let stored: Value = named("带键创建").await.unwrap().json().await.unwrap();
    assert!(stored["total"].as_u64().unwrap() <= 1, "{stored}");
    // Creates answered 503 while the network hung: the one under way may
    // have committed once the network came back; those still waiting for
    // the writer were dropped, not stored later.
    let stored: Value = named("挂起之中").await.unwrap().json().await.unwrap();
    assert!(stored["total"].as_u64().unwrap() <= 1, "{stored}");

    // Every acknowledged write is stored.
    for id in &acknowledged {
        let read = status_at(&base, &token, &format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(read, 200, "an acknowledged create is stored");
    }
    // Dozens of refusals, one log line for them, and no backtrace.
    let logged = std::fs::read_to_string(log.path()).unwrap();
    let refusals = logged.matches("requests refused with 503").count();
    assert!((1..=2).contains(&refusals), "once a minute: {logged}");
    assert!(!logged.contains("backtrace"), "{logged}");
    assert!(!logged.contains("ERROR"), "{logged}");
}
