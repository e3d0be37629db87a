//! Throughput: the load yardstick's scenario mix (`../shared/bench/`), run
//! in one process against the service on data loaded directly into the
//! database, each scenario as a share of `/healthz` measured in the same run.
//!
//! ```sh
//! cargo bench --bench throughput                        # SQLite, the small data set
//! BENCH_SCALE=large cargo bench --bench throughput      # 100,000 enterprises, 1,000,000 placements
//! BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench throughput
//! BENCH_BASELINE=target/throughput-SQLite-small.json cargo bench --bench throughput  # compare
//! BENCH_SERVE=127.0.0.1:18080 cargo bench --bench throughput   # load, then serve for wrk
//! ```
//!
//! The small data set is the yardstick's: 2,000 enterprises (named as its
//! `seed.py` names them, so that its search terms match), 50 schools and
//! 5,000 placements (35 % active; enterprise 3 a large host). Each scenario
//! runs `BENCH_SECONDS` (6) with `BENCH_CONNECTIONS` (32) clients that send
//! one request after another; the table gives req/s, the share of healthz,
//! p50 and p99, and the answers that were not 2xx. The results are written
//! to `target/throughput-<database>-<scale>.json`; with `BENCH_BASELINE`
//! naming an earlier one, a scenario whose share fell below three quarters
//! of the baseline's is a regression and the benchmark exits non-zero. The
//! load generator shares the cores with the service, as wrk does in the
//! yardstick: read shares, never absolute figures.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chanjiao::domain::search::search_text;
use chanjiao::domain::vocab::MembershipStatus;
use chanjiao::entity::enterprise;
use chanjiao::model::field::{Name, TextRule};
use chrono::Utc;
use common::{encode, load_placements, load_schools, text, Service};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait};
use serde_json::{json, Value};
use uuid::Uuid;

const PLACES: [&str; 12] = [
    "沂水", "莒县", "临朐", "昌乐", "平阴", "泗水", "宁阳", "蒙阴", "郯城", "曹县", "单县", "高唐",
];
const BRANDS: [&str; 26] = [
    "辰泰",
    "华铝",
    "华建",
    "伊利",
    "宝龙达",
    "鲁信",
    "齐鲁",
    "泰山",
    "沂蒙",
    "黄河",
    "鸿达",
    "金鼎",
    "瑞丰",
    "恒信",
    "中联",
    "东岳",
    "海晟",
    "润泽",
    "华鲁",
    "远航",
    "广源",
    "盛世",
    "凯达",
    "新元",
    "长城",
    "银座",
];
const TRADES: [&str; 15] = [
    "重钢",
    "家居",
    "建工",
    "科技园",
    "乳业",
    "机械",
    "电子",
    "纺织",
    "化工",
    "物流",
    "汽车零部件",
    "新能源",
    "医药",
    "数控",
    "食品",
];
const SUFFIXES: [&str; 4] = ["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"];
/// The yardstick's search terms (a traditional-script one among them) and sorts.
const TERMS: [&str; 10] = [
    "辰泰",
    "華鋁",
    "重钢",
    "科技",
    "乳業",
    "华建",
    "有限公司",
    "沂水",
    "新能源",
    "宝龙达",
];
const SORTS: [&str; 4] = ["name", "-name", "-updated_at", "created_at"];
/// The issue's floors on SQLite (share of healthz); PostgreSQL's are half.
const FLOORS: [(&str, f64); 6] = [
    ("get_enterprise", 14.0),
    ("list_enterprises_q_sort", 4.0),
    ("list_apprenticeships_filtered", 5.9),
    ("walk_5_pages", 4.8),
    ("stats_overview", 2.7),
    ("create_enterprise", 4.9),
];
const SCENARIOS: [&str; 7] = [
    "healthz",
    "get_enterprise",
    "list_enterprises_q_sort",
    "list_apprenticeships_filtered",
    "walk_5_pages",
    "stats_overview",
    "create_enterprise",
];

/// How much data to load.
struct Scale {
    label: &'static str,
    enterprises: usize,
    schools: usize,
    placements: usize,
}

fn scale() -> Scale {
    match std::env::var("BENCH_SCALE").as_deref() {
        Ok("large") => Scale {
            label: "large",
            enterprises: 100_000,
            schools: 50,
            placements: 1_000_000,
        },
        _ => Scale {
            label: "small",
            enterprises: 2_000,
            schools: 50,
            placements: 5_000,
        },
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Enterprise `i`'s name, as the yardstick's seed names them.
fn enterprise_name(i: usize) -> String {
    let branch = if i >= 400 {
        format!("第{}分公司", i / 400 + 1)
    } else {
        String::new()
    };
    format!(
        "{}{}{}{}{branch}",
        PLACES[i % PLACES.len()],
        BRANDS[(i * 7 + i / 12) % BRANDS.len()],
        TRADES[(i * 11 + i / 26) % TRADES.len()],
        SUFFIXES[(i / 3) % SUFFIXES.len()],
    )
}

async fn load_directory(db: &DatabaseConnection, scale: &Scale) -> (Vec<Uuid>, Vec<Uuid>) {
    let at = Utc::now();
    let enterprises: Vec<Uuid> = (0..scale.enterprises).map(|_| Uuid::now_v7()).collect();
    for (c, chunk) in enterprises.chunks(500).enumerate() {
        let rows = chunk.iter().enumerate().map(|(j, id)| {
            let i = c * 500 + j;
            let name: Name = text(&enterprise_name(i));
            let short = format!(
                "{}{}",
                BRANDS[(i * 7 + i / 12) % BRANDS.len()],
                TRADES[(i * 11 + i / 26) % TRADES.len()]
            );
            enterprise::ActiveModel::from(enterprise::Model {
                id: *id,
                search_text: search_text([Some(name.as_str()), Some(short.as_str())]),
                name,
                short_name: Some(text(&short)),
                credit_code: None,
                industry: Some(text("装备制造")),
                scale: None,
                address: Some(text(&format!("山东省{}县经济开发区{}号", PLACES[i % 12], i % 99 + 1))),
                region_code: None,
                contact_name: None,
                contact_phone: None,
                contact_email: None,
                website: None,
                description: Some(text("县产教融合发展联盟成员单位，与职业院校开展校企合作。")),
                membership_status: MembershipStatus::Member,
                joined_on: None,
                tags: Default::default(),
                staff_count: None,
                posts: Default::default(),
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
    let schools = load_schools(
        db,
        (0..scale.schools).map(|i| format!("{}县职业教育中心（{}校区）", PLACES[i % 12], i + 1)),
    )
    .await;
    (enterprises, schools)
}

/// A valid unified social credit code for the number `n` (unique per `n`).
fn credit_code(n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = String::from("91370724");
    let mut rest = n;
    for _ in 0..9 {
        body.push(ALPHABET[(rest % 31) as usize] as char);
        rest /= 31;
    }
    ALPHABET
        .iter()
        .map(|&c| format!("{body}{}", c as char))
        .find(|code| chanjiao::domain::identifiers::normalize_credit_code(code).is_some())
        .expect("a check character")
}

/// What the scenarios need to know of the data.
struct Data {
    address: String,
    enterprises: Vec<Uuid>,
    busy_host: Uuid,
    created: AtomicU64,
}

/// One client's requests in a scenario, one after another until `until`.
async fn client_loop(
    client: reqwest::Client,
    data: Arc<Data>,
    scenario: &'static str,
    seed: u64,
    until: Instant,
) -> (Vec<u32>, u64) {
    let mut latencies = Vec::new();
    let mut failures = 0;
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    let base = &data.address;
    let walk_first = format!("{base}/api/v1/apprenticeships?status=active&sort=start_date&limit=20");
    let mut walk: Option<(u32, String)> = None;
    while Instant::now() < until {
        let request = match scenario {
            "healthz" => client.get(format!("{base}/healthz")),
            "get_enterprise" => client.get(format!(
                "{base}/api/v1/enterprises/{}",
                data.enterprises[next(data.enterprises.len())]
            )),
            "list_enterprises_q_sort" => client.get(format!(
                "{base}/api/v1/enterprises?q={}&sort={}&limit=20",
                encode(TERMS[next(TERMS.len())]),
                SORTS[next(SORTS.len())]
            )),
            "list_apprenticeships_filtered" => client.get(format!(
                "{base}/api/v1/apprenticeships?status=active&enterprise_id={}&active_on=2023-{:02}-15&limit=20",
                data.busy_host,
                next(12) + 1
            )),
            "walk_5_pages" => match &walk {
                Some((_, cursor)) => client.get(format!("{walk_first}&cursor={}", encode(cursor))),
                None => client.get(&walk_first),
            },
            "stats_overview" => client.get(format!("{base}/api/v1/stats/overview")),
            _ => {
                let n = data.created.fetch_add(1, Ordering::Relaxed);
                client.post(format!("{base}/api/v1/enterprises")).json(&json!({
                    "name": format!("压测企业{seed}-{n}有限公司"), "credit_code": credit_code(n), "scale": "small",
                    "industry": "装备制造", "membership_status": "applicant", "tags": ["压测"],
                    "contact_phone": "13800138000"
                }))
            }
        };
        let started = Instant::now();
        let answer = request.send().await;
        let (ok, body) = match answer {
            Ok(response) => {
                let ok = response.status().is_success();
                (ok, response.bytes().await.ok())
            }
            Err(_) => (false, None),
        };
        latencies.push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if !ok {
            failures += 1;
        }
        if scenario == "walk_5_pages" {
            let page = walk.as_ref().map_or(1, |(page, _)| *page);
            let cursor = body
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| v["next_cursor"].as_str().map(str::to_string));
            walk = match cursor {
                Some(cursor) if ok && page < 5 => Some((page + 1, cursor)),
                _ => None,
            };
        }
    }
    (latencies, failures)
}

/// A scenario's figures.
struct Figures {
    rate: f64,
    p50: f64,
    p99: f64,
    failures: u64,
}

async fn run(
    client: &reqwest::Client,
    data: &Arc<Data>,
    scenario: &'static str,
    seconds: u64,
    connections: u64,
) -> Figures {
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|c| tokio::spawn(client_loop(client.clone(), data.clone(), scenario, c + 1, until)))
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await.expect("a client");
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |&us| us as f64 / 1000.0)
    };
    Figures {
        rate: latencies.len() as f64 / elapsed,
        p50: at(0.50),
        p99: at(0.99),
        failures,
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let scale = scale();
    let seconds = env_number("BENCH_SECONDS", 6);
    let connections = env_number("BENCH_CONNECTIONS", 32);
    let serve = std::env::var("BENCH_SERVE")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().expect("BENCH_SERVE: an address such as 127.0.0.1:18080"));
    let service = Service::start(serve).await;
    let started = Instant::now();
    let (enterprises, schools) = load_directory(&service.db, &scale).await;
    load_placements(&service.db, 0, scale.placements, &enterprises, &schools).await;
    service.analyze().await;
    eprintln!(
        "{}: loaded {} enterprises, {} schools, {} placements in {:.1} s",
        service.backend,
        scale.enterprises,
        scale.schools,
        scale.placements,
        started.elapsed().as_secs_f64()
    );
    if serve.is_some() {
        eprintln!(
            "serving on {} (admin password {}); Ctrl-C stops",
            service.address,
            common::ADMIN_PASSWORD
        );
        tokio::signal::ctrl_c().await.ok();
        service.stop().await;
        return;
    }
    let data = Arc::new(Data {
        address: service.address.clone(),
        busy_host: enterprises[3],
        enterprises,
        created: AtomicU64::new(0),
    });
    let mut results = Vec::new();
    for scenario in SCENARIOS {
        let figures = run(&service.client, &data, scenario, seconds, connections).await;
        eprintln!("  {scenario}: {:.0} req/s", figures.rate);
        results.push((scenario, figures));
    }
    let healthz = results[0].1.rate.max(1.0);
    let half = if service.backend == "PostgreSQL" { 0.5 } else { 1.0 };
    println!(
        "throughput, {} ({} scale: {} enterprises, {} placements), {seconds} s × {connections} clients per scenario",
        service.backend, scale.label, scale.enterprises, scale.placements
    );
    println!(
        "{:<32} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "scenario", "req/s", "share", "floor", "p50 ms", "p99 ms", "non-2xx"
    );
    let baseline: Option<Value> = std::env::var("BENCH_BASELINE")
        .ok()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| serde_json::from_str(&text).ok());
    let mut regressions = Vec::new();
    let mut report = serde_json::Map::new();
    for (scenario, f) in &results {
        let share = f.rate / healthz * 100.0;
        let floor = FLOORS.iter().find(|(s, _)| s == scenario).map(|(_, v)| v * half);
        let floor_text = floor.map_or(String::new(), |v| {
            format!("{v:.2} {}", if share >= v { "✓" } else { "✗" })
        });
        println!(
            "{scenario:<32} {:>10.0} {:>7.2}% {floor_text:>8} {:>8.2} {:>8.2} {:>8}",
            f.rate, share, f.p50, f.p99, f.failures
        );
        if let Some(before) = baseline.as_ref().and_then(|b| b[*scenario]["share"].as_f64()) {
            if *scenario != "healthz" && share < before * 0.75 {
                regressions.push(format!("{scenario}: {share:.2} % of healthz, was {before:.2} %"));
            }
        }
        report.insert(
            scenario.to_string(),
            json!({"rate": f.rate, "share": share, "p50_ms": f.p50, "p99_ms": f.p99, "non_2xx": f.failures}),
        );
    }
    println!(
        "peak RSS of this process (service and load generator): {:.1} MiB",
        peak_rss_mib()
    );
    let out = format!("target/throughput-{}-{}.json", service.backend, scale.label);
    if std::fs::write(&out, serde_json::to_string_pretty(&Value::Object(report)).unwrap()).is_ok() {
        println!("wrote {out}");
    }
    service.stop().await;
    if !regressions.is_empty() {
        for r in &regressions {
            eprintln!("REGRESSION: {r}");
        }
        std::process::exit(1);
    }
}
