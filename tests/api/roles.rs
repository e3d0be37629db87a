//! Each cell of the contract's role table, for enterprises, schools, users
//! and audit events; and that refused requests change nothing but leave an
//! audit row.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{error_fields, problem, spawn_app, TestApp};

struct World {
    app: TestApp,
    own_enterprise: String,
    other_enterprise: String,
    own_school: String,
    other_school: String,
    /// role → token
    tokens: Vec<(&'static str, String)>,
}

async fn world() -> World {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for name in ["本企业", "他企业"] {
        ids.push(
            app.create(
                "/api/v1/enterprises",
                &json!({"name": name, "membership_status": "member"}),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    for name in ["本校", "他校"] {
        ids.push(
            app.create(
                "/api/v1/schools",
                &json!({"name": name, "code": null, "membership_status": "member"}),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut tokens = vec![("admin", app.token.clone())];
    tokens.push(("officer", app.user_with_role("officer", None, None).await.1));
    tokens.push(("school", app.user_with_role("school", None, Some(&ids[2])).await.1));
    tokens.push((
        "enterprise",
        app.user_with_role("enterprise", Some(&ids[0]), None).await.1,
    ));
    tokens.push(("viewer", app.user_with_role("viewer", None, None).await.1));
    World {
        app,
        own_enterprise: ids[0].clone(),
        other_enterprise: ids[1].clone(),
        own_school: ids[2].clone(),
        other_school: ids[3].clone(),
        tokens,
    }
}

impl World {
    fn token(&self, role: &str) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }

    async fn call(&self, role: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
        let mut request = self.app.request_as(method, path, Some(self.token(role)));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap().status().as_u16()
    }
}

#[tokio::test]
async fn the_enterprise_cells_of_the_role_table_hold() {
    let w = world().await;
    let own = format!("/api/v1/enterprises/{}", w.own_enterprise);
    let other = format!("/api/v1/enterprises/{}", w.other_enterprise);
    for role in ["admin", "officer", "school", "enterprise", "viewer"] {
        assert_eq!(
            w.call(role, Method::GET, "/api/v1/enterprises", None).await,
            200,
            "{role} list"
        );
        assert_eq!(w.call(role, Method::GET, &other, None).await, 200, "{role} read");
        let writer = matches!(role, "admin" | "officer");
        let create = w
            .call(role, Method::POST, "/api/v1/enterprises", Some(json!({"name": role})))
            .await;
        assert_eq!(create, if writer { 201 } else { 403 }, "{role} create");
        let patch = w
            .call(role, Method::PATCH, &other, Some(json!({"industry": role})))
            .await;
        assert_eq!(patch, if writer { 200 } else { 403 }, "{role} patch another");
        let patch_own = w.call(role, Method::PATCH, &own, Some(json!({"industry": role}))).await;
        assert_eq!(
            patch_own,
            if writer || role == "enterprise" { 200 } else { 403 },
            "{role} patch own"
        );
    }
    for role in ["school", "enterprise", "viewer"] {
        assert_eq!(w.call(role, Method::DELETE, &other, None).await, 403, "{role} delete");
    }
    assert_eq!(w.call("officer", Method::DELETE, &other, None).await, 204);
}

#[tokio::test]
async fn an_enterprise_user_may_not_change_its_membership_status_or_credit_code() {
    let w = world().await;
    let own = format!("/api/v1/enterprises/{}", w.own_enterprise);
    for (field, value) in [
        ("membership_status", json!("council_member")),
        ("credit_code", json!("91350100M000100Y43")),
    ] {
        let response = w
            .app
            .request_as(Method::PATCH, &own, Some(w.token("enterprise")))
            .json(&json!({ field: value, "industry": "钢铁" }))
            .send()
            .await
            .unwrap();
        let body = problem(response, 403).await;
        assert_eq!(error_fields(&body), vec![field]);
        assert_eq!(body["errors"][0]["code"], "forbidden");
    }
    // Sending the current value is not a change, and is allowed.
    let status = w
        .call(
            "enterprise",
            Method::PATCH,
            &own,
            Some(json!({"membership_status": "member", "industry": "钢铁"})),
        )
        .await;
    assert_eq!(status, 200);
    let stored: Value = w.app.get(&own).await.json().await.unwrap();
    assert_eq!(
        (stored["membership_status"].as_str(), stored["credit_code"].as_str()),
        (Some("member"), None)
    );
    assert_eq!(stored["industry"], "钢铁");
    assert_eq!(stored["version"], 2);
}

#[tokio::test]
async fn the_school_cells_of_the_role_table_hold() {
    let w = world().await;
    let own = format!("/api/v1/schools/{}", w.own_school);
    let other = format!("/api/v1/schools/{}", w.other_school);
    for role in ["admin", "officer", "school", "enterprise", "viewer"] {
        assert_eq!(
            w.call(role, Method::GET, "/api/v1/schools", None).await,
            200,
            "{role} list"
        );
        assert_eq!(w.call(role, Method::GET, &other, None).await, 200, "{role} read");
        let writer = matches!(role, "admin" | "officer");
        let create = w
            .call(role, Method::POST, "/api/v1/schools", Some(json!({"name": role})))
            .await;
        assert_eq!(create, if writer { 201 } else { 403 }, "{role} create");
        let patch = w
            .call(role, Method::PATCH, &other, Some(json!({"address": role})))
            .await;
        assert_eq!(patch, if writer { 200 } else { 403 }, "{role} patch another");
        let patch_own = w.call(role, Method::PATCH, &own, Some(json!({"address": role}))).await;
        assert_eq!(
            patch_own,
            if writer || role == "school" { 200 } else { 403 },
            "{role} patch own"
        );
        if !writer {
            assert_eq!(w.call(role, Method::DELETE, &other, None).await, 403, "{role} delete");
        }
    }
    let response = w
        .app
        .request_as(Method::PATCH, &own, Some(w.token("school")))
        .json(&json!({"code": "4137012345"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_fields(&problem(response, 403).await), vec!["code"]);
    assert_eq!(w.call("admin", Method::DELETE, &other, None).await, 204);
}

#[tokio::test]
async fn only_the_admin_manages_users() {
    let w = world().await;
    let (victim, _) = w.app.user_with_role("viewer", None, None).await;
    let path = format!("/api/v1/users/{victim}");
    let reset = format!("/api/v1/users/{victim}/password");
    for role in ["officer", "school", "enterprise", "viewer"] {
        assert_eq!(w.call(role, Method::GET, "/api/v1/users", None).await, 403, "{role}");
        assert_eq!(w.call(role, Method::GET, &path, None).await, 403, "{role}");
        let body = json!({"username": format!("by-{role}"), "role": "admin", "password": "long enough password"});
        assert_eq!(
            w.call(role, Method::POST, "/api/v1/users", Some(body)).await,
            403,
            "{role}"
        );
        assert_eq!(
            w.call(role, Method::PATCH, &path, Some(json!({"role": "admin"}))).await,
            403,
            "{role}"
        );
        assert_eq!(w.call(role, Method::DELETE, &path, None).await, 403, "{role}");
        let body = json!({"password": "a new long password"});
        assert_eq!(w.call(role, Method::POST, &reset, Some(body)).await, 403, "{role}");
    }
    assert_eq!(w.call("admin", Method::GET, &path, None).await, 200);
    let stored: Value = w.app.get(&path).await.json().await.unwrap();
    assert_eq!(
        (stored["role"].as_str(), stored["version"].as_i64()),
        (Some("viewer"), Some(1))
    );
}

#[tokio::test]
async fn admin_and_officer_read_the_audit_trail_and_no_one_else() {
    let w = world().await;
    for (role, expected) in [
        ("admin", 200),
        ("officer", 200),
        ("school", 403),
        ("enterprise", 403),
        ("viewer", 403),
    ] {
        assert_eq!(
            w.call(role, Method::GET, "/api/v1/audit-events", None).await,
            expected,
            "{role}"
        );
    }
    // No route changes or deletes audit events.
    for method in [Method::POST, Method::PATCH, Method::DELETE, Method::PUT] {
        assert_eq!(
            w.call("admin", method, "/api/v1/audit-events", Some(json!({}))).await,
            405
        );
    }
}

#[tokio::test]
async fn a_refused_request_changes_nothing_and_leaves_a_denied_audit_row() {
    let w = world().await;
    let other = format!("/api/v1/enterprises/{}", w.other_enterprise);
    let before: Value = w.app.get(&other).await.json().await.unwrap();
    assert_eq!(
        w.call("viewer", Method::PATCH, &other, Some(json!({"name": "hijacked"})))
            .await,
        403
    );
    assert_eq!(w.call("school", Method::DELETE, &other, None).await, 403);
    let after: Value = w.app.get(&other).await.json().await.unwrap();
    assert_eq!(before, after);
    let events = w
        .app
        .list(&format!(
            "/api/v1/audit-events?action=denied&resource_id={}",
            w.other_enterprise
        ))
        .await;
    assert_eq!(events["total"], 2);
    for event in events["items"].as_array().unwrap() {
        assert_eq!(event["outcome"], "failure");
        assert_eq!(event["resource_type"], "enterprise");
        assert!(event["actor_user_id"].is_string());
        assert!(event["actor_username"].is_string());
        assert!(event["changes"].is_null());
    }
    assert_eq!(w.app.page("/api/v1/enterprises").await.total, 2);
}

#[tokio::test]
async fn an_anonymous_401_is_audited_once_a_minute_per_address() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let response = app
            .request_as(Method::GET, "/api/v1/enterprises", None)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401);
    }
    let events = app.list("/api/v1/audit-events?action=denied").await;
    assert_eq!(events["total"], 1);
    let event = &events["items"][0];
    assert!(event["actor_user_id"].is_null() && event["actor_username"].is_null() && event["changes"].is_null());
    assert_eq!(event["ip"], "127.0.0.1");
    // The others are counted in the metrics.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("status=\"401\""), "{metrics}");
}

#[tokio::test]
async fn an_enterprise_referenced_by_a_user_cannot_be_deleted() {
    let w = world().await;
    let own = format!("/api/v1/enterprises/{}", w.own_enterprise);
    let response = w.app.delete(&own).await;
    problem(response, 409).await;
    assert_eq!(w.app.get(&own).await.status().as_u16(), 200);
    let own_school = format!("/api/v1/schools/{}", w.own_school);
    problem(w.app.delete(&own_school).await, 409).await;
}

#[tokio::test]
async fn an_unknown_id_is_404_for_every_role_that_may_read_the_type_before_any_role_or_ownership_403() {
    let w = world().await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let patch = json!({"address": "职教路1号"});
    for role in ["officer", "school", "enterprise", "viewer"] {
        let description = json!({"description": "校企共建"});
        for (collection, patch) in [
            ("enterprises", &patch),
            ("schools", &patch),
            ("bases", &patch),
            ("competitions", &description),
        ] {
            let path = format!("/api/v1/{collection}/{unknown}");
            assert_eq!(
                w.call(role, Method::PATCH, &path, Some(patch.clone())).await,
                404,
                "{role} PATCH {path}"
            );
            assert_eq!(
                w.call(role, Method::DELETE, &path, None).await,
                404,
                "{role} DELETE {path}"
            );
        }
        let demand = format!("/api/v1/demands/{unknown}");
        let change = json!({"title": "焊接订单班"});
        assert_eq!(
            w.call(role, Method::PATCH, &demand, Some(change)).await,
            404,
            "{role} PATCH {demand}"
        );
        assert_eq!(
            w.call(role, Method::DELETE, &demand, None).await,
            404,
            "{role} DELETE {demand}"
        );
        assert_eq!(
            w.call(role, Method::GET, &format!("{demand}/matches"), None).await,
            404,
            "{role} matches of {demand}"
        );
        let placement = format!("/api/v1/apprenticeships/{unknown}");
        // Viewers may not read placements: 403 whatever the id.
        let expected = if role == "viewer" { 403 } else { 404 };
        let moved = json!({"to": "cancelled"});
        let status = w
            .call(role, Method::POST, &format!("{placement}/transitions"), Some(moved))
            .await;
        assert_eq!(status, expected, "{role} transition of an unknown placement");
        let evaluation = json!({"score": 90});
        let status = w
            .call(
                role,
                Method::POST,
                &format!("{placement}/evaluations"),
                Some(evaluation),
            )
            .await;
        assert_eq!(status, expected, "{role} evaluation of an unknown placement");
        let item = format!("/api/v1/meetings/{unknown}/action-items/{unknown}");
        let status = w
            .call(role, Method::PATCH, &item, Some(json!({"status": "done"})))
            .await;
        assert_eq!(status, 404, "{role} PATCH of an unknown action item");
    }
    // The records that exist are refused as before.
    let other = format!("/api/v1/enterprises/{}", w.other_enterprise);
    assert_eq!(
        w.call("enterprise", Method::PATCH, &other, Some(patch.clone())).await,
        403
    );
    assert_eq!(w.call("viewer", Method::DELETE, &other, None).await, 403);
    let other = format!("/api/v1/schools/{}", w.other_school);
    assert_eq!(w.call("school", Method::PATCH, &other, Some(patch.clone())).await, 403);
    // Users: only the admin may read them, so others get 403 whatever the id.
    let path = format!("/api/v1/users/{unknown}");
    assert_eq!(
        w.call("viewer", Method::PATCH, &path, Some(json!({"display_name": "x"})))
            .await,
        403
    );
    assert_eq!(
        w.call("admin", Method::PATCH, &path, Some(json!({"display_name": "x"})))
            .await,
        404
    );
}
