//! Incidents: an incident names a placement and belongs to its school and
//! enterprise (copied, following the placement), the order of its days,
//! who records, changes and deletes which, the list, the feed and the audit
//! trail.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::problem_of;
use crate::visits::{today_and_tomorrow, World};

fn incident(placement: &str, occurred_on: &str) -> Value {
    json!({
        "apprenticeship_id": placement, "occurred_on": occurred_on, "kind": "injury",
        "severity": "serious", "description": "学生在打磨工位划伤左手",
    })
}

#[tokio::test]
async fn an_incident_names_a_placement_shows_its_school_and_enterprise_and_is_resolved_by_a_patch() {
    let w = World::new().await;
    let body = json!({
        "apprenticeship_id": w.placements[0], "occurred_on": "2024-10-08", "kind": "injury", "severity": "serious",
        "description": "学生在打磨工位被砂轮碎片划伤左手，已送县医院缝合。",
        "insurance_claim_no": "PICC-2024-10-0815", "reported_to_bureau_on": "2024-10-09",
    });
    let created = w.app.create_record("/api/v1/incidents", &body).await;
    for (key, value) in body.as_object().unwrap() {
        assert_eq!(&created.body[key], value, "{key}");
    }
    assert_eq!(created.body["school_id"], w.schools[0].as_str());
    assert_eq!(created.body["enterprise_id"], w.enterprises[0].as_str());
    assert_eq!(created.body["resolved_on"], Value::Null);
    assert_eq!(w.app.record(&created.location).await, created.body);
    let audit = w.app.audit_of(&created.id).await;
    assert_eq!(
        (audit[0].action.as_str(), audit[0].resource_type.as_str()),
        ("create", "incident")
    );
    // Resolved the day it happened, or later; never before.
    let problem = problem_of(
        w.app
            .patch_json(&created.location, &json!({"resolved_on": "2024-10-07"}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["resolved_on"]);
    assert_eq!(w.app.record(&created.location).await["version"], 1);
    let response = w
        .app
        .patch_json(&created.location, &json!({"resolved_on": "2024-10-08"}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let resolved: Value = response.json().await.unwrap();
    assert_eq!(
        (resolved["resolved_on"].as_str(), resolved["version"].as_i64()),
        (Some("2024-10-08"), Some(2))
    );
    assert_eq!(w.app.record(&created.location).await, resolved);
    let audit = w.app.audit_of(&created.id).await;
    assert_eq!(audit[0].action, "update");
    assert_eq!(audit[0].changes.as_ref().unwrap()["resolved_on"]["after"], "2024-10-08");
    let problem = problem_of(
        w.app
            .patch_json(&created.location, &json!({"apprenticeship_id": w.placements[1]}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["apprenticeship_id"]);
}

#[tokio::test]
async fn an_incident_after_today_resolved_before_it_happened_of_no_placement_or_incomplete_is_refused_naming_each_field(
) {
    let w = World::new().await;
    let (today, tomorrow) = today_and_tomorrow();
    let mut resolved_early = incident(&w.placements[0], "2024-10-08");
    resolved_early["resolved_on"] = json!("2024-10-07");
    let cases = [
        (incident(&w.placements[0], &tomorrow), vec!["occurred_on"]),
        (resolved_early, vec!["resolved_on"]),
        (
            incident(&uuid::Uuid::now_v7().to_string(), "2024-10-08"),
            vec!["apprenticeship_id"],
        ),
        (
            json!({"apprenticeship_id": w.placements[0]}),
            vec!["description", "kind", "occurred_on", "severity"],
        ),
        (
            json!({"apprenticeship_id": w.placements[0], "occurred_on": "2024-10-08", "kind": "fire",
                   "severity": "fatal", "description": "王".repeat(5001), "insurance_claim_no": "号".repeat(65)}),
            vec!["description", "insurance_claim_no", "kind", "severity"],
        ),
    ];
    for (body, fields) in cases {
        let problem = problem_of(w.app.post_json("/api/v1/incidents", &body).await, 422).await;
        let mut named = problem.fields();
        named.sort();
        assert_eq!(named, fields, "{body}");
    }
    assert_eq!(w.app.page("/api/v1/incidents").await.total, 0);
    // Today is fine.
    w.app
        .create("/api/v1/incidents", &incident(&w.placements[0], &today))
        .await;
    assert_eq!(w.app.page("/api/v1/incidents").await.total, 1);
}

#[tokio::test]
async fn schools_and_host_enterprises_record_and_change_their_placements_incidents_only_an_admin_deletes_one() {
    let w = World::new().await;
    let patch = json!({"reported_to_bureau_on": "2024-10-09"});
    let mut own = Vec::new();
    for token in [&w.school, &w.enterprise] {
        let body = incident(&w.placements[0], "2024-10-08");
        let response = w.send(token, Method::POST, "/api/v1/incidents", Some(&body)).await;
        assert_eq!(response.status().as_u16(), 201);
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/incidents/{id}");
        assert_eq!(w.status(token, Method::PATCH, &path, Some(&patch)).await, 200);
        assert_eq!(w.status(token, Method::DELETE, &path, None).await, 403);
        // Another organisation's placement: a 403 naming it.
        let body = incident(&w.placements[1], "2024-10-08");
        let problem = problem_of(w.send(token, Method::POST, "/api/v1/incidents", Some(&body)).await, 403).await;
        assert_eq!(problem.fields(), vec!["apprenticeship_id"]);
        own.push(id);
    }
    let other = w
        .app
        .create_id("/api/v1/incidents", &incident(&w.placements[1], "2024-10-08"))
        .await;
    let other_path = format!("/api/v1/incidents/{other}");
    assert_eq!(w.app.page("/api/v1/incidents").await.total, 3);
    for token in [&w.school, &w.enterprise] {
        let mut listed = w.ids(token, "/api/v1/incidents").await;
        listed.sort();
        let mut wanted = own.clone();
        wanted.sort();
        assert_eq!(listed, wanted);
        for (method, body) in [
            (Method::GET, None),
            (Method::PATCH, Some(&patch)),
            (Method::DELETE, None),
        ] {
            assert_eq!(
                w.status(token, method.clone(), &other_path, body).await,
                404,
                "{method}"
            );
        }
    }
    assert_eq!(w.ids(&w.officer, "/api/v1/incidents").await.len(), 3);
    assert_eq!(
        w.status(&w.officer, Method::PATCH, &other_path, Some(&patch)).await,
        403
    );
    assert_eq!(w.status(&w.officer, Method::DELETE, &other_path, None).await, 403);
    assert_eq!(w.status(&w.viewer, Method::GET, "/api/v1/incidents", None).await, 403);
    assert_eq!(w.status(&w.viewer, Method::GET, &other_path, None).await, 403);
    assert_eq!(w.app.record(&other_path).await["version"], 1);
    // The admin deletes one, audited.
    assert_eq!(w.app.delete(&other_path).await.status().as_u16(), 204);
    assert_eq!(w.app.get(&other_path).await.status().as_u16(), 404);
    assert_eq!(w.app.audit_of(&other).await[0].action, "delete");
    assert_eq!(w.app.page("/api/v1/incidents").await.total, 2);
}

#[tokio::test]
async fn the_incident_list_filters_by_kind_severity_openness_placement_organisation_and_days_and_sorts_by_the_day() {
    let w = World::new().await;
    let mut ids = Vec::new();
    let rows = [
        (0, "2024-10-08", "injury", "serious", Some("2024-10-20")),
        (1, "2024-09-01", "dispute", "minor", None),
        (0, "2024-11-20", "absence", "major", None),
    ];
    for (placement, day, kind, severity, resolved) in rows {
        let mut body = incident(&w.placements[placement], day);
        body["kind"] = json!(kind);
        body["severity"] = json!(severity);
        body["resolved_on"] = json!(resolved);
        ids.push(w.app.create_id("/api/v1/incidents", &body).await);
    }
    let cases = [
        ("kind=dispute".to_string(), vec![1]),
        ("severity=major".to_string(), vec![2]),
        ("open=true".to_string(), vec![1, 2]),
        ("open=false".to_string(), vec![0]),
        (format!("apprenticeship_id={}", w.placements[0]), vec![0, 2]),
        (format!("school_id={}", w.schools[1]), vec![1]),
        (format!("enterprise_id={}&open=true", w.enterprises[0]), vec![2]),
        ("occurred_from=2024-10-08&occurred_to=2024-10-31".to_string(), vec![0]),
        ("occurred_to=2024-10-08".to_string(), vec![0, 1]),
    ];
    for (query, expected) in cases {
        let mut found = w.ids(&w.app.token, &format!("/api/v1/incidents?{query}")).await;
        found.sort();
        let mut wanted: Vec<String> = expected.iter().map(|i| ids[*i].clone()).collect();
        wanted.sort();
        assert_eq!(found, wanted, "{query}");
    }
    let by_day = w.ids(&w.app.token, "/api/v1/incidents?sort=-occurred_on").await;
    assert_eq!(by_day, vec![ids[2].clone(), ids[0].clone(), ids[1].clone()]);
    let problem = problem_of(w.app.get("/api/v1/incidents?open=maybe").await, 400).await;
    assert_eq!(problem.fields(), vec!["open"]);
}

#[tokio::test]
async fn a_placement_moved_to_another_school_and_enterprise_takes_its_incidents_along_and_one_they_name_is_kept() {
    let w = World::new().await;
    let id = w
        .app
        .create_id("/api/v1/incidents", &incident(&w.placements[0], "2024-10-08"))
        .await;
    w.move_placement_and_check(&format!("/api/v1/incidents/{id}")).await;
    let listed = w
        .ids(
            &w.app.token,
            &format!("/api/v1/incidents?enterprise_id={}", w.enterprises[1]),
        )
        .await;
    assert_eq!(listed, vec![id.clone()]);
    let kinds: Vec<(String, String)> = w
        .app
        .feed("resource_type=incident")
        .await
        .items
        .into_iter()
        .map(|item| (item.resource_id, item.action))
        .collect();
    assert_eq!(
        kinds,
        vec![(id.clone(), "create".into()), (id.clone(), "update".into())]
    );
    let draft = w
        .app
        .create_id(
            "/api/v1/apprenticeships",
            &crate::visits::placement_body(&w.enterprises[0], &w.schools[0]),
        )
        .await;
    w.app
        .create_id("/api/v1/incidents", &incident(&draft, "2024-10-08"))
        .await;
    let problem = problem_of(w.app.delete(&format!("/api/v1/apprenticeships/{draft}")).await, 409).await;
    assert!(problem.detail.contains("reference"), "{}", problem.detail);
    assert_eq!(
        w.app
            .get(&format!("/api/v1/apprenticeships/{draft}"))
            .await
            .status()
            .as_u16(),
        200
    );
}
