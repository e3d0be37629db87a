//! Transfers: a placement ends as `transferred` and a new one begins at
//! another host, linked both ways, in one transaction; the order of checks,
//! every fault of the body, races, retries, and teachers' practice days.

use reqwest::Method;
use serde_json::{json, Value};

use crate::apprenticeships::{county, County};
use crate::helpers::problem_of;

impl County {
    /// `POST /apprenticeships/{id}/transfer` as `role`, with `If-Match` when given.
    async fn transfer(&self, role: &str, id: &str, if_match: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = self
            .app
            .request_as(
                Method::POST,
                &format!("/api/v1/apprenticeships/{id}/transfer"),
                Some(self.token(role)),
            )
            .json(body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.unwrap()
    }

    /// A good transfer of the county's student placement to the other enterprise.
    fn to_other(&self) -> Value {
        json!({
            "enterprise_id": self.other_enterprise, "on": "2025-01-06",
            "reason": "原实习单位停产", "reason_code": "enterprise_closed", "position": "质检员",
            "agreement_signed_on": "2025-01-03", "insurance_policy_no": "PICC-2025-010301",
            "insurance_expires_on": "2025-07-31", "night_shift": false
        })
    }

    /// How many placements the other enterprise hosts.
    async fn hosted_by_other(&self) -> u64 {
        self.app
            .page(&format!(
                "/api/v1/apprenticeships?enterprise_id={}",
                self.other_enterprise
            ))
            .await
            .total
    }

    async fn history(&self, id: &str) -> Vec<Value> {
        let history = self.app.record(&format!("/api/v1/apprenticeships/{id}/history")).await;
        history["items"].as_array().unwrap().clone()
    }
}

#[tokio::test]
async fn a_transfer_ends_the_placement_and_begins_one_at_the_new_host_linked_both_ways() {
    let c = county().await;
    let old = c.placement_in(&c.placement(), "active").await;
    let evaluated = c
        .send(
            "admin",
            Method::POST,
            &format!("/api/v1/apprenticeships/{old}/evaluations"),
            Some(json!({"by": "school", "score": 90})),
        )
        .await;
    assert_eq!(evaluated.status().as_u16(), 201);
    let start = c.app.latest().await;

    let response = c.transfer("school", &old, Some("\"4\""), &c.to_other()).await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let new: Value = response.json().await.unwrap();
    let id = new["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/apprenticeships/{id}"));
    // The new placement: active from `on`, at the new host, the given fields
    // changed, the rest copied but the demand and the evaluations.
    let copied = c.placement();
    for (field, value) in [
        ("status", json!("active")),
        ("enterprise_id", json!(c.other_enterprise)),
        ("school_id", json!(c.school)),
        ("start_date", json!("2025-01-06")),
        ("end_date", copied["end_date"].clone()),
        ("position", json!("质检员")),
        ("site", copied["site"].clone()),
        ("program", copied["program"].clone()),
        ("enterprise_mentor", copied["enterprise_mentor"].clone()),
        ("hours_per_week", copied["hours_per_week"].clone()),
        ("monthly_stipend_fen", copied["monthly_stipend_fen"].clone()),
        ("agreement_signed_on", json!("2025-01-03")),
        ("insurance_policy_no", json!("PICC-2025-010301")),
        ("insurance_expires_on", json!("2025-07-31")),
        ("night_shift", json!(false)),
        ("hazardous", json!(false)),
        ("demand_id", Value::Null),
        ("evaluations", json!([])),
        ("transferred_from", json!(old)),
        ("transferred_to", Value::Null),
        ("version", json!(1)),
    ] {
        assert_eq!(new[field], value, "{field}: {new}");
    }
    assert_eq!(new["participant"]["national_id"], "370101200803150021");
    assert_eq!(c.stored(&id).await, new, "what is stored is what was answered");
    // The old placement: transferred, ended the day before, linked forward.
    let ended = c.stored(&old).await;
    for (field, value) in [
        ("status", json!("transferred")),
        ("enterprise_id", json!(c.enterprise)),
        ("start_date", json!("2024-10-08")),
        ("end_date", json!("2025-01-05")),
        ("transferred_to", json!(id)),
        ("transferred_from", Value::Null),
        ("version", json!(5)),
    ] {
        assert_eq!(ended[field], value, "{field}: {ended}");
    }
    assert_eq!(ended["evaluations"].as_array().unwrap().len(), 1);
    // Each has its history row with the reason and its code.
    let last = c.history(&old).await.pop().unwrap();
    assert_eq!(
        (&last["from"], &last["to"], &last["reason"], &last["reason_code"]),
        (
            &json!("active"),
            &json!("transferred"),
            &json!("原实习单位停产"),
            &json!("enterprise_closed")
        )
    );
    let first = c.history(&id).await;
    assert_eq!(first.len(), 1);
    assert_eq!(
        (
            &first[0]["from"],
            &first[0]["to"],
            &first[0]["reason"],
            &first[0]["reason_code"]
        ),
        (
            &Value::Null,
            &json!("active"),
            &json!("原实习单位停产"),
            &json!("enterprise_closed")
        )
    );
    // The audit trail: a `transfer` of the old one, a `create` of the new.
    let audit = c.app.audit_of(&old).await;
    assert_eq!(audit[0].action, "transfer");
    assert_eq!(
        audit[0].changes,
        Some(json!({
            "status": {"before": "active", "after": "transferred"},
            "end_date": {"before": "2025-04-07", "after": "2025-01-05"},
            "transferred_to": {"before": null, "after": id},
            "reason_code": {"before": null, "after": "enterprise_closed"},
        }))
    );
    let audit = c.app.audit_of(&id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor_username.is_some()),
        ("create", true)
    );
    assert_eq!(audit[0].changes.as_ref().unwrap()["transferred_from"]["after"], old);
    // The change feed: an update of the old one and a create of the new.
    let (items, _) = c.app.follow_as(&c.app.token, &start, 100).await;
    let mut seen: Vec<(String, String, Option<i64>)> = items
        .iter()
        .map(|i| (i.resource_id.clone(), i.action.clone(), i.version))
        .collect();
    seen.sort();
    let mut want = vec![
        (old.clone(), "update".to_string(), Some(5)),
        (id.clone(), "create".to_string(), Some(1)),
    ];
    want.sort();
    assert_eq!(seen, want);
    // The old host keeps reading the old one; only the new host reads the new one.
    for (role, path, status) in [
        ("enterprise", &old, 200),
        ("enterprise", &id, 404),
        ("other_enterprise", &id, 200),
        ("other_enterprise", &old, 404),
        ("school", &old, 200),
        ("school", &id, 200),
    ] {
        let response = c
            .send(role, Method::GET, &format!("/api/v1/apprenticeships/{path}"), None)
            .await;
        assert_eq!(response.status().as_u16(), status, "{role} reading {path}");
    }
    // The statistics count the transferred one.
    let overview = c.app.record("/api/v1/stats/overview").await;
    assert_eq!(overview["apprenticeships"]["by_status"]["transferred"], 1);
    assert_eq!(overview["apprenticeships"]["by_status"]["active"], 1);
    // The links are read-only: a create or a patch naming them is a 422.
    for field in ["transferred_from", "transferred_to"] {
        let mut body = c.placement();
        body[field] = json!(old);
        let response = c
            .send("admin", Method::POST, "/api/v1/apprenticeships", Some(body))
            .await;
        assert_eq!(problem_of(response, 422).await.fields(), vec![field]);
        let response = c
            .send(
                "admin",
                Method::PATCH,
                &format!("/api/v1/apprenticeships/{id}"),
                Some(json!({field: null})),
            )
            .await;
        assert_eq!(problem_of(response, 422).await.fields(), vec![field]);
    }
    // A transferred placement is final: no move, no second transfer.
    let response = c
        .send(
            "admin",
            Method::POST,
            &format!("/api/v1/apprenticeships/{old}/transitions"),
            Some(json!({"to": "active"})),
        )
        .await;
    problem_of(response, 409).await;
    problem_of(c.transfer("admin", &old, None, &c.to_other()).await, 409).await;
    // And `transferred` is no transition's target.
    let response = c
        .send(
            "admin",
            Method::POST,
            &format!("/api/v1/apprenticeships/{id}/transitions"),
            Some(json!({"to": "transferred", "reason": "转岗", "reason_code": "other"})),
        )
        .await;
    problem_of(response, 409).await;
}

#[tokio::test]
async fn every_fault_of_a_transfer_body_is_a_422_naming_its_field_and_changes_nothing() {
    let c = county().await;
    let id = c.placement_in(&c.placement(), "active").await;
    let demand_of_old_host = c
        .app
        .create_id(
            "/api/v1/demands",
            &json!({"enterprise_id": c.enterprise, "kind": "positions", "title": "装配工", "headcount": 3}),
        )
        .await;
    let good = c.to_other();
    let with = |changes: Value| {
        let mut body = good.clone();
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                body.as_object_mut().unwrap().remove(key);
            } else {
                body[key] = value.clone();
            }
        }
        body
    };
    let cases = [
        (json!({}), vec!["enterprise_id", "on", "reason", "reason_code"]),
        (with(json!({"extra": 1})), vec!["extra"]),
        (with(json!({"night_shift": "yes"})), vec!["night_shift"]),
        (with(json!({"transferred_from": id})), vec!["transferred_from"]),
        (with(json!({"reason": "  \t"})), vec!["reason"]),
        (with(json!({"reason_code": "bored"})), vec!["reason_code"]),
        (with(json!({"on": "2024-10-08"})), vec!["on"]),
        (with(json!({"on": "2025-04-08"})), vec!["on"]),
        (with(json!({"on": "2025-02-30"})), vec!["on"]),
        (with(json!({"enterprise_id": c.enterprise})), vec!["enterprise_id"]),
        (
            with(json!({"enterprise_id": "01900000-0000-7000-8000-000000000000"})),
            vec!["enterprise_id"],
        ),
        (
            with(json!({"agreement_signed_on": null, "insurance_policy_no": null})),
            vec!["agreement_signed_on", "insurance_policy_no"],
        ),
        (with(json!({"demand_id": demand_of_old_host})), vec!["demand_id"]),
        (
            with(json!({"base_id": "01900000-0000-7000-8000-000000000000"})),
            vec!["base_id"],
        ),
        (with(json!({"hours_per_week": 44})), vec!["hours_per_week"]),
    ];
    for (body, fields) in cases {
        let problem = problem_of(c.transfer("admin", &id, None, &body).await, 422).await;
        let mut named = problem.fields();
        named.sort();
        assert_eq!(named, fields, "{body}");
    }
    // A first day after today, for a placement without an end.
    let mut open = c.placement();
    open["end_date"] = Value::Null;
    let open = c.placement_in(&open, "active").await;
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(2)).to_string();
    let problem = problem_of(
        c.transfer("admin", &open, None, &with(json!({"on": tomorrow}))).await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["on"]);
    // Nothing changed.
    let stored = c.stored(&id).await;
    assert_eq!((&stored["status"], &stored["version"]), (&json!("active"), &json!(3)));
    assert_eq!(c.history(&id).await.len(), 3);
    assert_eq!(c.hosted_by_other().await, 0);
    // A worker's placement needs no agreement; the admin transfers it.
    let worker = json!({"kind": "worker_training", "enterprise_id": c.enterprise,
                        "participant": {"name": "赵强"}, "start_date": "2024-05-06"});
    let worker = c.placement_in(&worker, "active").await;
    let body = json!({"enterprise_id": c.other_enterprise, "on": "2024-06-03", "reason": "调动", "reason_code": "employment_elsewhere"});
    let response = c.transfer("admin", &worker, None, &body).await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(c.stored(&worker).await["end_date"], "2024-06-02");
}

#[tokio::test]
async fn a_transfer_checks_role_then_scope_then_body_shape_then_if_match_then_status_then_body_rules() {
    let c = county().await;
    let id = c.placement_in(&c.placement(), "suspended").await;
    let bad = json!({"to": "nowhere"});
    // Roles that change no placements: 403, whatever the body.
    for role in ["officer", "viewer", "enterprise"] {
        problem_of(c.transfer(role, &id, None, &bad).await, 403).await;
    }
    // Callers who do not see it: 404.
    for role in ["other_school", "other_enterprise"] {
        problem_of(c.transfer(role, &id, None, &bad).await, 404).await;
    }
    // A body that breaks the schema (unknown field, malformed id) is a 422
    // whatever version it names and whatever the status: it could never succeed.
    let mut malformed = c.to_other();
    malformed["enterprise_id"] = json!("gd85f487-86dc-2941-bb2a-17905308b120");
    let problem = problem_of(c.transfer("school", &id, Some("\"9\""), &malformed).await, 422).await;
    assert!(problem.errors.iter().any(|e| e.field == "enterprise_id"), "{problem:?}");
    problem_of(c.transfer("school", &id, Some("\"9\""), &bad).await, 422).await;
    let draft = c.placement_in(&c.placement(), "draft").await;
    problem_of(c.transfer("school", &draft, None, &malformed).await, 422).await;
    // A well-formed body that breaks a rule (the current host): a stale
    // If-Match first, then the status, then the rule.
    let mut same_host = c.to_other();
    same_host["enterprise_id"] = c.stored(&id).await["enterprise_id"].clone();
    problem_of(c.transfer("school", &id, Some("\"9\""), &same_host).await, 412).await;
    // Only from active or suspended: 409 before the body's rules.
    for status in ["draft", "submitted", "completed", "cancelled"] {
        let other = c.placement_in(&c.placement(), status).await;
        let problem = problem_of(c.transfer("school", &other, None, &same_host).await, 409).await;
        assert!(problem.detail.contains(status), "{}", problem.detail);
        assert_eq!(c.stored(&other).await["status"], status);
    }
    problem_of(c.transfer("school", &id, Some("\"4\""), &same_host).await, 422).await;
    // And a good one from suspended, with the current ETag.
    let response = c.transfer("school", &id, Some("\"4\""), &c.to_other()).await;
    assert_eq!(response.status().as_u16(), 201);
    let last = c.history(&id).await.pop().unwrap();
    assert_eq!(
        (&last["from"], &last["to"]),
        (&json!("suspended"), &json!("transferred"))
    );
    // The refusals are audited.
    let denied = c.app.audit_of(&id).await;
    assert_eq!(denied.iter().filter(|e| e.action == "denied").count(), 3);
}

#[tokio::test]
async fn of_two_transfers_of_one_placement_at_once_exactly_one_makes_a_new_placement() {
    let c = county().await;
    for (round, if_match) in [(1, None), (2, Some("\"3\"")), (3, None)] {
        let id = c.placement_in(&c.placement(), "active").await;
        let body = c.to_other();
        let (a, b) = tokio::join!(
            c.transfer("school", &id, if_match, &body),
            c.transfer("admin", &id, if_match, &body),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        let loser = if if_match.is_some() { 412 } else { 409 };
        assert_eq!(statuses, [201, loser], "round {round}");
        assert_eq!(c.hosted_by_other().await, round, "one new placement a round");
        let stored = c.stored(&id).await;
        assert_eq!(
            (&stored["status"], &stored["version"]),
            (&json!("transferred"), &json!(4))
        );
        assert_eq!(c.history(&id).await.len(), 4);
    }
}

#[tokio::test]
async fn a_retried_transfer_with_its_idempotency_key_answers_the_first_answer_and_transfers_once() {
    let c = county().await;
    let id = c.placement_in(&c.placement(), "active").await;
    let send = || {
        c.app
            .request_as(
                Method::POST,
                &format!("/api/v1/apprenticeships/{id}/transfer"),
                Some(c.token("school")),
            )
            .header("Idempotency-Key", "transfer-li-ming-1")
            .json(&c.to_other())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let location = first.headers()["location"].clone();
    let body: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"], location);
    assert_eq!(again.json::<Value>().await.unwrap(), body);
    assert_eq!(c.hosted_by_other().await, 1);
    assert_eq!(c.stored(&id).await["version"], 4);
}

#[tokio::test]
async fn a_teacher_s_practice_days_keep_counting_across_a_transfer() {
    let c = county().await;
    let teacher = json!({"kind": "teacher_practice", "enterprise_id": c.enterprise, "school_id": c.school,
                         "participant": {"name": "刘志强", "national_id": "370101200803150021"},
                         "start_date": "2024-01-01", "end_date": "2024-12-31"});
    let id = c.placement_in(&teacher, "active").await;
    let days = || async {
        let body = c.app.record("/api/v1/stats/teacher-practice?on=2024-12-31").await;
        let item = &body["items"][0];
        (item["days"].clone(), item["placements"].clone())
    };
    assert_eq!(days().await, (json!(366), json!(1)));
    let body = json!({"enterprise_id": c.other_enterprise, "on": "2024-07-01",
                      "reason": "轮岗实践", "reason_code": "school_decision"});
    let response = c.transfer("school", &id, None, &body).await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(days().await, (json!(366), json!(2)), "the same days, in two placements");
}
