//! Login throttling under concurrency, per username and address, for
//! service accounts, and for names that could be no one's.

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app_with, start_process, FreshDatabase, TestApp, ADMIN_PASSWORD, USER_PASSWORD};

async fn behind_a_proxy() -> TestApp {
    spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await
}

fn password_form<'a>(username: &'a str, password: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ]
}

async fn statuses_of(responses: Vec<reqwest::Response>) -> Vec<u16> {
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    statuses
}

/// The `login_failed` audit rows' count, read through the API.
async fn failed_logins(app: &TestApp) -> u64 {
    app.list("/api/v1/audit-events?action=login_failed&limit=1").await["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn forty_wrong_passwords_sent_at_once_are_at_most_five_checks_and_then_even_the_right_one_is_429() {
    let app = behind_a_proxy().await;
    let wrong = password_form("admin", "wrong-password");
    let responses = join_all((0..40).map(|_| app.token_request_from("198.51.100.20", &wrong))).await;
    let statuses = statuses_of(responses).await;
    let checked = statuses.iter().filter(|s| **s == 400).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + throttled, 40, "{statuses:?}");
    assert_eq!(checked, 5, "{statuses:?}");
    assert_eq!(failed_logins(&app).await, checked as u64);
    let right = app
        .token_request_from("198.51.100.20", &password_form("admin", ADMIN_PASSWORD))
        .await;
    assert!(right.headers().contains_key("retry-after"));
    problem(right, 429).await;
}

#[tokio::test]
async fn a_right_password_sent_with_many_wrong_ones_at_once_is_not_let_in_past_the_limit() {
    let app = behind_a_proxy().await;
    let wrong = password_form("admin", "wrong-password");
    let right = password_form("admin", ADMIN_PASSWORD);
    for _ in 0..5 {
        problem(app.token_request_from("198.51.100.21", &wrong).await, 400).await;
    }
    let mut attempts: Vec<_> = (0..20)
        .map(|_| app.token_request_from("198.51.100.21", &wrong))
        .collect();
    attempts.insert(10, app.token_request_from("198.51.100.21", &right));
    let statuses = statuses_of(join_all(attempts).await).await;
    assert_eq!(statuses, vec![429; 21]);
    assert_eq!(failed_logins(&app).await, 5);
}

#[tokio::test]
async fn a_stranger_failing_from_another_address_does_not_lock_a_user_out() {
    let app = behind_a_proxy().await;
    for _ in 0..5 {
        let response = app
            .token_request_from("203.0.113.66", &password_form("admin", "wrong-password"))
            .await;
        problem(response, 400).await;
    }
    let response = app
        .token_request_from("203.0.113.66", &password_form("admin", ADMIN_PASSWORD))
        .await;
    problem(response, 429).await;
    let response = app
        .token_request_from("198.51.100.30", &password_form("admin", ADMIN_PASSWORD))
        .await;
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn a_hundred_failures_for_one_username_from_many_addresses_throttle_it_from_every_address() {
    let app = behind_a_proxy().await;
    let wrong = password_form("admin", "wrong-password");
    let addresses: Vec<String> = (0..20).map(|i| format!("198.51.100.{}", 100 + i)).collect();
    for round in 0..5 {
        let responses = join_all(addresses.iter().map(|ip| app.token_request_from(ip, &wrong))).await;
        assert_eq!(statuses_of(responses).await, vec![400; 20], "round {round}");
    }
    let response = app
        .token_request_from("192.0.2.1", &password_form("admin", ADMIN_PASSWORD))
        .await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    problem(response, 429).await;
    // Another user is not affected.
    app.create(
        "/api/v1/users",
        &json!({"username": "other", "role": "viewer", "password": USER_PASSWORD}),
    )
    .await;
    let response = app
        .token_request_from("192.0.2.1", &password_form("other", USER_PASSWORD))
        .await;
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn two_hundred_and_thirty_failures_sent_at_once_from_one_address_are_at_most_two_hundred_checks() {
    let app = behind_a_proxy().await;
    let names: Vec<String> = (0..230).map(|i| format!("nobody{i}")).collect();
    let forms: Vec<_> = names.iter().map(|name| password_form(name, "wrong-password")).collect();
    let responses = join_all(forms.iter().map(|form| app.token_request_from("198.51.100.40", form))).await;
    let statuses = statuses_of(responses).await;
    let checked = statuses.iter().filter(|s| **s == 400).count();
    assert_eq!(checked, 200);
    assert!(statuses.iter().all(|s| *s == 400 || *s == 429), "{statuses:?}");
    assert_eq!(failed_logins(&app).await, checked as u64);
}

#[tokio::test]
async fn failed_client_credentials_count_toward_the_address_only_so_a_service_account_cannot_be_locked_out() {
    let app = behind_a_proxy().await;
    app.create(
        "/api/v1/users",
        &json!({"username": "edu-bureau", "role": "officer", "service": true, "password": USER_PASSWORD}),
    )
    .await;
    let wrong = [
        ("grant_type", "client_credentials"),
        ("client_id", "edu-bureau"),
        ("client_secret", "wrong-secret"),
    ];
    for _ in 0..12 {
        let body = problem(app.token_request_from("203.0.113.9", &wrong).await, 401).await;
        assert_eq!(body["error"], "invalid_client");
    }
    // Wrong passwords through the password grant do not lock it either.
    for _ in 0..6 {
        app.token_request_from("203.0.113.9", &password_form("edu-bureau", "wrong-secret"))
            .await;
    }
    let right = [
        ("grant_type", "client_credentials"),
        ("client_id", "edu-bureau"),
        ("client_secret", USER_PASSWORD),
    ];
    let response = app.token_request_from("198.51.100.50", &right).await;
    assert_eq!(response.status().as_u16(), 200);
    let response = app.token_request_from("203.0.113.9", &right).await;
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn a_login_name_over_64_characters_or_with_a_control_character_is_a_failed_login_never_a_500() {
    let app = behind_a_proxy().await;
    let long = "a".repeat(250_000);
    let names = [
        long.as_str(),
        &"b".repeat(65),
        "ad\u{0}min",
        "admin\u{7}",
        "line\nbreak",
    ];
    for name in names {
        let body = problem(
            app.token_request_from("198.51.100.60", &password_form(name, "wrong-password"))
                .await,
            400,
        )
        .await;
        assert_eq!(body["error"], "invalid_grant", "{}", &name[..name.len().min(20)]);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", name),
            ("client_secret", "wrong-secret"),
        ];
        let body = problem(app.token_request_from("198.51.100.60", &form).await, 401).await;
        assert_eq!(body["error"], "invalid_client");
    }
    // Audited, with the name cut to 64 characters and no control characters.
    let events: Value = app.list("/api/v1/audit-events?action=login_failed&limit=100").await;
    let items = events["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    for item in items {
        let name = item["actor_username"].as_str().unwrap();
        assert!(name.chars().count() <= 64, "{name}");
        assert!(!name.chars().any(char::is_control), "{name:?}");
    }
    // The exactly-64-character name is an ordinary unknown user.
    let name64 = "c".repeat(64);
    let response = app
        .token_request_from("198.51.100.60", &password_form(&name64, "wrong-password"))
        .await;
    problem(response, 400).await;
}

/// A process's resident memory now and at its peak, in MiB, from `/proc`.
fn resident_mib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap()
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::test]
async fn two_hundred_logins_at_once_keep_the_process_under_300_mib_and_the_memory_is_given_back() {
    let database = FreshDatabase::new().await;
    let (child, base) = start_process(&database.url).await;
    let pid = child.0.id();
    let client = reqwest::Client::new();
    let (before, _) = resident_mib(pid);
    let names: Vec<String> = (0..200).map(|i| format!("nobody{i}")).collect();
    let logins = names.iter().map(|name| {
        client
            .post(format!("{base}/api/v1/auth/token"))
            .form(&password_form(name, "wrong-password"))
            .send()
    });
    let statuses: Vec<u16> = join_all(logins)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    // Each was checked (or, had hashing been too busy, refused with 503).
    assert!(statuses.iter().all(|s| *s == 400 || *s == 503), "{statuses:?}");
    assert!(statuses.iter().filter(|s| **s == 400).count() >= 100, "{statuses:?}");
    let (_, peak) = resident_mib(pid);
    assert!(peak < 300, "peak resident memory {peak} MiB (before: {before} MiB)");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (after, _) = resident_mib(pid);
    eprintln!("resident memory: {before} MiB before, {peak} MiB at the peak, {after} MiB after");
    assert!(
        after < before + 40,
        "resident memory {after} MiB after the logins, {before} MiB before"
    );
}
