//! Students in the loop at a county's scale: 20,000 active student
//! placements (10 schools of 2,000 students, 200 host enterprises), each
//! with an `in` and an `out` on each of the last 60 working days (2,400,000
//! check-ins) and a journal for each of its 15 weeks (300,000 journals),
//! loaded directly into the database; on today, half of the first school's
//! students have checked in already.
//!
//! It times over HTTP, as the callers who send them:
//! - a check-in (`POST /apprenticeships/{id}/check-ins`, an `in` then an
//!   `out`) by each of 200 participants of the first school (400 in all);
//! - the first school's morning view (`GET /check-ins/missing`) as its
//!   school user, and the county's as the admin;
//! - journal lists: the school's newest, its submitted ones by week, an
//!   enterprise's, a participant's own, and one placement's;
//! - a placement's check-ins (newest first) as its participant;
//!
//! and prints in ms p50 and p99 with the totals they saw. Targets: a check-in
//! under 20 ms p99, the school's missing check-ins under 100 ms p99, journal
//! lists under 50 ms p99 (the benchmark exits non-zero when one is missed).
//!
//! `cargo bench --bench participants_scale` runs on SQLite; with
//! `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres` on a
//! database it creates (and drops, unless `BENCH_KEEP` is set) on that
//! server. `BENCH_LARGE` changes the number of placements (20,000).

use std::time::{Duration, Instant};

use chanjiao::domain::clock;
use chanjiao::domain::identifiers::normalize_resident_id;
use chanjiao::domain::vocab::{ApprenticeshipKind, ApprenticeshipStatus, CheckInKind, JournalStatus};
use chanjiao::entity::{check_in, journal};
use chanjiao::model::field::{Date, Latitude, Longitude, Metres, Stored};
use chanjiao::model::journal::WeekHours;
use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};
use uuid::Uuid;

mod common;

use common::{load_enterprises, load_schools, placement, text, Service};

const ENTERPRISES: usize = 200;
const SCHOOLS: usize = 10;
/// Working days with check-ins, and weeks with journals, before today.
const DAYS: usize = 60;
const WEEKS: usize = 15;
/// Participants of the first school who check in while timed.
const TIMED: usize = 200;

/// Resident ID number `i` (born 2006-01-01, sequence `i` < 1000, a valid check character).
fn resident_id(i: usize) -> String {
    let body = format!("37010120060101{:03}", i % 1_000);
    "0123456789X"
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|id| normalize_resident_id(id).is_some())
        .expect("one check character fits")
}

/// The placements' participant keys: a valid resident ID for the timed
/// ones (they log in), a made-up key for the others.
fn key(i: usize) -> String {
    if i < TIMED * SCHOOLS && i.is_multiple_of(SCHOOLS) {
        resident_id(i / SCHOOLS)
    } else {
        format!("K{i:08}")
    }
}

/// The last `n` working days before `today`, newest first.
fn working_days(today: NaiveDate, n: usize) -> Vec<NaiveDate> {
    (1..)
        .map(|back| today - chrono::Duration::days(back))
        .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
        .take(n)
        .collect()
}

/// Inserts `rows` `per` a statement.
async fn insert_all<A: sea_orm::ActiveModelTrait + Send>(db: &DatabaseConnection, rows: Vec<A>, per: usize) {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        A::Entity::insert_many(chunk).exec_without_returning(db).await.unwrap();
    }
}

/// One check-in row of placement `(id, school, enterprise)` on `on`.
fn check_in_row(placement: (Uuid, Uuid, Uuid), on: NaiveDate, kind: CheckInKind) -> check_in::ActiveModel {
    let hour = if kind == CheckInKind::In { 0 } else { 9 };
    let at = Utc.from_utc_datetime(&on.and_hms_opt(hour, 30, 0).unwrap());
    check_in::ActiveModel {
        id: Set(Uuid::now_v7()),
        apprenticeship_id: Set(placement.0),
        school_id: Set(Some(placement.1)),
        enterprise_id: Set(placement.2),
        kind: Set(kind),
        on: Set(Date::from_stored(on)),
        at: Set(at),
        latitude: Set(Latitude::parse(36.651216).ok()),
        longitude: Set(Longitude::parse(117.120128).ok()),
        accuracy_m: Set(Metres::parse(15.0).ok()),
        note: Set(None),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// Loads `n` active student placements from `start` to `end`, their
/// check-ins of the last [`DAYS`] working days (and today's `in` of every
/// other placement of the first school) and a journal of each of their
/// [`WEEKS`] weeks; returns the placements (id, school, enterprise).
async fn load(
    db: &DatabaseConnection,
    n: usize,
    enterprises: &[Uuid],
    schools: &[Uuid],
    today: NaiveDate,
) -> Vec<(Uuid, Uuid, Uuid)> {
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let start = monday - chrono::Duration::weeks(WEEKS as i64 + 2);
    let mut placements = Vec::with_capacity(n);
    let rows: Vec<_> = (0..n)
        .map(|i| {
            let mut row = placement(i, enterprises, schools);
            row.kind = Set(ApprenticeshipKind::StudentInternship);
            row.status = Set(ApprenticeshipStatus::Active);
            row.enterprise_id = Set(enterprises[i % enterprises.len()]);
            row.start_date = Set(Date::from_stored(start));
            row.end_date = Set(Date::new(today + chrono::Duration::days(60)));
            row.participant_key = Set(Some(key(i)));
            placements.push((
                *row.id.as_ref(),
                schools[i % schools.len()],
                enterprises[i % enterprises.len()],
            ));
            row
        })
        .collect();
    insert_all(db, rows, 500).await;
    let days = working_days(today, DAYS);
    for (d, day) in days.iter().enumerate() {
        let rows: Vec<_> = placements
            .iter()
            .flat_map(|&p| {
                [
                    check_in_row(p, *day, CheckInKind::In),
                    check_in_row(p, *day, CheckInKind::Out),
                ]
            })
            .collect();
        insert_all(db, rows, 2_000).await;
        if d % 10 == 9 {
            eprintln!("  check-ins of {} days loaded", d + 1);
        }
    }
    let today_ins: Vec<_> = placements
        .iter()
        .enumerate()
        .filter(|(i, _)| i.is_multiple_of(SCHOOLS) && (i / SCHOOLS) % 2 == 1)
        .map(|(_, &p)| check_in_row(p, today, CheckInKind::In))
        .collect();
    insert_all(db, today_ins, 2_000).await;
    let statuses = [
        JournalStatus::Approved,
        JournalStatus::Submitted,
        JournalStatus::Returned,
    ];
    for week in 0..WEEKS {
        let week_of = start + chrono::Duration::weeks(week as i64 + 1);
        let at = Utc.from_utc_datetime(&(week_of + chrono::Duration::days(6)).and_hms_opt(12, 0, 0).unwrap());
        let rows: Vec<_> = placements
            .iter()
            .enumerate()
            .map(|(i, &(id, school, enterprise))| journal::ActiveModel {
                id: Set(Uuid::now_v7()),
                apprenticeship_id: Set(id),
                school_id: Set(Some(school)),
                enterprise_id: Set(enterprise),
                week_of: Set(Date::from_stored(week_of)),
                content: Set(text("本周在车间跟岗，学习了设备操作规范和安全生产要求。")),
                hours_worked: Set(WeekHours::parse(38).ok()),
                night_hours: Set(WeekHours::parse(0).ok()),
                status: Set(if week + 2 < WEEKS {
                    statuses[0]
                } else {
                    statuses[(i + week) % 3]
                }),
                reviews: Set(Stored::from_stored(Vec::new())),
                version: Set(1),
                created_at: Set(at),
                updated_at: Set(at),
            })
            .collect();
        insert_all(db, rows, 2_000).await;
    }
    placements
}

/// p50 and p99 of sorted times, in ms.
fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    let at = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)].as_secs_f64() * 1000.0;
    (at(50), at(99))
}

/// A client sending `token`.
fn client_of(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

/// Logs `username` in; its access token.
async fn login(address: &str, username: &str, password: &str) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!("{address}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().expect("a token").to_string()
}

/// Creates a user as the admin; its access token.
async fn user(service: &Service, body: Value) -> String {
    let password = "benchmark-user-password";
    let mut body = body;
    body["password"] = json!(password);
    let response = service
        .client
        .post(format!("{}/api/v1/users", service.address))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201, "{body}");
    login(&service.address, body["username"].as_str().unwrap(), password).await
}

/// `samples` GETs of `url` with `client` (each 200): p50, p99 and the last answer.
async fn time_get(client: &reqwest::Client, url: &str, samples: usize) -> (f64, f64, Value) {
    // The first request prepares the statements: not counted.
    client.get(url).send().await.unwrap();
    let mut times = Vec::with_capacity(samples);
    let mut last = Value::Null;
    for _ in 0..samples {
        let started = Instant::now();
        let response = client.get(url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{url}");
        last = response.json().await.unwrap();
        times.push(started.elapsed());
    }
    let (p50, p99) = percentiles(&mut times);
    (p50, p99, last)
}

#[tokio::main]
async fn main() {
    let n = std::env::var("BENCH_LARGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let service = Service::start(None).await;
    let backend = service.backend;
    let db = service.db.clone();
    let today = clock::today();

    let started = Instant::now();
    let enterprises = load_enterprises(&db, ENTERPRISES, |_| (None, Default::default())).await;
    let schools = load_schools(&db, (0..SCHOOLS).map(|i| format!("县职业学校{i:02}"))).await;
    let placements = load(&db, n, &enterprises, &schools, today).await;
    service.analyze().await;
    eprintln!(
        "{backend}: {n} placements, {} check-ins, {} journals loaded in {:.1} s",
        n * DAYS * 2 + n / SCHOOLS / 2,
        n * WEEKS,
        started.elapsed().as_secs_f64()
    );

    // The callers: the first school's user, an enterprise's, and the timed participants.
    let school = client_of(
        &user(
            &service,
            json!({"username": "bench-school", "role": "school", "school_id": schools[0]}),
        )
        .await,
    );
    let host = client_of(
        &user(
            &service,
            json!({"username": "bench-host", "role": "enterprise", "enterprise_id": enterprises[0]}),
        )
        .await,
    );
    let mut participants = Vec::new();
    for k in 0..TIMED {
        let token = user(
            &service,
            json!({"username": format!("bench-participant-{k}"), "role": "participant",
                   "participant_national_id": resident_id(k)}),
        )
        .await;
        participants.push((client_of(&token), placements[k * SCHOOLS].0));
    }
    eprintln!("users made; timing");

    let base = format!("{}/api/v1", service.address);
    let mut rows = Vec::new();
    // Check-ins: each timed participant's `in`, then its `out`.
    let mut times = Vec::new();
    for kind in ["in", "out"] {
        for (client, placement) in &participants {
            let started = Instant::now();
            let response = client
                .post(format!("{base}/apprenticeships/{placement}/check-ins"))
                .json(&json!({"kind": kind, "latitude": 36.651216, "longitude": 117.120128, "accuracy_m": 15}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            times.push(started.elapsed());
            // Half of them checked in today already (loaded): their `in` is a 409.
            assert!(status == 201 || (status == 409 && kind == "in"), "{kind}: {status}");
        }
    }
    let (p50, p99) = percentiles(&mut times);
    rows.push(("check-in (POST, in and out)", p50, p99, times.len() as u64, Some(20.0)));

    let (first_participant, first_placement) = &participants[0];
    let cases: Vec<(&str, &reqwest::Client, String, Option<f64>)> = vec![
        (
            "school: missing check-ins",
            &school,
            format!("{base}/check-ins/missing"),
            Some(100.0),
        ),
        (
            "county: missing check-ins",
            &service.client,
            format!("{base}/check-ins/missing"),
            None,
        ),
        (
            "school: journals, newest",
            &school,
            format!("{base}/journals"),
            Some(50.0),
        ),
        (
            "school: submitted journals by week",
            &school,
            format!("{base}/journals?status=submitted&sort=-week_of"),
            Some(50.0),
        ),
        (
            "enterprise: journals updated lately",
            &host,
            format!("{base}/journals?sort=-updated_at"),
            Some(50.0),
        ),
        (
            "participant: own journals",
            first_participant,
            format!("{base}/journals?sort=-week_of"),
            Some(50.0),
        ),
        (
            "placement: journals",
            &service.client,
            format!("{base}/apprenticeships/{first_placement}/journals"),
            Some(50.0),
        ),
        (
            "participant: own check-ins",
            first_participant,
            format!("{base}/apprenticeships/{first_placement}/check-ins"),
            None,
        ),
    ];
    for (label, client, url, target) in cases {
        let (p50, p99, answer) = time_get(client, &url, 100).await;
        rows.push((label, p50, p99, answer["total"].as_u64().unwrap_or(0), target));
    }

    println!("participants, {backend}, {n} placements: p50 / p99 ms (total)");
    let mut missed = Vec::new();
    for (label, p50, p99, total, target) in rows {
        println!("  {label:<38} {p50:>8.1} {p99:>8.1}  ({total})");
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
