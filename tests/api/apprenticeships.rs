//! Placements: fields and rules, the status machine (every cell of who moves
//! what, the order of checks, activation), history, evaluations, masking,
//! scope, and referential integrity.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{encode, problem_of, spawn_app, TestApp};

/// A county: a host enterprise and a school with their users, another
/// enterprise and school with theirs, an officer and a viewer.
pub(crate) struct County {
    pub(crate) app: TestApp,
    pub(crate) enterprise: String,
    pub(crate) school: String,
    pub(crate) other_enterprise: String,
    pub(crate) other_school: String,
    tokens: Vec<(&'static str, String)>,
}

pub(crate) async fn county() -> County {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for name in ["辰泰重钢", "华建五分厂"] {
        ids.push(
            app.create_record("/api/v1/enterprises", &json!({"name": name}))
                .await
                .id,
        );
    }
    for name in ["县职教中心", "县技工学校"] {
        ids.push(app.create_record("/api/v1/schools", &json!({"name": name})).await.id);
    }
    let mut tokens = vec![("admin", app.token.clone())];
    tokens.push(("officer", app.user_with_role("officer", None, None).await.1));
    tokens.push(("viewer", app.user_with_role("viewer", None, None).await.1));
    tokens.push(("school", app.user_with_role("school", None, Some(&ids[2])).await.1));
    tokens.push((
        "enterprise",
        app.user_with_role("enterprise", Some(&ids[0]), None).await.1,
    ));
    tokens.push((
        "other_school",
        app.user_with_role("school", None, Some(&ids[3])).await.1,
    ));
    tokens.push((
        "other_enterprise",
        app.user_with_role("enterprise", Some(&ids[1]), None).await.1,
    ));
    County {
        app,
        enterprise: ids[0].clone(),
        school: ids[2].clone(),
        other_enterprise: ids[1].clone(),
        other_school: ids[3].clone(),
        tokens,
    }
}

/// A reason code for a move to `to`: one for the moves that take one, none for the others.
fn code_for(to: &str) -> Value {
    match to {
        "draft" | "suspended" | "terminated" | "cancelled" => json!("student_request"),
        _ => Value::Null,
    }
}

const ROLES: [&str; 7] = [
    "admin",
    "officer",
    "viewer",
    "school",
    "enterprise",
    "other_school",
    "other_enterprise",
];

impl County {
    pub(crate) fn token(&self, role: &str) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }

    pub(crate) async fn send(&self, role: &str, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut request = self.app.request_as(method, path, Some(self.token(role)));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub(crate) fn placement(&self) -> Value {
        json!({
            "kind": "student_internship", "enterprise_id": self.enterprise, "school_id": self.school,
            "participant": {"name": "李明", "student_no": "2023040112", "national_id": "370101200803150021", "phone": "13812345678"},
            "program": "2022级数控班岗位实习", "major": "数控技术应用", "position": "装配工", "site": "华建五分厂",
            "enterprise_mentor": "王建国", "school_supervisor": "谭刚",
            "start_date": "2024-10-08", "end_date": "2025-04-07", "hours_per_week": 40, "monthly_stipend_fen": 250000,
            "agreement_signed_on": "2024-09-20", "insurance_policy_no": "PICC-2024-081501"
        })
    }

    pub(crate) async fn create(&self, body: &Value) -> String {
        self.app.create_record("/api/v1/apprenticeships", body).await.id
    }

    /// Moves a placement as the admin, panicking unless it moves.
    pub(crate) async fn admin_move(&self, id: &str, to: &str) {
        let response = self
            .send(
                "admin",
                Method::POST,
                &format!("/api/v1/apprenticeships/{id}/transitions"),
                Some(json!({"to": to, "reason": "测试", "reason_code": code_for(to)})),
            )
            .await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "admin moving {id} to {to}: {body}");
    }

    /// A new placement brought to `status` by the admin.
    pub(crate) async fn placement_in(&self, body: &Value, status: &str) -> String {
        let id = self.create(body).await;
        let path: &[&str] = match status {
            "draft" => &[],
            "submitted" => &["submitted"],
            "active" => &["submitted", "active"],
            "suspended" => &["submitted", "active", "suspended"],
            "completed" => &["submitted", "active", "completed"],
            "cancelled" => &["cancelled"],
            other => panic!("{other}"),
        };
        for to in path {
            self.admin_move(&id, to).await;
        }
        id
    }

    pub(crate) async fn stored(&self, id: &str) -> Value {
        self.app.record(&format!("/api/v1/apprenticeships/{id}")).await
    }
}

#[tokio::test]
async fn a_placement_is_created_in_draft_with_every_field_and_its_role_filled_in() {
    let c = county().await;
    let created = c.app.create_record("/api/v1/apprenticeships", &c.placement()).await;
    assert_eq!(created.location, format!("/api/v1/apprenticeships/{}", created.id));
    let body = &created.body;
    for (field, value) in c.placement().as_object().unwrap() {
        if field != "participant" {
            assert_eq!(&body[field], value, "{field}");
        }
    }
    assert_eq!(body["participant"]["role"], "student");
    assert_eq!(body["participant"]["national_id"], "370101200803150021");
    assert_eq!(body["status"], "draft");
    assert_eq!(body["evaluations"], json!([]));
    assert_eq!(c.stored(&created.id).await, created.body);
    let history = c
        .app
        .record(&format!("/api/v1/apprenticeships/{}/history", created.id))
        .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    assert_eq!(history["items"][0]["from"], Value::Null);
    assert_eq!(history["items"][0]["to"], "draft");
    assert_eq!(history["items"][0]["actor"]["username"], "admin");
}

#[tokio::test]
async fn the_kind_fixes_the_role_the_school_and_the_weekly_hours() {
    let c = county().await;
    let mut body = c.placement();
    body["participant"]["role"] = json!("worker");
    body["school_id"] = Value::Null;
    body["hours_per_week"] = json!(41);
    body["end_date"] = json!("2024-01-01");
    let problem = problem_of(c.app.post_json("/api/v1/apprenticeships", &body).await, 422).await;
    assert_eq!(
        problem.fields(),
        vec!["participant.role", "school_id", "hours_per_week", "end_date"]
    );
    // A worker's training needs no school, and may have 60 hours.
    let worker = json!({
        "kind": "worker_training", "enterprise_id": c.enterprise,
        "participant": {"name": "赵强", "role": "worker"}, "start_date": "2024-05-06", "hours_per_week": 60,
    });
    let created = c.app.create_record("/api/v1/apprenticeships", &worker).await;
    assert_eq!(created.body["school_id"], Value::Null);
    // A teacher's practice may have more than 40, but not more than 60.
    let mut teacher = json!({
        "kind": "teacher_practice", "enterprise_id": c.enterprise, "school_id": c.school,
        "participant": {"name": "谭刚"}, "start_date": "2024-07-01", "hours_per_week": 50,
    });
    let created = c.app.create_record("/api/v1/apprenticeships", &teacher).await;
    assert_eq!(created.body["participant"]["role"], "teacher");
    teacher["hours_per_week"] = json!(61);
    let problem = problem_of(c.app.post_json("/api/v1/apprenticeships", &teacher).await, 422).await;
    assert_eq!(problem.fields(), vec!["hours_per_week"]);
    // A patch is judged by the same rules; changing the kind re-derives the role.
    let path = format!("/api/v1/apprenticeships/{}", created.id);
    let problem = problem_of(c.app.patch_json(&path, &json!({"kind": "order_class"})).await, 422).await;
    assert_eq!(problem.fields(), vec!["hours_per_week"]);
    let response = c
        .app
        .patch_json(&path, &json!({"kind": "order_class", "hours_per_week": 30}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["participant"]["role"], "student");
    let problem = problem_of(
        c.app
            .patch_json(&path, &json!({"participant": {"role": "teacher"}}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["participant.role"]);
}

#[tokio::test]
async fn every_invalid_field_is_named_by_its_path_and_ids_must_name_records() {
    let c = county().await;
    let mut body = c.placement();
    body["participant"]["national_id"] = json!("110105194912310021");
    body["participant"]["phone"] = json!("12345");
    body["participant"]["nickname"] = json!("小李");
    body["monthly_stipend_fen"] = json!(-1);
    body["kind"] = json!("summer_job");
    body["status"] = json!("active");
    let problem = problem_of(c.app.post_json("/api/v1/apprenticeships", &body).await, 422).await;
    assert_eq!(
        problem.fields(),
        vec![
            "kind",
            "monthly_stipend_fen",
            "participant.national_id",
            "participant.nickname",
            "participant.phone",
            "status"
        ]
    );
    let mut body = c.placement();
    body["enterprise_id"] = json!("01900000-0000-7000-8000-000000000000");
    body["school_id"] = json!("01900000-0000-7000-8000-000000000001");
    let problem = problem_of(c.app.post_json("/api/v1/apprenticeships", &body).await, 422).await;
    assert_eq!(problem.fields(), vec!["enterprise_id", "school_id"]);
    assert_eq!(problem.errors[0].code, "not_found");
    assert_eq!(c.app.page("/api/v1/apprenticeships").await.total, 0);
}

/// The expected answer of `role` making the move `from → to` of a placement of `kind`.
fn expected(role: &str, mover: &str, has_school: bool) -> u16 {
    match role {
        "admin" => 200,
        "officer" | "viewer" => 403,
        "other_school" | "other_enterprise" => 404,
        // A school user does not even see a placement without a school.
        "school" if !has_school => 404,
        "school" => {
            if matches!(mover, "school" | "either") {
                200
            } else {
                403
            }
        }
        "enterprise" => {
            if mover == "enterprise" || mover == "either" || (mover == "school" && !has_school) {
                200
            } else {
                403
            }
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn every_cell_of_who_moves_what_holds_for_placements_with_and_without_a_school() {
    let c = county().await;
    let worker = json!({
        "kind": "worker_training", "enterprise_id": c.enterprise,
        "participant": {"name": "赵强"}, "start_date": "2024-05-06",
    });
    let moves = [
        ("draft", "submitted", "school"),
        ("draft", "cancelled", "school"),
        ("submitted", "cancelled", "school"),
        ("submitted", "active", "enterprise"),
        ("submitted", "draft", "enterprise"),
        ("active", "suspended", "either"),
        ("suspended", "active", "either"),
        ("active", "terminated", "either"),
        ("suspended", "terminated", "either"),
        ("active", "completed", "school"),
    ];
    for (body, has_school) in [(c.placement(), true), (worker, false)] {
        for (from, to, mover) in moves {
            for role in ROLES {
                let id = c.placement_in(&body, from).await;
                let response = c
                    .send(
                        role,
                        Method::POST,
                        &format!("/api/v1/apprenticeships/{id}/transitions"),
                        Some(json!({"to": to, "reason": "按计划", "reason_code": code_for(to)})),
                    )
                    .await;
                let want = expected(role, mover, has_school);
                assert_eq!(
                    response.status().as_u16(),
                    want,
                    "{role}: {from} → {to} (school: {has_school})"
                );
                let stored = c.stored(&id).await;
                let now = if want == 200 { to } else { from };
                assert_eq!(stored["status"], now, "{role}: {from} → {to}");
            }
        }
    }
}

#[tokio::test]
async fn a_transition_checks_role_then_scope_then_if_match_then_legality_then_side_then_data() {
    let c = county().await;
    let id = c.create(&c.placement()).await;
    let path = format!("/api/v1/apprenticeships/{id}/transitions");
    let send = |role: &'static str, if_match: Option<&'static str>, body: Value| {
        let c = &c;
        let path = path.clone();
        async move {
            let mut request = c.app.request_as(Method::POST, &path, Some(c.token(role))).json(&body);
            if let Some(tag) = if_match {
                request = request.header("If-Match", tag);
            }
            request.send().await.unwrap()
        }
    };
    // A role with no moves: 403, even for an illegal move and a malformed body.
    problem_of(send("officer", None, json!({"to": "completed"})).await, 403).await;
    problem_of(send("viewer", None, json!({"to": 5})).await, 403).await;
    // Another organisation's placement: 404 before legality.
    problem_of(send("other_school", None, json!({"to": "completed"})).await, 404).await;
    // A stale If-Match before legality.
    problem_of(send("school", Some("\"9\""), json!({"to": "completed"})).await, 412).await;
    // No such move from draft: 409, even for the wrong side.
    let problem = problem_of(send("enterprise", None, json!({"to": "completed"})).await, 409).await;
    assert_eq!(problem.fields(), vec!["to"]);
    // A legal move of the other side: 403.
    problem_of(send("enterprise", None, json!({"to": "submitted"})).await, 403).await;
    // The move's data: cancelling needs a reason.
    let problem = problem_of(send("school", None, json!({"to": "cancelled"})).await, 422).await;
    assert_eq!(problem.fields(), vec!["reason"]);
    // A body that is no transition: 422 naming its fields.
    let problem = problem_of(send("school", None, json!({"to": "finished", "extra": 1})).await, 422).await;
    assert_eq!(problem.fields(), vec!["extra", "to"]);
    // And a good one moves it, bumps the version and says so in the ETag.
    let response = send("school", Some("\"1\""), json!({"to": "submitted"})).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let moved: Value = response.json().await.unwrap();
    assert_eq!(
        (moved["status"].as_str(), moved["version"].as_i64()),
        (Some("submitted"), Some(2))
    );
}

#[tokio::test]
async fn an_empty_or_blank_reason_is_no_reason_to_return_terminate_or_cancel() {
    let c = county().await;
    let body = c.placement();
    for (status, to) in [("submitted", "draft"), ("active", "terminated"), ("draft", "cancelled")] {
        let id = c.placement_in(&body, status).await;
        let path = format!("/api/v1/apprenticeships/{id}/transitions");
        for reason in ["", " ", "\t\n　"] {
            let response = c
                .send(
                    "admin",
                    Method::POST,
                    &path,
                    Some(json!({"to": to, "reason": reason, "reason_code": code_for(to)})),
                )
                .await;
            let problem = problem_of(response, 422).await;
            assert_eq!(problem.fields(), vec!["reason"], "{status} → {to} with {reason:?}");
        }
        assert_eq!(c.stored(&id).await["status"], status, "nothing moved");
        let response = c
            .send(
                "admin",
                Method::POST,
                &path,
                Some(json!({"to": to, "reason": "  学生转学  ", "reason_code": code_for(to)})),
            )
            .await;
        assert_eq!(response.status().as_u16(), 200, "{status} → {to} with a reason");
    }
    // A move that needs no reason stores a blank one as none.
    let id = c.placement_in(&body, "draft").await;
    let response = c
        .send(
            "admin",
            Method::POST,
            &format!("/api/v1/apprenticeships/{id}/transitions"),
            Some(json!({"to": "submitted", "reason": "   "})),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let history = c.app.record(&format!("/api/v1/apprenticeships/{id}/history")).await;
    assert_eq!(history["items"][1]["reason"], Value::Null, "{history}");
}

#[tokio::test]
async fn a_reason_code_comes_only_with_returns_suspensions_terminations_and_cancellations_and_terminations_need_one() {
    let c = county().await;
    let body = c.placement();
    let move_as = |role: &'static str, id: &str, transition: Value| {
        let (c, path) = (&c, format!("/api/v1/apprenticeships/{id}/transitions"));
        async move { c.send(role, Method::POST, &path, Some(transition)).await }
    };
    // A move that takes no code: 422 naming it, and nothing moves.
    for (from, to) in [
        ("draft", "submitted"),
        ("submitted", "active"),
        ("suspended", "active"),
        ("active", "completed"),
    ] {
        let id = c.placement_in(&body, from).await;
        let response = move_as("admin", &id, json!({"to": to, "reason_code": "health"})).await;
        let problem = problem_of(response, 422).await;
        assert_eq!(problem.fields(), vec!["reason_code"], "{from} → {to}");
        assert_eq!(c.stored(&id).await["status"], from, "{from} → {to}");
    }
    // A termination without a code, or with one outside the vocabulary: 422 naming it.
    let id = c.placement_in(&body, "active").await;
    for code in [Value::Null, json!("bored"), json!(7)] {
        let response = move_as(
            "admin",
            &id,
            json!({"to": "terminated", "reason": "学生因病休学", "reason_code": code}),
        )
        .await;
        let problem = problem_of(response, 422).await;
        assert_eq!(problem.fields(), vec!["reason_code"], "{code}");
    }
    assert_eq!(c.stored(&id).await["status"], "active");
    // With one, it moves; the history shows the code and the audit row carries it.
    let response = move_as(
        "school",
        &id,
        json!({"to": "terminated", "reason": "学生因病休学", "reason_code": "health"}),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let history = c.app.record(&format!("/api/v1/apprenticeships/{id}/history")).await;
    let codes: Vec<&Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["reason_code"])
        .collect();
    assert_eq!(
        codes,
        [&Value::Null, &Value::Null, &Value::Null, &json!("health")],
        "{history}"
    );
    assert_eq!(history["items"][3]["reason"], "学生因病休学");
    let audit = c.app.audit_of(&id).await;
    let moved = audit.iter().find(|e| e.action == "transition").unwrap();
    assert_eq!(
        moved.changes,
        Some(json!({
            "status": {"before": "active", "after": "terminated"},
            "reason_code": {"before": null, "after": "health"},
        }))
    );
    // Returns, suspensions and cancellations may have one or not.
    for (from, to, code) in [
        ("submitted", "draft", json!("enterprise_request")),
        ("active", "suspended", json!("safety")),
        ("active", "suspended", Value::Null),
        ("draft", "cancelled", json!("further_study")),
        ("submitted", "cancelled", Value::Null),
    ] {
        let id = c.placement_in(&body, from).await;
        let response = move_as("admin", &id, json!({"to": to, "reason": "按计划", "reason_code": code})).await;
        assert_eq!(response.status().as_u16(), 200, "{from} → {to} with {code}");
        let history = c.app.record(&format!("/api/v1/apprenticeships/{id}/history")).await;
        let items = history["items"].as_array().unwrap();
        assert_eq!(items.last().unwrap()["reason_code"], code);
    }
}

#[tokio::test]
async fn a_student_placement_becomes_active_only_with_agreement_insurance_and_sixteen_years() {
    let c = county().await;
    let mut body = c.placement();
    body["agreement_signed_on"] = Value::Null;
    body["insurance_policy_no"] = Value::Null;
    body["participant"]["national_id"] = Value::Null;
    let id = c.placement_in(&body, "submitted").await;
    let path = format!("/api/v1/apprenticeships/{id}/transitions");
    let activate = || c.send("enterprise", Method::POST, &path, Some(json!({"to": "active"})));
    let problem = problem_of(activate().await, 422).await;
    assert_eq!(
        problem.fields(),
        vec!["agreement_signed_on", "insurance_policy_no", "participant.birth_date"]
    );
    let record = format!("/api/v1/apprenticeships/{id}");
    // Fifteen on the first day (born 2008-10-09, starting 2024-10-08).
    let fix = json!({"agreement_signed_on": "2024-09-20", "insurance_policy_no": "PICC-1", "participant": {"birth_date": "2008-10-09"}});
    assert_eq!(c.app.patch_json(&record, &fix).await.status().as_u16(), 200);
    let problem = problem_of(activate().await, 422).await;
    assert_eq!(problem.fields(), vec!["participant.birth_date"]);
    assert_eq!(problem.errors[0].code, "range");
    // Sixteen that day: the resident ID's birth date counts when birth_date is cleared.
    let by_id = json!({"participant": {"birth_date": null, "national_id": "370101200803150021"}});
    assert_eq!(c.app.patch_json(&record, &by_id).await.status().as_u16(), 200);
    assert_eq!(activate().await.status().as_u16(), 200);
    assert_eq!(c.stored(&id).await["status"], "active");
    // A worker's training needs none of it.
    let worker = json!({"kind": "worker_training", "enterprise_id": c.enterprise, "participant": {"name": "赵强"}, "start_date": "2024-05-06"});
    let id = c.placement_in(&worker, "submitted").await;
    c.admin_move(&id, "active").await;
}

#[tokio::test]
async fn of_two_racing_transitions_from_one_status_exactly_one_wins() {
    let c = county().await;
    for _ in 0..3 {
        let id = c.create(&c.placement()).await;
        let path = format!("/api/v1/apprenticeships/{id}/transitions");
        let (a, b) = tokio::join!(
            c.send("school", Method::POST, &path, Some(json!({"to": "submitted"}))),
            c.send("school", Method::POST, &path, Some(json!({"to": "submitted"}))),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{id}");
        let history = c.app.record(&format!("/api/v1/apprenticeships/{id}/history")).await;
        assert_eq!(history["items"].as_array().unwrap().len(), 2);
        assert_eq!(c.stored(&id).await["version"], 2);
    }
}

#[tokio::test]
async fn the_history_lists_every_transition_oldest_first() {
    let c = county().await;
    let id = c.placement_in(&c.placement(), "suspended").await;
    c.admin_move(&id, "terminated").await;
    let history = c.app.record(&format!("/api/v1/apprenticeships/{id}/history")).await;
    let steps: Vec<(Value, Value)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["from"].clone(), i["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("draft")),
            (json!("draft"), json!("submitted")),
            (json!("submitted"), json!("active")),
            (json!("active"), json!("suspended")),
            (json!("suspended"), json!("terminated")),
        ]
    );
    assert_eq!(history["items"][4]["reason"], "测试");
    let audit = c.app.audit_of(&id).await;
    assert_eq!(audit.iter().filter(|e| e.action == "transition").count(), 4);
    problem_of(
        c.send(
            "other_enterprise",
            Method::GET,
            &format!("/api/v1/apprenticeships/{id}/history"),
            None,
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn each_side_evaluates_once_while_active_or_completed() {
    let c = county().await;
    let draft = c.create(&c.placement()).await;
    let evaluate = |role: &'static str, id: String, body: Value| {
        let c = &c;
        async move {
            c.send(
                role,
                Method::POST,
                &format!("/api/v1/apprenticeships/{id}/evaluations"),
                Some(body),
            )
            .await
        }
    };
    problem_of(evaluate("school", draft.clone(), json!({"score": 90})).await, 409).await;
    let id = c.placement_in(&c.placement(), "active").await;
    problem_of(evaluate("officer", id.clone(), json!({"score": 90})).await, 403).await;
    problem_of(
        evaluate("other_enterprise", id.clone(), json!({"score": 90})).await,
        404,
    )
    .await;
    let problem = problem_of(
        evaluate("school", id.clone(), json!({"score": 101, "by": "school"})).await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["score"]);
    let problem = problem_of(
        evaluate("school", id.clone(), json!({"score": 90, "by": "enterprise"})).await,
        403,
    )
    .await;
    assert_eq!(problem.fields(), vec!["by"]);
    let problem = problem_of(evaluate("admin", id.clone(), json!({"score": 90})).await, 422).await;
    assert_eq!(problem.fields(), vec!["by"]);
    let response = evaluate("enterprise", id.clone(), json!({"score": 92, "comment": "操作规范"})).await;
    assert_eq!(response.status().as_u16(), 201);
    let evaluation: Value = response.json().await.unwrap();
    assert_eq!(
        (evaluation["by"].as_str(), evaluation["score"].as_i64()),
        (Some("enterprise"), Some(92))
    );
    problem_of(evaluate("enterprise", id.clone(), json!({"score": 80})).await, 409).await;
    problem_of(
        evaluate("admin", id.clone(), json!({"score": 80, "by": "enterprise"})).await,
        409,
    )
    .await;
    assert_eq!(
        evaluate("school", id.clone(), json!({"score": 88}))
            .await
            .status()
            .as_u16(),
        201
    );
    let stored = c.stored(&id).await;
    assert_eq!(stored["evaluations"].as_array().unwrap().len(), 2);
    assert_eq!(stored["version"], 5, "created, two transitions and two evaluations");
    assert_eq!(
        c.app
            .audit_of(&id)
            .await
            .iter()
            .filter(|e| e.action == "evaluate")
            .count(),
        2
    );
}

#[tokio::test]
async fn personal_data_is_whole_only_for_admins_and_the_owning_school() {
    let c = county().await;
    let id = c.create(&c.placement()).await;
    let path = format!("/api/v1/apprenticeships/{id}");
    for (role, whole) in [
        ("admin", true),
        ("school", true),
        ("officer", false),
        ("enterprise", false),
    ] {
        let one: Value = c.send(role, Method::GET, &path, None).await.json().await.unwrap();
        let page: Value = c
            .send(role, Method::GET, "/api/v1/apprenticeships", None)
            .await
            .json()
            .await
            .unwrap();
        for participant in [&one["participant"], &page["items"][0]["participant"]] {
            let (id, phone) = if whole {
                ("370101200803150021", "13812345678")
            } else {
                ("370101********0021", "138****5678")
            };
            assert_eq!(
                (participant["national_id"].as_str(), participant["phone"].as_str()),
                (Some(id), Some(phone)),
                "{role}"
            );
        }
    }
    // A landline is masked by its digits; the audit trail masks for everyone, the admin included.
    c.app
        .patch_json(&path, &json!({"participant": {"phone": "0536-1234567"}}))
        .await;
    let one: Value = c.send("officer", Method::GET, &path, None).await.json().await.unwrap();
    assert_eq!(one["participant"]["phone"], "053****4567");
    let audit = c.app.audit_of(&id).await;
    let changes = audit[0].changes.clone().unwrap();
    assert_eq!(
        changes["participant.phone"],
        json!({"before": "138****5678", "after": "053****4567"})
    );
    let created = audit[1].changes.clone().unwrap();
    assert_eq!(created["participant.national_id"]["after"], "370101********0021");
    assert!(!serde_json::to_string(&audit[1].changes)
        .unwrap()
        .contains("200803150021"));
}

#[tokio::test]
async fn viewers_get_403_others_404_and_only_the_owning_school_and_admins_write() {
    let c = county().await;
    let id = c.create(&c.placement()).await;
    let path = format!("/api/v1/apprenticeships/{id}");
    let body = c.placement();
    let calls: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/apprenticeships".into(), None),
        (Method::POST, "/api/v1/apprenticeships".into(), Some(body.clone())),
        (Method::GET, path.clone(), None),
        (Method::PATCH, path.clone(), Some(json!({"site": "x"}))),
        (Method::DELETE, path.clone(), None),
        (Method::GET, format!("{path}/history"), None),
        (
            Method::POST,
            format!("{path}/transitions"),
            Some(json!({"to": "submitted"})),
        ),
        (Method::POST, format!("{path}/evaluations"), Some(json!({"score": 1}))),
    ];
    for (method, target, body) in &calls {
        let response = c.send("viewer", method.clone(), target, body.clone()).await;
        problem_of(response, 403).await;
    }
    for role in ["other_school", "other_enterprise"] {
        for (method, target, body) in calls.iter().skip(2) {
            let response = c.send(role, method.clone(), target, body.clone()).await;
            problem_of(response, 404).await;
        }
        let listed: Value = c
            .send(role, Method::GET, "/api/v1/apprenticeships", None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 0, "{role}");
    }
    // Officers read everything and change nothing; enterprises read what they host.
    for (method, target, body) in calls.iter().skip(1) {
        let status = c
            .send("officer", method.clone(), target, body.clone())
            .await
            .status()
            .as_u16();
        let reads = *method == Method::GET;
        assert_eq!(status, if reads { 200 } else { 403 }, "officer {method} {target}");
    }
    problem_of(
        c.send(
            "enterprise",
            Method::POST,
            "/api/v1/apprenticeships",
            Some(body.clone()),
        )
        .await,
        403,
    )
    .await;
    problem_of(
        c.send("enterprise", Method::PATCH, &path, Some(json!({"site": "x"})))
            .await,
        403,
    )
    .await;
    // A school user names only its own school.
    let mut theirs = body.clone();
    theirs["school_id"] = json!(c.other_school);
    let problem = problem_of(
        c.send("school", Method::POST, "/api/v1/apprenticeships", Some(theirs))
            .await,
        403,
    )
    .await;
    assert_eq!(problem.fields(), vec!["school_id"]);
    let problem = problem_of(
        c.send(
            "school",
            Method::PATCH,
            &path,
            Some(json!({"school_id": c.other_school})),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(problem.fields(), vec!["school_id"]);
    assert_eq!(
        c.send("school", Method::POST, "/api/v1/apprenticeships", Some(body))
            .await
            .status()
            .as_u16(),
        201
    );
    let stored = c.stored(&id).await;
    assert_eq!(
        (stored["site"].as_str(), stored["version"].as_i64()),
        (Some("华建五分厂"), Some(1))
    );
    // Every refusal above is in the audit trail.
    let denied = c
        .app
        .page(&format!(
            "/api/v1/audit-events?action=denied&resource_id={id}&limit=100"
        ))
        .await;
    assert!(denied.total >= 8, "{}", denied.total);
    assert!(denied.items.iter().all(|e| e["resource_type"] == "apprenticeship"));
    let _ = &c.other_enterprise;
}

#[tokio::test]
async fn placements_keep_their_enterprise_and_school_and_go_only_from_draft_or_cancelled() {
    let c = county().await;
    let id = c.placement_in(&c.placement(), "submitted").await;
    let enterprise = format!("/api/v1/enterprises/{}", c.enterprise);
    let school = format!("/api/v1/schools/{}", c.school);
    problem_of(c.app.delete(&enterprise).await, 409).await;
    problem_of(c.app.delete(&school).await, 409).await;
    c.app.record(&enterprise).await;
    c.app.record(&school).await;
    let path = format!("/api/v1/apprenticeships/{id}");
    problem_of(c.app.delete(&path).await, 409).await;
    c.admin_move(&id, "cancelled").await;
    assert_eq!(c.app.delete(&path).await.status().as_u16(), 204);
    problem_of(c.app.get(&path).await, 404).await;
    let draft = c.create(&c.placement()).await;
    let response = c
        .send(
            "school",
            Method::DELETE,
            &format!("/api/v1/apprenticeships/{draft}"),
            None,
        )
        .await;
    assert_eq!(response.status().as_u16(), 204);
}

#[tokio::test]
async fn placements_filter_by_status_kind_organisations_dates_and_script_blind_search() {
    let c = county().await;
    let a = c.placement_in(&c.placement(), "active").await;
    let mut order = c.placement();
    order["kind"] = json!("order_class");
    order["program"] = json!("辰泰重钢焊接订单班");
    order["participant"]["name"] = json!("張偉");
    order["start_date"] = json!("2025-03-01");
    order["end_date"] = Value::Null;
    let b = c.create(&order).await;
    let worker = json!({"kind": "worker_training", "enterprise_id": c.other_enterprise, "participant": {"name": "赵强"}, "start_date": "2024-05-06", "end_date": "2024-06-06"});
    let w = c.create(&worker).await;
    let ids = |query: String| {
        let c = &c;
        async move {
            let page = c
                .app
                .page(&format!("/api/v1/apprenticeships?sort=start_date&{query}"))
                .await;
            assert_eq!(page.total as usize, page.items.len());
            page.items
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("status=active".into()).await, vec![a.clone()]);
    assert_eq!(ids("kind=order_class".into()).await, vec![b.clone()]);
    assert_eq!(ids(format!("school_id={}", c.school)).await, vec![a.clone(), b.clone()]);
    assert_eq!(
        ids(format!("enterprise_id={}", c.other_enterprise)).await,
        vec![w.clone()]
    );
    assert_eq!(ids("active_on=2024-05-20".into()).await, vec![w.clone()]);
    assert_eq!(ids("active_on=2025-03-15".into()).await, vec![a.clone(), b.clone()]);
    assert_eq!(ids("active_on=2026-01-01".into()).await, vec![b.clone()]);
    assert_eq!(
        ids("start_from=2024-10-08&start_to=2025-03-01".into()).await,
        vec![a.clone(), b.clone()]
    );
    assert_eq!(ids("start_from=2024-10-09".into()).await, vec![b.clone()]);
    assert_eq!(ids(format!("q={}", encode("张伟"))).await, vec![b.clone()]);
    assert_eq!(ids(format!("q={}", encode("焊接訂單"))).await, vec![b.clone()]);
    assert_eq!(ids(format!("q={}", encode("数控"))).await, vec![a.clone()]);
    let down = c.app.page("/api/v1/apprenticeships?sort=-start_date").await;
    let sorted: Vec<&str> = down.items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(sorted, vec![b.as_str(), a.as_str(), w.as_str()]);
    for bad in [
        "status=done",
        "kind=x",
        "active_on=2024-13-01",
        "school_id=x",
        "sort=name",
    ] {
        problem_of(c.app.get(&format!("/api/v1/apprenticeships?{bad}")).await, 400).await;
    }
}

#[tokio::test]
async fn the_total_is_exact_through_creates_deletes_transitions_and_scopes() {
    let c = county().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(c.create(&c.placement()).await);
    }
    let worker = json!({"kind": "worker_training", "enterprise_id": c.other_enterprise, "participant": {"name": "赵强"}, "start_date": "2024-05-06"});
    c.create(&worker).await;
    assert_eq!(c.app.page("/api/v1/apprenticeships").await.total, 4);
    assert_eq!(c.app.page("/api/v1/apprenticeships?limit=1").await.total, 4);
    assert_eq!(
        c.app
            .delete(&format!("/api/v1/apprenticeships/{}", ids[0]))
            .await
            .status()
            .as_u16(),
        204
    );
    assert_eq!(c.app.page("/api/v1/apprenticeships").await.total, 3);
    let officer: Value = c
        .send("officer", Method::GET, "/api/v1/apprenticeships", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(officer["total"], 3);
    // Scoped and filtered lists count what they show.
    let school: Value = c
        .send("school", Method::GET, "/api/v1/apprenticeships", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(school["total"], 2);
    assert_eq!(
        c.app.page("/api/v1/apprenticeships?kind=worker_training").await.total,
        1
    );
    // A failed create leaves the count as it was.
    let mut bad = c.placement();
    bad["enterprise_id"] = json!("01900000-0000-7000-8000-000000000000");
    problem_of(c.app.post_json("/api/v1/apprenticeships", &bad).await, 422).await;
    assert_eq!(c.app.page("/api/v1/apprenticeships").await.total, 3);
    // Status and kind alone are counted from the tallies, which follow every transition.
    c.placement_in(&c.placement(), "active").await;
    for (query, total) in [
        ("status=draft", 3),
        ("status=active", 1),
        ("status=completed", 0),
        ("status=draft&kind=student_internship", 2),
        ("status=draft&kind=worker_training", 1),
        ("kind=student_internship", 3),
        ("status=active&kind=order_class", 0),
    ] {
        let page = c.app.page(&format!("/api/v1/apprenticeships?{query}&limit=1")).await;
        assert_eq!(page.total, total, "{query}");
    }
}

#[tokio::test]
async fn a_repeated_placement_list_follows_every_write_at_once_and_stays_masked_per_caller() {
    let c = county().await;
    let first = c.create(&c.placement()).await;
    let list = "/api/v1/apprenticeships?sort=start_date&limit=1";
    // The same page twice (the second may come from this replica's cache).
    for _ in 0..2 {
        let page = c.app.page(list).await;
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0]["participant"]["national_id"], "370101200803150021");
    }
    // An officer asking the very same list sees it masked; the admin still does not.
    for _ in 0..2 {
        let officer: Value = c.send("officer", Method::GET, list, None).await.json().await.unwrap();
        assert_eq!(officer["items"][0]["participant"]["national_id"], "370101********0021");
        assert_eq!(officer["items"][0]["participant"]["phone"], "138****5678");
    }
    assert_eq!(
        c.app.page(list).await.items[0]["participant"]["national_id"],
        "370101200803150021"
    );
    // A change of the record shows in the next read of the same list.
    let response = c
        .app
        .patch_json(
            &format!("/api/v1/apprenticeships/{first}"),
            &json!({"position": "质检员"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let page = c.app.page(list).await;
    assert_eq!(page.items[0]["position"], "质检员");
    assert_eq!(page.items[0]["version"], 2);
    // So does a transition, an earlier placement (a new first page) and its delete.
    c.admin_move(&first, "submitted").await;
    assert_eq!(c.app.page(list).await.items[0]["status"], "submitted");
    let mut earlier = c.placement();
    earlier["start_date"] = json!("2024-09-01");
    let second = c.create(&earlier).await;
    let page = c.app.page(list).await;
    assert_eq!((page.total, page.items[0]["id"].as_str()), (2, Some(second.as_str())));
    assert!(page.next_cursor.is_some());
    let deleted = c.app.delete(&format!("/api/v1/apprenticeships/{second}")).await;
    assert_eq!(deleted.status().as_u16(), 204);
    let page = c.app.page(list).await;
    assert_eq!((page.total, page.items[0]["id"].as_str()), (1, Some(first.as_str())));
    assert!(page.next_cursor.is_none());
}

#[tokio::test]
async fn a_placement_export_is_scoped_and_masked_as_the_json_list() {
    let c = county().await;
    c.create(&c.placement()).await;
    let csv = |role: &'static str| {
        let c = &c;
        async move {
            let response = c
                .send(role, Method::GET, "/api/v1/apprenticeships?format=csv", None)
                .await;
            assert_eq!(response.status().as_u16(), 200, "{role}");
            let text = response.text().await.unwrap();
            let text = text.trim_start_matches('\u{feff}').to_string();
            text.lines().map(str::to_string).collect::<Vec<_>>()
        }
    };
    let admin = csv("admin").await;
    assert_eq!(admin.len(), 2);
    assert!(admin[0].contains("身份证号 participant.national_id"));
    assert!(admin[1].contains("370101200803150021"), "{}", admin[1]);
    let officer = csv("officer").await;
    assert!(
        officer[1].contains("370101********0021") && officer[1].contains("138****5678"),
        "{}",
        officer[1]
    );
    assert!(!officer[1].contains("370101200803150021"));
    assert_eq!(
        csv("other_school").await.len(),
        1,
        "another school's export has the header only"
    );
    let refused = c
        .send("viewer", Method::GET, "/api/v1/apprenticeships?format=csv", None)
        .await;
    assert_eq!(refused.status().as_u16(), 403);
}

#[tokio::test]
async fn night_shift_hazard_insurance_end_and_enrolment_round_trip_and_default_to_false_and_null() {
    let c = county().await;
    let plain = c
        .app
        .create_record("/api/v1/apprenticeships", &c.placement())
        .await
        .body;
    assert_eq!(plain["night_shift"], false);
    assert_eq!(plain["hazardous"], false);
    assert_eq!(plain["insurance_expires_on"], Value::Null);
    assert_eq!(plain["participant"]["enrolled_on"], Value::Null);

    let mut body = c.placement();
    body["night_shift"] = json!(true);
    body["hazardous"] = json!(true);
    body["insurance_expires_on"] = json!("2025-04-07");
    // Enrolled after the start: the contract has no rule between the two.
    body["participant"]["enrolled_on"] = json!("2024-10-09");
    let created = c.app.create_record("/api/v1/apprenticeships", &body).await;
    for field in ["night_shift", "hazardous", "insurance_expires_on"] {
        assert_eq!(created.body[field], body[field], "{field}");
    }
    assert_eq!(created.body["participant"]["enrolled_on"], "2024-10-09");
    assert_eq!(c.stored(&created.id).await, created.body);

    // A patch merges the participant key by key and clears the date with null.
    let path = format!("/api/v1/apprenticeships/{}", created.id);
    let response = c
        .app
        .patch_json(
            &path,
            &json!({"night_shift": false, "insurance_expires_on": null, "participant": {"enrolled_on": "2022-09-01"}}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["night_shift"], false);
    assert_eq!(changed["hazardous"], true, "left as it was");
    assert_eq!(changed["insurance_expires_on"], Value::Null);
    assert_eq!(changed["participant"]["enrolled_on"], "2022-09-01");
    assert_eq!(changed["participant"]["national_id"], "370101200803150021");
    assert_eq!(changed["version"], 2);
    let response = c
        .app
        .patch_json(&path, &json!({"participant": {"enrolled_on": null}}))
        .await;
    let cleared: Value = response.json().await.unwrap();
    assert_eq!(cleared["participant"]["enrolled_on"], Value::Null);
    assert_eq!(cleared["participant"]["name"], "李明");
    // A flag has a value: null does not clear it.
    let problem = problem_of(c.app.patch_json(&path, &json!({"hazardous": null})).await, 422).await;
    assert_eq!(problem.fields(), vec!["hazardous"]);

    // The school's and the enterprise's users see them, the officer too.
    for role in ["school", "enterprise", "officer"] {
        let response = c.send(role, Method::GET, &path, None).await;
        let seen: Value = response.json().await.unwrap();
        assert_eq!(seen["hazardous"], true, "{role}");
        assert_eq!(seen["participant"]["enrolled_on"], Value::Null, "{role}");
    }
}

#[tokio::test]
async fn bad_flags_and_dates_are_each_named_in_one_422_and_nothing_is_stored() {
    let c = county().await;
    let mut body = c.placement();
    body["night_shift"] = json!("yes");
    body["hazardous"] = json!(1);
    body["insurance_expires_on"] = json!("2025-02-30");
    body["participant"]["enrolled_on"] = json!("2101-09-01");
    let problem = problem_of(c.app.post_json("/api/v1/apprenticeships", &body).await, 422).await;
    assert_eq!(
        problem.fields(),
        vec![
            "hazardous",
            "insurance_expires_on",
            "night_shift",
            "participant.enrolled_on"
        ]
    );
    for (field, value) in [
        ("insurance_expires_on", json!("1899-12-31")),
        ("insurance_expires_on", json!("20250331")),
        ("night_shift", Value::Null),
    ] {
        let mut body = c.placement();
        body[field] = value.clone();
        let problem = problem_of(c.app.post_json("/api/v1/apprenticeships", &body).await, 422).await;
        assert_eq!(problem.fields(), vec![field], "{value}");
    }
    let mut body = c.placement();
    body["participant"]["enrolled_on"] = json!(20230901);
    let problem = problem_of(c.app.post_json("/api/v1/apprenticeships", &body).await, 422).await;
    assert_eq!(problem.fields(), vec!["participant.enrolled_on"]);
    assert_eq!(c.app.page("/api/v1/apprenticeships").await.total, 0);

    // A patch is judged alike and changes nothing when refused.
    let id = c.create(&c.placement()).await;
    let path = format!("/api/v1/apprenticeships/{id}");
    let response = c
        .app
        .patch_json(
            &path,
            &json!({"night_shift": "true", "participant": {"enrolled_on": "1899-09-01"}}),
        )
        .await;
    let problem = problem_of(response, 422).await;
    assert_eq!(problem.fields(), vec!["night_shift", "participant.enrolled_on"]);
    let stored = c.stored(&id).await;
    assert_eq!(
        (
            &stored["version"],
            &stored["night_shift"],
            &stored["participant"]["enrolled_on"]
        ),
        (&json!(1), &json!(false), &Value::Null)
    );
}

#[tokio::test]
async fn the_placement_export_carries_the_new_fields_in_their_own_columns() {
    let c = county().await;
    let mut body = c.placement();
    body["night_shift"] = json!(true);
    body["insurance_expires_on"] = json!("2025-03-31");
    body["participant"]["enrolled_on"] = json!("2023-09-01");
    c.create(&body).await;
    let text = c
        .app
        .get("/api/v1/apprenticeships?format=csv")
        .await
        .text()
        .await
        .unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let cell = |header: &str| {
        let column = rows[0]
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("{header} in {:?}", rows[0]));
        rows[1][column].as_str()
    };
    assert_eq!(cell("夜班 night_shift"), "true");
    assert_eq!(cell("禁忌作业 hazardous"), "false");
    assert_eq!(cell("保险到期日期 insurance_expires_on"), "2025-03-31");
    assert_eq!(cell("入学日期 participant.enrolled_on"), "2023-09-01");
}
