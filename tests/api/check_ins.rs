//! Check-ins: the participant's `in` and `out` on its active placement,
//! once each a day; the coordinates shown only to the participant, the
//! owning school and admins; the day rules under concurrency; bad input;
//! and the supervisor's view of the placements without an `in`.

use futures_util::future::join;
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::changes::Item;
use crate::helpers::problem_of;
use crate::participant_world::{active_placement, day, World, NATIONAL_ID};

impl World {
    /// POST a check-in on placement `n` as `token`.
    async fn check_in(&self, token: &str, n: usize, body: &Value) -> Response {
        self.post_on(token, n, "check-ins", body).await
    }

    /// Placement `n`'s check-ins as `token`'s caller (200 expected).
    async fn check_ins(&self, token: &str, n: usize, query: &str) -> Value {
        let path = format!("/api/v1/apprenticeships/{}/check-ins?{query}", self.placements[n]);
        let response = self.send(token, Method::GET, &path, None).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        response.json().await.unwrap()
    }

    /// How many check-ins placement `n` has, as the admin reads them.
    async fn check_ins_stored(&self, n: usize) -> u64 {
        self.app
            .list(&format!("/api/v1/apprenticeships/{}/check-ins", self.placements[n]))
            .await["total"]
            .as_u64()
            .unwrap()
    }

    /// The missing check-ins as `token`'s caller.
    async fn missing(&self, token: &str, query: &str) -> Response {
        self.send(token, Method::GET, &format!("/api/v1/check-ins/missing?{query}"), None)
            .await
    }
}

fn ids(items: &Value, key: &str) -> Vec<String> {
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_participant_checks_in_and_out_today_and_the_coordinates_show_only_to_it_its_school_and_admins() {
    let w = World::new().await;
    let body =
        json!({"kind": "in", "latitude": 36.651216, "longitude": 117.120128, "accuracy_m": 12.5, "note": "早班"});
    let response = w.check_in(&w.participant, 0, &body).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/check-ins/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["on"], day(0).as_str());
    assert_eq!(created["kind"], "in");
    assert_eq!(created["apprenticeship_id"], w.placements[0].as_str());
    assert_eq!(created["school_id"], w.schools[0].as_str());
    assert_eq!(created["enterprise_id"], w.enterprise.as_str());
    assert_eq!(created["latitude"], 36.651216);
    assert_eq!(created["longitude"], 117.120128);
    assert_eq!(created["accuracy_m"], 12.5);
    assert_eq!(created["at"], created["created_at"]);
    let out = w.check_in(&w.participant, 0, &json!({"kind": "out"})).await;
    assert_eq!(out.status().as_u16(), 201);
    let out: Value = out.json().await.unwrap();
    assert_eq!(out["latitude"], Value::Null);

    // Newest first, to everyone who reads the placement; coordinates to some.
    for (token, sees) in [
        (&w.participant, true),
        (&w.school, true),
        (&w.enterprise_user, false),
        (&w.officer, false),
    ] {
        let page = w.check_ins(token, 0, "").await;
        assert_eq!(ids(&page, "kind"), vec!["out", "in"]);
        assert_eq!(page["total"], 2);
        let expected = if sees { json!(36.651216) } else { Value::Null };
        assert_eq!(page["items"][1]["latitude"], expected);
        assert_eq!(page["items"][1]["accuracy_m"], 12.5, "the accuracy is no secret");
    }
    let admin = w.app.record(&location).await;
    assert_eq!(admin["longitude"], 117.120128);
    let officer: Value = w
        .send(&w.officer, Method::GET, &location, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(officer["longitude"], Value::Null);
    // `from` and `to` are days.
    assert_eq!(w.check_ins(&w.school, 0, &format!("from={}", day(1))).await["total"], 0);
    assert_eq!(w.check_ins(&w.school, 0, &format!("to={}", day(0))).await["total"], 2);

    // Audited, and in the feed of those who read the placement.
    let audit = w.app.audit_of(created["id"].as_str().unwrap()).await;
    assert_eq!(audit.len(), 1);
    let trail = w
        .app
        .list(&format!(
            "/api/v1/audit-events?resource_id={}",
            created["id"].as_str().unwrap()
        ))
        .await;
    let changes = &trail["items"][0]["changes"];
    assert_eq!(changes["kind"]["after"], "in", "{changes}");
    assert_eq!(
        changes["latitude"]["after"],
        Value::Null,
        "the trail keeps no position: {changes}"
    );
    assert_eq!(changes["longitude"]["after"], Value::Null, "{changes}");
    let entries: Vec<Item> = w.app.feed_as(&w.school, "resource_type=check_in").await.items;
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|item| item.action == "create"));
    assert!(w
        .app
        .feed_as(&w.other_school, "resource_type=check_in")
        .await
        .items
        .is_empty());
}

#[tokio::test]
async fn one_in_and_one_out_a_day_and_the_out_only_after_the_in() {
    let w = World::new().await;
    let early = problem_of(w.check_in(&w.participant, 0, &json!({"kind": "out"})).await, 409).await;
    assert_eq!(early.fields(), vec!["kind"]);
    assert_eq!(w.check_ins_stored(0).await, 0);
    for kind in ["in", "out"] {
        assert_eq!(
            w.check_in(&w.participant, 0, &json!({"kind": kind}))
                .await
                .status()
                .as_u16(),
            201
        );
        let again = problem_of(w.check_in(&w.participant, 0, &json!({"kind": kind})).await, 409).await;
        assert_eq!(again.fields(), vec!["kind"]);
        assert!(again.detail.contains(kind), "{}", again.detail);
    }
    assert_eq!(w.check_ins_stored(0).await, 2);
}

#[tokio::test]
async fn two_ins_sent_at_once_give_one_201_and_one_409() {
    let w = World::new().await;
    for kind in ["in", "out"] {
        let (a, b) = join(
            w.check_in(&w.participant, 0, &json!({"kind": kind})),
            w.check_in(&w.participant, 0, &json!({"kind": kind})),
        )
        .await;
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{kind}");
    }
    assert_eq!(w.check_ins_stored(0).await, 2);
}

#[tokio::test]
async fn a_check_in_on_anothers_or_an_inactive_placement_or_with_bad_values_is_refused_and_nothing_is_stored() {
    let w = World::new().await;
    // A body that breaks a rule between its fields is a 422 before the placement is looked at.
    let half = json!({"kind": "in", "latitude": 36.6});
    let problem = problem_of(w.check_in(&w.participant, 1, &half).await, 422).await;
    assert_eq!(problem.fields(), vec!["longitude"]);
    // Someone else's placement: 404, whoever's it is.
    assert_eq!(
        w.check_in(&w.participant, 1, &json!({"kind": "in"}))
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        w.check_in(&w.other_participant, 0, &json!({"kind": "in"}))
            .await
            .status()
            .as_u16(),
        404
    );
    // Only a participant checks in: 403 for staff, 404 for a placement they do not read.
    for token in [&w.school, &w.enterprise_user, &w.officer] {
        let problem = problem_of(w.check_in(token, 0, &json!({"kind": "in"})).await, 403).await;
        assert!(problem.detail.contains("check-ins"), "{}", problem.detail);
    }
    assert_eq!(
        w.check_in(&w.other_school, 0, &json!({"kind": "in"}))
            .await
            .status()
            .as_u16(),
        404
    );
    let admin = w
        .app
        .post_json(
            &format!("/api/v1/apprenticeships/{}/check-ins", w.placements[0]),
            &json!({"kind": "in"}),
        )
        .await;
    assert_eq!(admin.status().as_u16(), 403);
    // Bad values: 422 naming each.
    for (body, fields) in [
        (
            json!({"kind": "in", "latitude": 91, "longitude": 117.1}),
            vec!["latitude"],
        ),
        (
            json!({"kind": "in", "latitude": 36.6512161, "longitude": 117.1}),
            vec!["latitude"],
        ),
        (
            json!({"kind": "in", "latitude": 36.6, "longitude": -180.5}),
            vec!["longitude"],
        ),
        (json!({"kind": "in", "latitude": 36.6}), vec!["longitude"]),
        (json!({"kind": "in", "accuracy_m": 10000.5}), vec!["accuracy_m"]),
        (json!({"kind": "in", "note": "字".repeat(501)}), vec!["note"]),
        (json!({"kind": "arrive"}), vec!["kind"]),
        (
            json!({"latitude": "36.6", "longitude": 117.1}),
            vec!["kind", "latitude"],
        ),
        (json!({"kind": "in", "on": day(-1)}), vec!["on"]),
    ] {
        let response = w.check_in(&w.participant, 0, &body).await;
        assert_eq!(response.status().as_u16(), 422, "{body}");
        let problem = problem_of(response, 422).await;
        let mut got = problem.fields();
        got.sort();
        assert_eq!(got, fields, "{body}");
    }
    assert_eq!(w.check_ins_stored(0).await, 0);
    // A placement that is not active, or not today: 409.
    let draft = w
        .app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({"kind": "student_internship", "enterprise_id": w.enterprise, "school_id": w.schools[0],
                "participant": {"name": "李明", "national_id": NATIONAL_ID}, "start_date": day(-10)}),
        )
        .await;
    let path = format!("/api/v1/apprenticeships/{draft}/check-ins");
    let problem = problem_of(
        w.send(&w.participant, Method::POST, &path, Some(&json!({"kind": "in"})))
            .await,
        409,
    )
    .await;
    assert!(problem.detail.contains("draft"), "{}", problem.detail);
    let ended = w
        .app
        .patch_json(
            &format!("/api/v1/apprenticeships/{}", w.placements[0]),
            &json!({"end_date": day(-1)}),
        )
        .await;
    assert_eq!(ended.status().as_u16(), 200);
    let problem = problem_of(w.check_in(&w.participant, 0, &json!({"kind": "in"})).await, 409).await;
    assert!(problem.detail.contains("dates"), "{}", problem.detail);
    assert_eq!(w.check_ins_stored(0).await, 0);
    // A viewer reads no check-ins; q is no filter of theirs.
    let path = format!("/api/v1/apprenticeships/{}/check-ins", w.placements[0]);
    assert_eq!(w.send(&w.viewer, Method::GET, &path, None).await.status().as_u16(), 403);
    assert_eq!(
        w.send(&w.other_school, Method::GET, &path, None)
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(w.app.get(&format!("{path}?q=x")).await.status().as_u16(), 400);
}

#[tokio::test]
async fn the_missing_check_ins_list_each_scopes_active_student_placements_without_an_in_today() {
    let w = World::new().await;
    let third = active_placement(&w.app, &w.enterprise, &w.schools[0], "张伟", "110101199003074477").await;
    // Not in the view: a suspended placement, one that ended yesterday, and a
    // worker's training (no student kind).
    let suspended = active_placement(&w.app, &w.enterprise, &w.schools[0], "赵静", "110101199003071110").await;
    let response = w
        .app
        .post_json(
            &format!("/api/v1/apprenticeships/{suspended}/transitions"),
            &json!({"to": "suspended", "reason_code": "health"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let ended = active_placement(&w.app, &w.enterprise, &w.schools[0], "陈磊", "11010119900307221X").await;
    let response = w
        .app
        .patch_json(
            &format!("/api/v1/apprenticeships/{ended}"),
            &json!({"end_date": day(-1)}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let worker = w
        .app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({"kind": "worker_training", "enterprise_id": w.enterprise,
                    "participant": {"name": "刘志强"}, "start_date": day(-3)}),
        )
        .await;
    for to in ["submitted", "active"] {
        let path = format!("/api/v1/apprenticeships/{worker}/transitions");
        assert_eq!(w.app.post_json(&path, &json!({"to": to})).await.status().as_u16(), 200);
    }
    let page: Value = w.missing(&w.school, "").await.json().await.unwrap();
    assert_eq!(page["on"], day(0).as_str());
    assert_eq!(page["total"], 2);
    let mut expected = vec![w.placements[0].clone(), third.clone()];
    expected.sort();
    assert_eq!(ids(&page, "apprenticeship_id"), expected);
    assert_eq!(
        w.check_in(&w.participant, 0, &json!({"kind": "in"}))
            .await
            .status()
            .as_u16(),
        201
    );
    let page: Value = w.missing(&w.school, "").await.json().await.unwrap();
    assert_eq!(ids(&page, "apprenticeship_id"), vec![third.clone()]);
    assert_eq!(page["items"][0]["participant_name"], "张伟");
    // Yesterday everyone was missing, the placement that ended then too.
    let page: Value = w
        .missing(&w.school, &format!("on={}", day(-1)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 3);
    // The admin pages through the county; the enterprise reads those it hosts.
    let first: Value = w.app.list("/api/v1/check-ins/missing?limit=1").await;
    assert_eq!(first["total"], 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = w
        .app
        .list(&format!("/api/v1/check-ins/missing?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(second["next_cursor"], Value::Null);
    assert_ne!(first["items"][0], second["items"][0]);
    let hosted: Value = w.missing(&w.enterprise_user, "").await.json().await.unwrap();
    assert_eq!(hosted["total"], 2);
    let narrowed: Value = w
        .missing(&w.officer, &format!("school_id={}", w.schools[1]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&narrowed, "apprenticeship_id"), vec![w.placements[1].clone()]);
    // Another school named, a viewer, a participant: 403.
    let problem = problem_of(w.missing(&w.school, &format!("school_id={}", w.schools[1])).await, 403).await;
    assert_eq!(problem.fields(), vec!["school_id"]);
    assert_eq!(w.missing(&w.viewer, "").await.status().as_u16(), 403);
    assert_eq!(w.missing(&w.participant, "").await.status().as_u16(), 403);
    // Exported like every list.
    let csv = w
        .app
        .request(Method::GET, "/api/v1/check-ins/missing")
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.contains("participant_name"), "{text}");
    assert!(text.contains("张伟"), "{text}");
    assert_eq!(text.trim_end().lines().count(), 3, "{text}");
}

#[tokio::test]
async fn neither_a_participants_password_nor_its_coordinates_reach_the_log_even_at_debug_level() {
    use crate::helpers::{admin_token_at, start_process_logging_to, token_at, FreshDatabase};
    let database = FreshDatabase::new().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("service.log");
    let (mut service, base) = start_process_logging_to(&database.url, &[("CHANJIAO_LOG", "debug")], &log).await;
    let client = reqwest::Client::new();
    let admin = admin_token_at(&base).await;
    let post = |path: &str, token: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let created = |response: Response| async move {
        assert_eq!(response.status().as_u16(), 201);
        response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let enterprise = created(
        post("/api/v1/enterprises", &admin, json!({"name": "辰泰重钢"}))
            .await
            .unwrap(),
    )
    .await;
    let school = created(
        post("/api/v1/schools", &admin, json!({"name": "县职教中心"}))
            .await
            .unwrap(),
    )
    .await;
    let placement = created(
        post(
            "/api/v1/apprenticeships",
            &admin,
            json!({"kind": "student_internship", "enterprise_id": enterprise, "school_id": school,
                "participant": {"name": "李明", "national_id": NATIONAL_ID}, "start_date": day(-3),
                "agreement_signed_on": day(-5), "insurance_policy_no": "PICC-2026-001"}),
        )
        .await
        .unwrap(),
    )
    .await;
    for to in ["submitted", "active"] {
        let path = format!("/api/v1/apprenticeships/{placement}/transitions");
        assert_eq!(
            post(&path, &admin, json!({"to": to})).await.unwrap().status().as_u16(),
            200
        );
    }
    let first = "first passphrase of li ming";
    let account = format!("/api/v1/apprenticeships/{placement}/participant-account");
    let response = post(&account, &admin, json!({"username": "li.ming", "password": first}))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let token = token_at(&base, "li.ming", first).await;
    let second = "second passphrase of li ming";
    let changed = post(
        "/api/v1/auth/password",
        &token,
        json!({"current_password": first, "password": second}),
    )
    .await
    .unwrap();
    assert_eq!(changed.status().as_u16(), 204);
    let path = format!("/api/v1/apprenticeships/{placement}/check-ins");
    let body = json!({"kind": "in", "latitude": 36.651216, "longitude": 117.120128});
    assert_eq!(post(&path, &token, body).await.unwrap().status().as_u16(), 201);
    service.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("check-ins"), "the requests are logged: {text}");
    for secret in [first, second, "36.651216", "117.120128", "36651216", "117120128"] {
        assert!(!text.contains(secret), "`{secret}` is in the log");
    }
}

#[tokio::test]
async fn a_placements_resident_id_stays_once_its_participant_has_checked_in() {
    let w = World::new().await;
    let path = format!("/api/v1/apprenticeships/{}", w.placements[0]);
    let other = crate::participant_world::OTHER_ID;
    // Before any check-in it may be corrected (and back).
    for id in [other, NATIONAL_ID] {
        let response = w
            .app
            .patch_json(&path, &json!({"participant": {"national_id": id}}))
            .await;
        assert_eq!(response.status().as_u16(), 200);
    }
    assert_eq!(
        w.check_in(
            &w.participant,
            0,
            &json!({"kind": "in", "latitude": 36.6, "longitude": 117.1})
        )
        .await
        .status()
        .as_u16(),
        201
    );
    let problem = problem_of(
        w.app
            .patch_json(&path, &json!({"participant": {"national_id": other}}))
            .await,
        409,
    )
    .await;
    assert_eq!(problem.fields(), vec!["participant.national_id"]);
    let placement = w.app.record(&path).await;
    assert_eq!(placement["participant"]["national_id"], NATIONAL_ID);
    // The other person never reads the first one's check-ins; other changes go on.
    let list = format!("{path}/check-ins");
    assert_eq!(
        w.send(&w.other_participant, Method::GET, &list, None)
            .await
            .status()
            .as_u16(),
        404
    );
    let response = w.app.patch_json(&path, &json!({"position": "焊工"})).await;
    assert_eq!(response.status().as_u16(), 200);
}
