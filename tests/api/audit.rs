use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, ADMIN_PASSWORD};

#[tokio::test]
async fn every_write_leaves_an_audit_row_with_its_changes() {
    let app = spawn_app().await;
    let created = app
        .create(
            "/api/v1/enterprises",
            &json!({"name": "辰泰重钢", "contact_phone": "13812345678", "membership_status": "applicant"}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/enterprises/{id}");
    app.patch_json(
        &path,
        &json!({"membership_status": "member", "contact_phone": "0536-1234567"}),
    )
    .await;
    app.patch_json(&path, &json!({"membership_status": "member"})).await; // no change
    app.delete(&path).await;

    let events = app.list(&format!("/api/v1/audit-events?resource_id={id}")).await;
    let items = events["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["delete", "update", "create"], "newest first");
    let me: Value = app.get("/api/v1/auth/me").await.json().await.unwrap();
    for event in items {
        assert_eq!(event["actor_user_id"], me["id"]);
        assert_eq!(event["actor_username"], "admin");
        assert_eq!(event["resource_type"], "enterprise");
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["ip"], "127.0.0.1");
    }
    let create = &items[2]["changes"];
    assert_eq!(create["name"], json!({"before": null, "after": "辰泰重钢"}));
    assert_eq!(create["contact_phone"], json!({"before": null, "after": "138****5678"}));
    assert!(create.get("version").is_none() && create.get("website").is_none());
    let update = &items[1]["changes"];
    assert_eq!(
        update,
        &json!({
            "membership_status": {"before": "applicant", "after": "member"},
            "contact_phone": {"before": "138****5678", "after": "053****4567"},
        })
    );
    assert_eq!(
        items[0]["changes"]["name"],
        json!({"before": "辰泰重钢", "after": null})
    );
}

#[tokio::test]
async fn logins_failures_refreshes_and_revocations_are_audited_as_token_events() {
    let app = spawn_app().await;
    let response = app.password_login("admin", "wrong-password").await;
    problem(response, 400).await;
    let response = app.password_login("ghost", "wrong-password").await;
    problem(response, 400).await;
    let pair: Value = app.token_pair("admin", ADMIN_PASSWORD).await;
    let refreshed: Value = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ])
        .await
        .json()
        .await
        .unwrap();
    app.client
        .post(format!("{}/api/v1/auth/revoke", app.address))
        .form(&[("token", refreshed["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();

    let me: Value = app.get("/api/v1/auth/me").await.json().await.unwrap();
    let events = app.list("/api/v1/audit-events?resource_type=token&limit=100").await;
    let items = events["items"].as_array().unwrap();
    let failed: Vec<&Value> = items.iter().filter(|e| e["action"] == "login_failed").collect();
    assert_eq!(failed.len(), 2);
    let ghost = failed.iter().find(|e| e["actor_username"] == "ghost").unwrap();
    assert!(ghost["actor_user_id"].is_null());
    let admin_failure = failed.iter().find(|e| e["actor_username"] == "admin").unwrap();
    assert_eq!(admin_failure["actor_user_id"], me["id"]);
    assert_eq!(admin_failure["outcome"], "failure");
    for action in ["login", "refresh", "revoke"] {
        let event = items
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("{action}"));
        assert_eq!(event["actor_user_id"], me["id"], "{action}");
        assert_eq!(event["outcome"], "success", "{action}");
    }
    // Never a password or a token in the trail.
    let text = events.to_string();
    for secret in [
        ADMIN_PASSWORD,
        "wrong-password",
        pair["refresh_token"].as_str().unwrap(),
        "argon2",
    ] {
        assert!(!text.contains(secret), "{secret}");
    }
}

#[tokio::test]
async fn password_changes_are_audited_without_the_password() {
    let app = spawn_app().await;
    let user = app
        .create(
            "/api/v1/users",
            &json!({"username": "clerk", "role": "viewer", "password": "first long password"}),
        )
        .await;
    let id = user["id"].as_str().unwrap();
    app.post_json(
        &format!("/api/v1/users/{id}/password"),
        &json!({"password": "second long password"}),
    )
    .await;
    let events = app
        .list(&format!("/api/v1/audit-events?resource_type=user&resource_id={id}"))
        .await;
    let text = events.to_string();
    assert_eq!(events["total"], 2);
    assert!(!text.contains("first long password") && !text.contains("second long password"));
    assert_eq!(events["items"][0]["changes"]["password"]["after"], "[redacted]");
}

#[tokio::test]
async fn audit_filters_narrow_by_actor_action_and_time() {
    let app = spawn_app().await;
    let (viewer_id, viewer_token) = app.user_with_role("viewer", None, None).await;
    let first = app.create("/api/v1/enterprises", &json!({"name": "a"})).await;
    let started = chrono::Utc::now();
    app.create("/api/v1/enterprises", &json!({"name": "b"})).await;
    app.request_as(
        Method::DELETE,
        &format!("/api/v1/enterprises/{}", first["id"].as_str().unwrap()),
        Some(&viewer_token),
    )
    .send()
    .await
    .unwrap();
    let by_viewer = app
        .list(&format!("/api/v1/audit-events?actor_user_id={viewer_id}"))
        .await;
    let actions: Vec<&str> = by_viewer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["denied", "login"]);
    let from = crate::helpers::encode(&started.to_rfc3339());
    let recent = app
        .list(&format!(
            "/api/v1/audit-events?action=create&resource_type=enterprise&from={from}"
        ))
        .await;
    assert_eq!(recent["total"], 1);
    let until = app
        .list(&format!(
            "/api/v1/audit-events?action=create&resource_type=enterprise&to={from}"
        ))
        .await;
    assert_eq!(until["total"], 1);
    for bad in [
        "action=explode",
        "resource_type=planet",
        "actor_user_id=me",
        "from=yesterday",
        "updated_since=2024-01-01T00:00:00Z",
        "sort=action",
        "q=x",
    ] {
        problem(app.get(&format!("/api/v1/audit-events?{bad}")).await, 400).await;
    }
}
