//! The contract's conventions, proved once for every collection: a new
//! collection joins by adding a row to [`collections`].

use chanjiao::domain::vocab::FeedType;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{encode, problem_of, spawn_app, TestApp, USER_PASSWORD};

/// Records the collections' records may name.
struct Context {
    enterprise_id: String,
    school_id: String,
    /// A placement of the school at the enterprise.
    apprenticeship_id: String,
}

async fn context(app: &TestApp) -> Context {
    let enterprise = app
        .create_record("/api/v1/enterprises", &json!({"name": "辰泰重钢"}))
        .await;
    let school = app
        .create_record("/api/v1/schools", &json!({"name": "县职教中心"}))
        .await;
    let placement = app
        .create_record(
            "/api/v1/apprenticeships",
            &json!({
                "kind": "order_class", "enterprise_id": enterprise.id, "school_id": school.id,
                "participant": {"name": "李明"}, "program": "焊接订单班", "start_date": "2024-09-01",
            }),
        )
        .await;
    Context {
        enterprise_id: enterprise.id,
        school_id: school.id,
        apprenticeship_id: placement.id,
    }
}

/// One collection of the API, as the convention tests drive it.
struct Collection {
    /// `/api/v1/<collection>`.
    path: &'static str,
    /// Its `resource_type` in the audit trail.
    resource_type: &'static str,
    /// A valid new record; `n` makes unique values unique.
    new: fn(n: usize, ctx: &Context) -> Value,
    /// A merge patch that changes something.
    change: fn() -> Value,
    /// A field that is no writable field of it.
    read_only: &'static str,
    /// A filter of its list, with a value.
    filter: &'static str,
}

fn collections() -> Vec<Collection> {
    vec![
        Collection {
            path: "/api/v1/enterprises",
            resource_type: "enterprise",
            new: |n, _| json!({"name": format!("企业{n}"), "scale": "small", "tags": ["实训"]}),
            change: || json!({"industry": "钢铁", "tags": ["厂中校"]}),
            read_only: "search_text",
            filter: "scale=small",
        },
        Collection {
            path: "/api/v1/schools",
            resource_type: "school",
            new: |n, _| json!({"name": format!("学校{n}"), "kind": "other", "majors": [{"name": "焊接"}]}),
            change: || json!({"address": "职教路1号", "majors": [{"code": "660301", "name": "焊接技术应用"}]}),
            read_only: "search_text",
            filter: "kind=other",
        },
        Collection {
            path: "/api/v1/users",
            resource_type: "user",
            new: |n, _| json!({"username": format!("user{n}"), "role": "viewer", "password": USER_PASSWORD}),
            change: || json!({"display_name": "张学"}),
            read_only: "password_hash",
            filter: "role=viewer",
        },
        Collection {
            path: "/api/v1/apprenticeships",
            resource_type: "apprenticeship",
            new: |n, ctx| {
                json!({
                    "kind": "order_class", "enterprise_id": ctx.enterprise_id, "school_id": ctx.school_id,
                    "participant": {"name": format!("学生{n}")}, "program": "辰泰重钢焊接订单班", "start_date": "2024-09-01",
                })
            },
            change: || json!({"site": "辰泰重钢焊接实训车间", "hours_per_week": 36}),
            read_only: "status",
            filter: "kind=order_class",
        },
        Collection {
            path: "/api/v1/meetings",
            resource_type: "meeting",
            new: |n, ctx| {
                json!({
                    "title": format!("推进会{n}"), "kind": "coordination", "held_on": "2024-04-03",
                    "host_enterprise_id": ctx.enterprise_id,
                    "attendees": [{"name": "谭刚", "school_id": ctx.school_id, "role": "attendee"}],
                })
            },
            change: || json!({"location": "辰泰重钢会议室", "decisions": [{"text": "一企一策"}]}),
            read_only: "search_text",
            filter: "kind=coordination",
        },
        Collection {
            path: "/api/v1/demands",
            resource_type: "demand",
            new: |n, ctx| {
                json!({
                    "enterprise_id": ctx.enterprise_id, "kind": "course", "title": format!("共建课程{n}"),
                    "majors": [{"code": "660301", "name": "焊接技术应用"}], "source": "survey",
                })
            },
            change: || json!({"description": "共建焊接课程", "needed_by": "2025-09-01", "tags": ["一企一策"]}),
            read_only: "fulfilled_headcount",
            filter: "kind=course",
        },
        Collection {
            path: "/api/v1/bases",
            resource_type: "base",
            new: |n, ctx| {
                json!({
                    "name": format!("厂中校{n}"), "kind": "factory_school",
                    "enterprise_id": ctx.enterprise_id, "school_id": ctx.school_id, "capacity": 100,
                })
            },
            change: || json!({"status": "building", "majors": [{"code": "660103", "name": "数控技术应用"}]}),
            read_only: "search_text",
            filter: "kind=factory_school",
        },
        Collection {
            path: "/api/v1/competitions",
            resource_type: "competition",
            new: |n, ctx| {
                json!({
                    "name": format!("焊工技能大比武{n}"), "skill": "焊接", "level": "enterprise", "held_on": "2024-05-18",
                    "host_enterprise_id": ctx.enterprise_id,
                    "entries": [{"name": "李明", "role": "student", "school_id": ctx.school_id, "score": 92.5}],
                })
            },
            change: || json!({"description": "成绩已公示", "level": "county"}),
            read_only: "search_text",
            filter: "level=enterprise",
        },
        Collection {
            path: "/api/v1/visits",
            resource_type: "visit",
            new: |n, ctx| {
                json!({
                    "apprenticeship_id": ctx.apprenticeship_id, "visited_on": "2024-10-15",
                    "visitor_name": format!("王老师{n}"), "kind": "online",
                })
            },
            change: || json!({"findings": "跟岗正常", "follow_up_due_on": "2024-11-15"}),
            read_only: "school_id",
            filter: "visited_from=2024-10-01",
        },
        Collection {
            path: "/api/v1/incidents",
            resource_type: "incident",
            new: |n, ctx| {
                json!({
                    "apprenticeship_id": ctx.apprenticeship_id, "occurred_on": "2024-10-08", "kind": "absence",
                    "severity": "minor", "description": format!("学生{n}未按时到岗"),
                })
            },
            change: || json!({"resolved_on": "2024-10-09", "reported_to_bureau_on": "2024-10-09"}),
            read_only: "enterprise_id",
            filter: "kind=absence",
        },
        Collection {
            path: "/api/v1/webhooks",
            resource_type: "webhook",
            new: |n, _| json!({"url": format!("https://tongji.jyj.example.cn/hook/{n}"), "events": ["*"]}),
            change: || json!({"description": "县教体局统计系统", "events": ["school.create", "school.update"]}),
            read_only: "secret",
            filter: "active=true",
        },
    ]
}

/// The change feed's types whose records no collection's `POST` creates
/// (one settings record; check-ins and journals, made on a placement by its
/// participant): their entries are proved by their own tests
/// (`compliance::`, `check_ins::`, `journals::`).
const SINGLETONS: [FeedType; 3] = [FeedType::ComplianceSettings, FeedType::CheckIn, FeedType::Journal];

/// The types of the change feed that collections create: the service's
/// own list (`FeedType::ALL`) but the [`SINGLETONS`], in its order.
fn followed_types() -> Vec<FeedType> {
    FeedType::ALL
        .iter()
        .copied()
        .filter(|kind| !SINGLETONS.contains(kind))
        .collect()
}

/// The collections of the kinds of record the change feed follows: one per
/// type of [`followed_types`], in its order. A type without a row in
/// [`collections`] fails the tests that use this.
fn followed() -> Vec<Collection> {
    let mut all = collections();
    followed_types()
        .iter()
        .map(|kind| {
            let at = all
                .iter()
                .position(|c| c.resource_type == kind.as_str())
                .unwrap_or_else(|| panic!("the change feed's type {kind:?} has no row in collections()"));
            all.remove(at)
        })
        .collect()
}

async fn patch_as(
    app: &TestApp,
    path: &str,
    media_type: &str,
    if_match: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = app
        .request(Method::PATCH, path)
        .header("Content-Type", media_type)
        .body(body.to_string());
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn every_collection_creates_with_location_etag_and_version_1_and_reads_back_the_same() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in collections() {
        let created = app.create_record(c.path, &(c.new)(1, &ctx)).await;
        assert_eq!(created.location, format!("{}/{}", c.path, created.id), "{}", c.path);
        assert_eq!(created.etag, "\"1\"", "{}", c.path);
        assert_eq!(created.version, 1, "{}", c.path);
        assert_eq!(created.body["created_at"], created.body["updated_at"], "{}", c.path);
        assert_eq!(app.record(&created.location).await, stored(&created.body), "{}", c.path);
    }
}

/// A create's answer as the record reads back: a webhook's create also
/// answers its secret, that once.
fn stored(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(secret) = body.as_object_mut().and_then(|o| o.remove("secret")) {
        assert!(secret.as_str().is_some_and(|s| s.starts_with("whsec_")));
    }
    body
}

#[tokio::test]
async fn every_collection_answers_304_to_its_current_etag_only() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in collections() {
        let created = app.create_record(c.path, &(c.new)(1, &ctx)).await;
        for (tag, status) in [("\"1\"", 304), ("W/\"1\"", 304), ("\"2\"", 200), ("*", 304)] {
            let response = app
                .request(Method::GET, &created.location)
                .header("If-None-Match", tag)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), status, "{} {tag}", c.path);
            assert_eq!(response.headers()["etag"], "\"1\"", "{} {tag}", c.path);
        }
    }
}

#[tokio::test]
async fn every_collection_takes_merge_patches_in_both_media_types_and_bumps_the_version_only_on_change() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in collections() {
        let created = app.create_record(c.path, &(c.new)(1, &ctx)).await;
        let path = &created.location;
        let response = patch_as(&app, path, "application/merge-patch+json", Some("\"1\""), &(c.change)()).await;
        assert_eq!(response.status().as_u16(), 200, "{}", c.path);
        assert_eq!(response.headers()["etag"], "\"2\"", "{}", c.path);
        let changed: Value = response.json().await.unwrap();
        assert_eq!(changed["version"], 2, "{}", c.path);
        for (field, value) in (c.change)().as_object().unwrap() {
            assert_eq!(&changed[field], value, "{} {field}", c.path);
        }
        assert!(
            changed["updated_at"].as_str() > created.body["updated_at"].as_str(),
            "{}",
            c.path
        );
        // The same patch again, as application/json, changes nothing.
        let response = patch_as(&app, path, "application/json", None, &(c.change)()).await;
        assert_eq!(response.status().as_u16(), 200, "{}", c.path);
        let unchanged: Value = response.json().await.unwrap();
        assert_eq!(unchanged, changed, "{}", c.path);
        assert_eq!(app.record(path).await, changed, "{}", c.path);
        // Other media types are refused.
        let response = patch_as(&app, path, "text/plain", None, &(c.change)()).await;
        problem_of(response, 415).await;
    }
}

#[tokio::test]
async fn every_collection_refuses_a_stale_if_match_with_412_and_changes_nothing() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in collections() {
        let created = app.create_record(c.path, &(c.new)(1, &ctx)).await;
        let path = &created.location;
        let response = patch_as(&app, path, "application/json", Some("\"1\""), &(c.change)()).await;
        assert_eq!(response.status().as_u16(), 200, "{}", c.path);
        let current = app.record(path).await;
        let response = patch_as(&app, path, "application/json", Some("\"1\""), &json!({})).await;
        problem_of(response, 412).await;
        let response = app
            .request(Method::DELETE, path)
            .header("If-Match", "\"1\"")
            .send()
            .await
            .unwrap();
        problem_of(response, 412).await;
        assert_eq!(app.record(path).await, current, "{}", c.path);
        let response = app
            .request(Method::DELETE, path)
            .header("If-Match", "\"2\"")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 204, "{}", c.path);
        problem_of(app.get(path).await, 404).await;
    }
}

#[tokio::test]
async fn every_collection_refuses_unknown_and_read_only_fields_and_stores_nothing() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in collections() {
        let before = app.page(c.path).await.total;
        for field in ["id", "version", "created_at", c.read_only, "no_such_field"] {
            let mut body = (c.new)(1, &ctx);
            body[field] = json!("1");
            let problem = problem_of(app.post_json(c.path, &body).await, 422).await;
            assert_eq!(
                (problem.status, problem.problem_type.as_str(), problem.title.as_str()),
                (422, "urn:chanjiao:problem:validation-error", "Unprocessable Entity")
            );
            assert_eq!(problem.fields(), vec![field], "{} {field}", c.path);
            assert_eq!(problem.errors[0].code, "unknown_field", "{} {field}", c.path);
            assert!(!problem.errors[0].message.is_empty() && !problem.detail.is_empty());
        }
        assert_eq!(app.page(c.path).await.total, before, "{}", c.path);
        let created = app.create_record(c.path, &(c.new)(2, &ctx)).await;
        let problem = problem_of(app.patch_json(&created.location, &json!({"version": 9})).await, 422).await;
        assert_eq!(problem.fields(), vec!["version"], "{}", c.path);
        assert_eq!(app.record(&created.location).await, stored(&created.body), "{}", c.path);
    }
}

#[tokio::test]
async fn every_collection_binds_its_cursors_to_the_sort_and_the_filters() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in collections() {
        for n in 0..3 {
            app.create_record(c.path, &(c.new)(n, &ctx)).await;
        }
        let first = app.page(&format!("{}?limit=1&{}", c.path, c.filter)).await;
        assert_eq!(first.items.len(), 1, "{}", c.path);
        let cursor = encode(first.next_cursor.as_deref().expect("a next page"));
        let next = app
            .page(&format!("{}?limit=2&{}&cursor={cursor}", c.path, c.filter))
            .await;
        assert!(!next.items.is_empty(), "{}", c.path);
        assert_ne!(next.items[0]["id"], first.items[0]["id"], "{}", c.path);
        for other in [
            "sort=created_at",
            "sort=-updated_at",
            "q=x",
            "updated_since=2024-01-01T00:00:00Z",
            "",
        ] {
            let response = app.get(&format!("{}?limit=1&{other}&cursor={cursor}", c.path)).await;
            let problem = problem_of(response, 400).await;
            assert_eq!(problem.fields(), vec!["cursor"], "{} {other}", c.path);
        }
        let response = app
            .get(&format!("{}?limit=1&{}&cursor=not-a-cursor", c.path, c.filter))
            .await;
        problem_of(response, 400).await;
    }
}

#[tokio::test]
async fn every_collection_audits_each_write_with_what_changed() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in collections() {
        let created = app.create_record(c.path, &(c.new)(1, &ctx)).await;
        app.patch_json(&created.location, &(c.change)()).await;
        app.patch_json(&created.location, &(c.change)()).await; // no change, no row
        assert_eq!(app.delete(&created.location).await.status().as_u16(), 204);
        let rows = app.audit_of(&created.id).await;
        let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, vec!["delete", "update", "create"], "{}", c.path);
        for row in &rows {
            assert_eq!(row.resource_type, c.resource_type, "{}", c.path);
            assert_eq!(row.resource_id.as_deref(), Some(created.id.as_str()), "{}", c.path);
            assert_eq!(row.actor_username.as_deref(), Some("admin"), "{}", c.path);
            assert_eq!(row.outcome, "success", "{}", c.path);
        }
        let update = rows[1].changes.as_ref().expect("the update's changes");
        for field in (c.change)().as_object().unwrap().keys() {
            assert!(update.get(field).is_some(), "{} {field}: {update}", c.path);
        }
        assert!(update.get("version").is_none(), "{}", c.path);
    }
}

/// `body` with the member at the JSON pointer `pointer` set to `value`.
fn with(body: &Value, pointer: &str, value: Value) -> Value {
    let mut body = body.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = if parent.is_empty() {
        &mut body
    } else {
        body.pointer_mut(parent).unwrap()
    };
    parent.as_object_mut().unwrap().insert(key.to_string(), value);
    body
}

#[tokio::test]
async fn every_calendar_date_outside_the_years_1900_to_2100_is_422_naming_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    let placement = json!({
        "kind": "order_class", "enterprise_id": ctx.enterprise_id, "school_id": ctx.school_id,
        "participant": {"name": "学生"}, "program": "订单班", "start_date": "2024-09-01",
    });
    let meeting = json!({
        "title": "推进会", "kind": "coordination", "held_on": "2024-04-03",
        "action_items": [{"description": "落实", "owner_name": "联盟办公室", "due_on": "2024-05-01"}],
    });
    // (collection, a valid body, the JSON pointer of a date in it, the field's name in errors)
    let dates = [
        (
            "/api/v1/enterprises",
            json!({"name": "企业"}),
            "/joined_on",
            "joined_on",
        ),
        ("/api/v1/schools", json!({"name": "学校"}), "/joined_on", "joined_on"),
        (
            "/api/v1/apprenticeships",
            placement.clone(),
            "/start_date",
            "start_date",
        ),
        ("/api/v1/apprenticeships", placement.clone(), "/end_date", "end_date"),
        (
            "/api/v1/apprenticeships",
            placement.clone(),
            "/agreement_signed_on",
            "agreement_signed_on",
        ),
        (
            "/api/v1/apprenticeships",
            placement.clone(),
            "/participant/birth_date",
            "participant.birth_date",
        ),
        ("/api/v1/meetings", meeting.clone(), "/held_on", "held_on"),
        (
            "/api/v1/demands",
            json!({"enterprise_id": ctx.enterprise_id, "kind": "course", "title": "共建课程"}),
            "/needed_by",
            "needed_by",
        ),
        (
            "/api/v1/bases",
            json!({"name": "基地", "kind": "innovation_service", "enterprise_id": ctx.enterprise_id}),
            "/established_on",
            "established_on",
        ),
        (
            "/api/v1/competitions",
            json!({"name": "技能大比武", "skill": "焊接", "held_on": "2024-05-18"}),
            "/held_on",
            "held_on",
        ),
        (
            "/api/v1/meetings",
            meeting.clone(),
            "/action_items/0/due_on",
            "action_items[0].due_on",
        ),
        (
            "/api/v1/visits",
            json!({"apprenticeship_id": ctx.apprenticeship_id, "visited_on": "2024-10-15", "visitor_name": "王老师"}),
            "/follow_up_due_on",
            "follow_up_due_on",
        ),
        (
            "/api/v1/incidents",
            json!({"apprenticeship_id": ctx.apprenticeship_id, "occurred_on": "2024-10-08", "kind": "other",
                   "severity": "minor", "description": "迟到"}),
            "/reported_to_bureau_on",
            "reported_to_bureau_on",
        ),
    ];
    for (path, body, pointer, field) in dates {
        let before = app.page(path).await.total;
        for bad in [
            "+262142-01-01",
            "0000-01-01",
            "1899-12-31",
            "2101-01-01",
            "-0001-01-01",
            "2024-4-3",
        ] {
            let problem = problem_of(app.post_json(path, &with(&body, pointer, json!(bad))).await, 422).await;
            assert_eq!(problem.fields(), vec![field], "{path} {field} = {bad}");
        }
        assert_eq!(app.page(path).await.total, before, "{path}: nothing stored");
        for good in ["1900-01-01", "2100-12-31"] {
            let mut sent = with(&body, pointer, json!(good));
            if field == "start_date" || field == "end_date" {
                // An end before the start is refused for its own reason; keep them in order.
                sent["start_date"] = json!(good);
                sent["end_date"] = json!(good);
            }
            let response = app.post_json(path, &sent).await;
            assert_eq!(response.status().as_u16(), 201, "{path} {field} = {good}");
        }
    }
    // As a filter: 400 naming the parameter.
    for query in [
        "/api/v1/meetings?held_from=0000-01-01",
        "/api/v1/meetings?held_to=2101-01-01",
        "/api/v1/apprenticeships?start_from=%2B262142-01-01",
        "/api/v1/apprenticeships?active_on=1899-12-31",
        "/api/v1/action-items?due_before=2101-01-01",
        "/api/v1/visits?visited_to=2101-01-01",
        "/api/v1/incidents?occurred_from=1899-12-31",
    ] {
        let problem = problem_of(app.get(query).await, 400).await;
        let parameter = query.split_once('?').unwrap().1.split_once('=').unwrap().0;
        assert_eq!(problem.fields(), vec![parameter], "{query}");
    }
}

#[tokio::test]
async fn every_followed_collection_s_create_change_and_delete_is_in_the_change_feed_with_its_versions() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for c in followed() {
        let start = app.latest().await;
        let created = app.create_record(c.path, &(c.new)(1, &ctx)).await;
        app.patch_json(&created.location, &(c.change)()).await;
        app.patch_json(&created.location, &(c.change)()).await; // no change, no entry
        assert_eq!(app.delete(&created.location).await.status().as_u16(), 204);
        let page = app.feed(&format!("after={start}")).await;
        let seen: Vec<(String, String, String, Option<i64>)> = page
            .items
            .iter()
            .map(|i| {
                (
                    i.resource_type.clone(),
                    i.resource_id.clone(),
                    i.action.clone(),
                    i.version,
                )
            })
            .collect();
        let id = created.id.clone();
        let kind = c.resource_type.to_string();
        assert_eq!(
            seen,
            vec![
                (kind.clone(), id.clone(), "create".into(), Some(1)),
                (kind.clone(), id.clone(), "update".into(), Some(2)),
                (kind.clone(), id.clone(), "delete".into(), None),
            ],
            "{}",
            c.path
        );
        assert!(
            page.items.windows(2).all(|w| w[0].position < w[1].position),
            "{}",
            c.path
        );
    }
}

/// Every type the change feed names has its records in the feed. The types
/// are the service's own list (`FeedType::ALL`), so that a type added to it
/// whose table has no feed triggers (`util::add_feed_triggers` in the
/// migration that creates it) fails here.
#[tokio::test]
async fn every_type_the_change_feed_names_has_its_records_in_the_feed() {
    let app = spawn_app().await;
    let ctx = context(&app).await;
    for (kind, c) in followed_types().iter().zip(followed()) {
        let start = app.latest().await;
        let created = app.create_record(c.path, &(c.new)(1, &ctx)).await;
        let page = app
            .feed(&format!("after={start}&resource_type={}", kind.as_str()))
            .await;
        let seen: Vec<(&str, &str, &str)> = page
            .items
            .iter()
            .map(|i| (i.resource_type.as_str(), i.resource_id.as_str(), i.action.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![(kind.as_str(), created.id.as_str(), "create")],
            "a record created at {} is not in the feed as one {}: has its table the feed's triggers?",
            c.path,
            kind.as_str()
        );
    }
}
