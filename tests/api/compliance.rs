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
    object.remove("created_at");
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

/// A county to judge: one host with staff and posts, one without a staff
/// count, one school.
struct County {
    host: String,
    unknown: String,
    school: String,
}

async fn county(app: &TestApp) -> County {
    let host = app
        .create_id(
            "/api/v1/enterprises",
            &json!({"name": "辰泰重钢", "staff_count": 10, "posts": [
                {"name": "Welder", "staff_count": 5, "probation_monthly_fen": 300000},
                {"name": "装配工", "staff_count": 50}]}),
        )
        .await;
    let unknown = app.create_id("/api/v1/enterprises", &json!({"name": "华建科技"})).await;
    let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    County { host, unknown, school }
}

/// Creates a placement with `fields` over a valid student internship at
/// `enterprise` of `school`, and moves it to `active` as the admin.
async fn active(app: &TestApp, enterprise: &str, school: &str, fields: Value) -> String {
    let mut body = json!({
        "kind": "student_internship", "enterprise_id": enterprise, "school_id": school,
        "participant": {"name": "李明", "birth_date": "2006-03-15"},
        "start_date": "2025-09-01", "end_date": "2026-06-30", "position": "装配工",
        "monthly_stipend_fen": 300000, "agreement_signed_on": "2025-08-20", "insurance_policy_no": "PICC-1",
    });
    for (key, value) in fields.as_object().expect("an object") {
        if key == "participant" {
            for (k, v) in value.as_object().expect("an object") {
                body["participant"][k] = v.clone();
            }
        } else {
            body[key] = value.clone();
        }
    }
    let id = app.create_id("/api/v1/apprenticeships", &body).await;
    for to in ["submitted", "active"] {
        let response = app
            .post_json(&format!("/api/v1/apprenticeships/{id}/transitions"), &json!({"to": to}))
            .await;
        assert_eq!(
            response.status().as_u16(),
            200,
            "moving to {to}: {}",
            response.text().await.unwrap()
        );
    }
    id
}

/// Every finding on `on` (walked page by page, `limit` at a time), as
/// `token`'s caller, with the first page's `total`.
async fn findings_as(app: &TestApp, token: &str, query: &str, limit: u64) -> (Vec<Value>, u64) {
    let mut items = Vec::new();
    let mut cursor = String::new();
    let mut total = None;
    loop {
        let path = format!("/api/v1/compliance/findings?{query}&limit={limit}{cursor}");
        let response = app.request_as(Method::GET, &path, Some(token)).send().await.unwrap();
        let status = response.status().as_u16();
        let page: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{path}: {page}");
        total.get_or_insert(page["total"].as_u64().expect("a total"));
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return (items, total.unwrap_or_default()),
        }
    }
}

/// The `(rule, apprenticeship_id or post)` of each finding.
fn found(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|f| {
            let about = f["apprenticeship_id"]
                .as_str()
                .or(f["post"].as_str())
                .unwrap_or("enterprise");
            (f["rule"].as_str().unwrap().to_string(), about.to_string())
        })
        .collect()
}

#[tokio::test]
async fn each_placement_rule_finds_the_placements_that_break_it_with_their_facts() {
    let app = spawn_app().await;
    let c = county(&app).await;
    let first_year = active(
        &app,
        &c.unknown,
        &c.school,
        json!({"participant": {"enrolled_on": "2025-03-01"}}),
    )
    .await;
    let night = active(
        &app,
        &c.unknown,
        &c.school,
        json!({"kind": "order_class", "night_shift": true}),
    )
    .await;
    let minor = active(
        &app,
        &c.unknown,
        &c.school,
        json!({"kind": "modern_apprenticeship", "hazardous": true, "end_date": null,
               "participant": {"birth_date": "2008-10-16"}}),
    )
    .await;
    let expired = active(
        &app,
        &c.unknown,
        &c.school,
        json!({"insurance_expires_on": "2025-10-01"}),
    )
    .await;
    let ended = active(&app, &c.unknown, &c.school, json!({"end_date": "2025-10-10"})).await;
    let fine = active(
        &app,
        &c.unknown,
        &c.school,
        json!({"participant": {"enrolled_on": "2024-09-01"}, "insurance_expires_on": "2026-08-31"}),
    )
    .await;
    let on = "on=2025-10-15";
    let (items, total) = findings_as(&app, &app.token, &format!("{on}&rule=first_year_student"), 20).await;
    assert_eq!(found(&items), [("first_year_student".into(), first_year.clone())]);
    assert_eq!(total, 1);
    assert_eq!(items[0]["severity"], "breach");
    assert_eq!(items[0]["school_id"], c.school.as_str());
    assert_eq!(
        items[0]["facts"],
        json!({"enrolled_on": "2025-03-01", "start_date": "2025-09-01"})
    );

    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=student_night_shift"), 20).await;
    assert_eq!(found(&items), [("student_night_shift".into(), night)]);
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=minor_hazardous_work"), 20).await;
    assert_eq!(found(&items), [("minor_hazardous_work".into(), minor.clone())]);
    assert_eq!(items[0]["facts"]["age"], 16);
    // The day before the 18th birthday still a minor; on it, not.
    let (items, _) = findings_as(&app, &app.token, "on=2026-10-15&rule=minor_hazardous_work", 20).await;
    assert_eq!(found(&items), [("minor_hazardous_work".into(), minor)]);
    assert_eq!(items[0]["facts"]["age"], 17);
    let (items, _) = findings_as(&app, &app.token, "on=2026-10-16&rule=minor_hazardous_work", 20).await;
    assert!(items.is_empty(), "{items:?}");

    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=insurance_expired"), 20).await;
    assert_eq!(found(&items), [("insurance_expired".into(), expired)]);
    assert_eq!(items[0]["facts"]["days_expired"], 14);
    // Past its end date, the placement is no longer judged active but is past_end_date.
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=past_end_date"), 20).await;
    assert_eq!(found(&items), [("past_end_date".into(), ended)]);
    assert_eq!(items[0]["severity"], "warning");
    assert_eq!(items[0]["facts"]["days_past"], 5);
    // Before the placements start, nothing is judged.
    let (items, total) = findings_as(&app, &app.token, "on=2025-08-01", 20).await;
    assert!(items.is_empty() && total == 0, "{items:?}");
    assert!(found(&findings_as(&app, &app.token, on, 100).await.0)
        .iter()
        .all(|(rule, id)| *id != fine || rule == "no_recent_visit" || rule == "journal_missing"));
}

#[tokio::test]
async fn the_enterprise_and_post_rules_count_interns_by_folded_post_against_staff_and_probation_pay() {
    let app = spawn_app().await;
    let c = county(&app).await;
    let low = active(
        &app,
        &c.host,
        &c.school,
        json!({"position": "WELDER", "monthly_stipend_fen": 200000}),
    )
    .await;
    let _paid = active(
        &app,
        &c.host,
        &c.school,
        json!({"position": "welder", "monthly_stipend_fen": 240000}),
    )
    .await;
    let _other = active(&app, &c.unknown, &c.school, json!({})).await;
    let on = "on=2025-10-15";
    let (items, total) = findings_as(&app, &app.token, on, 1).await;
    let breaches: Vec<(String, String)> = found(&items)
        .into_iter()
        .filter(|(rule, _)| !["no_recent_visit", "journal_missing"].contains(&rule.as_str()))
        .collect();
    assert_eq!(
        breaches,
        [
            ("intern_share_enterprise".to_string(), "enterprise".to_string()),
            ("intern_share_post".into(), "Welder".into()),
            ("pay_below_floor".into(), low.clone()),
            ("staff_count_unknown".into(), "enterprise".into()),
        ]
    );
    assert_eq!(total as usize, items.len(), "the total is every page's findings");
    let share = items.iter().find(|f| f["rule"] == "intern_share_enterprise").unwrap();
    assert_eq!(share["enterprise_id"], c.host.as_str());
    assert_eq!(share["school_id"], Value::Null);
    assert_eq!(
        share["facts"],
        json!({"interns": 2, "staff_count": 10, "limit": 1, "pct": 10})
    );
    let post = items.iter().find(|f| f["rule"] == "intern_share_post").unwrap();
    assert_eq!(
        post["facts"],
        json!({"interns": 2, "staff_count": 5, "limit": 1, "pct": 20})
    );
    let pay = items.iter().find(|f| f["rule"] == "pay_below_floor").unwrap();
    assert_eq!(pay["post"], "Welder");
    assert_eq!(pay["facts"]["stipend_fen"], 200000);
    assert_eq!(pay["facts"]["floor_fen"], 240000);
    let unknown = items.iter().find(|f| f["rule"] == "staff_count_unknown").unwrap();
    assert_eq!(unknown["enterprise_id"], c.unknown.as_str());

    // The settings apply at once: a floor of 60 % and shares of 50 % end three findings.
    let response = put(
        &app,
        &json!({"intern_share_enterprise_pct": 50, "intern_share_post_pct": 50, "pay_floor_pct": 60,
                "visit_interval_days": 30}),
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let summary = app.record(&format!("/api/v1/compliance/summary?{on}")).await;
    assert_eq!(summary["by_rule"]["pay_below_floor"], 0);
    assert_eq!(summary["by_rule"]["intern_share_enterprise"], 0);
    assert_eq!(summary["by_rule"]["intern_share_post"], 0);
    assert_eq!(summary["by_rule"]["staff_count_unknown"], 1);
    // A county minimum above the stipend is a floor of its own.
    let response = put(
        &app,
        &json!({"intern_share_enterprise_pct": 50, "intern_share_post_pct": 50, "pay_floor_pct": 60,
                "minimum_monthly_fen": 210000, "visit_interval_days": 30}),
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=pay_below_floor"), 20).await;
    assert_eq!(found(&items), [("pay_below_floor".into(), low)]);
    assert_eq!(items[0]["facts"]["floor_fen"], 210000);
}

#[tokio::test]
async fn the_summary_counts_what_the_pages_and_the_export_list_in_every_scope() {
    let app = spawn_app().await;
    let c = county(&app).await;
    let other_school = app.create_id("/api/v1/schools", &json!({"name": "第二职校"})).await;
    active(
        &app,
        &c.host,
        &c.school,
        json!({"night_shift": true, "position": "Welder"}),
    )
    .await;
    active(
        &app,
        &c.host,
        &other_school,
        json!({"night_shift": true, "position": "Welder"}),
    )
    .await;
    active(&app, &c.unknown, &other_school, json!({"night_shift": true})).await;
    let on = "on=2025-10-15";
    let (_, school_token) = app.user_with_role("school", None, Some(&c.school)).await;
    let (_, host_token) = app.user_with_role("enterprise", Some(&c.host), None).await;
    let (_, viewer_token) = app.user_with_role("viewer", None, None).await;
    for (token, who) in [
        (&app.token, "admin"),
        (&school_token, "school"),
        (&host_token, "enterprise"),
    ] {
        let (items, total) = findings_as(&app, token, on, 2).await;
        assert_eq!(items.len() as u64, total, "{who}");
        let summary: Value = app
            .request_as(Method::GET, &format!("/api/v1/compliance/summary?{on}"), Some(token))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(summary["on"], "2025-10-15");
        let counted = summary["breaches"].as_u64().unwrap() + summary["warnings"].as_u64().unwrap();
        assert_eq!(counted, total, "{who}: {summary}");
        let by_rule = summary["by_rule"].as_object().unwrap();
        assert_eq!(by_rule.len(), 13, "every rule, 0 where none");
        assert_eq!(by_rule.values().map(|n| n.as_u64().unwrap()).sum::<u64>(), total);
        let csv = app
            .request_as(
                Method::GET,
                &format!("/api/v1/compliance/findings?{on}&format=csv"),
                Some(token),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count() as u64, total + 1, "{who}: a header and a line each");
        match who {
            "school" => {
                // Its own placement, and the host of its students' enterprise-level findings.
                assert!(items.iter().all(|f| f["school_id"] == c.school.as_str()
                    || (f["school_id"].is_null() && f["enterprise_id"] == c.host.as_str())));
                assert!(items.iter().any(|f| f["rule"] == "intern_share_enterprise"));
            }
            "enterprise" => assert!(items.iter().all(|f| f["enterprise_id"] == c.host.as_str())),
            _ => assert!(items.iter().any(|f| f["enterprise_id"] == c.unknown.as_str())),
        }
    }
    // A viewer reads the county's summary, never the findings.
    let response = app
        .request_as(
            Method::GET,
            &format!("/api/v1/compliance/summary?{on}"),
            Some(&viewer_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = app
        .request_as(
            Method::GET,
            &format!("/api/v1/compliance/findings?{on}"),
            Some(&viewer_token),
        )
        .send()
        .await
        .unwrap();
    problem_of(response, 403).await;
    // Another organisation's findings are a 403 naming the parameter.
    let response = app
        .request_as(
            Method::GET,
            &format!("/api/v1/compliance/findings?school_id={other_school}"),
            Some(&school_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem_of(response, 403).await.fields(), ["school_id"]);
    // Bad parameters are 400s naming them.
    for (query, name) in [
        ("rule=curfew", "rule"),
        ("on=2025-13-01", "on"),
        ("severity=grave", "severity"),
    ] {
        let response = app.get(&format!("/api/v1/compliance/findings?{query}")).await;
        assert_eq!(problem_of(response, 400).await.fields(), [name], "{query}");
    }
}

#[tokio::test]
async fn journals_missing_weeks_and_long_weeks_are_found_from_the_journals_table() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = spawn_app().await;
    let c = county(&app).await;
    // Started Monday 2025-09-01; on 2025-09-29 the weeks of 09-01, 09-08 and 09-15 are due.
    let id = active(&app, &c.unknown, &c.school, json!({"start_date": "2025-09-01"})).await;
    let db = Database::connect(app.database_url()).await.unwrap();
    let backend = db.get_database_backend();
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    for (week, hours) in [("2025-09-08", 44)] {
        let (p, week): (Vec<String>, chrono::NaiveDate) = (
            (1..=5)
                .map(|n| match backend {
                    sea_orm::DatabaseBackend::Postgres => format!("${n}"),
                    _ => "?".into(),
                })
                .collect(),
            week.parse().unwrap(),
        );
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO journals (id, apprenticeship_id, school_id, enterprise_id, week_of, content, \
                 hours_worked, status, version, created_at, updated_at) \
                 VALUES ({}, {}, {}, {}, {}, 'x', {}, 'submitted', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                p[0], p[1], p[2], p[3], p[4], hours
            ),
            [
                uuid::Uuid::now_v7().into(),
                uuid.into(),
                uuid::Uuid::parse_str(&c.school).unwrap().into(),
                uuid::Uuid::parse_str(&c.unknown).unwrap().into(),
                week.into(),
            ],
        ))
        .await
        .unwrap();
    }
    let (items, _) = findings_as(&app, &app.token, "on=2025-09-29&rule=journal_missing", 20).await;
    assert_eq!(found(&items), [("journal_missing".into(), id.clone())]);
    assert_eq!(items[0]["facts"]["weeks"], json!(["2025-09-01", "2025-09-15"]));
    let (items, _) = findings_as(&app, &app.token, "on=2025-09-29&rule=hours_over_limit", 20).await;
    assert_eq!(found(&items), [("hours_over_limit".into(), id)]);
    assert_eq!(
        items[0]["facts"],
        json!({"week_of": "2025-09-08", "hours_worked": 44, "limit": 40})
    );
    // A week after it started, no whole week ended a week ago.
    let (items, _) = findings_as(&app, &app.token, "on=2025-09-10&rule=journal_missing", 20).await;
    assert!(items.is_empty());
}

#[tokio::test]
async fn visits_and_incidents_end_or_raise_their_findings_at_once() {
    let app = spawn_app().await;
    let c = county(&app).await;
    // Started 2025-09-01: by 2025-10-15 it is past the 30 days and has no visit in them.
    let id = active(&app, &c.unknown, &c.school, json!({})).await;
    let on = "on=2025-10-15";
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=no_recent_visit"), 20).await;
    assert_eq!(found(&items), [("no_recent_visit".into(), id.clone())]);
    assert_eq!(
        items[0]["facts"],
        json!({"last_visited_on": null, "days_since_visit": null, "visit_interval_days": 30})
    );
    // A visit more than 30 days before does not end it; one within them does.
    let visit = |day: &str| json!({"apprenticeship_id": id, "visited_on": day, "visitor_name": "谭刚"});
    app.create_id("/api/v1/visits", &visit("2025-09-10")).await;
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=no_recent_visit"), 20).await;
    assert_eq!(items[0]["facts"]["last_visited_on"], "2025-09-10");
    assert_eq!(items[0]["facts"]["days_since_visit"], 35);
    app.create_id("/api/v1/visits", &visit("2025-09-20")).await;
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=no_recent_visit"), 20).await;
    assert!(items.is_empty(), "{items:?}");
    // A shorter interval in the settings raises it again.
    let mut settings = defaults();
    settings["visit_interval_days"] = json!(14);
    assert_eq!(put(&app, &settings, None).await.status().as_u16(), 200);
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=no_recent_visit"), 20).await;
    assert_eq!(found(&items), [("no_recent_visit".into(), id.clone())]);

    // A serious incident is unreported from the second day after it on, until reported.
    let incident = app
        .create_id(
            "/api/v1/incidents",
            &json!({"apprenticeship_id": id, "occurred_on": "2025-10-10", "kind": "injury",
                    "severity": "serious", "description": "手指划伤，已送医"}),
        )
        .await;
    app.create_id(
        "/api/v1/incidents",
        &json!({"apprenticeship_id": id, "occurred_on": "2025-10-01", "kind": "absence",
                "severity": "minor", "description": "旷工一天"}),
    )
    .await;
    for (on, expected) in [("2025-10-11", 0), ("2025-10-12", 1), ("2025-10-15", 1)] {
        let (items, _) = findings_as(&app, &app.token, &format!("on={on}&rule=incident_unreported"), 20).await;
        assert_eq!(items.len(), expected, "on {on}");
    }
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=incident_unreported"), 20).await;
    assert_eq!(items[0]["apprenticeship_id"], id.as_str());
    assert_eq!(items[0]["facts"]["incident_id"], incident.as_str());
    assert_eq!(items[0]["facts"]["severity"], "serious");
    let response = app
        .patch_json(
            &format!("/api/v1/incidents/{incident}"),
            &json!({"reported_to_bureau_on": "2025-10-13"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    // Reported on the 13th: unreported on the 12th, no longer on the 15th.
    let (items, _) = findings_as(&app, &app.token, "on=2025-10-12&rule=incident_unreported", 20).await;
    assert_eq!(items.len(), 1);
    let (items, _) = findings_as(&app, &app.token, &format!("{on}&rule=incident_unreported"), 20).await;
    assert!(items.is_empty());
}

#[tokio::test]
async fn a_transferred_placement_is_judged_no_more_and_its_successor_is() {
    let app = spawn_app().await;
    let c = county(&app).await;
    let id = active(&app, &c.unknown, &c.school, json!({"night_shift": true})).await;
    let response = app
        .post_json(
            &format!("/api/v1/apprenticeships/{id}/transfer"),
            &json!({"enterprise_id": c.host, "on": "2025-10-01", "reason": "转岗", "reason_code": "student_request",
                    "agreement_signed_on": "2025-09-28", "insurance_policy_no": "PICC-2"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let new: Value = response.json().await.unwrap();
    let (items, _) = findings_as(&app, &app.token, "on=2025-10-15&rule=student_night_shift", 20).await;
    assert_eq!(
        found(&items),
        [("student_night_shift".into(), new["id"].as_str().unwrap().to_string())]
    );
    assert_eq!(items[0]["enterprise_id"], c.host.as_str());
}
