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

use chanjiao::domain::search::search_text;
use chanjiao::domain::vocab::{ApprenticeshipKind, ApprenticeshipStatus, MembershipStatus};
use chanjiao::entity::{apprenticeship, enterprise, school};
use chanjiao::model::apprenticeship::Participant;
use chanjiao::model::field::{Name, PlainText, Stored, TextRule};
use chanjiao::startup::Application;
use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

const SAMPLES: usize = 40;
const ENTERPRISES: usize = 5_000;
const SCHOOLS: usize = 100;
const ADMIN_PASSWORD: &str = "benchmark-admin-password";
/// The name of one participant (the first), searched with `q`: one person,
/// found among 10,000 placements and among a million.
const RARE_NAME: &str = "欧阳明月";
const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "勇", "军"];

fn text<T: TextRule>(s: &str) -> T {
    T::parse(s.to_string()).expect("a valid text")
}

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Duration::days(offset)
}

async fn load_directory(db: &DatabaseConnection) -> (Vec<Uuid>, Vec<Uuid>) {
    let at = Utc::now();
    let enterprises: Vec<Uuid> = (0..ENTERPRISES).map(|_| Uuid::now_v7()).collect();
    for chunk in enterprises.chunks(500) {
        let rows = chunk.iter().enumerate().map(|(i, id)| {
            let name: Name = text(&format!("县域企业{i:05}{}", id.simple()));
            enterprise::ActiveModel::from(enterprise::Model {
                id: *id,
                search_text: search_text([Some(name.as_str())]),
                name,
                short_name: None,
                credit_code: None,
                industry: None,
                scale: None,
                address: None,
                region_code: None,
                contact_name: None,
                contact_phone: None,
                contact_email: None,
                website: None,
                description: None,
                membership_status: MembershipStatus::Member,
                joined_on: None,
                tags: Default::default(),
                version: 1,
                created_at: at,
                updated_at: at,
            })
            .reset_all()
        });
        enterprise::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    let schools: Vec<Uuid> = (0..SCHOOLS).map(|_| Uuid::now_v7()).collect();
    let rows = schools.iter().enumerate().map(|(i, id)| {
        let name: Name = text(&format!("县职业学校{i:03}"));
        school::ActiveModel::from(school::Model {
            id: *id,
            search_text: search_text([Some(name.as_str())]),
            name,
            short_name: None,
            code: None,
            kind: None,
            address: None,
            region_code: None,
            contact_name: None,
            contact_phone: None,
            contact_email: None,
            website: None,
            membership_status: MembershipStatus::Member,
            joined_on: None,
            majors: Default::default(),
            version: 1,
            created_at: at,
            updated_at: at,
        })
        .reset_all()
    });
    school::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .unwrap();
    (enterprises, schools)
}

/// Placement `i`: a student kind at enterprise `i % 5000` of school `i % 100`,
/// starting on one of 700 days, 35 % of them active. Enterprise 3 is a large
/// host (辰泰重钢's order classes): it also hosts every hundredth placement,
/// all active, so that its filtered list fills a page at both sizes.
fn placement(i: usize, enterprises: &[Uuid], schools: &[Uuid]) -> apprenticeship::ActiveModel {
    let name = if i == 0 {
        RARE_NAME.to_string()
    } else {
        format!("{}{}{}", SURNAMES[i % 10], GIVEN[(i / 10) % 10], GIVEN[(i / 100) % 10])
    };
    let kinds = [
        ApprenticeshipKind::StudentInternship,
        ApprenticeshipKind::OrderClass,
        ApprenticeshipKind::ModernApprenticeship,
        ApprenticeshipKind::ObservationInternship,
    ];
    let status = match i % 20 {
        0..=6 => ApprenticeshipStatus::Active,
        7..=10 => ApprenticeshipStatus::Completed,
        11..=13 => ApprenticeshipStatus::Draft,
        14..=16 => ApprenticeshipStatus::Submitted,
        17 => ApprenticeshipStatus::Suspended,
        18 => ApprenticeshipStatus::Terminated,
        _ => ApprenticeshipStatus::Cancelled,
    };
    let start = day((i % 700) as i64);
    let program: PlainText = text(&format!("{}级订单班", 2020 + i % 5));
    let participant = Participant {
        name: text(&name),
        role: Some(chanjiao::domain::vocab::ParticipantRole::Student),
        student_no: None,
        national_id: None,
        phone: None,
        birth_date: Some(NaiveDate::from_ymd_opt(2005, 1, 1).unwrap()),
    };
    let at = Utc::now();
    apprenticeship::ActiveModel::from(apprenticeship::Model {
        id: Uuid::now_v7(),
        kind: kinds[i % 4],
        enterprise_id: enterprises[if i % 100 == 3 { 3 } else { i % enterprises.len() }],
        school_id: Some(schools[i % schools.len()]),
        search_text: search_text([Some(participant.name.as_str()), Some(program.as_str())]),
        participant,
        program: Some(program),
        major: None,
        position: None,
        site: None,
        enterprise_mentor: None,
        school_supervisor: None,
        start_date: start,
        end_date: Some(start + chrono::Duration::days(180)),
        hours_per_week: None,
        monthly_stipend_fen: None,
        agreement_signed_on: None,
        insurance_policy_no: None,
        status,
        evaluations: Stored::from_stored(Vec::new()),
        version: 1,
        created_at: at,
        updated_at: at,
    })
    .reset_all()
}

async fn load_placements(db: &DatabaseConnection, from: usize, to: usize, enterprises: &[Uuid], schools: &[Uuid]) {
    let mut next = from;
    while next < to {
        let end = (next + 500).min(to);
        let rows = (next..end).map(|i| placement(i, enterprises, schools));
        apprenticeship::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .unwrap();
        next = end;
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn median(client: &reqwest::Client, url: &str) -> (Duration, Value) {
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
    (samples[samples.len() / 2], last)
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
    let large: usize = std::env::var("BENCH_LARGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let small = 10_000;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = chanjiao::config::Settings::from_lookup(|_| None).expect("settings");
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.admin_password = Some(ADMIN_PASSWORD.into());
    settings.auth.jwt_secret = Some("benchmark-secret-benchmark-secret-benchmark".into());
    let admin = std::env::var("BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty());
    let db_name = format!("chanjiao_bench_{}", Uuid::now_v7().simple());
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
    let db = app.database().write().clone();
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());

    let token: Value = reqwest::Client::new()
        .post(format!("{address}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    let bearer = format!("Bearer {}", token["access_token"].as_str().expect("a token"));
    headers.insert(reqwest::header::AUTHORIZATION, bearer.parse().unwrap());
    let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
    let base = format!("{address}/api/v1/apprenticeships");

    let (enterprises, schools) = load_directory(&db).await;
    // What autovacuum does after a bulk load (statistics, and the visibility
    // map that lets counts read the index only); SQLite's own optimiser pass.
    let analyze = if admin.is_some() {
        "VACUUM ANALYZE"
    } else {
        "PRAGMA optimize"
    };
    let mut results = Vec::new();
    let mut loaded = 0;
    for size in [small, large] {
        let started = Instant::now();
        load_placements(&db, loaded, size, &enterprises, &schools).await;
        loaded = size;
        db.execute_unprepared(analyze).await.ok();
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
    std::mem::drop(handle.stop(false));
    db.close().await.ok();
    let keep = std::env::var("BENCH_KEEP").is_ok_and(|v| !v.is_empty());
    if let Some(admin_url) = admin.as_ref().filter(|_| !keep) {
        let conn = Database::connect(admin_url.as_str()).await.unwrap();
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"))
            .await
            .ok();
    }
    if keep {
        eprintln!("kept the database {db_name} (BENCH_KEEP)");
    }
    if worst > 2.0 {
        eprintln!("FAILED: a request at {large} takes more than 2× what it takes at {small}");
        std::process::exit(1);
    }
}
