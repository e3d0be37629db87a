//! Supervision visits: a visit names a placement and belongs to its school
//! and enterprise (copied, following the placement), its days and texts,
//! who reads and writes which, the list, the feed and the audit trail.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::changes::Item;
use crate::helpers::{problem_of, spawn_app, TestApp};

/// Two schools' placements, each hosted by an enterprise of its side, and a
/// user of each role (the school and enterprise users of the first side).
pub struct World {
    pub app: TestApp,
    pub enterprises: [String; 2],
    pub schools: [String; 2],
    pub placements: [String; 2],
    pub school: String,
    pub enterprise: String,
    pub officer: String,
    pub viewer: String,
}

impl World {
    pub async fn new() -> World {
        let app = spawn_app().await;
        let mut enterprises = Vec::new();
        let mut schools = Vec::new();
        let mut placements = Vec::new();
        for (enterprise, school) in [("辰泰重钢", "县职教中心"), ("华建科技园", "县第二职业中专")]
        {
            let e = app.create_id("/api/v1/enterprises", &json!({"name": enterprise})).await;
            let s = app.create_id("/api/v1/schools", &json!({"name": school})).await;
            placements.push(app.create_id("/api/v1/apprenticeships", &placement_body(&e, &s)).await);
            enterprises.push(e);
            schools.push(s);
        }
        let school = app.user_with_role("school", None, Some(&schools[0])).await.1;
        let enterprise = app.user_with_role("enterprise", Some(&enterprises[0]), None).await.1;
        let officer = app.user_with_role("officer", None, None).await.1;
        let viewer = app.user_with_role("viewer", None, None).await.1;
        World {
            app,
            enterprises: [enterprises[0].clone(), enterprises[1].clone()],
            schools: [schools[0].clone(), schools[1].clone()],
            placements: [placements[0].clone(), placements[1].clone()],
            school,
            enterprise,
            officer,
            viewer,
        }
    }

    /// A request as `token`'s caller, with `body` as JSON when given.
    pub async fn send(&self, token: &str, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self.app.request_as(method, path, Some(token));
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("a response")
    }

    /// The status of a request as `token`'s caller.
    pub async fn status(&self, token: &str, method: Method, path: &str, body: Option<&Value>) -> u16 {
        self.send(token, method, path, body).await.status().as_u16()
    }

    /// The ids of a list's items, as `token`'s caller.
    pub async fn ids(&self, token: &str, path: &str) -> Vec<String> {
        let response = self.send(token, Method::GET, path, None).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let page: Value = response.json().await.expect("a page");
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["id"].as_str().expect("an id").to_string())
            .collect()
    }

    /// Moves the first placement to the second side's school and enterprise
    /// (admin), and checks that `path`'s record followed it: its version grew,
    /// the second side's school reads it and the first side's no longer does,
    /// and the feed moved its entries.
    pub async fn move_placement_and_check(&self, path: &str) {
        let before = self.app.record(path).await;
        let response = self
            .app
            .patch_json(
                &format!("/api/v1/apprenticeships/{}", self.placements[0]),
                &json!({"school_id": self.schools[1], "enterprise_id": self.enterprises[1]}),
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
        let after = self.app.record(path).await;
        assert_eq!(after["school_id"], self.schools[1].as_str());
        assert_eq!(after["enterprise_id"], self.enterprises[1].as_str());
        assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
        assert!(after["updated_at"].as_str() > before["updated_at"].as_str());
        assert_eq!(self.status(&self.school, Method::GET, path, None).await, 404);
        let other = self.app.user_with_role("school", None, Some(&self.schools[1])).await.1;
        assert_eq!(self.status(&other, Method::GET, path, None).await, 200);
        let id = after["id"].as_str().unwrap();
        let entries: Vec<Item> = self.app.feed_as(&other, "limit=1000").await.items;
        let mine: Vec<&Item> = entries.iter().filter(|item| item.resource_id == id).collect();
        assert_eq!(
            mine.iter().map(|item| item.version).collect::<Vec<_>>(),
            (1..=after["version"].as_i64().unwrap()).map(Some).collect::<Vec<_>>()
        );
        let first = self.app.feed_as(&self.school, "limit=1000").await.items;
        assert!(first.iter().all(|item| item.resource_id != id));
    }
}

/// A new order-class placement of `school` at `enterprise`.
pub fn placement_body(enterprise: &str, school: &str) -> Value {
    json!({
        "kind": "order_class", "enterprise_id": enterprise, "school_id": school,
        "participant": {"name": "李明"}, "program": "焊接订单班", "start_date": "2024-09-01",
    })
}

/// Today in the service's time zone (`Asia/Shanghai`), and the day after.
pub fn today_and_tomorrow() -> (String, String) {
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    (today.to_string(), today.succ_opt().unwrap().to_string())
}

fn visit(placement: &str, visited_on: &str) -> Value {
    json!({"apprenticeship_id": placement, "visited_on": visited_on, "visitor_name": "王老师"})
}

#[tokio::test]
async fn a_visit_names_a_placement_shows_its_school_and_enterprise_and_is_audited() {
    let w = World::new().await;
    let body = json!({
        "apprenticeship_id": w.placements[0], "visited_on": "2024-10-15", "visitor_name": "王老师",
        "kind": "phone", "findings": "学生适应良好", "follow_up_due_on": "2024-11-15",
    });
    let created = w.app.create_record("/api/v1/visits", &body).await;
    for (key, value) in body.as_object().unwrap() {
        assert_eq!(&created.body[key], value, "{key}");
    }
    assert_eq!(created.body["school_id"], w.schools[0].as_str());
    assert_eq!(created.body["enterprise_id"], w.enterprises[0].as_str());
    assert_eq!(created.version, 1);
    assert_eq!(w.app.record(&created.location).await, created.body);
    // `kind` is `on_site` when left out; today is not after today.
    let (today, _) = today_and_tomorrow();
    let plain = w.app.create("/api/v1/visits", &visit(&w.placements[0], &today)).await;
    assert_eq!(plain["kind"], "on_site");
    assert_eq!(plain["findings"], Value::Null);
    let audit = w.app.audit_of(&created.id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].resource_type.as_str()),
        ("create", "visit")
    );
    // A patch changes what it names; the placement and its organisations are not the patch's.
    let response = w
        .app
        .patch_json(
            &created.location,
            &json!({"findings": "已复查", "follow_up_due_on": null}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(
        (changed["findings"].as_str(), changed["version"].as_i64()),
        (Some("已复查"), Some(2))
    );
    assert_eq!(changed["follow_up_due_on"], Value::Null);
    for field in ["apprenticeship_id", "school_id", "enterprise_id"] {
        let problem = problem_of(
            w.app
                .patch_json(&created.location, &json!({field: w.placements[1]}))
                .await,
            422,
        )
        .await;
        assert_eq!(problem.fields(), vec![field]);
    }
    let audit = w.app.audit_of(&created.id).await;
    assert_eq!(audit[0].action, "update");
    assert_eq!(audit[0].changes.as_ref().unwrap()["findings"]["after"], "已复查");
    assert_eq!(w.app.record(&created.location).await, changed);
    // Deleted, audited with its last state.
    assert_eq!(w.app.delete(&created.location).await.status().as_u16(), 204);
    assert_eq!(w.app.get(&created.location).await.status().as_u16(), 404);
    assert_eq!(w.app.audit_of(&created.id).await[0].action, "delete");
}

#[tokio::test]
async fn a_visit_after_today_of_no_placement_or_with_overlong_text_is_refused_naming_each_field_and_nothing_is_stored()
{
    let w = World::new().await;
    let (_, tomorrow) = today_and_tomorrow();
    let long = |n: usize| "王".repeat(n);
    let cases = [
        (visit(&w.placements[0], &tomorrow), vec!["visited_on"]),
        (
            visit(&uuid::Uuid::now_v7().to_string(), "2024-10-15"),
            vec!["apprenticeship_id"],
        ),
        (
            json!({"apprenticeship_id": w.placements[0], "visited_on": "2024-10-15",
                   "visitor_name": long(101), "findings": long(5001), "kind": "walk"}),
            vec!["findings", "kind", "visitor_name"],
        ),
        (
            json!({"visitor_name": "王老师"}),
            vec!["apprenticeship_id", "visited_on"],
        ),
        (
            json!({"apprenticeship_id": w.placements[0], "visited_on": "2024-10-15", "visitor_name": " ",
                   "school_id": w.schools[1]}),
            vec!["school_id", "visitor_name"],
        ),
    ];
    for (body, fields) in cases {
        let problem = problem_of(w.app.post_json("/api/v1/visits", &body).await, 422).await;
        let mut named = problem.fields();
        named.sort();
        assert_eq!(named, fields, "{body}");
    }
    // The longest texts allowed are kept.
    let longest = json!({"apprenticeship_id": w.placements[0], "visited_on": "2024-10-15",
                         "visitor_name": long(100), "findings": long(5000)});
    let kept = w.app.create("/api/v1/visits", &longest).await;
    assert_eq!(kept["findings"].as_str().unwrap().chars().count(), 5000);
    assert_eq!(w.app.page("/api/v1/visits").await.total, 1);
}

#[tokio::test]
async fn a_school_manages_its_own_placements_visits_an_enterprise_reads_those_it_hosts_and_a_viewer_none() {
    let w = World::new().await;
    let own = w
        .send(
            &w.school,
            Method::POST,
            "/api/v1/visits",
            Some(&visit(&w.placements[0], "2024-10-15")),
        )
        .await;
    assert_eq!(own.status().as_u16(), 201);
    let own: Value = own.json().await.unwrap();
    let own_path = format!("/api/v1/visits/{}", own["id"].as_str().unwrap());
    // Another school's placement: a 403 naming it, nothing stored.
    let refused = w
        .send(
            &w.school,
            Method::POST,
            "/api/v1/visits",
            Some(&visit(&w.placements[1], "2024-10-15")),
        )
        .await;
    let problem = problem_of(refused, 403).await;
    assert_eq!(problem.fields(), vec!["apprenticeship_id"]);
    let other = w
        .app
        .create_id("/api/v1/visits", &visit(&w.placements[1], "2024-10-16"))
        .await;
    let other_path = format!("/api/v1/visits/{other}");
    assert_eq!(w.app.page("/api/v1/visits").await.total, 2);
    // Reading: each its own; another's is a 404 to every method.
    assert_eq!(
        w.ids(&w.school, "/api/v1/visits").await,
        vec![own["id"].as_str().unwrap()]
    );
    assert_eq!(
        w.ids(&w.enterprise, "/api/v1/visits").await,
        vec![own["id"].as_str().unwrap()]
    );
    assert_eq!(w.ids(&w.officer, "/api/v1/visits").await.len(), 2);
    let patch = json!({"findings": "已复查"});
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(&patch)),
        (Method::DELETE, None),
    ] {
        assert_eq!(
            w.status(&w.school, method.clone(), &other_path, body).await,
            404,
            "{method}"
        );
        assert_eq!(
            w.status(&w.enterprise, method.clone(), &other_path, body).await,
            404,
            "{method}"
        );
    }
    // An enterprise and an officer read but write nothing; a viewer nothing at all.
    for token in [&w.enterprise, &w.officer] {
        assert_eq!(w.status(token, Method::GET, &own_path, None).await, 200);
        assert_eq!(w.status(token, Method::PATCH, &own_path, Some(&patch)).await, 403);
        assert_eq!(w.status(token, Method::DELETE, &own_path, None).await, 403);
        let body = visit(&w.placements[0], "2024-10-15");
        assert_eq!(w.status(token, Method::POST, "/api/v1/visits", Some(&body)).await, 403);
    }
    for (method, path) in [(Method::GET, "/api/v1/visits"), (Method::GET, own_path.as_str())] {
        assert_eq!(w.status(&w.viewer, method, path, None).await, 403);
    }
    assert_eq!(w.app.record(&own_path).await["version"], 1);
    // The school changes and deletes its own.
    assert_eq!(w.status(&w.school, Method::PATCH, &own_path, Some(&patch)).await, 200);
    assert_eq!(w.app.record(&own_path).await["findings"], "已复查");
    assert_eq!(w.status(&w.school, Method::DELETE, &own_path, None).await, 204);
    assert_eq!(w.app.page("/api/v1/visits").await.total, 1);
}

#[tokio::test]
async fn the_visit_list_filters_by_placement_organisation_and_days_and_sorts_by_the_day_of_the_visit() {
    let w = World::new().await;
    let mut ids = Vec::new();
    for (placement, day) in [(0, "2024-10-15"), (1, "2024-09-01"), (0, "2024-11-20")] {
        let mut body = visit(&w.placements[placement], day);
        body["findings"] = json!(format!("第{day}次走访"));
        ids.push(w.app.create_id("/api/v1/visits", &body).await);
    }
    let cases = [
        (format!("apprenticeship_id={}", w.placements[0]), vec![0, 2]),
        (format!("school_id={}", w.schools[1]), vec![1]),
        (format!("enterprise_id={}", w.enterprises[0]), vec![0, 2]),
        ("visited_from=2024-10-15".to_string(), vec![0, 2]),
        ("visited_to=2024-10-15".to_string(), vec![0, 1]),
        ("visited_from=2024-10-01&visited_to=2024-10-31".to_string(), vec![0]),
        ("q=2024-11-20".to_string(), vec![2]),
    ];
    for (query, expected) in cases {
        let mut found = w.ids(&w.app.token, &format!("/api/v1/visits?{query}")).await;
        found.sort();
        let mut wanted: Vec<String> = expected.iter().map(|i| ids[*i].clone()).collect();
        wanted.sort();
        assert_eq!(found, wanted, "{query}");
    }
    let by_day = w.ids(&w.app.token, "/api/v1/visits?sort=-visited_on&limit=2").await;
    assert_eq!(by_day, vec![ids[2].clone(), ids[0].clone()]);
    let ascending = w.ids(&w.app.token, "/api/v1/visits?sort=visited_on").await;
    assert_eq!(ascending, vec![ids[1].clone(), ids[0].clone(), ids[2].clone()]);
    let problem = problem_of(w.app.get("/api/v1/visits?visited_from=soon").await, 400).await;
    assert_eq!(problem.fields(), vec!["visited_from"]);
}

#[tokio::test]
async fn a_placement_moved_to_another_school_and_enterprise_takes_its_visits_along() {
    let w = World::new().await;
    let id = w
        .app
        .create_id("/api/v1/visits", &visit(&w.placements[0], "2024-10-15"))
        .await;
    w.move_placement_and_check(&format!("/api/v1/visits/{id}")).await;
    let listed = w
        .ids(&w.app.token, &format!("/api/v1/visits?school_id={}", w.schools[1]))
        .await;
    assert_eq!(listed, vec![id.clone()]);
    // A placement that a visit names is kept.
    let draft = w
        .app
        .create_id(
            "/api/v1/apprenticeships",
            &placement_body(&w.enterprises[0], &w.schools[0]),
        )
        .await;
    let named = w.app.create_id("/api/v1/visits", &visit(&draft, "2024-10-15")).await;
    let problem = problem_of(w.app.delete(&format!("/api/v1/apprenticeships/{draft}")).await, 409).await;
    assert!(problem.detail.contains("reference"), "{}", problem.detail);
    assert_eq!(
        w.app.delete(&format!("/api/v1/visits/{named}")).await.status().as_u16(),
        204
    );
    assert_eq!(
        w.app
            .delete(&format!("/api/v1/apprenticeships/{draft}"))
            .await
            .status()
            .as_u16(),
        204
    );
}

#[tokio::test]
async fn visits_are_in_the_change_feed_of_those_who_read_their_placement_and_not_of_a_viewer() {
    let w = World::new().await;
    let own = w
        .app
        .create_id("/api/v1/visits", &visit(&w.placements[0], "2024-10-15"))
        .await;
    let other = w
        .app
        .create_id("/api/v1/visits", &visit(&w.placements[1], "2024-10-15"))
        .await;
    let kinds = |items: Vec<Item>| -> Vec<(String, String)> {
        items.into_iter().map(|item| (item.resource_id, item.action)).collect()
    };
    let all = kinds(w.app.feed("resource_type=visit").await.items);
    assert_eq!(
        all,
        vec![(own.clone(), "create".into()), (other.clone(), "create".into())]
    );
    for token in [&w.school, &w.enterprise] {
        let mine = kinds(w.feed_of(token, "resource_type=visit").await);
        assert_eq!(mine, vec![(own.clone(), "create".to_string())]);
    }
    let problem = problem_of(
        w.send(&w.viewer, Method::GET, "/api/v1/changes?resource_type=visit", None)
            .await,
        403,
    )
    .await;
    assert_eq!(problem.fields(), vec!["resource_type"]);
    let everything = w.feed_of(&w.viewer, "limit=1000").await;
    assert!(everything.iter().all(|item| item.resource_type != "visit"));
    // Webhooks take their events by the feed's names.
    let hook = json!({"url": "https://tongji.jyj.example.cn/hook", "events": ["visit.create", "incident.update"]});
    let created = w.app.create("/api/v1/webhooks", &hook).await;
    assert_eq!(created["events"], hook["events"]);
    let problem = problem_of(
        w.app
            .post_json(
                "/api/v1/webhooks",
                &json!({"url": "https://tongji.jyj.example.cn/hook", "events": ["visit.move"]}),
            )
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["events[0]"]);
}

impl World {
    /// The feed's items as `token`'s caller.
    pub async fn feed_of(&self, token: &str, query: &str) -> Vec<Item> {
        self.app.feed_as(token, query).await.items
    }
}
