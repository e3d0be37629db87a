//! List latency with 100,000 enterprises: the first page, a page 50,000
//! records deep in the cursor walk, and a `q` search must cost about the
//! same (within 2× of each other).
//!
//! `cargo bench --bench list_latency` runs on SQLite; with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` it
//! creates (and afterwards drops) a database on that server instead.
//! `BENCH_ROWS` changes the number of enterprises (default 100000).

mod common;

use std::time::{Duration, Instant};

use chanjiao::auth::Actor;
use chanjiao::config::Settings;
use chanjiao::model::check::decode;
use chanjiao::model::enterprise::EnterpriseCreate;
use chanjiao::startup::Application;
use common::encode;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;

const SAMPLES: usize = 60;
const ADMIN_PASSWORD: &str = "benchmark-admin-password";

fn enterprise(i: usize) -> EnterpriseCreate {
    // Every 1000th name carries the searched phrase, in traditional script.
    let name = if i.is_multiple_of(1000) {
        format!("產教融合示範企業{i:06}")
    } else {
        format!("县域企业{i:06}")
    };
    let industry = ["钢铁", "乳业", "家居", "电子"][i % 4];
    let body = serde_json::json!({
        "name": name,
        "short_name": format!("企{i}"),
        "industry": industry,
        "region_code": "370101",
    });
    decode(&body).expect("a valid enterprise")
}

async fn time(client: &reqwest::Client, url: &str) -> (Vec<Duration>, Value) {
    let mut samples = Vec::with_capacity(SAMPLES);
    let mut last = Value::Null;
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let response = client.get(url).send().await.expect("request");
        assert_eq!(response.status().as_u16(), 200, "{url}");
        last = response.json().await.expect("JSON");
        samples.push(started.elapsed());
    }
    samples.sort();
    (samples, last)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = Settings::from_lookup(|_| None).expect("settings");
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.admin_password = Some(ADMIN_PASSWORD.into());
    settings.auth.jwt_secret = Some("benchmark-secret-benchmark-secret-benchmark".into());
    let admin = std::env::var("BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty());
    let db_name = format!("chanjiao_bench_{}", uuid::Uuid::now_v7().simple());
    if let Some(admin_url) = &admin {
        let conn = Database::connect(admin_url.as_str()).await.expect("PostgreSQL");
        conn.execute_unprepared(&format!("CREATE DATABASE \"{db_name}\""))
            .await
            .unwrap();
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
        settings.database_url = format!("{base}/{db_name}");
    } else {
        settings.database_url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    }
    let backend = if admin.is_some() { "PostgreSQL" } else { "SQLite" };

    let app = Application::build(settings).await.expect("service");
    let database = app.database();
    let db = database.write().clone();
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());

    let started = Instant::now();
    let mut next = 0;
    while next < rows {
        let batch: Vec<EnterpriseCreate> = (next..(next + 5000).min(rows)).map(enterprise).collect();
        next += batch.len();
        chanjiao::service::resource::create_many::<chanjiao::model::enterprise::EnterpriseFields>(
            &database,
            &Actor::system("benchmark"),
            batch,
        )
        .await
        .expect("insert");
    }
    if admin.is_some() {
        db.execute_unprepared("ANALYZE").await.unwrap();
    } else {
        db.execute_unprepared("PRAGMA optimize").await.ok();
    }
    eprintln!(
        "{backend}: inserted {rows} enterprises in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let token: Value = reqwest::Client::new()
        .post(format!("{address}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("token JSON");
    let mut headers = reqwest::header::HeaderMap::new();
    let bearer = format!("Bearer {}", token["access_token"].as_str().expect("an access token"));
    headers.insert(reqwest::header::AUTHORIZATION, bearer.parse().unwrap());
    let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let base = format!("{address}/api/v1/enterprises");

    // Walk half the list with the largest pages to reach a deep cursor.
    let walk_started = Instant::now();
    let mut cursor: Option<String> = None;
    let mut walked = 0;
    while walked < rows / 2 {
        let url = match &cursor {
            Some(c) => format!("{base}?limit=100&cursor={}", encode(c)),
            None => format!("{base}?limit=100"),
        };
        let page: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
        walked += page["items"].as_array().map_or(0, Vec::len);
        cursor = page["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    eprintln!(
        "walked {walked} records in {:.1} s ({} pages of 100)",
        walk_started.elapsed().as_secs_f64(),
        walked / 100
    );
    let deep_cursor = cursor.expect("a cursor half way through");

    let (first, first_page) = time(&client, &format!("{base}?limit=20")).await;
    assert_eq!(first_page["total"].as_u64(), Some(rows as u64));
    let (deep, deep_page) = time(&client, &format!("{base}?limit=20&cursor={}", encode(&deep_cursor))).await;
    assert_eq!(deep_page["items"].as_array().map(Vec::len), Some(20));
    let (search, search_page) = time(&client, &format!("{base}?limit=20&q={}", encode("产教融合"))).await;
    assert_eq!(search_page["total"].as_u64(), Some(rows.div_ceil(1000) as u64));

    let median = |s: &[Duration]| s[s.len() / 2];
    let p95 = |s: &[Duration]| s[s.len() * 95 / 100];
    println!("list latency, {backend}, {rows} enterprises, {SAMPLES} requests each (median / p95, ms):");
    for (label, samples) in [
        ("first page", &first),
        ("page 50,000 records deep", &deep),
        ("q=产教融合 search", &search),
    ] {
        println!("  {label:<26} {:>7.2} / {:>7.2}", ms(median(samples)), ms(p95(samples)));
    }
    let medians = [median(&first), median(&deep), median(&search)];
    let fastest = medians.iter().min().unwrap().as_secs_f64();
    let slowest = medians.iter().max().unwrap().as_secs_f64();
    let ratio = slowest / fastest;
    println!("  slowest / fastest median: {ratio:.2}× (must be ≤ 2)");

    std::mem::drop(handle.stop(false));
    db.close().await.ok();
    if let Some(admin_url) = &admin {
        let conn = Database::connect(admin_url.as_str()).await.unwrap();
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"))
            .await
            .ok();
    }
    if ratio > 2.0 {
        eprintln!("FAILED: the three requests are not within 2× of each other");
        std::process::exit(1);
    }
}
