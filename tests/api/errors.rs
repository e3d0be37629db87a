use reqwest::Method;
use serde_json::json;

use crate::helpers::{problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    for body in ["{", "{\"name\": }", "", "[1,", "{\"name\": \"x\"} trailing"] {
        let response = app
            .request(Method::POST, "/api/v1/enterprises")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        problem(response, 400).await;
    }
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_422() {
    let app = spawn_app().await;
    for body in ["null", "[]", "[\"x\"]", "\"name\"", "12"] {
        let response = app
            .request(Method::POST, "/api/v1/schools")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        problem(response, 422).await;
    }
}

#[tokio::test]
async fn a_body_without_json_content_type_is_415() {
    let app = spawn_app().await;
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut request = app
            .request(Method::POST, "/api/v1/enterprises")
            .body(r#"{"name": "x"}"#);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        problem(request.send().await.unwrap(), 415).await;
    }
    // merge-patch+json is for PATCH only.
    let response = app
        .request(Method::POST, "/api/v1/enterprises")
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"name": "x"}"#)
        .send()
        .await
        .unwrap();
    problem(response, 415).await;
    let response = app
        .request(Method::POST, "/api/v1/enterprises")
        .header("Content-Type", "application/json; charset=utf-8")
        .body(r#"{"name": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_the_default_limit_takes_two_mebibytes() {
    let app = spawn_app().await;
    // 1.3 MB of \uXXXX escapes fits: it reaches validation (422), not 413.
    let escaped = "\\u4e2d".repeat(220_000);
    let body = format!(r#"{{"name": "x", "description": "{escaped}"}}"#);
    let response = app
        .request(Method::POST, "/api/v1/enterprises")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
    let big = format!(r#"{{"name": "x", "description": "{}"}}"#, "a".repeat(3 * 1024 * 1024));
    let response = app
        .request(Method::POST, "/api/v1/enterprises")
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(response, 413).await;
}

#[tokio::test]
async fn the_body_limit_follows_chanjiao_max_body_bytes() {
    let app = spawn_app_with(|s| s.max_body_bytes = 2048).await;
    let body = json!({"name": "x", "description": "a".repeat(3000)});
    problem(app.post_json("/api/v1/enterprises", &body).await, 413).await;
    let body = json!({"name": "x", "description": "a".repeat(1000)});
    assert_eq!(app.post_json("/api/v1/enterprises", &body).await.status().as_u16(), 201);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/nothing",
        "/api/v2/enterprises",
        "/nothing",
        "/api/v1/enterprises/x/y",
    ] {
        problem(app.get(path).await, 404).await;
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    let response = app.request(Method::PUT, "/api/v1/enterprises").send().await.unwrap();
    let allow = response.headers()["allow"].to_str().unwrap().to_string();
    problem(response, 405).await;
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let response = app
        .request(Method::POST, "/api/v1/schools/01900000-0000-7000-8000-000000000000")
        .send()
        .await
        .unwrap();
    let allow = response.headers()["allow"].to_str().unwrap().to_string();
    problem(response, 405).await;
    assert!(allow.contains("PATCH") && allow.contains("DELETE"), "{allow}");
}

#[tokio::test]
async fn a_database_that_is_gone_is_a_503_with_retry_after_that_reveals_nothing() {
    let app = spawn_app().await;
    app.database.read().clone().close().await.unwrap();
    app.db.clone().close().await.unwrap();
    let response = app.get("/api/v1/enterprises").await;
    assert!(response.headers().contains_key("retry-after"));
    let body = problem(response, 503).await;
    assert_eq!(body["type"], "urn:chanjiao:problem:database-unavailable");
    let text = body.to_string().to_lowercase();
    for secret in ["pool", "sql", "select", "sqlx", "connection", "/tmp"] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn the_nul_character_is_refused_in_bodies_and_query_parameters() {
    let app = spawn_app().await;
    let response = app
        .request(Method::POST, "/api/v1/enterprises")
        .header("Content-Type", "application/json")
        .body(r#"{"name": "a\u0000b", "tags": ["x\u0000"]}"#)
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
    for query in ["q=a%00b", "industry=%00", "tag=a%00", "membership_status=%00"] {
        problem(app.get(&format!("/api/v1/enterprises?{query}")).await, 400).await;
    }
    problem(app.get("/api/v1/schools?major=%00").await, 400).await;
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);
}

#[tokio::test]
async fn a_body_with_several_faults_names_every_one_of_them_at_once() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/enterprises",
            &json!({"contact_phone": "12345", "contact_email": "x", "scale": "huge", "owner": 1, "tags": "a"}),
        )
        .await;
    let body = problem(response, 422).await;
    let found: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().into(), e["code"].as_str().unwrap().into()))
        .collect();
    let expected: Vec<(String, String)> = [
        ("contact_email", "email"),
        ("contact_phone", "phone"),
        ("name", "required"),
        ("owner", "unknown_field"),
        ("scale", "enum"),
        ("tags", "type"),
    ]
    .iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect();
    assert_eq!(found, expected);
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);
}

#[tokio::test]
async fn nested_faults_are_named_by_their_path_and_a_patch_names_all_of_its_faults() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "x", "kind": "university", "majors": [{"name": 5}, {"code": "1", "extra": true}]}),
        )
        .await;
    let body = problem(response, 422).await;
    assert_eq!(
        crate::helpers::error_fields(&body),
        vec!["kind", "majors[0].name", "majors[1].extra", "majors[1].name"]
    );

    let school = app.create("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let path = format!("/api/v1/schools/{}", school["id"].as_str().unwrap());
    let response = app
        .patch_json(
            &path,
            &json!({"contact_phone": "12345", "kind": "huge", "version": 3, "name": null, "majors": [{}]}),
        )
        .await;
    let body = problem(response, 422).await;
    assert_eq!(
        crate::helpers::error_fields(&body),
        vec!["contact_phone", "kind", "majors[0].name", "name", "version"]
    );
    let stored: serde_json::Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(stored["version"], 1);
}
