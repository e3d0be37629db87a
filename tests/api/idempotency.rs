//! `Idempotency-Key` on POSTs: replays, conflicts, other callers, expiry.

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{problem_of, spawn_app, TestApp};

async fn post_with_key(app: &TestApp, token: &str, path: &str, key: &str, body: &Value) -> reqwest::Response {
    app.request_as(Method::POST, path, Some(token))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_answers_the_first_answer_again_and_creates_nothing() {
    let app = spawn_app().await;
    let body = json!({"name": "辰泰重钢", "scale": "large"});
    let first = post_with_key(&app, &app.token, "/api/v1/enterprises", "create-1", &body).await;
    assert_eq!(first.status().as_u16(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let (location, etag) = (first.headers()["location"].clone(), first.headers()["etag"].clone());
    let created: Value = first.json().await.unwrap();
    for _ in 0..2 {
        let again = post_with_key(&app, &app.token, "/api/v1/enterprises", "create-1", &body).await;
        assert_eq!(again.status().as_u16(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["location"], location);
        assert_eq!(again.headers()["etag"], etag);
        assert_eq!(again.headers()["content-type"], "application/json");
        assert_eq!(again.json::<Value>().await.unwrap(), created);
    }
    assert_eq!(app.page("/api/v1/enterprises").await.total, 1);
    let audit = app.audit_of(created["id"].as_str().unwrap()).await;
    assert_eq!(audit.len(), 1, "one create, audited once");
    // Without a key, or with another, the same body creates again.
    let other = post_with_key(&app, &app.token, "/api/v1/enterprises", "create-2", &body).await;
    assert_eq!(other.status().as_u16(), 201);
    assert_eq!(app.page("/api/v1/enterprises").await.total, 2);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422_and_does_nothing() {
    let app = spawn_app().await;
    let first = post_with_key(&app, &app.token, "/api/v1/enterprises", "k", &json!({"name": "甲"})).await;
    assert_eq!(first.status().as_u16(), 201);
    let other = post_with_key(&app, &app.token, "/api/v1/enterprises", "k", &json!({"name": "乙"})).await;
    let problem = problem_of(other, 422).await;
    assert_eq!(problem.fields(), vec!["Idempotency-Key"]);
    // Another path with the same key is another request too.
    let other = post_with_key(&app, &app.token, "/api/v1/schools", "k", &json!({"name": "甲"})).await;
    problem_of(other, 422).await;
    assert_eq!(app.page("/api/v1/enterprises").await.total, 1);
    assert_eq!(app.page("/api/v1/schools").await.total, 0);
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let app = spawn_app().await;
    let (_, officer) = app.user_with_role("officer", None, None).await;
    let body = json!({"name": "宝龙达"});
    let a = post_with_key(&app, &app.token, "/api/v1/enterprises", "shared-key", &body).await;
    let b = post_with_key(&app, &officer, "/api/v1/enterprises", "shared-key", &body).await;
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 201));
    assert!(b.headers().get("idempotent-replayed").is_none());
    assert_eq!(app.page("/api/v1/enterprises").await.total, 2);
    // The same user with a new access token is the same caller.
    let fresh = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    let c = post_with_key(&app, &fresh, "/api/v1/enterprises", "shared-key", &body).await;
    assert_eq!(c.headers()["idempotent-replayed"], "true");
}

#[tokio::test]
async fn ten_identical_requests_at_once_create_one_record_and_the_others_replay_it_or_answer_409() {
    let app = spawn_app().await;
    let body = json!({"name": "华铝家居"});
    let responses =
        join_all((0..10).map(|_| post_with_key(&app, &app.token, "/api/v1/enterprises", "burst", &body))).await;
    let mut fresh = 0;
    for response in responses {
        match response.status().as_u16() {
            201 if response.headers().get("idempotent-replayed").is_none() => fresh += 1,
            201 => {}
            409 => {
                let problem = problem_of(response, 409).await;
                assert_eq!(problem.fields(), vec!["Idempotency-Key"]);
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(app.page("/api/v1/enterprises").await.total, 1);
}

#[tokio::test]
async fn a_refusal_is_replayed_too_but_a_missing_login_keeps_nothing() {
    let app = spawn_app().await;
    let invalid = json!({"name": "x", "scale": "huge"});
    let first = post_with_key(&app, &app.token, "/api/v1/enterprises", "bad", &invalid).await;
    problem_of(first, 422).await;
    let again = post_with_key(&app, &app.token, "/api/v1/enterprises", "bad", &invalid).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["content-type"], "application/problem+json");
    problem_of(again, 422).await;
    // An invalid token: 401 and nothing kept.
    let refused = post_with_key(
        &app,
        "not-a-token",
        "/api/v1/enterprises",
        "anon",
        &json!({"name": "y"}),
    )
    .await;
    problem_of(refused, 401).await;
    let stored = sea_orm::ConnectionTrait::query_all_raw(
        &app.db,
        sea_orm::Statement::from_string(
            sea_orm::ConnectionTrait::get_database_backend(&app.db),
            "SELECT key FROM idempotency_keys ORDER BY key",
        ),
    )
    .await
    .unwrap();
    let keys: Vec<String> = stored.iter().map(|r| r.try_get("", "key").unwrap()).collect();
    assert_eq!(keys, vec!["bad"]);
}

#[tokio::test]
async fn a_key_must_be_1_to_255_printable_ascii_characters() {
    let app = spawn_app().await;
    for key in ["", &"k".repeat(256), "tab\there"] {
        let response = app
            .request(Method::POST, "/api/v1/enterprises")
            .header("Idempotency-Key", key)
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        let problem = problem_of(response, 400).await;
        assert_eq!(problem.fields(), vec!["Idempotency-Key"], "{key:?}");
    }
    let response = post_with_key(
        &app,
        &app.token,
        "/api/v1/enterprises",
        &"k".repeat(255),
        &json!({"name": "x"}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(app.page("/api/v1/enterprises").await.total, 1);
}

#[tokio::test]
async fn after_24_hours_a_key_is_forgotten_and_the_clean_up_removes_it() {
    let app = spawn_app().await;
    let body = json!({"name": "伊利乳业"});
    post_with_key(&app, &app.token, "/api/v1/enterprises", "old", &body).await;
    let backend = sea_orm::ConnectionTrait::get_database_backend(&app.db);
    let age = |sql: &str| sea_orm::Statement::from_string(backend, sql.to_string());
    let past = (chrono::Utc::now() - chrono::Duration::hours(25)).to_rfc3339();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => format!("UPDATE idempotency_keys SET created_at = '{past}'"),
        _ => format!("UPDATE idempotency_keys SET created_at = '{}'", past.replace('T', " ")),
    };
    sea_orm::ConnectionTrait::execute_raw(&app.db, age(&sql)).await.unwrap();
    let again = post_with_key(&app, &app.token, "/api/v1/enterprises", "old", &body).await;
    assert_eq!(again.status().as_u16(), 201);
    assert!(again.headers().get("idempotent-replayed").is_none());
    assert_eq!(app.page("/api/v1/enterprises").await.total, 2);
    sea_orm::ConnectionTrait::execute_raw(&app.db, age(&sql)).await.unwrap();
    let removed = chanjiao::service::idempotency::clean_up(&app.db).await.unwrap();
    assert_eq!(removed, 1);
}
