use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{error_fields, problem, spawn_app, ADMIN_PASSWORD, USER_PASSWORD};

#[tokio::test]
async fn creating_a_user_stores_it_without_ever_showing_the_password() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "zhang.xue", "display_name": "张学", "role": "officer", "password": USER_PASSWORD}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["username"], "zhang.xue");
    assert_eq!(body["role"], "officer");
    assert_eq!(
        (body["service"].as_bool(), body["disabled"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(body["must_change_password"], false);
    assert!(body.get("password").is_none() && body.get("password_hash").is_none());
    let text = body.to_string();
    assert!(!text.contains("\"password") && !text.contains("argon2") && !text.contains(USER_PASSWORD));
    let stored: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(stored, body);
    let listed = app.list("/api/v1/users?role=officer").await;
    assert_eq!(listed["total"], 1);
    assert!(!listed.to_string().contains("argon2"));
    // The new user can log in.
    app.login("zhang.xue", USER_PASSWORD).await;
}

#[tokio::test]
async fn user_fields_are_checked_and_role_and_organisation_must_agree() {
    let app = spawn_app().await;
    let enterprise = app.create("/api/v1/enterprises", &json!({"name": "华铝家居"})).await;
    let eid = enterprise["id"].as_str().unwrap();
    for (body, field) in [
        (
            json!({"username": "ab", "role": "viewer", "password": USER_PASSWORD}),
            "username",
        ),
        (
            json!({"username": "Zhang", "role": "viewer", "password": USER_PASSWORD}),
            "username",
        ),
        (
            json!({"username": "zhang", "role": "viewer", "password": "short"}),
            "password",
        ),
        (
            json!({"username": "zhang", "role": "boss", "password": USER_PASSWORD}),
            "role",
        ),
        (
            json!({"username": "zhang", "role": "enterprise", "password": USER_PASSWORD}),
            "enterprise_id",
        ),
        (
            json!({"username": "zhang", "role": "enterprise", "enterprise_id": "01900000-0000-7000-8000-000000000000", "password": USER_PASSWORD}),
            "enterprise_id",
        ),
        (
            json!({"username": "zhang", "role": "school", "password": USER_PASSWORD}),
            "school_id",
        ),
        (
            json!({"username": "zhang", "role": "viewer", "enterprise_id": eid, "password": USER_PASSWORD}),
            "enterprise_id",
        ),
    ] {
        let response = app.post_json("/api/v1/users", &body).await;
        let problem = problem(response, 422).await;
        assert_eq!(error_fields(&problem), vec![field], "{body}");
    }
    let ok = app
        .create(
            "/api/v1/users",
            &json!({"username": "hualv", "role": "enterprise", "enterprise_id": eid, "password": USER_PASSWORD}),
        )
        .await;
    assert_eq!(ok["enterprise_id"], eid);
    let response = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "hualv", "role": "viewer", "password": USER_PASSWORD}),
        )
        .await;
    assert_eq!(error_fields(&problem(response, 409).await), vec!["username"]);
    assert_eq!(app.page("/api/v1/users").await.total, 2);
}

#[tokio::test]
async fn patching_a_user_changes_role_and_organisation_together_and_never_the_password() {
    let app = spawn_app().await;
    let school = app.create("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let user = app
        .create(
            "/api/v1/users",
            &json!({"username": "tan.gang", "role": "viewer", "password": USER_PASSWORD}),
        )
        .await;
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    let response = app.patch_json(&path, &json!({"role": "school"})).await;
    assert_eq!(error_fields(&problem(response, 422).await), vec!["school_id"]);
    let response = app
        .patch_json(
            &path,
            &json!({"role": "school", "school_id": school["id"], "display_name": "谭刚"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["role"].as_str(), body["version"].as_i64()),
        (Some("school"), Some(2))
    );
    let response = app
        .patch_json(&path, &json!({"password": "another long password"}))
        .await;
    assert_eq!(error_fields(&problem(response, 422).await), vec!["password"]);
    app.login("tan.gang", USER_PASSWORD).await;
}

#[tokio::test]
async fn no_one_deletes_disables_or_demotes_themselves() {
    let app = spawn_app().await;
    let me: Value = app.get("/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["username"], "admin");
    let path = format!("/api/v1/users/{}", me["id"].as_str().unwrap());
    problem(app.patch_json(&path, &json!({"disabled": true})).await, 409).await;
    problem(app.patch_json(&path, &json!({"role": "viewer"})).await, 409).await;
    problem(app.patch_json(&path, &json!({"role": "officer"})).await, 409).await;
    problem(app.delete(&path).await, 409).await;
    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        (stored["disabled"].clone(), stored["role"].clone()),
        (json!(false), json!("admin"))
    );
    assert_eq!(stored["version"], me["version"]);
    // A patch that keeps the role is no demotion.
    let response = app
        .patch_json(&path, &json!({"role": "admin", "display_name": "管理员"}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
}

/// Two admins each try to remove the other at the same moment, `rounds`
/// times over: `change` is the request one admin sends about the other.
async fn admins_remove_each_other_at_once(
    change: impl Fn(&crate::helpers::TestApp, &str, &str) -> reqwest::RequestBuilder,
) {
    let app = spawn_app().await;
    let me: Value = app.get("/api/v1/auth/me").await.json().await.unwrap();
    let first = me["id"].as_str().unwrap().to_string();
    for round in 0..5 {
        let second = app
            .create(
                "/api/v1/users",
                &json!({"username": format!("second-admin-{round}"), "role": "admin", "password": USER_PASSWORD}),
            )
            .await;
        let second = second["id"].as_str().unwrap().to_string();
        let second_token = app.login(&format!("second-admin-{round}"), USER_PASSWORD).await;
        let (a, b) = tokio::join!(
            change(&app, &app.token, &second).send(),
            change(&app, &second_token, &first).send()
        );
        let mut statuses = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        statuses.sort_unstable();
        // One wins; the other is refused: 409 when both ran at once, or 401/403
        // when the loser's request was authorised after the winner's change.
        assert!(
            [200, 204].contains(&statuses[0]) && [401, 403, 409].contains(&statuses[1]),
            "round {round}: {statuses:?}"
        );
        // Exactly one enabled admin is left, as stored.
        let backend = sea_orm::ConnectionTrait::get_database_backend(&app.db);
        let rows = sea_orm::ConnectionTrait::query_all_raw(
            &app.db,
            sea_orm::Statement::from_string(
                backend,
                "SELECT id FROM users WHERE role = 'admin' AND disabled = false",
            ),
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1, "round {round}");
        let left: uuid::Uuid = rows[0].try_get("", "id").unwrap();
        if left.to_string() != first {
            return; // The second admin won; the first can no longer act.
        }
    }
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    admins_remove_each_other_at_once(|app, token, id| {
        app.request_as(Method::PATCH, &format!("/api/v1/users/{id}"), Some(token))
            .json(&json!({"role": "viewer"}))
    })
    .await;
}

#[tokio::test]
async fn two_admins_disabling_each_other_at_once_leave_one_enabled_admin() {
    admins_remove_each_other_at_once(|app, token, id| {
        app.request_as(Method::PATCH, &format!("/api/v1/users/{id}"), Some(token))
            .json(&json!({"disabled": true}))
    })
    .await;
}

#[tokio::test]
async fn two_admins_deleting_each_other_at_once_leave_one_admin() {
    admins_remove_each_other_at_once(|app, token, id| {
        app.request_as(Method::DELETE, &format!("/api/v1/users/{id}"), Some(token))
    })
    .await;
}

#[tokio::test]
async fn deleting_a_user_ends_its_access() {
    let app = spawn_app().await;
    let (id, token) = app.user_with_role("viewer", None, None).await;
    let response = app.delete(&format!("/api/v1/users/{id}")).await;
    assert_eq!(response.status().as_u16(), 204);
    let response = app
        .request_as(Method::GET, "/api/v1/enterprises", Some(&token))
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
}

#[tokio::test]
async fn an_admin_reset_replaces_the_password_and_ends_refresh_tokens() {
    let app = spawn_app().await;
    let user = app
        .create(
            "/api/v1/users",
            &json!({"username": "wu.wei", "role": "viewer", "password": USER_PASSWORD}),
        )
        .await;
    let pair: Value = app.token_pair("wu.wei", USER_PASSWORD).await;
    let path = format!("/api/v1/users/{}/password", user["id"].as_str().unwrap());
    let response = app.post_json(&path, &json!({"password": "short"})).await;
    problem(response, 422).await;
    let response = app
        .post_json(&path, &json!({"password": "the new long password"}))
        .await;
    assert_eq!(response.status().as_u16(), 204);
    let response = app.password_login("wu.wei", USER_PASSWORD).await;
    problem(response, 400).await;
    app.login("wu.wei", "the new long password").await;
    let response = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ])
        .await;
    problem(response, 400).await;
}

#[tokio::test]
async fn everyone_changes_their_own_password_with_the_current_one() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_role("viewer", None, None).await;
    let change = |body: Value| {
        let app = &app;
        let token = token.clone();
        async move {
            app.request_as(Method::POST, "/api/v1/auth/password", Some(&token))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let response = change(json!({"current_password": "not the password", "password": "a brand new password"})).await;
    assert_eq!(error_fields(&problem(response, 422).await), vec!["current_password"]);
    let response = change(json!({"current_password": USER_PASSWORD, "password": "short"})).await;
    assert_eq!(error_fields(&problem(response, 422).await), vec!["password"]);
    let response = change(json!({"current_password": USER_PASSWORD, "password": "a brand new password"})).await;
    assert_eq!(response.status().as_u16(), 204);
    let response = app
        .request_as(Method::POST, "/api/v1/auth/password", None)
        .json(&json!({"current_password": ADMIN_PASSWORD, "password": "whatever long password"}))
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
}

#[tokio::test]
async fn users_are_listed_with_filters_and_search() {
    let app = spawn_app().await;
    for (name, display, role) in [("li.ming", "李明", "viewer"), ("wang.fang", "王芳", "officer")] {
        app.create(
            "/api/v1/users",
            &json!({"username": name, "display_name": display, "role": role, "password": USER_PASSWORD}),
        )
        .await;
    }
    assert_eq!(app.page("/api/v1/users?role=viewer").await.total, 1);
    assert_eq!(app.page("/api/v1/users?disabled=false").await.total, 3);
    assert_eq!(app.page("/api/v1/users?q=WANG").await.total, 1);
    assert_eq!(app.page("/api/v1/users?q=%E6%9D%8E").await.total, 1);
    let sorted = app.list("/api/v1/users?sort=username").await;
    let names: Vec<&str> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["admin", "li.ming", "wang.fang"]);
    problem(app.get("/api/v1/users?disabled=maybe").await, 400).await;
}

#[tokio::test]
async fn a_stored_role_outside_the_vocabulary_is_a_fault_not_a_viewer() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    let (_, token) = app.user_with_role("viewer", None, None).await;
    let authorized = app
        .request_as(Method::GET, "/api/v1/enterprises", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(authorized.status().as_u16(), 200);
    app.db
        .execute_unprepared("UPDATE users SET role = 'superuser' WHERE role = 'viewer'")
        .await
        .unwrap();
    // A change behind the service's back is seen once its cached user state expires.
    tokio::time::sleep(chanjiao::service::USER_STATE_TTL + std::time::Duration::from_millis(100)).await;
    let response = app
        .request_as(Method::GET, "/api/v1/enterprises", Some(&token))
        .send()
        .await
        .unwrap();
    let body = problem(response, 500).await;
    assert!(!body.to_string().contains("superuser"), "{body}");
}

/// The status of a password login as `admin` at a service process's `base` URL.
async fn admin_login_status(base: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", password),
        ])
        .send()
        .await
        .expect("POST /auth/token")
        .status()
        .as_u16()
}

#[tokio::test]
async fn after_the_demo_data_on_a_fresh_database_the_service_still_creates_admin() {
    let database = crate::helpers::FreshDatabase::new().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chanjiao"))
        .arg("demo-data")
        .env("DATABASE_URL", &database.url)
        .env("CHANJIAO_LOG", "warn")
        .output()
        .expect("the chanjiao binary runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (_service, base) = crate::helpers::start_process(&database.url).await;
    let token = crate::helpers::admin_token_at(&base).await;
    let me = crate::helpers::get_json_at(&base, &token, "/api/v1/auth/me").await;
    assert_eq!(me["role"], "admin");
    let users = crate::helpers::get_json_at(&base, &token, "/api/v1/users?limit=100").await;
    assert_eq!(users["total"], 7, "the six demo users and admin: {users}");
}

#[tokio::test]
async fn an_admin_password_set_once_an_admin_exists_is_not_used_and_a_warning_says_so() {
    let database = crate::helpers::FreshDatabase::new().await;
    let (mut first, _) = crate::helpers::start_process(&database.url).await;
    first.kill();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("service.log");
    let other = "another-admin-password-2024";
    let (_second, base) =
        crate::helpers::start_process_logging_to(&database.url, &[("CHANJIAO_ADMIN_PASSWORD", other)], &log).await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("WARN") && text.contains("CHANJIAO_ADMIN_PASSWORD is set but not used"),
        "{text}"
    );
    assert!(!text.contains(other), "the password is not logged: {text}");
    assert_eq!(admin_login_status(&base, other).await, 400);
    assert_eq!(
        admin_login_status(&base, ADMIN_PASSWORD).await,
        200,
        "the first password stays"
    );
}

#[tokio::test]
async fn a_generated_admin_password_goes_to_a_file_of_the_service_s_user_never_into_the_log() {
    use std::os::unix::fs::PermissionsExt;
    let database = crate::helpers::FreshDatabase::new().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("service.log");
    let env = [
        ("CHANJIAO_ADMIN_PASSWORD", ""),
        ("CHANJIAO_LOG_FORMAT", "json"),
        ("CHANJIAO_LOG", "info"),
    ];
    let (mut service, base) = crate::helpers::start_process_in(dir.path(), &database.url, &env, &log).await;
    let file = dir.path().join("chanjiao-admin-password");
    let password = std::fs::read_to_string(&file)
        .expect("the password file")
        .trim()
        .to_string();
    assert!(password.len() >= 12, "a generated password");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "readable only by the service's user");
    assert_eq!(admin_login_status(&base, &password).await, 200);
    service.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(&password), "the password is not in the log: {text}");
    // Every line is JSON (the README's jq recipe reads them all), and one names the file.
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let named = lines
        .iter()
        .find(|line| {
            line["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("/chanjiao-admin-password"))
        })
        .unwrap_or_else(|| panic!("no line names the file: {text}"));
    assert_eq!(named["level"], "WARN");
}
