//! What the benchmarks share: the service under test (on SQLite in a
//! temporary directory, or on a PostgreSQL database of its own when
//! `BENCH_DATABASE_URL` names a server), an admin's HTTP client, and
//! placements loaded directly into the database.

#![allow(dead_code)]

use std::net::SocketAddr;

use chanjiao::domain::search::search_text;
use chanjiao::domain::vocab::MembershipStatus;
use chanjiao::domain::vocab::{ApprenticeshipKind, ApprenticeshipStatus};
use chanjiao::entity::{apprenticeship, enterprise, enterprise_post, school};
use chanjiao::model::apprenticeship::Participant;
use chanjiao::model::enterprise::{Posts, StaffCount};
use chanjiao::model::field::{Date, Name, PlainText, Stored, TextRule};
use chanjiao::startup::Application;
use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

/// The admin's password in every benchmark.
pub const ADMIN_PASSWORD: &str = "benchmark-admin-password";
/// The name of placement 0, searched with `q`: one person.
pub const RARE_NAME: &str = "欧阳明月";
const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "勇", "军"];

/// A text of a field type, known to be valid.
pub fn text<T: TextRule>(s: &str) -> T {
    T::parse(s.to_string()).expect("a valid text")
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
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

/// The service under test, running in this process.
pub struct Service {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client that sends the admin's bearer token.
    pub client: reqwest::Client,
    /// The admin's bearer token.
    pub token: String,
    /// The service's writer connection, for loading data directly.
    pub db: DatabaseConnection,
    /// "SQLite" or "PostgreSQL".
    pub backend: &'static str,
    handle: actix_web::dev::ServerHandle,
    postgres: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Service {
    /// Starts the service on `bind` (any free loopback port when `None`)
    /// and logs in as the admin.
    pub async fn start(bind: Option<SocketAddr>) -> Service {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut settings = chanjiao::config::Settings::from_lookup(|_| None).expect("settings");
        settings.bind = bind.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap());
        settings.admin_password = Some(ADMIN_PASSWORD.into());
        settings.auth.jwt_secret = Some("benchmark-secret-benchmark-secret-benchmark".into());
        let admin = std::env::var("BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty());
        let mut postgres = None;
        if let Some(admin_url) = admin {
            let db_name = format!("chanjiao_bench_{}", Uuid::now_v7().simple());
            let conn = Database::connect(admin_url.as_str()).await.expect("PostgreSQL");
            conn.execute_unprepared(&format!("CREATE DATABASE \"{db_name}\""))
                .await
                .unwrap();
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            settings.database_url = format!("{base}/{db_name}");
            postgres = Some((admin_url, db_name));
        } else {
            settings.database_url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
        }
        let backend = if postgres.is_some() { "PostgreSQL" } else { "SQLite" };
        let app = Application::build(settings).await.expect("service");
        let db = app.database().write().clone();
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        let answer: Value = reqwest::Client::new()
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
        let token = answer["access_token"].as_str().expect("a token").to_string();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        let client = reqwest::Client::builder().default_headers(headers).build().unwrap();
        Service {
            address,
            client,
            token,
            db,
            backend,
            handle,
            postgres,
            _dir: dir,
        }
    }

    /// What autovacuum does after a bulk load (statistics, and the
    /// visibility map that lets counts read the index only); SQLite's own
    /// optimiser pass.
    pub async fn analyze(&self) {
        // PostgreSQL: the statistics and the visibility map (index-only
        // scans), then a checkpoint, so that writing out the load's pages
        // does not run through the timings.
        let statements: &[&str] = if self.postgres.is_some() {
            &["VACUUM ANALYZE", "CHECKPOINT"]
        } else {
            &["PRAGMA optimize"]
        };
        for statement in statements {
            self.db.execute_unprepared(statement).await.ok();
        }
    }

    /// Stops the service and drops its PostgreSQL database unless `BENCH_KEEP` is set.
    pub async fn stop(self) {
        std::mem::drop(self.handle.stop(false));
        self.db.close().await.ok();
        let keep = std::env::var("BENCH_KEEP").is_ok_and(|v| !v.is_empty());
        if let Some((admin_url, db_name)) = &self.postgres {
            if keep {
                eprintln!("kept the database {db_name} (BENCH_KEEP)");
            } else {
                let conn = Database::connect(admin_url.as_str()).await.unwrap();
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"))
                    .await
                    .ok();
            }
        }
    }
}

/// Placement `i`: a student kind at enterprise `i % enterprises` of school
/// `i % schools`, starting on one of 700 days, 35 % of them active.
/// Enterprise 3 is a large host (辰泰重钢's order classes): it also hosts
/// every hundredth placement, all active, so that its filtered list fills a
/// page at every size.
pub fn placement(i: usize, enterprises: &[Uuid], schools: &[Uuid]) -> apprenticeship::ActiveModel {
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
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Duration::days((i % 700) as i64);
    let program: PlainText = text(&format!("{}级订单班", 2020 + i % 5));
    let participant = Participant {
        name: text(&name),
        role: Some(chanjiao::domain::vocab::ParticipantRole::Student),
        student_no: None,
        national_id: None,
        phone: None,
        birth_date: Date::new(NaiveDate::from_ymd_opt(2005, 1, 1).unwrap()),
        enrolled_on: None,
    };
    let at = Utc::now();
    apprenticeship::ActiveModel::from(apprenticeship::Model {
        id: Uuid::now_v7(),
        kind: kinds[i % 4],
        enterprise_id: enterprises[if i % 100 == 3 { 3 } else { i % enterprises.len() }],
        school_id: Some(schools[i % schools.len()]),
        demand_id: None,
        base_id: None,
        search_text: search_text([Some(participant.name.as_str()), Some(program.as_str())]),
        position_key: None,
        participant_key: None,
        birth_date: participant.birth_date,
        enrolled_on: None,
        first_year_until: None,
        participant,
        program: Some(program),
        major: None,
        position: None,
        site: None,
        enterprise_mentor: None,
        school_supervisor: None,
        start_date: Date::new(start).unwrap(),
        end_date: Date::new(start + chrono::Duration::days(180)),
        hours_per_week: None,
        monthly_stipend_fen: None,
        agreement_signed_on: None,
        insurance_policy_no: None,
        night_shift: Default::default(),
        hazardous: Default::default(),
        insurance_expires_on: None,
        status,
        evaluations: Stored::from_stored(Vec::new()),
        transferred_from: None,
        transferred_to: None,
        version: 1,
        created_at: at,
        updated_at: at,
    })
    .reset_all()
}

/// Inserts placements `from..to` (see [`placement`]), 500 rows a statement.
pub async fn load_placements(db: &DatabaseConnection, from: usize, to: usize, enterprises: &[Uuid], schools: &[Uuid]) {
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

/// Inserts one member school per name (nothing but its name), in one statement; returns their ids.
pub async fn load_schools(db: &DatabaseConnection, names: impl Iterator<Item = String>) -> Vec<Uuid> {
    let at = Utc::now();
    let mut ids = Vec::new();
    let rows: Vec<school::ActiveModel> = names
        .map(|name| {
            let id = Uuid::now_v7();
            ids.push(id);
            let name: Name = text(&name);
            school::ActiveModel::from(school::Model {
                id,
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
        })
        .collect();
    school::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .unwrap();
    ids
}

/// Inserts `n` member enterprises (a name, and the staff and posts
/// `staff(i)` gives enterprise `i`, with their `enterprise_posts` rows), 500
/// a statement; returns their ids.
pub async fn load_enterprises(
    db: &DatabaseConnection,
    n: usize,
    staff: impl Fn(usize) -> (Option<StaffCount>, Posts),
) -> Vec<Uuid> {
    let at = Utc::now();
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::now_v7()).collect();
    for (chunk_at, chunk) in ids.chunks(500).enumerate() {
        let mut posts = Vec::new();
        let rows: Vec<enterprise::ActiveModel> = chunk
            .iter()
            .enumerate()
            .map(|(j, id)| {
                let i = chunk_at * 500 + j;
                let name: Name = text(&format!("县域企业{i:05}{}", id.simple()));
                let (staff_count, listed) = staff(i);
                for (position, post) in listed.as_slice().iter().enumerate() {
                    posts.push(
                        enterprise_post::ActiveModel::from(enterprise_post::Model {
                            enterprise_id: *id,
                            position: position as i32,
                            name: post.name.as_str().to_string(),
                            name_key: post.key(),
                            staff_count: post.staff_count.map(|n| n.get()),
                            probation_monthly_fen: post.probation_monthly_fen.map(|n| n.get()),
                        })
                        .reset_all(),
                    );
                }
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
                    staff_count,
                    posts: listed,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                })
                .reset_all()
            })
            .collect();
        enterprise::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .unwrap();
        if !posts.is_empty() {
            enterprise_post::Entity::insert_many(posts)
                .exec_without_returning(db)
                .await
                .unwrap();
        }
    }
    ids
}

/// The large size a benchmark loads: `BENCH_LARGE`, or one million.
pub fn large_size() -> usize {
    std::env::var("BENCH_LARGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The times of `samples` GETs of `url` as the admin (each must answer 200),
/// sorted, with the last answer.
pub async fn timed(client: &reqwest::Client, url: &str, samples: usize) -> (Vec<std::time::Duration>, Value) {
    let mut times = Vec::with_capacity(samples);
    let mut last = Value::Null;
    for _ in 0..samples {
        let started = std::time::Instant::now();
        let response = client.get(url).send().await.expect("request");
        assert_eq!(response.status().as_u16(), 200, "{url}");
        last = response.json().await.expect("JSON");
        times.push(started.elapsed());
    }
    times.sort();
    (times, last)
}
