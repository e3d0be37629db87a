//! Meetings: every field, references, full-text search over long minutes,
//! filters, action items (ids, replacement, one-item changes by their
//! owners, the cross-meeting list, overdue), the role rows, statistics, and
//! the demo data.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{encode, problem_of, spawn_app, Page, TestApp};

/// Today in the default `CHANJIAO_TIMEZONE` (Asia/Shanghai).
fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

struct Alliance {
    app: TestApp,
    enterprise: String,
    other_enterprise: String,
    school: String,
    other_school: String,
}

async fn alliance() -> Alliance {
    let app = spawn_app().await;
    let enterprise = app
        .create_record("/api/v1/enterprises", &json!({"name": "辰泰重钢"}))
        .await
        .id;
    let other_enterprise = app
        .create_record("/api/v1/enterprises", &json!({"name": "华铝家居"}))
        .await
        .id;
    let school = app
        .create_record("/api/v1/schools", &json!({"name": "县职教中心"}))
        .await
        .id;
    let other_school = app
        .create_record("/api/v1/schools", &json!({"name": "县技工学校"}))
        .await
        .id;
    Alliance {
        app,
        enterprise,
        other_enterprise,
        school,
        other_school,
    }
}

fn full_meeting(a: &Alliance) -> Value {
    json!({
        "title": "全县产教融合发展联盟调度推进工作会议", "kind": "coordination", "held_on": "2024-04-03",
        "location": "辰泰重钢会议室", "host_enterprise_id": a.enterprise,
        "chair": {"name": "张学", "title": "县教体局局长"},
        "summary": "观摩厂中校并召开座谈会。", "minutes": "会议纪要全文。",
        "attendees": [
            {"name": "张学", "title": "局长", "organization": "县教体局", "role": "chair"},
            {"name": "谭刚", "title": "校长", "organization": "县职教中心", "school_id": a.school, "role": "attendee"}],
        "agenda": [
            {"kind": "visit", "title": "观摩华铝家居厂中校", "enterprise_id": a.other_enterprise},
            {"kind": "report", "title": "联盟工作汇报", "notes": "吴维斌汇报"}],
        "decisions": [{"text": "一企一策"}, {"text": "面向全县推开"}],
        "action_items": [
            {"description": "开展全县企业调查", "owner_school_id": a.school, "due_on": "2024-06-30"},
            {"description": "制定长远规划", "owner_name": "县教体局", "status": "in_progress"},
            {"description": "搭建合作平台", "owner_enterprise_id": a.enterprise, "status": "done"},
            {"description": "印发会议纪要", "owner_name": "联盟办公室", "status": "done", "done_on": "2024-04-10"}],
        "tags": ["产教融合", "推进会"]
    })
}

#[tokio::test]
async fn a_meeting_keeps_every_field_in_order_and_its_action_items_get_ids_statuses_and_done_on() {
    let a = alliance().await;
    let body = full_meeting(&a);
    let created = a.app.create_record("/api/v1/meetings", &body).await;
    let m = &created.body;
    for field in [
        "title",
        "kind",
        "held_on",
        "location",
        "host_enterprise_id",
        "chair",
        "summary",
        "minutes",
    ] {
        assert_eq!(m[field], body[field], "{field}");
    }
    for list in ["attendees", "agenda", "decisions"] {
        let (shown, sent) = (m[list].as_array().unwrap(), body[list].as_array().unwrap());
        assert_eq!(shown.len(), sent.len(), "{list}");
        for (shown, sent) in shown.iter().zip(sent) {
            for (key, value) in shown.as_object().unwrap() {
                assert_eq!(value, sent.get(key).unwrap_or(&Value::Null), "{list}.{key}");
            }
        }
    }
    assert_eq!(m["tags"], body["tags"]);
    let items = m["action_items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[3]["done_on"], "2024-04-10", "a done_on given is kept");
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["id"].as_str().expect("a server-made id"))
        .collect();
    assert!(ids[0] != ids[1] && ids[1] != ids[2]);
    assert_eq!(items[0]["status"], "open");
    assert_eq!(items[0]["done_on"], Value::Null);
    assert_eq!(items[1]["status"], "in_progress");
    assert_eq!(items[2]["status"], "done");
    assert_eq!(items[2]["done_on"], today().to_string());
    assert_eq!(a.app.record(&created.location).await, created.body);
    // The items are listed across meetings, with their meeting.
    let page = a
        .app
        .page(&format!("/api/v1/action-items?meeting_id={}", created.id))
        .await;
    assert_eq!(page.total, 4);
    assert!(page
        .items
        .iter()
        .all(|i| i["meeting_id"] == created.id.as_str() && i["held_on"] == "2024-04-03"));
}

#[tokio::test]
async fn ids_that_name_no_record_are_a_422_naming_each_path_and_nothing_is_stored() {
    let a = alliance().await;
    let nobody = uuid::Uuid::now_v7().to_string();
    let mut body = full_meeting(&a);
    body["host_school_id"] = json!(nobody);
    body["attendees"][1]["enterprise_id"] = json!(nobody);
    body["agenda"][0]["school_id"] = json!(nobody);
    body["action_items"][2]["owner_enterprise_id"] = json!(nobody);
    let problem = problem_of(a.app.post_json("/api/v1/meetings", &body).await, 422).await;
    let mut fields = problem.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "action_items[2].owner_enterprise_id",
            "agenda[0].school_id",
            "attendees[1].enterprise_id",
            "host_school_id"
        ]
    );
    assert!(problem.errors.iter().all(|e| e.code == "not_found"));
    assert_eq!(a.app.page("/api/v1/meetings").await.total, 0);
    assert_eq!(a.app.page("/api/v1/action-items").await.total, 0);
}

#[tokio::test]
async fn every_invalid_field_is_named_at_once_by_its_path() {
    let a = alliance().await;
    let body = json!({
        "title": "", "kind": "banquet", "held_on": "2024-02-30",
        "attendees": [{"name": "张学", "role": "host"}],
        "agenda": [{"title": "没有种类"}],
        "decisions": [{"text": ""}],
        "action_items": [{"owner_name": "县教体局", "status": "later"}],
        "chair": {"title": "局长"},
    });
    let problem = problem_of(a.app.post_json("/api/v1/meetings", &body).await, 422).await;
    let mut fields = problem.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "action_items[0].description",
            "action_items[0].status",
            "agenda[0].kind",
            "attendees[0].role",
            "chair.name",
            "decisions[0].text",
            "held_on",
            "kind",
            "title"
        ]
    );
}

/// 200,000 characters of Chinese as `\uXXXX` escapes (1.2 MB of JSON), with `needle` in the middle.
fn escaped_minutes(chars: usize, needle: &str) -> String {
    let filler: Vec<char> = "联盟会议纪要校企合作".chars().collect();
    let mut text: Vec<char> = (0..chars).map(|i| filler[i % filler.len()]).collect();
    let middle = chars / 2;
    for (i, c) in needle.chars().enumerate() {
        text[middle + i] = c;
    }
    text.iter().map(|c| format!("\\u{:04x}", *c as u32)).collect()
}

#[tokio::test]
async fn minutes_of_200000_characters_fit_even_escaped_and_q_finds_a_phrase_in_their_middle_in_either_script() {
    let a = alliance().await;
    let send = |minutes: String| {
        let body = format!(r#"{{"title": "理事会", "held_on": "2024-05-10", "minutes": "{minutes}"}}"#);
        a.app
            .request(Method::POST, "/api/v1/meetings")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let response = send(escaped_minutes(200_000, "產教融合ABC")).await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["minutes"].as_str().unwrap().chars().count(), 200_000);
    let problem = problem_of(send(escaped_minutes(200_001, "")).await.unwrap(), 422).await;
    assert_eq!(problem.fields(), ["minutes"]);
    a.app
        .create_record(
            "/api/v1/meetings",
            &json!({"title": "另一次会议", "held_on": "2024-05-11", "summary": "校企合作"}),
        )
        .await;
    for q in ["产教融合", "產教融合", "教融合abc", "title"] {
        let page = a.app.page(&format!("/api/v1/meetings?q={}", encode(q))).await;
        let expected = usize::from(q != "title");
        assert_eq!(page.total as usize, expected, "q={q}");
        if expected == 1 {
            assert_eq!(page.items[0]["id"], created["id"], "q={q}");
        }
    }
    // Title and summary are searched too.
    assert_eq!(
        a.app
            .page(&format!("/api/v1/meetings?q={}", encode("理事")))
            .await
            .total,
        1
    );
    assert_eq!(
        a.app
            .page(&format!("/api/v1/meetings?q={}", encode("校企合作")))
            .await
            .total,
        2
    );
}

#[tokio::test]
async fn meetings_filter_by_kind_inclusive_days_and_every_way_an_organisation_takes_part() {
    let a = alliance().await;
    let make = |title: &str, kind: &str, day: &str, extra: Value| {
        let mut body = json!({"title": title, "kind": kind, "held_on": day});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let hosted = a
        .app
        .create_record(
            "/api/v1/meetings",
            &make(
                "主办",
                "council",
                "2024-01-01",
                json!({"host_enterprise_id": a.enterprise}),
            ),
        )
        .await
        .id;
    let attended = a
        .app
        .create_record(
            "/api/v1/meetings",
            &make(
                "出席",
                "symposium",
                "2024-03-31",
                json!({"attendees": [{"name": "周发家", "enterprise_id": a.enterprise}]}),
            ),
        )
        .await
        .id;
    let visited = a
        .app
        .create_record(
            "/api/v1/meetings",
            &make(
                "观摩",
                "site_visit",
                "2024-04-01",
                json!({"agenda": [{"kind": "visit", "title": "观摩", "enterprise_id": a.enterprise}]}),
            ),
        )
        .await
        .id;
    let owns = a
        .app
        .create_record(
            "/api/v1/meetings",
            &make(
                "任务",
                "coordination",
                "2024-12-31",
                json!({"action_items": [{"description": "调查", "owner_enterprise_id": a.enterprise, "owner_school_id": a.school}]}),
            ),
        )
        .await
        .id;
    let other = a
        .app
        .create_record(
            "/api/v1/meetings",
            &make(
                "无关",
                "coordination",
                "2025-01-01",
                json!({"host_school_id": a.other_school}),
            ),
        )
        .await
        .id;
    let ids = |page: Page| {
        let mut ids: Vec<String> = page
            .items
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<String>>()
    };
    let by_enterprise = a
        .app
        .page(&format!("/api/v1/meetings?enterprise_id={}", a.enterprise))
        .await;
    assert_eq!(ids(by_enterprise), sorted(vec![&hosted, &attended, &visited, &owns]));
    let by_school = a.app.page(&format!("/api/v1/meetings?school_id={}", a.school)).await;
    assert_eq!(ids(by_school), vec![owns.clone()]);
    let by_other = a
        .app
        .page(&format!("/api/v1/meetings?school_id={}", a.other_school))
        .await;
    assert_eq!(ids(by_other), vec![other.clone()]);
    let in_2024 = a
        .app
        .page("/api/v1/meetings?held_from=2024-01-01&held_to=2024-12-31")
        .await;
    assert_eq!(ids(in_2024), sorted(vec![&hosted, &attended, &visited, &owns]));
    let spring = a
        .app
        .page("/api/v1/meetings?held_from=2024-03-31&held_to=2024-04-01")
        .await;
    assert_eq!(ids(spring), sorted(vec![&attended, &visited]));
    let coordination = a.app.page("/api/v1/meetings?kind=coordination&sort=held_on").await;
    let in_order: Vec<&str> = coordination.items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(in_order, [owns.as_str(), other.as_str()]);
    problem_of(a.app.get("/api/v1/meetings?kind=banquet").await, 400).await;
    problem_of(a.app.get("/api/v1/meetings?held_from=2024-13-01").await, 400).await;
    problem_of(a.app.get("/api/v1/meetings?sort=title").await, 400).await;
}

#[tokio::test]
async fn a_meeting_patch_replaces_action_items_keeping_those_with_ids_creating_new_ones_and_deleting_the_rest() {
    let a = alliance().await;
    let created = a.app.create_record("/api/v1/meetings", &full_meeting(&a)).await;
    let items = created.body["action_items"].as_array().unwrap().clone();
    let listed = a
        .app
        .page(&format!(
            "/api/v1/action-items?meeting_id={}&sort=created_at",
            created.id
        ))
        .await;
    let first_created_at = listed.items.iter().find(|i| i["id"] == items[0]["id"]).unwrap()["created_at"].clone();
    let mut kept = items[0].clone();
    kept["status"] = json!("done");
    kept["done_on"] = Value::Null;
    let patch = json!({"action_items": [kept, {"description": "新增：编制合作清单"}, items[1].clone()]});
    let response = a.app.patch_json(&created.location, &patch).await;
    assert_eq!(response.status().as_u16(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["version"], 2);
    let now = changed["action_items"].as_array().unwrap();
    assert_eq!(now.len(), 3);
    assert_eq!(now[0]["id"], items[0]["id"]);
    assert_eq!(now[0]["status"], "done");
    assert_eq!(now[0]["done_on"], today().to_string(), "moving to done sets done_on");
    assert!(now[1]["id"].is_string() && !items.iter().any(|i| i["id"] == now[1]["id"]));
    assert_eq!(now[1]["status"], "open");
    assert_eq!(now[2], items[1]);
    let listed = a
        .app
        .page(&format!("/api/v1/action-items?meeting_id={}", created.id))
        .await;
    assert_eq!(listed.total, 3);
    assert!(
        !listed.items.iter().any(|i| i["id"] == items[2]["id"]),
        "the item left out is deleted"
    );
    let first = listed.items.iter().find(|i| i["id"] == items[0]["id"]).unwrap();
    assert_eq!(
        first["created_at"], first_created_at,
        "a kept item keeps its created_at"
    );
    // An id that is no item of this meeting, or one given twice, is a 422 naming it.
    let stranger = json!({"id": uuid::Uuid::now_v7().to_string(), "description": "?"});
    let twice = json!({"action_items": [now[0].clone(), now[0].clone(), stranger]});
    let problem = problem_of(a.app.patch_json(&created.location, &twice).await, 422).await;
    assert_eq!(problem.fields(), ["action_items[1].id", "action_items[2].id"]);
    assert_eq!(a.app.record(&created.location).await, changed);
}

async fn send_as(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> reqwest::Response {
    let mut request = app.request_as(method, path, Some(token));
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_action_item_is_changed_under_the_meetings_etag_and_its_owner_may_change_only_status_and_done_on() {
    let a = alliance().await;
    let created = a.app.create_record("/api/v1/meetings", &full_meeting(&a)).await;
    let item = created.body["action_items"][0].clone();
    let path = format!("{}/action-items/{}", created.location, item["id"].as_str().unwrap());
    let school = a.app.user_with_role("school", None, Some(&a.school)).await.1;
    let other_school = a.app.user_with_role("school", None, Some(&a.other_school)).await.1;
    let enterprise = a.app.user_with_role("enterprise", Some(&a.enterprise), None).await.1;
    let viewer = a.app.user_with_role("viewer", None, None).await.1;
    let officer = a.app.user_with_role("officer", None, None).await.1;

    // Who may not: a viewer, a school that does not own it, an enterprise that does not.
    for token in [&viewer, &other_school, &enterprise] {
        let response = send_as(
            &a.app,
            token,
            Method::PATCH,
            &path,
            Some(json!({"status": "done"})),
            None,
        )
        .await;
        problem_of(response, 403).await;
    }
    // The owner may not change other fields (403 naming them) …
    let response = send_as(
        &a.app,
        &school,
        Method::PATCH,
        &path,
        Some(json!({"description": "改了", "due_on": "2024-07-31", "status": "done"})),
        None,
    )
    .await;
    let problem = problem_of(response, 403).await;
    assert_eq!(problem.fields(), ["description", "due_on"]);
    // … a stale meeting ETag is a 412 …
    let response = send_as(
        &a.app,
        &school,
        Method::PATCH,
        &path,
        Some(json!({"status": "in_progress"})),
        Some("\"7\""),
    )
    .await;
    problem_of(response, 412).await;
    assert_eq!(a.app.record(&created.location).await, created.body);
    // … and its status, under the current one, with merge-patch.
    let response = a
        .app
        .request_as(Method::PATCH, &path, Some(&school))
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", "\"1\"")
        .body(json!({"status": "done"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["status"], "done");
    assert_eq!(changed["done_on"], today().to_string());
    assert_eq!(changed["description"], item["description"]);
    let meeting = a.app.record(&created.location).await;
    assert_eq!(meeting["version"], 2);
    assert_eq!(meeting["action_items"][0]["status"], "done");
    // The same change again changes nothing.
    let response = send_as(
        &a.app,
        &school,
        Method::PATCH,
        &path,
        Some(json!({"status": "done"})),
        None,
    )
    .await;
    assert_eq!(response.headers()["etag"], "\"2\"");
    // An officer changes any field; the id is read-only; an unknown item is a 404.
    let response = send_as(
        &a.app,
        &officer,
        Method::PATCH,
        &path,
        Some(json!({"due_on": "2024-07-31"})),
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let response = send_as(
        &a.app,
        &officer,
        Method::PATCH,
        &path,
        Some(json!({"id": uuid::Uuid::now_v7().to_string()})),
        None,
    )
    .await;
    assert_eq!(problem_of(response, 422).await.fields(), ["id"]);
    let unknown = format!("{}/action-items/{}", created.location, uuid::Uuid::now_v7());
    problem_of(
        send_as(
            &a.app,
            &officer,
            Method::PATCH,
            &unknown,
            Some(json!({"status": "done"})),
            None,
        )
        .await,
        404,
    )
    .await;
    // The enterprise that owns another item changes its status too.
    let theirs = format!(
        "{}/action-items/{}",
        created.location,
        created.body["action_items"][2]["id"].as_str().unwrap()
    );
    let response = send_as(
        &a.app,
        &enterprise,
        Method::PATCH,
        &theirs,
        Some(json!({"status": "in_progress"})),
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let reopened: Value = response.json().await.unwrap();
    assert_eq!(reopened["status"], "in_progress");
    assert_eq!(reopened["done_on"], Value::Null, "leaving done clears done_on");
    // Each change is audited as the item's.
    let audit = a.app.audit_of(item["id"].as_str().unwrap()).await;
    let updates: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "update" && e.outcome == "success")
        .collect();
    assert_eq!(updates.len(), 2);
    assert!(updates.iter().all(|e| e.resource_type == "action_item"));
    assert_eq!(
        updates[1].changes.as_ref().unwrap()["status"],
        json!({"before": "open", "after": "done"})
    );
}

#[tokio::test]
async fn the_action_item_list_filters_by_status_owner_due_day_and_overdue_in_the_alliances_time_zone() {
    let a = alliance().await;
    let day = |offset: i64| (today() + Duration::days(offset)).to_string();
    let body = json!({
        "title": "推进会", "held_on": "2024-04-03",
        "action_items": [
            {"description": "昨天到期", "owner_school_id": a.school, "due_on": day(-1)},
            {"description": "今天到期", "owner_school_id": a.school, "due_on": day(0), "status": "in_progress"},
            {"description": "已完成", "owner_enterprise_id": a.enterprise, "due_on": day(-10), "status": "done"},
            {"description": "进行中逾期", "owner_enterprise_id": a.enterprise, "due_on": day(-2), "status": "in_progress"},
            {"description": "没有期限", "owner_name": "县教体局"}]
    });
    a.app.create_record("/api/v1/meetings", &body).await;
    let descriptions = |page: Page| {
        let mut d: Vec<String> = page
            .items
            .iter()
            .map(|i| i["description"].as_str().unwrap().to_string())
            .collect();
        d.sort();
        d
    };
    let overdue = a.app.page("/api/v1/action-items?overdue=true").await;
    assert!(overdue.items.iter().all(|i| i["overdue"] == true));
    assert_eq!(descriptions(overdue), ["昨天到期", "进行中逾期"]);
    assert_eq!(a.app.page("/api/v1/action-items?overdue=false").await.total, 3);
    assert_eq!(
        descriptions(a.app.page("/api/v1/action-items?status=done").await),
        ["已完成"]
    );
    let by_school = a
        .app
        .page(&format!("/api/v1/action-items?owner_school_id={}", a.school))
        .await;
    assert_eq!(descriptions(by_school), ["今天到期", "昨天到期"]);
    let by_enterprise = a
        .app
        .page(&format!(
            "/api/v1/action-items?owner_enterprise_id={}&status=in_progress",
            a.enterprise
        ))
        .await;
    assert_eq!(descriptions(by_enterprise), ["进行中逾期"]);
    let before_today = a.app.page(&format!("/api/v1/action-items?due_before={}", day(0))).await;
    assert_eq!(
        descriptions(before_today),
        ["已完成", "昨天到期", "进行中逾期"],
        "due_before is exclusive"
    );
    // Pages walk by cursor; q does not apply; bad values are 400.
    let first = a.app.page("/api/v1/action-items?limit=2").await;
    let next = a
        .app
        .page(&format!(
            "/api/v1/action-items?limit=2&cursor={}",
            encode(first.next_cursor.as_deref().unwrap())
        ))
        .await;
    assert_eq!(first.total, 5);
    assert!(first.items.iter().all(|i| !next.items.contains(i)));
    for query in [
        "q=调查",
        "overdue=maybe",
        "due_before=2024-02-30",
        "status=later",
        "sort=due_on",
    ] {
        problem_of(a.app.get(&format!("/api/v1/action-items?{query}")).await, 400).await;
    }
}

#[tokio::test]
async fn admins_and_officers_write_meetings_and_every_other_role_reads_them() {
    let a = alliance().await;
    let created = a.app.create_record("/api/v1/meetings", &full_meeting(&a)).await;
    let roles = [
        ("officer", a.app.user_with_role("officer", None, None).await.1, true),
        (
            "school",
            a.app.user_with_role("school", None, Some(&a.school)).await.1,
            false,
        ),
        (
            "enterprise",
            a.app.user_with_role("enterprise", Some(&a.enterprise), None).await.1,
            false,
        ),
        ("viewer", a.app.user_with_role("viewer", None, None).await.1, false),
    ];
    for (role, token, writes) in &roles {
        for path in [
            "/api/v1/meetings",
            created.location.as_str(),
            "/api/v1/action-items",
            "/api/v1/stats/overview",
        ] {
            let response = send_as(&a.app, token, Method::GET, path, None, None).await;
            assert_eq!(response.status().as_u16(), 200, "{role} reads {path}");
        }
        let response = send_as(
            &a.app,
            token,
            Method::POST,
            "/api/v1/meetings",
            Some(json!({"title": "会", "held_on": "2024-05-01"})),
            None,
        )
        .await;
        assert_eq!(
            response.status().as_u16(),
            if *writes { 201 } else { 403 },
            "{role} creates"
        );
        let response = send_as(
            &a.app,
            token,
            Method::PATCH,
            &created.location,
            Some(json!({"location": "县政府"})),
            None,
        )
        .await;
        assert_eq!(
            response.status().as_u16(),
            if *writes { 200 } else { 403 },
            "{role} changes"
        );
    }
    for (role, token, writes) in &roles {
        if !writes {
            let response = send_as(&a.app, token, Method::DELETE, &created.location, None, None).await;
            assert_eq!(response.status().as_u16(), 403, "{role} deletes");
        }
    }
    let response = send_as(&a.app, &roles[0].1, Method::DELETE, &created.location, None, None).await;
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(
        a.app
            .page(&format!("/api/v1/action-items?meeting_id={}", created.id))
            .await
            .total,
        0
    );
}

#[tokio::test]
async fn an_organisation_a_meeting_names_cannot_be_deleted_until_the_meeting_no_longer_names_it() {
    let a = alliance().await;
    let created = a.app.create_record("/api/v1/meetings", &full_meeting(&a)).await;
    for path in [
        format!("/api/v1/enterprises/{}", a.other_enterprise),
        format!("/api/v1/schools/{}", a.school),
    ] {
        problem_of(a.app.delete(&path).await, 409).await;
        assert_eq!(a.app.get(&path).await.status().as_u16(), 200);
    }
    let response = a.app.patch_json(&created.location, &json!({"agenda": []})).await;
    assert_eq!(response.status().as_u16(), 200);
    let path = format!("/api/v1/enterprises/{}", a.other_enterprise);
    assert_eq!(a.app.delete(&path).await.status().as_u16(), 204);
}

#[tokio::test]
async fn the_overview_has_every_key_on_an_empty_alliance_and_refuses_a_bad_year() {
    let app = spawn_app().await;
    let overview = app.record("/api/v1/stats/overview").await;
    assert_eq!(
        overview,
        json!({
            "enterprises": {"total": 0, "by_membership_status": {"applicant": 0, "council_member": 0, "member": 0, "none": 0, "suspended": 0, "withdrawn": 0}},
            "schools": {"total": 0, "by_membership_status": {"applicant": 0, "council_member": 0, "member": 0, "none": 0, "suspended": 0, "withdrawn": 0}},
            "apprenticeships": {
                "total": 0,
                "by_status": {"active": 0, "cancelled": 0, "completed": 0, "draft": 0, "submitted": 0, "suspended": 0, "terminated": 0, "transferred": 0},
                "by_kind": {"modern_apprenticeship": 0, "observation_internship": 0, "order_class": 0, "student_internship": 0, "teacher_practice": 0, "worker_training": 0}},
            "top_host_enterprises": [],
            "meetings": {"total": 0},
            "action_items": {"open": 0, "in_progress": 0, "done": 0, "cancelled": 0, "overdue": 0}
        })
    );
    for year in ["1899", "2101", "abc", "2024.5"] {
        problem_of(app.get(&format!("/api/v1/stats/overview?year={year}")).await, 400).await;
    }
    problem_of(
        app.request_as(Method::GET, "/api/v1/stats/overview", None)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}

#[tokio::test]
async fn the_overview_counts_placements_by_status_and_kind_ranks_hosts_and_narrows_by_year() {
    let a = alliance().await;
    let app = &a.app;
    let third = app
        .create_record(
            "/api/v1/enterprises",
            &json!({"name": "伊利乳业", "membership_status": "member"}),
        )
        .await
        .id;
    let place = |enterprise: &str, kind: &str, start: &str| json!({"kind": kind, "enterprise_id": enterprise, "school_id": a.school, "participant": {"name": "学员"}, "start_date": start});
    let activate = |id: String| async move {
        for to in ["submitted", "active"] {
            let response = app
                .post_json(&format!("/api/v1/apprenticeships/{id}/transitions"), &json!({"to": to}))
                .await;
            assert_eq!(response.status().as_u16(), 200);
        }
    };
    // 辰泰重钢: two active (2024); 华铝家居: two active (one 2023, one 2024); 伊利乳业: one draft.
    for (enterprise, start) in [
        (&a.enterprise, "2024-03-01"),
        (&a.enterprise, "2024-09-01"),
        (&a.other_enterprise, "2023-09-01"),
        (&a.other_enterprise, "2024-02-01"),
    ] {
        let id = app
            .create_record("/api/v1/apprenticeships", &place(enterprise, "teacher_practice", start))
            .await
            .id;
        activate(id).await;
    }
    app.create_record("/api/v1/apprenticeships", &place(&third, "order_class", "2024-09-01"))
        .await;
    let cancelled = app
        .create_record("/api/v1/apprenticeships", &place(&third, "order_class", "2022-09-01"))
        .await
        .id;
    let response = app
        .post_json(
            &format!("/api/v1/apprenticeships/{cancelled}/transitions"),
            &json!({"to": "cancelled", "reason": "取消"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    app.create_record("/api/v1/meetings", &json!({"title": "2023年会", "held_on": "2023-12-01", "action_items": [{"description": "a", "status": "done"}]}))
        .await;
    app.create_record("/api/v1/meetings", &full_meeting(&a)).await;

    let all = app.record("/api/v1/stats/overview").await;
    assert_eq!(all["enterprises"]["total"], 3);
    assert_eq!(all["enterprises"]["by_membership_status"]["member"], 1);
    assert_eq!(all["enterprises"]["by_membership_status"]["none"], 2);
    assert_eq!(all["schools"]["total"], 2);
    assert_eq!(all["apprenticeships"]["total"], 6);
    assert_eq!(all["apprenticeships"]["by_status"]["active"], 4);
    assert_eq!(all["apprenticeships"]["by_status"]["draft"], 1);
    assert_eq!(all["apprenticeships"]["by_status"]["cancelled"], 1);
    assert_eq!(all["apprenticeships"]["by_kind"]["teacher_practice"], 4);
    assert_eq!(all["apprenticeships"]["by_kind"]["order_class"], 2);
    assert_eq!(all["apprenticeships"]["by_kind"]["worker_training"], 0);
    // Ties by name: 华铝家居 before 辰泰重钢 (byte order of their names).
    let hosts: Vec<(String, u64)> = all["top_host_enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap().to_string(), h["active"].as_u64().unwrap()))
        .collect();
    let mut expected = vec![("华铝家居".to_string(), 2), ("辰泰重钢".to_string(), 2)];
    expected.sort();
    assert_eq!(hosts, expected);
    assert_eq!(all["meetings"]["total"], 2);
    assert_eq!(
        all["action_items"],
        json!({"open": 1, "in_progress": 1, "done": 3, "cancelled": 0, "overdue": 1})
    );

    let year = app.record("/api/v1/stats/overview?year=2024").await;
    assert_eq!(year["enterprises"]["total"], 3, "the directory is not narrowed");
    assert_eq!(year["apprenticeships"]["total"], 4);
    assert_eq!(year["apprenticeships"]["by_status"]["active"], 3);
    assert_eq!(year["top_host_enterprises"][0]["name"], "辰泰重钢");
    assert_eq!(year["top_host_enterprises"][0]["active"], 2);
    assert_eq!(year["top_host_enterprises"][1]["active"], 1);
    assert_eq!(year["meetings"]["total"], 1);
    assert_eq!(year["action_items"]["done"], 2);
    // A placement moved and deleted is counted where it is now.
    let draft = app.page("/api/v1/apprenticeships?status=draft").await.items[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.delete(&format!("/api/v1/apprenticeships/{draft}"))
            .await
            .status()
            .as_u16(),
        204
    );
    let after = app.record("/api/v1/stats/overview").await;
    assert_eq!(after["apprenticeships"]["total"], 5);
    assert_eq!(after["apprenticeships"]["by_status"]["draft"], 0);
}

#[tokio::test]
async fn the_demo_data_loads_the_county_once_and_reads_back_through_the_api() {
    let app = spawn_app().await;
    let first = chanjiao::service::demo::load(&app.database)
        .await
        .expect("the demo loads");
    assert!(first.created > 20, "{first:?}");
    let audit_before = app.page("/api/v1/audit-events?limit=1").await.total;
    let second = chanjiao::service::demo::load(&app.database)
        .await
        .expect("the demo loads again");
    assert_eq!(second.created, 0);
    assert_eq!(second.kept, first.created + first.kept);
    assert_eq!(
        app.page("/api/v1/audit-events?limit=1").await.total,
        audit_before,
        "nothing changed"
    );

    let enterprises = app.page("/api/v1/enterprises?limit=100").await;
    let names: Vec<&str> = enterprises
        .items
        .iter()
        .map(|e| e["short_name"].as_str().unwrap())
        .collect();
    for name in ["辰泰重钢", "华铝家居", "华建五分厂", "华建科技园", "伊利乳业", "宝龙达"] {
        assert!(names.contains(&name), "{name}");
    }
    let meetings = app.page(&format!("/api/v1/meetings?q={}", encode("调度推进"))).await;
    assert_eq!(meetings.total, 1);
    let meeting = &meetings.items[0];
    assert_eq!(meeting["held_on"], "2024-04-03");
    assert_eq!(meeting["chair"]["name"], "张学");
    assert_eq!(meeting["decisions"].as_array().unwrap().len(), 4);
    assert_eq!(meeting["action_items"].as_array().unwrap().len(), 3);
    let attendees: Vec<&str> = meeting["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    for name in ["周发家", "吴维斌", "蒋发永", "谭刚"] {
        assert!(attendees.contains(&name), "{name}");
    }
    let placements = app.page("/api/v1/apprenticeships?limit=100").await;
    let kinds: std::collections::HashSet<&str> = placements.items.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 6, "every kind: {kinds:?}");
    let statuses: std::collections::HashSet<&str> =
        placements.items.iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert!(statuses.len() >= 4, "{statuses:?}");
    let completed = placements.items.iter().find(|p| p["status"] == "completed").unwrap();
    let history = app
        .record(&format!(
            "/api/v1/apprenticeships/{}/history",
            completed["id"].as_str().unwrap()
        ))
        .await;
    let moves: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap())
        .collect();
    assert_eq!(moves, ["draft", "submitted", "active", "completed"]);
    // The compliance page of that day: a finding of each severity, the
    // rules above among them, and the unreported injury and the visit too
    // long ago.
    let summary = app.record("/api/v1/compliance/summary?on=2024-05-06").await;
    let by_rule = &summary["by_rule"];
    for rule in [
        "intern_share_enterprise",
        "pay_below_floor",
        "first_year_student",
        "student_night_shift",
        "insurance_expired",
        "incident_unreported",
        "no_recent_visit",
    ] {
        assert!(by_rule[rule].as_u64().unwrap() >= 1, "{rule}: {summary}");
    }
    assert_eq!(by_rule["incident_unreported"], 1);
    assert!(summary["breaches"].as_u64().unwrap() >= 1 && summary["warnings"].as_u64().unwrap() >= 1);
    let visited = app
        .page("/api/v1/compliance/findings?on=2024-05-06&rule=no_recent_visit&limit=100")
        .await;
    assert!(visited
        .items
        .iter()
        .any(|f| f["facts"]["last_visited_on"] == "2024-03-18"));
    assert!(visited
        .items
        .iter()
        .all(|f| f["facts"]["last_visited_on"] != "2024-04-22"));

    // The demo users log in.
    for username in ["jiaotiju", "zhijiao", "chentai", "dashboard"] {
        app.login(username, chanjiao::service::demo::DEMO_PASSWORD).await;
    }
    // 李明 reads his week: ten check-ins with his position, two journals, one
    // approved by both sides and one returned by the school.
    let liming = app.login("liming", chanjiao::service::demo::DEMO_PASSWORD).await;
    let own: Value = app
        .request_as(reqwest::Method::GET, "/api/v1/apprenticeships", Some(&liming))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(own["total"], 1, "{own}");
    let placement = own["items"][0]["id"].as_str().unwrap().to_string();
    let read = |path: String| {
        let (app, token) = (&app, &liming);
        async move {
            let response = app
                .request_as(reqwest::Method::GET, &path, Some(token))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200, "{path}");
            response.json::<Value>().await.unwrap()
        }
    };
    let check_ins = read(format!("/api/v1/apprenticeships/{placement}/check-ins?limit=100")).await;
    assert_eq!(check_ins["total"], 10);
    assert!(check_ins["items"][0]["latitude"].is_number());
    let journals = read("/api/v1/journals?sort=week_of".to_string()).await;
    let statuses: Vec<&str> = journals["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["approved", "returned"]);
    assert_eq!(journals["items"][0]["reviews"].as_array().unwrap().len(), 2);
    let overview = app.record("/api/v1/stats/overview").await;
    assert_eq!(overview["meetings"]["total"], 1);
    assert_eq!(overview["top_host_enterprises"][0]["name"], "华建五分厂");
    assert_eq!(overview["top_host_enterprises"][0]["active"], 3);
    assert_eq!(overview["top_host_enterprises"].as_array().unwrap().len(), 4);

    // The survey's demand list, the report's five bases, the welding competition.
    let demands = app.page("/api/v1/demands?sort=needed_by&limit=100").await;
    let titles: Vec<&str> = demands.items.iter().map(|d| d["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        // Two on 2024-12-31: ties by id.
        [
            "职工焊接技能提升培训",
            "产业工人数字素养与技能提升",
            "新媒体营销人才",
            "辰泰重钢焊接订单班"
        ]
    );
    assert_eq!(demands.items[0]["fulfilled_headcount"], 1, "the active worker training");
    let order_class = demands.items[3]["id"].as_str().unwrap();
    let matches = app.record(&format!("/api/v1/demands/{order_class}/matches")).await;
    assert_eq!(matches["items"][0]["name"], "县职业教育中心");
    assert_eq!(matches["items"][0]["matched_majors"][0]["code"], "660301");
    let bases = app.page("/api/v1/bases?limit=100").await;
    assert_eq!(bases.total, 5);
    let factory_schools = app.page("/api/v1/bases?kind=factory_school").await;
    assert_eq!(factory_schools.total, 2);
    let competitions = app
        .page(&format!("/api/v1/competitions?skill={}", encode("焊接")))
        .await;
    assert_eq!(competitions.total, 1);
    assert_eq!(competitions.items[0]["entries"].as_array().unwrap().len(), 4);
    assert_eq!(competitions.items[0]["entries"][1]["score"], 91.25);
    // The centre's teachers at 华建五分厂: one below the requirement.
    let practice = app.record("/api/v1/stats/teacher-practice?on=2025-06-30").await;
    let teachers: Vec<(&str, i64, bool)> = practice["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["teacher"]["name"].as_str().unwrap(),
                t["days"].as_i64().unwrap(),
                t["meets_requirement"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(teachers, [("孙丽", 42, false), ("刘志强", 246, true)]);

    // What the compliance rules will find on 2024-05-06. 华建五分厂: two active
    // student interns among 18 employees (more than 10 %), one in their first
    // year at school, one paid below 80 % of their post's probation pay.
    let on = "2024-05-06";
    let huajian = enterprises
        .items
        .iter()
        .find(|e| e["short_name"] == "华建五分厂")
        .unwrap();
    assert_eq!(huajian["staff_count"], 18);
    let interns = app
        .page(&format!(
            "/api/v1/apprenticeships?enterprise_id={}&kind=student_internship&status=active&active_on={on}",
            huajian["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(interns.total, 2);
    assert!(interns.total * 100 > 18 * 10);
    let probation = |position: &Value| {
        huajian["posts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|post| post["name"] == *position)
            .and_then(|post| post["probation_monthly_fen"].as_i64())
            .unwrap()
    };
    let underpaid = interns
        .items
        .iter()
        .filter(|p| p["monthly_stipend_fen"].as_i64().unwrap() * 100 < probation(&p["position"]) * 80)
        .count();
    assert_eq!(underpaid, 1);
    let year_after = |enrolled: &str| format!("{}{}", enrolled[..4].parse::<i32>().unwrap() + 1, &enrolled[4..]);
    let first_year = interns
        .items
        .iter()
        .filter(|p| {
            p["start_date"].as_str().unwrap() < year_after(p["participant"]["enrolled_on"].as_str().unwrap()).as_str()
        })
        .count();
    assert_eq!(first_year, 1);
    let under_way = app
        .page(&format!(
            "/api/v1/apprenticeships?status=active&active_on={on}&limit=100"
        ))
        .await;
    let students = [
        "student_internship",
        "observation_internship",
        "modern_apprenticeship",
        "order_class",
    ];
    let student = |p: &&Value| students.contains(&p["kind"].as_str().unwrap());
    assert_eq!(
        under_way
            .items
            .iter()
            .filter(student)
            .filter(|p| p["night_shift"] == true)
            .count(),
        1,
        "a night shift"
    );
    assert_eq!(
        under_way
            .items
            .iter()
            .filter(student)
            .filter(|p| p["insurance_expires_on"].as_str().is_some_and(|end| end < on))
            .count(),
        1,
        "an insurance that ended"
    );
}

#[tokio::test]
async fn the_tallies_follow_every_change_of_a_placement_and_concurrent_suspends_and_resumes_all_succeed() {
    let a = alliance().await;
    let app = &a.app;
    let mut ids = Vec::new();
    for _ in 0..8 {
        let body = json!({"kind": "teacher_practice", "enterprise_id": a.enterprise, "school_id": a.school,
                          "participant": {"name": "教师"}, "start_date": "2024-03-01"});
        let id = app.create_record("/api/v1/apprenticeships", &body).await.id;
        for to in ["submitted", "active"] {
            let response = app
                .post_json(&format!("/api/v1/apprenticeships/{id}/transitions"), &json!({"to": to}))
                .await;
            assert_eq!(response.status().as_u16(), 200);
        }
        ids.push(id);
    }
    // A placement's kind, start year and host change.
    for (id, patch) in [
        (&ids[0], json!({"kind": "worker_training"})),
        (&ids[1], json!({"start_date": "2023-03-01"})),
        (&ids[2], json!({"enterprise_id": a.other_enterprise})),
    ] {
        let response = app.patch_json(&format!("/api/v1/apprenticeships/{id}"), &patch).await;
        assert_eq!(response.status().as_u16(), 200, "{patch}");
    }
    for id in &ids[3..6] {
        let response = app
            .post_json(
                &format!("/api/v1/apprenticeships/{id}/transitions"),
                &json!({"to": "suspended"}),
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
    }
    // Resumes and suspends in one group at once: each moves two tallies of the same group.
    let mut moves = tokio::task::JoinSet::new();
    for (id, to) in ids[3..6]
        .iter()
        .map(|id| (id, "active"))
        .chain(ids[6..8].iter().map(|id| (id, "suspended")))
    {
        let request = app
            .request(Method::POST, &format!("/api/v1/apprenticeships/{id}/transitions"))
            .json(&json!({"to": to}));
        moves.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = moves.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    // Every count of the overview is what the lists count.
    let overview = app.record("/api/v1/stats/overview").await;
    for (status, n) in overview["apprenticeships"]["by_status"].as_object().unwrap() {
        let listed = app
            .page(&format!("/api/v1/apprenticeships?status={status}"))
            .await
            .total;
        assert_eq!(n.as_u64().unwrap(), listed, "{status}");
    }
    for (kind, n) in overview["apprenticeships"]["by_kind"].as_object().unwrap() {
        let listed = app.page(&format!("/api/v1/apprenticeships?kind={kind}")).await.total;
        assert_eq!(n.as_u64().unwrap(), listed, "{kind}");
    }
    assert_eq!(overview["apprenticeships"]["by_status"]["suspended"], 2);
    let in_2023 = app.record("/api/v1/stats/overview?year=2023").await;
    assert_eq!(in_2023["apprenticeships"]["total"], 1);
    for host in overview["top_host_enterprises"].as_array().unwrap() {
        let id = host["enterprise_id"].as_str().unwrap();
        let listed = app
            .page(&format!("/api/v1/apprenticeships?status=active&enterprise_id={id}"))
            .await
            .total;
        assert_eq!(host["active"].as_u64().unwrap(), listed, "{id}");
    }
}

#[tokio::test]
async fn the_top_hosts_are_ten_most_first_and_ties_at_the_tenth_place_by_name() {
    let app = spawn_app().await;
    let school = app
        .create_record("/api/v1/schools", &json!({"name": "县职教中心"}))
        .await
        .id;
    let mut names = Vec::new();
    for i in 0..12 {
        let name = format!("企业{:02}", 11 - i);
        let id = app
            .create_record("/api/v1/enterprises", &json!({"name": name}))
            .await
            .id;
        let placements = if i == 5 { 2 } else { 1 };
        for _ in 0..placements {
            let body = json!({"kind": "teacher_practice", "enterprise_id": id, "school_id": school,
                              "participant": {"name": "教师"}, "start_date": "2024-03-01"});
            let p = app.create_record("/api/v1/apprenticeships", &body).await.id;
            for to in ["submitted", "active"] {
                let response = app
                    .post_json(&format!("/api/v1/apprenticeships/{p}/transitions"), &json!({"to": to}))
                    .await;
                assert_eq!(response.status().as_u16(), 200);
            }
        }
        names.push((name, placements, id));
    }
    let busiest = names.iter().find(|(_, n, _)| *n == 2).unwrap().0.clone();
    let mut rest: Vec<String> = names
        .iter()
        .filter(|(_, n, _)| *n == 1)
        .map(|(name, _, _)| name.clone())
        .collect();
    rest.sort();
    let expected: Vec<String> = std::iter::once(busiest).chain(rest.into_iter().take(9)).collect();
    for query in ["", "?year=2024"] {
        let overview = app.record(&format!("/api/v1/stats/overview{query}")).await;
        let hosts: Vec<String> = overview["top_host_enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(hosts, expected, "{query}");
    }
    let other_year = app.record("/api/v1/stats/overview?year=2023").await;
    assert_eq!(other_year["top_host_enterprises"], json!([]));
    // A renamed host is ranked by its new name.
    let first_tie = names.iter().find(|(name, _, _)| name == "企业00").unwrap().2.clone();
    let response = app
        .patch_json(&format!("/api/v1/enterprises/{first_tie}"), &json!({"name": "企业99"}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let overview = app.record("/api/v1/stats/overview").await;
    let hosts: Vec<&str> = overview["top_host_enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        hosts,
        [
            "企业06", "企业01", "企业02", "企业03", "企业04", "企业05", "企业07", "企业08", "企业09", "企业10"
        ]
    );
}

#[tokio::test]
async fn the_directory_counts_follow_every_create_status_change_and_delete_at_once() {
    let app = spawn_app().await;
    let counts = |overview: &Value, resource: &str| {
        let part = &overview[resource];
        (
            part["total"].as_u64().unwrap(),
            part["by_membership_status"]["member"].as_u64().unwrap(),
            part["by_membership_status"]["applicant"].as_u64().unwrap(),
        )
    };
    let mut ids = Vec::new();
    for status in ["member", "member", "applicant"] {
        ids.push(
            app.create_record(
                "/api/v1/enterprises",
                &json!({"name": format!("沂水{status}{}", ids.len()), "membership_status": status}),
            )
            .await
            .id,
        );
    }
    let overview = app.record("/api/v1/stats/overview").await;
    assert_eq!(counts(&overview, "enterprises"), (3, 2, 1));
    let path = format!("/api/v1/enterprises/{}", ids[2]);
    assert_eq!(
        app.patch_json(&path, &json!({"membership_status": "member"}))
            .await
            .status()
            .as_u16(),
        200
    );
    // A change that leaves the status alone counts nothing twice.
    assert_eq!(
        app.patch_json(&path, &json!({"short_name": "沂水"}))
            .await
            .status()
            .as_u16(),
        200
    );
    let overview = app.record("/api/v1/stats/overview").await;
    assert_eq!(counts(&overview, "enterprises"), (3, 3, 0));
    assert_eq!(
        app.delete(&format!("/api/v1/enterprises/{}", ids[0]))
            .await
            .status()
            .as_u16(),
        204
    );
    app.create_record(
        "/api/v1/schools",
        &json!({"name": "沂水县职业教育中心", "kind": "secondary_vocational", "membership_status": "applicant"}),
    )
    .await;
    let overview = app.record("/api/v1/stats/overview").await;
    assert_eq!(counts(&overview, "enterprises"), (2, 2, 0));
    assert_eq!(counts(&overview, "schools"), (1, 0, 1));
}
