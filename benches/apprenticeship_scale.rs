//! Placements at a county's full scale: 5,000 enterprises, 100 schools and
//! first 10,000 then 1,000,000 placements (35 % active), loaded directly into
//! the database. At each size it times, as the admin over HTTP: the first
//! page, a page half way through a cursor walk (5,000 deep at 10,000,
//! 500,000 deep at 1,000,000), the filtered list
//! `status=active&enterprise_id=…&active_on=…`, `q=` one participant's
//! name, and the statistics overview. Each must answer within 2× of the
//! same request at 10,000.
//!
//! `cargo bench --bench apprenticeship_scale` runs on SQLite; with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` on a
//! database it creates (and drops, unless `BENCH_KEEP` is set) on that
//! server. `BENCH_LARGE` changes the large size (default 1000000).

use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use serde_json::Value;
use uuid::Uuid;

mod common;

use common::{encode, large_size, load_enterprises, load_placements, load_schools, timed, Service, RARE_NAME};

const SAMPLES: usize = 40;
const ENTERPRISES: usize = 5_000;
const SCHOOLS: usize = 100;

async fn load_directory(db: &DatabaseConnection) -> (Vec<Uuid>, Vec<Uuid>) {
    let enterprises = load_enterprises(db, ENTERPRISES, |_| (None, Default::default())).await;
    let schools = load_schools(db, (0..SCHOOLS).map(|i| format!("县职业学校{i:03}"))).await;
    (enterprises, schools)
}

async fn median(client: &reqwest::Client, url: &str) -> (Duration, Value) {
    let (times, last) = timed(client, url, SAMPLES).await;
    (times[times.len() / 2], last)
}

/// The five timings at the current size, in ms, with the totals they saw.
async fn measure(client: &reqwest::Client, base: &str, size: usize, enterprise: Uuid) -> [(f64, u64); 5] {
    let walk_to = size / 2;
    let mut cursor: Option<String> = None;
    let mut walked = 0;
    let walk_started = Instant::now();
    while walked < walk_to {
        let url = match &cursor {
            Some(c) => format!("{base}?limit=100&cursor={}", encode(c)),
            None => format!("{base}?limit=100"),
        };
        let page: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
        walked += page["items"].as_array().map_or(0, Vec::len);
        cursor = page["next_cursor"].as_str().map(str::to_string);
    }
    eprintln!(
        "  walked {walked} placements in {:.1} s",
        walk_started.elapsed().as_secs_f64()
    );
    let deep = cursor.expect("a cursor half way");
    let urls = [
        format!("{base}?limit=20"),
        format!("{base}?limit=20&cursor={}", encode(&deep)),
        format!("{base}?status=active&enterprise_id={enterprise}&active_on=2023-09-01"),
        format!("{base}?q={}", encode(RARE_NAME)),
        base.replace("/apprenticeships", "/stats/overview"),
    ];
    let mut out = [(0.0, 0); 5];
    for (slot, url) in out.iter_mut().zip(&urls) {
        let (time, page) = median(client, url).await;
        let total = page["total"].as_u64().or(page["apprenticeships"]["total"].as_u64());
        *slot = (time.as_secs_f64() * 1000.0, total.unwrap_or(0));
    }
    out
}

#[tokio::main]
async fn main() {
    let large = large_size();
    let small = 10_000;
    let service = Service::start(None).await;
    let backend = service.backend;
    let client = service.client.clone();
    let db = service.db.clone();
    let base = format!("{}/api/v1/apprenticeships", service.address);

    let (enterprises, schools) = load_directory(&db).await;
    let mut results = Vec::new();
    let mut loaded = 0;
    for size in [small, large] {
        let started = Instant::now();
        load_placements(&db, loaded, size, &enterprises, &schools).await;
        loaded = size;
        service.analyze().await;
        eprintln!(
            "{backend}: {size} placements loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // Enterprise 3 hosts placements 3, 103, 203, …: all active (`i % 20` is 3).
        results.push(measure(&client, &base, size, enterprises[3]).await);
    }

    let labels = [
        "first page",
        "page half way (cursor)",
        "status+enterprise+active_on",
        "q= a participant's name",
        "GET /stats/overview",
    ];
    println!("placements, {backend}: median ms (total) at {small} and at {large}; ratio (must be ≤ 2)");
    let mut worst: f64 = 0.0;
    for (i, label) in labels.iter().enumerate() {
        let (a, at) = results[0][i];
        let (b, bt) = results[1][i];
        let ratio = b / a;
        worst = worst.max(ratio);
        println!("  {label:<30} {a:>8.2} ({at:>7}) {b:>9.2} ({bt:>7})  {ratio:>5.2}×");
    }
    service.stop().await;
    if worst > 2.0 {
        eprintln!("FAILED: a request at {large} takes more than 2× what it takes at {small}");
        std::process::exit(1);
    }
}
