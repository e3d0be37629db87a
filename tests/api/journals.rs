//! Journals: the participant's weekly journal, one a week, reviewed once
//! per submission by each side (returned → changed → submitted again, both
//! reviews cleared; both approved → final); who reads, writes and reviews
//! which; bad input; the list and its filters.

use futures_util::future::join;
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::changes::Item;
use crate::helpers::problem_of;
use crate::participant_world::{monday, World};

impl World {
    /// POST a journal on placement `n` as `token`.
    async fn write(&self, token: &str, n: usize, body: &Value) -> Response {
        self.post_on(token, n, "journals", body).await
    }

    /// The participant's journal of the week `weeks` from this one; its id.
    async fn written(&self, weeks: i64) -> String {
        let body = json!({"week_of": monday(weeks), "content": "本周在焊接车间跟岗。", "hours_worked": 38});
        let response = self.write(&self.participant, 0, &body).await;
        assert_eq!(response.status().as_u16(), 201);
        let journal: Value = response.json().await.unwrap();
        journal["id"].as_str().unwrap().to_string()
    }

    /// POST a review of journal `id` as `token`.
    async fn review(&self, token: &str, id: &str, body: &Value) -> Response {
        self.send(
            token,
            Method::POST,
            &format!("/api/v1/journals/{id}/reviews"),
            Some(body),
        )
        .await
    }

    /// A review that must succeed; the journal after it.
    async fn reviewed(&self, token: &str, id: &str, body: &Value) -> Value {
        let response = self.review(token, id, body).await;
        assert_eq!(response.status().as_u16(), 200, "{body}");
        response.json().await.unwrap()
    }

    /// How many journals there are, as the admin lists them.
    async fn journals_stored(&self) -> u64 {
        self.app.list("/api/v1/journals").await["total"].as_u64().unwrap()
    }
}

fn sides(journal: &Value) -> Vec<(String, String)> {
    journal["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["side"].as_str().unwrap().to_string(),
                r["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_journal_both_sides_approve_is_final_and_every_step_is_audited_and_in_the_feed() {
    let w = World::new().await;
    let body = json!({"week_of": monday(-1), "content": "本周在焊接车间跟岗，学习了二氧化碳保护焊。", "hours_worked": 38, "night_hours": 0});
    let response = w.write(&w.participant, 0, &body).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let journal: Value = response.json().await.unwrap();
    let id = journal["id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/api/v1/journals/{id}"));
    assert_eq!(journal["status"], "submitted");
    assert_eq!(journal["reviews"], json!([]));
    assert_eq!(journal["school_id"], w.schools[0].as_str());
    assert_eq!(journal["enterprise_id"], w.enterprise.as_str());
    assert_eq!(journal["week_of"], monday(-1).as_str());

    let after = w
        .reviewed(
            &w.enterprise_user,
            &id,
            &json!({"decision": "approved", "comment": "表现良好"}),
        )
        .await;
    assert_eq!(after["status"], "submitted", "one side is not enough");
    assert_eq!(sides(&after), vec![("enterprise".into(), "approved".into())]);
    assert_eq!(after["reviews"][0]["comment"], "表现良好");
    assert!(after["reviews"][0]["by"]["username"].is_string());
    let after = w.reviewed(&w.school, &id, &json!({"decision": "approved"})).await;
    assert_eq!(after["status"], "approved");
    assert_eq!(after["version"], 3);
    // Final: no change, no further review.
    let problem = problem_of(
        w.send(
            &w.participant,
            Method::PATCH,
            &location,
            Some(&json!({"content": "改"})),
        )
        .await,
        409,
    )
    .await;
    assert!(problem.detail.contains("approved"), "{}", problem.detail);
    let admin = w
        .app
        .post_json(
            &format!("{location}/reviews"),
            &json!({"decision": "returned", "comment": "x", "side": "school"}),
        )
        .await;
    assert_eq!(admin.status().as_u16(), 409);
    // Read by each side and the participant, with the reviews.
    for token in [&w.participant, &w.school, &w.enterprise_user, &w.officer] {
        let read: Value = w.send(token, Method::GET, &location, None).await.json().await.unwrap();
        assert_eq!(read["status"], "approved");
        assert_eq!(read["reviews"].as_array().unwrap().len(), 2);
    }
    // The trail: a create and two reviews; the feed: a create and two updates.
    let actions: Vec<String> = w.app.audit_of(&id).await.into_iter().map(|row| row.action).collect();
    assert_eq!(actions, vec!["review", "review", "create"]);
    let entries: Vec<Item> = w.app.feed_as(&w.school, "resource_type=journal").await.items;
    let versions: Vec<Option<i64>> = entries.iter().map(|item| item.version).collect();
    assert_eq!(versions, vec![Some(1), Some(2), Some(3)]);
    assert!(w
        .app
        .feed_as(&w.other_school, "resource_type=journal")
        .await
        .items
        .is_empty());
}

#[tokio::test]
async fn a_returned_journal_changed_by_its_participant_is_submitted_again_with_both_reviews_cleared() {
    let w = World::new().await;
    let id = w.written(-2).await;
    let path = format!("/api/v1/journals/{id}");
    w.reviewed(&w.enterprise_user, &id, &json!({"decision": "approved"}))
        .await;
    // Returning needs a comment.
    let problem = problem_of(w.review(&w.school, &id, &json!({"decision": "returned"})).await, 422).await;
    assert_eq!(problem.fields(), vec!["comment"]);
    let returned = w
        .reviewed(
            &w.school,
            &id,
            &json!({"decision": "returned", "comment": "请补充安全培训内容。"}),
        )
        .await;
    assert_eq!(returned["status"], "returned");
    // Nobody reviews a returned journal; the participant changes it.
    assert_eq!(
        w.review(&w.enterprise_user, &id, &json!({"decision": "approved"}))
            .await
            .status()
            .as_u16(),
        409
    );
    let same = w
        .send(&w.participant, Method::PATCH, &path, Some(&json!({"hours_worked": 38})))
        .await;
    assert_eq!(same.status().as_u16(), 200);
    let same: Value = same.json().await.unwrap();
    assert_eq!(same["status"], "returned", "the same values change nothing");
    let response = w
        .send(
            &w.participant,
            Method::PATCH,
            &path,
            Some(&json!({"content": "本周在焊接车间跟岗；周三参加了安全培训。"})),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["status"], "submitted");
    assert_eq!(changed["reviews"], json!([]), "both sides' reviews are cleared");
    // Staff do not change a journal; another participant does not see it.
    assert_eq!(
        w.send(&w.school, Method::PATCH, &path, Some(&json!({"content": "改"})))
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        w.send(
            &w.other_participant,
            Method::PATCH,
            &path,
            Some(&json!({"content": "改"}))
        )
        .await
        .status()
        .as_u16(),
        404
    );
    // The fields a participant may not change.
    let problem = problem_of(
        w.send(
            &w.participant,
            Method::PATCH,
            &path,
            Some(&json!({"week_of": monday(-3), "status": "approved"})),
        )
        .await,
        422,
    )
    .await;
    let mut fields = problem.fields();
    fields.sort();
    assert_eq!(fields, vec!["status", "week_of"]);
    w.reviewed(&w.school, &id, &json!({"decision": "approved"})).await;
    let done = w
        .reviewed(&w.enterprise_user, &id, &json!({"decision": "approved"}))
        .await;
    assert_eq!(done["status"], "approved");
}

#[tokio::test]
async fn each_side_reviews_once_per_submission_and_only_its_own_side() {
    let w = World::new().await;
    let id = w.written(-1).await;
    // Roles that review none: 403; a journal the caller does not read: 404.
    for token in [&w.officer, &w.viewer, &w.participant] {
        assert_eq!(
            w.review(token, &id, &json!({"decision": "approved"}))
                .await
                .status()
                .as_u16(),
            403
        );
    }
    assert_eq!(
        w.review(&w.other_school, &id, &json!({"decision": "approved"}))
            .await
            .status()
            .as_u16(),
        404
    );
    // The other side's review: 403 naming `side`; an admin names a side.
    let problem = problem_of(
        w.review(
            &w.enterprise_user,
            &id,
            &json!({"decision": "approved", "side": "school"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(problem.fields(), vec!["side"]);
    let problem = problem_of(
        w.app
            .post_json(
                &format!("/api/v1/journals/{id}/reviews"),
                &json!({"decision": "approved"}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["side"]);
    let response = w
        .app
        .post_json(
            &format!("/api/v1/journals/{id}/reviews"),
            &json!({"decision": "approved", "side": "enterprise"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let problem = problem_of(
        w.review(&w.enterprise_user, &id, &json!({"decision": "approved"}))
            .await,
        409,
    )
    .await;
    assert_eq!(problem.fields(), vec!["side"]);
    // A stale If-Match: 412; a bad body: 422.
    let stale = w
        .app
        .request_as(Method::POST, &format!("/api/v1/journals/{id}/reviews"), Some(&w.school))
        .header("If-Match", "\"1\"")
        .json(&json!({"decision": "approved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);
    let problem = problem_of(
        w.review(
            &w.school,
            &id,
            &json!({"decision": "maybe", "comment": "字".repeat(1001)}),
        )
        .await,
        422,
    )
    .await;
    let mut fields = problem.fields();
    fields.sort();
    assert_eq!(fields, vec!["comment", "decision"]);
    let read: Value = w.app.record(&format!("/api/v1/journals/{id}")).await;
    assert_eq!(sides(&read), vec![("enterprise".into(), "approved".into())]);
}

#[tokio::test]
async fn a_journal_outside_its_placement_or_week_or_rules_is_refused_naming_what_is_wrong_and_nothing_is_stored() {
    let w = World::new().await;
    let good = json!({"week_of": monday(-1), "content": "本周跟岗。"});
    let tuesday =
        (chrono::NaiveDate::parse_from_str(&monday(-1), "%Y-%m-%d").unwrap() + chrono::Duration::days(1)).to_string();
    for (body, fields) in [
        (json!({"week_of": tuesday, "content": "x"}), vec!["week_of"]),
        (json!({"week_of": monday(1), "content": "x"}), vec!["week_of"]),
        (json!({"week_of": monday(-6), "content": "x"}), vec!["week_of"]),
        (
            json!({"week_of": monday(-1), "content": "字".repeat(5001)}),
            vec!["content"],
        ),
        (json!({"week_of": monday(-1), "content": ""}), vec!["content"]),
        (
            json!({"week_of": monday(-1), "content": "x", "hours_worked": 85, "night_hours": -1}),
            vec!["hours_worked", "night_hours"],
        ),
        (json!({"week_of": monday(-1)}), vec!["content"]),
        (
            json!({"week_of": monday(-1), "content": "x", "status": "approved"}),
            vec!["status"],
        ),
    ] {
        let response = w.write(&w.participant, 0, &body).await;
        assert_eq!(response.status().as_u16(), 422, "{body}");
        let problem = problem_of(response, 422).await;
        let mut got = problem.fields();
        got.sort();
        assert_eq!(got, fields, "{body}");
    }
    // Another's placement 404; staff 403.
    assert_eq!(w.write(&w.participant, 1, &good).await.status().as_u16(), 404);
    for token in [&w.school, &w.enterprise_user, &w.officer] {
        assert_eq!(w.write(token, 0, &good).await.status().as_u16(), 403);
    }
    assert_eq!(w.journals_stored().await, 0);
    // One a week: two at once give one 201 and one 409 naming `week_of`.
    let (a, b) = join(w.write(&w.participant, 0, &good), w.write(&w.participant, 0, &good)).await;
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    let problem = problem_of(w.write(&w.participant, 0, &good).await, 409).await;
    assert_eq!(problem.fields(), vec!["week_of"]);
    assert_eq!(w.journals_stored().await, 1);
    // A placement that is not active or suspended: 409.
    let ended = w
        .app
        .post_json(
            &format!("/api/v1/apprenticeships/{}/transitions", w.placements[0]),
            &json!({"to": "completed"}),
        )
        .await;
    assert_eq!(ended.status().as_u16(), 200);
    let problem = problem_of(
        w.write(&w.participant, 0, &json!({"week_of": monday(-2), "content": "x"}))
            .await,
        409,
    )
    .await;
    assert!(problem.detail.contains("completed"), "{}", problem.detail);
    assert_eq!(w.journals_stored().await, 1);
}

#[tokio::test]
async fn the_journal_list_filters_sorts_exports_and_shows_each_role_its_own() {
    let w = World::new().await;
    let first = w.written(-3).await;
    let second = w.written(-2).await;
    let other = w
        .write(
            &w.other_participant,
            1,
            &json!({"week_of": monday(-1), "content": "本周跟岗。"}),
        )
        .await;
    assert_eq!(other.status().as_u16(), 201);
    let other: Value = other.json().await.unwrap();
    let other = other["id"].as_str().unwrap().to_string();
    w.reviewed(
        &w.school,
        &first,
        &json!({"decision": "returned", "comment": "请补充。"}),
    )
    .await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = w.app.list("/api/v1/journals?sort=week_of").await;
    assert_eq!(ids(&all), vec![first.clone(), second.clone(), other.clone()]);
    assert_eq!(all["total"], 3);
    assert_eq!(
        ids(&w.app.list("/api/v1/journals?status=returned").await),
        vec![first.clone()]
    );
    assert_eq!(
        ids(&w
            .app
            .list(&format!(
                "/api/v1/journals?week_from={}&week_to={}",
                monday(-2),
                monday(-2)
            ))
            .await),
        vec![second.clone()]
    );
    assert_eq!(
        ids(&w
            .app
            .list(&format!("/api/v1/journals?school_id={}", w.schools[1]))
            .await),
        vec![other.clone()]
    );
    let placement = w
        .app
        .list(&format!(
            "/api/v1/apprenticeships/{}/journals?sort=-week_of",
            w.placements[0]
        ))
        .await;
    assert_eq!(ids(&placement), vec![second.clone(), first.clone()]);
    // Scopes: a school its own, the host both, a participant its own, a viewer none.
    for (token, expected) in [
        (&w.school, vec![first.clone(), second.clone()]),
        (&w.participant, vec![first.clone(), second.clone()]),
        (&w.other_participant, vec![other.clone()]),
        (&w.enterprise_user, vec![first.clone(), second.clone(), other.clone()]),
    ] {
        let page: Value = w
            .send(token, Method::GET, "/api/v1/journals?sort=week_of", None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ids(&page), expected);
    }
    assert_eq!(
        w.send(&w.viewer, Method::GET, "/api/v1/journals", None)
            .await
            .status()
            .as_u16(),
        403
    );
    let path = format!("/api/v1/apprenticeships/{}/journals", w.placements[0]);
    assert_eq!(
        w.send(&w.other_school, Method::GET, &path, None)
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(w.app.get("/api/v1/journals?q=x").await.status().as_u16(), 400);
    let csv = w
        .app
        .request(Method::GET, "/api/v1/journals?sort=week_of")
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("week_of") && text.contains("本周在焊接车间跟岗"),
        "{text}"
    );
    assert_eq!(text.trim_end().lines().count(), 4, "{text}");
}

#[tokio::test]
async fn a_placement_without_a_school_has_its_journals_approved_by_its_host_alone() {
    let w = World::new().await;
    let worker = w
        .app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({"kind": "worker_training", "enterprise_id": w.enterprise, "start_date": monday(-5),
                    "participant": {"name": "李明", "national_id": crate::participant_world::NATIONAL_ID}}),
        )
        .await;
    for to in ["submitted", "active"] {
        let path = format!("/api/v1/apprenticeships/{worker}/transitions");
        assert_eq!(w.app.post_json(&path, &json!({"to": to})).await.status().as_u16(), 200);
    }
    let path = format!("/api/v1/apprenticeships/{worker}/journals");
    let body = json!({"week_of": monday(-1), "content": "本周参加焊接技能培训。"});
    let response = w.send(&w.participant, Method::POST, &path, Some(&body)).await;
    assert_eq!(response.status().as_u16(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // No school side to review for.
    let reviews = format!("/api/v1/journals/{id}/reviews");
    let problem = problem_of(
        w.app
            .post_json(&reviews, &json!({"decision": "approved", "side": "school"}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["side"]);
    let done = w
        .reviewed(&w.enterprise_user, &id, &json!({"decision": "approved"}))
        .await;
    assert_eq!(done["status"], "approved");
    assert_eq!(sides(&done), vec![("enterprise".into(), "approved".into())]);
}

#[tokio::test]
async fn an_admins_review_without_a_side_is_refused_before_the_journal_is_looked_up() {
    let w = World::new().await;
    let unknown = uuid::Uuid::now_v7();
    let problem = problem_of(
        w.app
            .post_json(
                &format!("/api/v1/journals/{unknown}/reviews"),
                &json!({"decision": "approved"}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["side"]);
    let response = w
        .app
        .post_json(
            &format!("/api/v1/journals/{unknown}/reviews"),
            &json!({"decision": "approved", "side": "school"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 404);
}
