//! The compliance rules at a county's full scale: 10,000 enterprises with
//! staff counts and three posts each, 100 schools and 1,000,000 placements
//! (35 % active, all of student kinds; positions naming the host's posts;
//! every 7th paid below the floor, every 50th on night shifts, every 40th
//! with an ended insurance, every 30th a first-year student), loaded
//! directly into the database. There are no visits and no journals, so that
//! `no_recent_visit` and `journal_missing` find every student placement they
//! judge: the worst case for the two costliest rules.
//!
//! It times, as the admin over HTTP, a findings page (`limit=20`) and the
//! summary, for the whole county, for one enterprise (a large host, with
//! every hundredth placement) and for one school (10,000 placements), on the
//! day 2024-06-01, and prints in ms the first request's time (apart: its
//! statements are prepared then) and p50 and p99 of the ones after it, with
//! the totals they saw.
//! Targets: a findings page and the summary of one organisation under 50 ms
//! p99; the county's summary under 1 s (the benchmark exits non-zero when
//! one is missed).
//!
//! `cargo bench --bench compliance_scale` runs on SQLite; with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` on a
//! database it creates (and drops, unless `BENCH_KEEP` is set) on that
//! server. `BENCH_LARGE` changes the number of placements.

use std::time::{Duration, Instant};

use chanjiao::domain::compliance::first_year_until;
use chanjiao::domain::search::fold;
use chanjiao::model::enterprise::{Posts, StaffCount};
use chanjiao::model::field::{Date, Fen, Flag, PlainText, Stored};
use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};
use uuid::Uuid;

mod common;

use common::{large_size, load_enterprises, load_schools, placement, text, timed, Service};

const ENTERPRISES: usize = 10_000;
const SCHOOLS: usize = 100;
const POSTS: [&str; 3] = ["焊工", "装配工", "质检员"];
const ON: &str = "2024-06-01";

/// Enterprise `i`'s staff (20–219) and its three posts, each with 10–59
/// staff and a probation pay of 3,000 yuan.
fn staff(i: usize) -> (Option<StaffCount>, Posts) {
    let posts = POSTS
        .iter()
        .enumerate()
        .map(|(k, name)| json!({"name": name, "staff_count": 10 + (i + k) % 50, "probation_monthly_fen": 300_000}))
        .collect::<Vec<Value>>();
    (
        StaffCount::parse(20 + (i % 200) as i64).ok(),
        serde_json::from_value(Value::Array(posts)).expect("valid posts"),
    )
}

/// Loads placements `0..n`: the shared placements with what the rules read.
async fn load(db: &DatabaseConnection, n: usize, enterprises: &[Uuid], schools: &[Uuid]) {
    let mut next = 0;
    while next < n {
        let end = (next + 500).min(n);
        let rows = (next..end).map(|i| {
            let mut row = placement(i, enterprises, schools);
            let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Duration::days((i % 700) as i64);
            let post = POSTS[i % 3];
            row.position = Set(Some(text::<PlainText>(post)));
            row.position_key = Set(Some(fold(post)));
            row.monthly_stipend_fen = Set(Fen::parse(if i % 7 == 0 { 150_000 } else { 280_000 }).ok());
            row.night_shift = Set(Flag::from_stored(i % 50 == 0));
            row.insurance_expires_on = Set(Date::new(
                start + chrono::Duration::days(if i % 40 == 0 { 60 } else { 200 }),
            ));
            if i % 30 == 0 {
                let enrolled = start - chrono::Duration::days(120);
                row.enrolled_on = Set(Date::new(enrolled));
                row.first_year_until = Set(Date::new(first_year_until(enrolled)));
            }
            row
        });
        chanjiao::entity::apprenticeship::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .unwrap();
        next = end;
    }
}

/// The time of a first GET of `url` (its statements not yet prepared on
/// the pooled connections, the pages it reads perhaps not cached), then p50
/// and p99 of `samples` more, with the last answer.
async fn time(client: &reqwest::Client, url: &str, samples: usize) -> (Duration, Duration, Duration, Value) {
    let (first, _) = timed(client, url, 1).await;
    let (times, last) = timed(client, url, samples).await;
    (
        first[0],
        times[samples / 2],
        times[(samples * 99 / 100).min(samples - 1)],
        last,
    )
}

#[tokio::main]
async fn main() {
    let large = large_size();
    let service = Service::start(None).await;
    let backend = service.backend;
    let client = service.client.clone();
    let db = service.db.clone();
    let base = format!("{}/api/v1/compliance", service.address);

    let started = Instant::now();
    let enterprises = load_enterprises(&db, ENTERPRISES, staff).await;
    let schools = load_schools(&db, (0..SCHOOLS).map(|i| format!("县职业学校{i:03}"))).await;
    load(&db, large, &enterprises, &schools).await;
    service.analyze().await;
    eprintln!(
        "{backend}: {ENTERPRISES} enterprises, {large} placements loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (host, school) = (enterprises[3], schools[5]);
    let cases = [
        (
            "county: findings page",
            format!("{base}/findings?on={ON}&limit=20"),
            20,
            None,
        ),
        ("county: summary", format!("{base}/summary?on={ON}"), 20, Some(1000.0)),
        (
            "enterprise: findings page",
            format!("{base}/findings?on={ON}&limit=20&enterprise_id={host}"),
            100,
            Some(50.0),
        ),
        (
            "enterprise: summary",
            format!("{base}/summary?on={ON}&enterprise_id={host}"),
            100,
            Some(50.0),
        ),
        (
            "school: findings page",
            format!("{base}/findings?on={ON}&limit=20&school_id={school}"),
            100,
            Some(50.0),
        ),
        (
            "school: summary",
            format!("{base}/summary?on={ON}&school_id={school}"),
            100,
            Some(50.0),
        ),
    ];
    println!("compliance on {ON}, {backend}, {large} placements: first / p50 / p99 ms (findings)");
    let mut missed = Vec::new();
    for (label, url, samples, target) in cases {
        let (first, p50, p99, answer) = time(&client, &url, samples).await;
        let found = answer["total"]
            .as_u64()
            .or_else(|| Some(answer["breaches"].as_u64()? + answer["warnings"].as_u64()?))
            .unwrap_or(0);
        let [first, p50, p99] = [first, p50, p99].map(|t| t.as_secs_f64() * 1000.0);
        println!("  {label:<28} {first:>9.1} {p50:>9.1} {p99:>9.1}  ({found})");
        if target.is_some_and(|ms| p99 > ms) {
            missed.push(label);
        }
    }
    service.stop().await;
    if !missed.is_empty() {
        eprintln!("MISSED the target: {missed:?}");
        std::process::exit(1);
    }
}
