//! Webhooks: the admin's records and secrets, and deliveries to a real
//! receiver in the test process: signed, at least once, retried with
//! backoff, only the events a webhook takes, only to addresses it may
//! reach, carried across a restart, one replica at a time.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chanjiao::config::Settings;
use chanjiao::domain::network::AllowList;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    admin_token_at, get_json_at, problem_of, spawn_app, spawn_app_with, start_process_with, FreshDatabase, TestApp,
};
use crate::receiver::Receiver;

/// Settings that let webhooks reach a receiver on loopback, retry after
/// 100 ms and look for work every 50 ms.
fn quick(settings: &mut Settings) {
    settings.webhooks.allow = AllowList::parse("127.0.0.1/32").unwrap();
    settings.webhooks.first_retry = Duration::from_millis(100);
    settings.webhooks.poll = Duration::from_millis(50);
}

/// A webhook created at the receiver's `path` taking `events`: its id and secret.
async fn webhook(app: &TestApp, receiver: &Receiver, events: &[&str]) -> (String, String) {
    let created = app
        .create_record(
            "/api/v1/webhooks",
            &json!({"url": receiver.url("/hook"), "events": events, "description": "县教体局统计系统"}),
        )
        .await;
    let secret = created.body["secret"].as_str().expect("the secret").to_string();
    (created.id, secret)
}

/// The delivery log of a webhook.
async fn log(app: &TestApp, id: &str) -> Vec<Value> {
    app.page(&format!("/api/v1/webhooks/{id}/deliveries?limit=100"))
        .await
        .items
}

/// Waits until every delivery of the log is no longer pending (or `within` passes).
async fn settled(app: &TestApp, id: &str, count: usize, within: Duration) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let log = log(app, id).await;
        let done = log.len() >= count && log.iter().all(|d| d["status"] != "pending");
        if done || tokio::time::Instant::now() >= deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_create_a_transition_and_a_delete_each_arrive_once_signed_with_the_change_as_the_feed_shows_it() {
    let app = spawn_app_with(quick).await;
    let receiver = Receiver::start();
    let (hook, secret) = webhook(
        &app,
        &receiver,
        &[
            "apprenticeship.create",
            "apprenticeship.update",
            "apprenticeship.delete",
        ],
    )
    .await;
    let enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let placement = app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({"kind": "order_class", "enterprise_id": enterprise, "school_id": school,
                "participant": {"name": "李明"}, "start_date": "2024-09-01"}),
        )
        .await;
    let response = app
        .post_json(
            &format!("/api/v1/apprenticeships/{placement}/transitions"),
            &json!({"to": "cancelled", "reason": "学生转学"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        app.delete(&format!("/api/v1/apprenticeships/{placement}"))
            .await
            .status()
            .as_u16(),
        204
    );

    let received = receiver.wait_for(3, Duration::from_secs(10)).await;
    // A while more: nothing arrives twice.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let received = {
        let again = receiver.received();
        assert_eq!(again.len(), received.len().max(3), "{again:?}");
        again
    };
    let feed: Value = app
        .get("/api/v1/changes?resource_type=apprenticeship")
        .await
        .json()
        .await
        .unwrap();
    let mut by_type = BTreeMap::new();
    for r in &received {
        assert_eq!(r.path, "/hook");
        assert_eq!(r.content_type, "application/json");
        assert!(r.signed_with(&secret), "{r:?}");
        assert!(!r.signed_with("whsec_another"));
        assert_eq!(r.json["id"], r.event_id.as_str());
        assert_eq!(r.json["data"]["resource_id"], placement.as_str());
        assert_eq!(r.json["at"], r.json["data"]["at"]);
        // The body's change is the feed's item.
        let item = feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["position"] == r.json["data"]["position"])
            .expect("the change is in the feed");
        assert_eq!(&r.json["data"], item);
        by_type.insert(
            r.json["type"].as_str().unwrap().to_string(),
            r.json["data"]["version"].clone(),
        );
    }
    assert_eq!(
        by_type,
        BTreeMap::from([
            ("apprenticeship.create".to_string(), json!(1)),
            ("apprenticeship.update".to_string(), json!(2)),
            ("apprenticeship.delete".to_string(), Value::Null),
        ])
    );
    let ids: BTreeSet<&str> = received.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(ids.len(), 3);
    let log = settled(&app, &hook, 3, Duration::from_secs(5)).await;
    for delivery in &log {
        assert_eq!(delivery["status"], "delivered", "{delivery}");
        assert_eq!(delivery["attempts"], 1);
        assert_eq!(delivery["last_status_code"], 200);
        assert!(ids.contains(delivery["event_id"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn a_receiver_that_answers_500_twice_gets_the_delivery_on_the_third_attempt_with_the_same_event_id() {
    let app = spawn_app_with(quick).await;
    let receiver = Receiver::start();
    receiver.script(&[500, 500]);
    let (hook, secret) = webhook(&app, &receiver, &["enterprise.create"]).await;
    let enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;

    let received = receiver.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 3, "{received:?}");
    let event_id = &received[0].event_id;
    for r in &received {
        assert_eq!(
            &r.event_id, event_id,
            "the receiver's dedup key is stable across retries"
        );
        assert_eq!(r.json["data"]["resource_id"], enterprise.as_str());
        assert!(r.signed_with(&secret));
    }
    let log = settled(&app, &hook, 1, Duration::from_secs(5)).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["event_id"], event_id.as_str());
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["last_status_code"], 200);
    assert!(log[0]["next_attempt_at"].is_null());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 3, "no fourth attempt");
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_growing_waits_and_then_marked_failed() {
    let app = spawn_app_with(|s| {
        quick(s);
        s.webhooks.retry_for = Duration::from_millis(1500);
    })
    .await;
    let receiver = Receiver::start();
    receiver.always(Some(503));
    let (hook, _) = webhook(&app, &receiver, &["*"]).await;
    app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let log = settled(&app, &hook, 1, Duration::from_secs(10)).await;
    assert_eq!(log[0]["status"], "failed", "{log:?}");
    assert_eq!(log[0]["last_status_code"], 503);
    assert!(log[0]["next_attempt_at"].is_null());
    let attempts = log[0]["attempts"].as_i64().unwrap();
    // 100 ms, 200, 400, 800: within 1.5 s at most five attempts, never one per poll.
    assert!((3..=5).contains(&attempts), "{attempts}");
    assert_eq!(receiver.received().len() as i64, attempts);
}

#[tokio::test]
async fn a_webhook_for_apprenticeship_updates_gets_no_meeting_events() {
    let app = spawn_app_with(quick).await;
    let receiver = Receiver::start();
    let (hook, _) = webhook(&app, &receiver, &["apprenticeship.update"]).await;
    let meeting = app
        .create_record("/api/v1/meetings", &json!({"title": "推进会", "held_on": "2024-04-03"}))
        .await;
    app.patch_json(&meeting.location, &json!({"location": "辰泰重钢"}))
        .await;
    let enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let placement = app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({"kind": "worker_training", "enterprise_id": enterprise,
                "participant": {"name": "王强"}, "start_date": "2024-09-01"}),
        )
        .await;
    app.patch_json(
        &format!("/api/v1/apprenticeships/{placement}"),
        &json!({"site": "焊接车间"}),
    )
    .await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].json["type"], "apprenticeship.update");
    assert_eq!(received[0].json["data"]["resource_id"], placement.as_str());
    assert_eq!(log(&app, &hook).await.len(), 1);
}

#[tokio::test]
async fn a_webhook_turned_off_gets_nothing_and_turned_on_again_only_what_changes_from_then_on() {
    let app = spawn_app_with(quick).await;
    let receiver = Receiver::start();
    let (hook, _) = webhook(&app, &receiver, &["*"]).await;
    let path = format!("/api/v1/webhooks/{hook}");
    let response = app.patch_json(&path, &json!({"active": false})).await;
    assert_eq!(response.status().as_u16(), 200);
    app.create_id("/api/v1/schools", &json!({"name": "停用期间"})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(receiver.received().is_empty());
    app.patch_json(&path, &json!({"active": true})).await;
    let school = app.create_id("/api/v1/schools", &json!({"name": "重新启用后"})).await;
    let received = receiver.wait_for(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1, "{received:?}");
    assert_eq!(received[0].json["data"]["resource_id"], school.as_str());
}

#[tokio::test]
async fn a_new_secret_signs_at_once_and_the_old_one_beside_it_for_24_hours() {
    let app = spawn_app_with(quick).await;
    let receiver = Receiver::start();
    let (hook, old) = webhook(&app, &receiver, &["school.create"]).await;
    let response = app
        .post_json(&format!("/api/v1/webhooks/{hook}/secret"), &json!({}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let rotated: Value = response.json().await.unwrap();
    let new = rotated["secret"].as_str().unwrap().to_string();
    assert!(new.starts_with("whsec_") && new != old);
    let expires =
        chrono::DateTime::parse_from_rfc3339(rotated["previous_secret_expires_at"].as_str().unwrap()).unwrap();
    let hours = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{hours}");
    app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let received = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received[0].signatures(), 2);
    assert!(received[0].signed_with(&new) && received[0].signed_with(&old));
    // The secret is audited as changed, never shown.
    let audit = app.audit_of(&hook).await;
    assert_eq!(audit[0].action, "update");
    let text = serde_json::to_string(&audit[0].changes).unwrap();
    assert!(!text.contains(&new) && !text.contains(&old), "{text}");
    // Nor is it in any answer after its creation.
    let read = app.get(&format!("/api/v1/webhooks/{hook}")).await.text().await.unwrap();
    let listed = app.get("/api/v1/webhooks").await.text().await.unwrap();
    for text in [read, listed] {
        assert!(!text.contains("whsec_") && !text.contains("secret"), "{text}");
    }
}

#[tokio::test]
async fn webhooks_are_the_admin_s_alone_and_their_urls_must_be_http_with_a_public_literal_address() {
    let app = spawn_app().await;
    let (_, officer) = app.user_with_role("officer", None, None).await;
    let (_, viewer) = app.user_with_role("viewer", None, None).await;
    let created = app
        .create_record(
            "/api/v1/webhooks",
            &json!({"url": "https://tongji.jyj.example.cn/chanjiao/events", "events": ["*"]}),
        )
        .await;
    assert_eq!(created.body["active"], true);
    assert_eq!(created.location, format!("/api/v1/webhooks/{}", created.id));
    for token in [&officer, &viewer] {
        for (method, path) in [
            (Method::GET, "/api/v1/webhooks".to_string()),
            (Method::POST, "/api/v1/webhooks".to_string()),
            (Method::GET, created.location.clone()),
            (Method::PATCH, created.location.clone()),
            (Method::DELETE, created.location.clone()),
            (Method::POST, format!("{}/secret", created.location)),
            (Method::GET, format!("{}/deliveries", created.location)),
        ] {
            let response = app
                .request_as(method.clone(), &path, Some(token))
                .json(&json!({"url": "https://example.cn", "events": ["*"]}))
                .send()
                .await
                .unwrap();
            problem_of(response, 403).await;
        }
    }
    for (url, field_code) in [
        ("ftp://example.cn/hook", "format"),
        ("https://user:pass@example.cn/hook", "format"),
        ("https://example.cn/hook#x", "format"),
        ("not a url", "format"),
        ("http://127.0.0.1:8080/hook", "forbidden"),
        ("http://127.1/hook", "forbidden"),
        ("http://2130706433/hook", "forbidden"),
        ("http://10.0.0.5/hook", "forbidden"),
        ("http://192.168.1.10/hook", "forbidden"),
        ("http://169.254.169.254/latest/meta-data/", "forbidden"),
        ("http://100.100.100.200/", "forbidden"),
        ("http://[::1]/hook", "forbidden"),
        ("http://[::ffff:127.0.0.1]/hook", "forbidden"),
        ("http://[fd00:ec2::254]/", "forbidden"),
    ] {
        let problem = problem_of(
            app.post_json("/api/v1/webhooks", &json!({"url": url, "events": ["*"]}))
                .await,
            422,
        )
        .await;
        assert_eq!(problem.fields(), vec!["url"], "{url}");
        assert_eq!(problem.errors[0].code, field_code, "{url}");
        let problem = problem_of(app.patch_json(&created.location, &json!({"url": url})).await, 422).await;
        assert_eq!(problem.fields(), vec!["url"], "{url}");
    }
    for events in [
        json!([]),
        json!(["meeting.changed"]),
        json!(["webhook.create"]),
        json!("*"),
    ] {
        let problem = problem_of(
            app.post_json(
                "/api/v1/webhooks",
                &json!({"url": "https://example.cn/", "events": events}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(problem.fields()[0].split('[').next().unwrap(), "events", "{events}");
    }
    assert_eq!(
        app.page("/api/v1/webhooks").await.total,
        1,
        "nothing refused was stored"
    );
    assert_eq!(app.delete(&created.location).await.status().as_u16(), 204);
    problem_of(app.get(&format!("{}/deliveries", created.location)).await, 404).await;
    problem_of(
        app.post_json(&format!("{}/secret", created.location), &json!({})).await,
        404,
    )
    .await;
}

/// Waits until the first delivery of a webhook's log has been tried and
/// its outcome recorded.
async fn first_tried(app: &TestApp, id: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let log = log(app, id).await;
        if let Some(first) = log.first() {
            if !first["last_error"].is_null() || !first["last_status_code"].is_null() {
                return first.clone();
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "never tried: {log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_when_a_delivery_resolves_it() {
    // No CHANJIAO_WEBHOOK_ALLOW: a name is accepted when the webhook is
    // made, and refused when it resolves to an address of this machine.
    let app = spawn_app_with(|s| {
        quick(s);
        s.webhooks.allow = AllowList::default();
    })
    .await;
    let target = Receiver::start();
    let url = target.url("/hook").replace("127.0.0.1", "localhost");
    let hook = app
        .create_id("/api/v1/webhooks", &json!({"url": url, "events": ["*"]}))
        .await;
    app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let delivery = first_tried(&app, &hook).await;
    let error = delivery["last_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("localhost resolves to") && error.contains("loopback"),
        "{delivery}"
    );
    assert!(delivery["last_status_code"].is_null());
    assert_eq!(delivery["status"], "pending");
    assert!(target.received().is_empty(), "{:?}", target.received());
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_no_delivery() {
    let app = spawn_app_with(quick).await;
    let target = Receiver::start();
    let redirecting = Receiver::start();
    redirecting.redirect_to(&target.url("/redirected"));
    let (hook, _) = webhook(&app, &redirecting, &["*"]).await;
    app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let delivery = first_tried(&app, &hook).await;
    assert_eq!(delivery["last_status_code"], 302, "{delivery}");
    assert_eq!(
        delivery["status"], "pending",
        "a redirect is no delivery: it is tried again"
    );
    assert!(!redirecting.received().is_empty());
    assert!(target.received().is_empty(), "{:?}", target.received());
}

#[tokio::test]
async fn two_replicas_on_one_database_deliver_each_change_once() {
    let first = spawn_app_with(quick).await;
    let second = first.replica(quick).await;
    let receiver = Receiver::start();
    receiver.delay(Duration::from_millis(30));
    let (hook, _) = webhook(&first, &receiver, &["school.create"]).await;
    let mut creates = Vec::new();
    for n in 0..24 {
        let app = if n % 2 == 0 { &first } else { &second };
        creates.push(async move {
            app.create_id("/api/v1/schools", &json!({"name": format!("学校{n}")}))
                .await
        });
    }
    let schools: BTreeSet<String> = futures_util::future::join_all(creates).await.into_iter().collect();
    let received = receiver.wait_for(24, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = {
        let again = receiver.received();
        assert_eq!(again.len(), received.len());
        again
    };
    assert_eq!(received.len(), 24, "each change once, though both replicas deliver");
    let delivered: BTreeSet<String> = received
        .iter()
        .map(|r| r.json["data"]["resource_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(delivered, schools);
    let log = settled(&second, &hook, 24, Duration::from_secs(5)).await;
    assert!(
        log.iter().all(|d| d["attempts"] == 1 && d["status"] == "delivered"),
        "{log:?}"
    );
    drop(second);
}

#[tokio::test]
async fn a_stopped_and_restarted_service_still_delivers_what_was_pending() {
    let database = FreshDatabase::new().await;
    let receiver = Receiver::start();
    receiver.always(Some(503));
    let env = [
        ("CHANJIAO_WEBHOOK_ALLOW", "127.0.0.1/32"),
        ("CHANJIAO_WEBHOOK_RETRY_SECONDS", "1"),
    ];
    let (mut first, base) = start_process_with(&database.url, &env).await;
    let token = admin_token_at(&base).await;
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let hook: Value = post(
        "/api/v1/webhooks",
        json!({"url": receiver.url("/hook"), "events": ["*"]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let school: Value = post("/api/v1/schools", json!({"name": "县职教中心"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refused = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(refused.len(), 1);
    let deliveries = format!("/api/v1/webhooks/{}/deliveries", hook["id"].as_str().unwrap());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let log = get_json_at(&base, &token, &deliveries).await;
        if log["items"][0]["last_status_code"] == 503 {
            assert_eq!(log["items"][0]["status"], "pending");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Killed without a chance to finish anything; the receiver comes back.
    first.kill();
    receiver.always(None);
    let (_second, base) = start_process_with(&database.url, &env).await;
    let received = receiver.wait_for(2, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 2, "{received:?}");
    assert_eq!(received[1].event_id, refused[0].event_id);
    assert_eq!(received[1].json["data"]["resource_id"], school["id"]);
    let token = admin_token_at(&base).await;
    let log = get_json_at(&base, &token, &deliveries).await;
    assert_eq!(log["items"][0]["status"], "delivered", "{log}");
    assert_eq!(log["items"][0]["attempts"], 2);
}

#[tokio::test]
async fn a_replayed_create_or_rotation_answers_the_same_without_the_secret_and_makes_nothing_again() {
    let app = spawn_app().await;
    let body = json!({"url": "https://tongji.jyj.example.cn/chanjiao/events", "events": ["*"]});
    let send = |path: String, body: Value| {
        app.request(Method::POST, &path)
            .header("Idempotency-Key", format!("once-{path}"))
            .json(&body)
            .send()
    };
    let first = send("/api/v1/webhooks".into(), body.clone()).await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    assert_eq!(
        first.headers()["cache-control"],
        "no-store",
        "no cache keeps the secret"
    );
    let first: Value = first.json().await.unwrap();
    assert!(first["secret"].as_str().unwrap().starts_with("whsec_"));
    let again = send("/api/v1/webhooks".into(), body).await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert!(again.get("secret").is_none(), "{again}");
    let mut without = first.clone();
    without.as_object_mut().unwrap().remove("secret");
    assert_eq!(again, without);
    assert_eq!(app.page("/api/v1/webhooks").await.total, 1);

    let rotate = format!("/api/v1/webhooks/{}/secret", first["id"].as_str().unwrap());
    let rotated: Value = send(rotate.clone(), json!({})).await.unwrap().json().await.unwrap();
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
    let replayed = send(rotate, json!({})).await.unwrap();
    assert_eq!(replayed.headers()["idempotent-replayed"], "true");
    let replayed: Value = replayed.json().await.unwrap();
    assert!(replayed.get("secret").is_none());
    assert_eq!(
        replayed["previous_secret_expires_at"],
        rotated["previous_secret_expires_at"]
    );
    // Rotated once: the audit trail has one rotation.
    let rotations = app
        .audit_of(first["id"].as_str().unwrap())
        .await
        .into_iter()
        .filter(|row| row.changes.as_ref().is_some_and(|c| c.get("secret").is_some()))
        .count();
    assert_eq!(rotations, 1);
}

/// The README's code block of `language` in the section on webhooks.
fn readme_block(language: &str) -> String {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("### Webhooks\n")
        .nth(1)
        .expect("the README has a section on webhooks");
    let block = section
        .split(&format!("```{language}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("a {language} block in the section on webhooks"));
    block.split("\n```").next().unwrap().to_string()
}

#[tokio::test]
async fn the_readme_s_signature_checks_accept_a_real_delivery_and_refuse_a_forged_one() {
    let app = spawn_app_with(quick).await;
    let receiver = Receiver::start();
    let (_, secret) = webhook(&app, &receiver, &["*"]).await;
    app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let delivery = receiver.wait_for(1, Duration::from_secs(10)).await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    std::fs::write(&body, &delivery.body).unwrap();
    let script = format!(
        "{}\n\nimport sys\nbody = open(sys.argv[1], 'rb').read()\nsecret, header = sys.argv[2], sys.argv[3]\n\
         print(verify(secret, header, body), verify(secret, header, body + b' '), verify('whsec_other', header, body),\n\
               verify(secret, header.replace('t=', 't=1'), body), verify(secret, 't=x,v1=zz', body),\n\
               verify(secret, 'garbage', body), verify(secret, header + ',v1=\\u00e9\\u00e9', body),\n\
               verify(secret, header.replace('t=', 't=\\uff11'), body))\n",
        readme_block("python")
    );
    let output = std::process::Command::new("python3")
        .args(["-c", &script])
        .arg(&body)
        .arg(&secret)
        .arg(&delivery.signature)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        stdout.trim(),
        "True False False False False False True False",
        "a real delivery only (a forged part beside a good v1= spoils nothing; no header breaks it)"
    );
    // The TypeScript one is the file CI type-checks.
    let typescript = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/typescript/src/verify-webhook.ts"),
    )
    .unwrap();
    assert_eq!(readme_block("ts").trim(), typescript.trim());
}

#[tokio::test]
async fn a_receiver_that_never_answers_in_time_holds_up_only_its_own_deliveries() {
    let app = spawn_app_with(|s| {
        quick(s);
        s.webhooks.timeout = Duration::from_secs(3);
    })
    .await;
    let stuck = Receiver::start();
    stuck.delay(Duration::from_secs(10));
    let healthy = Receiver::start();
    webhook(&app, &stuck, &["school.create"]).await;
    webhook(&app, &healthy, &["school.create"]).await;
    let started = std::time::Instant::now();
    for n in 0..24 {
        app.create_id("/api/v1/schools", &json!({"name": format!("学校{n}")}))
            .await;
    }
    let received = healthy.wait_for(24, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 24);
    // Before even one of the stuck receiver's attempts timed out: nothing waited for them.
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    assert!(stuck.received().len() < 24);
}
