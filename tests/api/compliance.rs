//! Compliance: the county's settings of the internship rules.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{problem_of, spawn_app, TestApp};

const SETTINGS: &str = "/api/v1/compliance/settings";

fn defaults() -> Value {
    json!({
        "intern_share_enterprise_pct": 10, "intern_share_post_pct": 20, "pay_floor_pct": 80,
        "minimum_monthly_fen": null, "visit_interval_days": 30,
    })
}

/// PUTs `body` to the settings as the admin, with `If-Match` when given.
async fn put(app: &TestApp, body: &Value, if_match: Option<&str>) -> reqwest::Response {
    let mut request = app.request(Method::PUT, SETTINGS).json(body);
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    request.send().await.expect("PUT")
}

/// The settings without their version and time.
fn values(settings: &Value) -> Value {
    let mut values = settings.clone();
    let object = values.as_object_mut().expect("an object");
    object.remove("version");
    object.remove("updated_at");
    values
}

#[tokio::test]
async fn every_role_reads_the_rules_defaults_with_an_etag() {
    let app = spawn_app().await;
    let enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    for (role, enterprise_id, school_id) in [
        ("officer", None, None),
        ("school", None, Some(school.as_str())),
        ("enterprise", Some(enterprise.as_str()), None),
        ("viewer", None, None),
    ] {
        let (_, token) = app.user_with_role(role, enterprise_id, school_id).await;
        let response = app
            .request_as(Method::GET, SETTINGS, Some(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{role}");
        assert_eq!(response.headers()["etag"], "\"1\"", "{role}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(values(&body), defaults(), "{role}");
        assert_eq!(body["version"], 1);
    }
    let response = app
        .request(Method::GET, SETTINGS)
        .header("If-None-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 304);
}

#[tokio::test]
async fn an_admin_replaces_the_settings_audited_and_in_the_change_feed() {
    let app = spawn_app().await;
    let start: Value = app
        .get("/api/v1/changes?after=latest&limit=1")
        .await
        .json()
        .await
        .unwrap();
    let after = start["next_after"].as_str().map(str::to_string).unwrap_or_default();
    let new = json!({
        "intern_share_enterprise_pct": 15, "intern_share_post_pct": 25, "pay_floor_pct": 90,
        "minimum_monthly_fen": 190000, "visit_interval_days": 14,
    });
    let response = put(&app, &new, Some("\"1\"")).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let body: Value = response.json().await.unwrap();
    assert_eq!(values(&body), new);
    assert_eq!(body["version"], 2);
    assert_eq!(values(&app.record(SETTINGS).await), new, "what is stored");

    let events = app
        .page("/api/v1/audit-events?resource_type=compliance_settings&limit=10")
        .await
        .items;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "update");
    assert_eq!(
        events[0]["changes"]["pay_floor_pct"],
        json!({"before": 80, "after": 90})
    );

    let feed: Value = app
        .get(&format!(
            "/api/v1/changes?after={after}&resource_type=compliance_settings"
        ))
        .await
        .json()
        .await
        .unwrap();
    let items = feed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{feed}");
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["version"], 2);

    // The same values again change nothing.
    let again = put(&app, &new, None).await;
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["version"], 2);
}

#[tokio::test]
async fn settings_out_of_range_are_each_named_and_nothing_is_stored() {
    let app = spawn_app().await;
    let response = put(
        &app,
        &json!({
            "intern_share_enterprise_pct": 0, "intern_share_post_pct": 101, "pay_floor_pct": 80.5,
            "minimum_monthly_fen": -1, "visit_interval_days": 366,
        }),
        None,
    )
    .await;
    let problem = problem_of(response, 422).await;
    let mut fields = problem.fields();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "intern_share_enterprise_pct",
            "intern_share_post_pct",
            "minimum_monthly_fen",
            "pay_floor_pct",
            "visit_interval_days"
        ]
    );
    let problem = problem_of(put(&app, &json!({"visit_interval_days": 0}), None).await, 422).await;
    let mut fields = problem.fields();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "intern_share_enterprise_pct",
            "intern_share_post_pct",
            "pay_floor_pct",
            "visit_interval_days"
        ],
        "every missing value is named too"
    );
    let mut unknown = defaults();
    unknown["version"] = json!(1);
    let problem = problem_of(put(&app, &unknown, None).await, 422).await;
    assert_eq!(problem.fields(), ["version"]);
    let stored = app.record(SETTINGS).await;
    assert_eq!(values(&stored), defaults());
    assert_eq!(stored["version"], 1);
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_only_an_admin_replaces_the_settings() {
    let app = spawn_app().await;
    let mut changed = defaults();
    changed["visit_interval_days"] = json!(20);
    assert_eq!(put(&app, &changed, Some("\"1\"")).await.status().as_u16(), 200);
    changed["visit_interval_days"] = json!(10);
    problem_of(put(&app, &changed, Some("\"1\"")).await, 412).await;

    let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    for (role, school_id) in [("officer", None), ("school", Some(school.as_str())), ("viewer", None)] {
        let (_, token) = app.user_with_role(role, None, school_id).await;
        let response = app
            .request_as(Method::PUT, SETTINGS, Some(&token))
            .json(&changed)
            .send()
            .await
            .unwrap();
        problem_of(response, 403).await;
    }
    assert_eq!(app.record(SETTINGS).await["visit_interval_days"], 20);
}
