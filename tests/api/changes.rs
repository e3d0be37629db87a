//! The change feed: every committed write once, in commit order, never a
//! skipped one; scoped to what each caller may read; kept 90 days.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::{json, Value};

use crate::helpers::{problem_of, spawn_app, TestApp};

/// One item of the feed.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Item {
    pub position: i64,
    pub resource_type: String,
    pub resource_id: String,
    pub action: String,
    pub version: Option<i64>,
    pub at: String,
}

/// A page of the feed.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Feed {
    pub items: Vec<Item>,
    pub next_after: String,
}

impl TestApp {
    /// A page of the feed as `token`'s caller; panics unless 200.
    pub async fn feed_as(&self, token: &str, query: &str) -> Feed {
        let response = self
            .request_as(Method::GET, &format!("/api/v1/changes?{query}"), Some(token))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(status, 200, "GET /changes?{query}: {text}");
        serde_json::from_str(&text).expect("a page of the feed")
    }

    /// A page of the feed as the admin.
    pub async fn feed(&self, query: &str) -> Feed {
        self.feed_as(&self.token, query).await
    }

    /// Every change after `after` as `token`'s caller, page by page.
    pub async fn follow_as(&self, token: &str, after: &str, limit: u64) -> (Vec<Item>, String) {
        let mut after = after.to_string();
        let mut items = Vec::new();
        loop {
            let page = self.feed_as(token, &format!("after={after}&limit={limit}")).await;
            let full = page.items.len() as u64 == limit;
            items.extend(page.items);
            after = page.next_after;
            if !full {
                return (items, after);
            }
        }
    }

    /// The feed's current position.
    pub async fn latest(&self) -> String {
        self.feed("after=latest").await.next_after
    }
}

/// `(resource_type, action, version)` of each item.
fn actions(items: &[Item]) -> Vec<(String, String, Option<i64>)> {
    items
        .iter()
        .map(|i| (i.resource_type.clone(), i.action.clone(), i.version))
        .collect()
}

fn increasing(items: &[Item]) -> bool {
    items.windows(2).all(|w| w[0].position < w[1].position)
}

#[tokio::test]
async fn the_feed_lists_a_create_an_update_and_a_delete_with_versions_and_positions_that_grow() {
    let app = spawn_app().await;
    let start = app.latest().await;
    let created = app
        .create_record("/api/v1/enterprises", &json!({"name": "辰泰重钢"}))
        .await;
    let path = &created.location;
    app.patch_json(path, &json!({"industry": "钢铁"})).await;
    // A patch that changes nothing is no change.
    app.patch_json(path, &json!({"industry": "钢铁"})).await;
    assert_eq!(app.delete(path).await.status().as_u16(), 204);

    let page = app.feed(&format!("after={start}")).await;
    assert_eq!(
        actions(&page.items),
        vec![
            ("enterprise".into(), "create".into(), Some(1)),
            ("enterprise".into(), "update".into(), Some(2)),
            ("enterprise".into(), "delete".into(), None),
        ]
    );
    assert!(page.items.iter().all(|i| i.resource_id == created.id));
    assert!(increasing(&page.items));
    assert_eq!(
        page.items[0].at,
        created.body["created_at"].as_str().unwrap().to_string()
    );
    // A deletion has no `version` member at all.
    let raw: Value = app
        .get(&format!("/api/v1/changes?after={start}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(raw["items"][2].get("version").is_none(), "{raw}");
    // The page ends short of its limit: next_after is the feed's position, and nothing follows it.
    assert_eq!(page.next_after, page.items[2].position.to_string());
    assert_eq!(app.feed(&format!("after={}", page.next_after)).await.items, vec![]);
}

#[tokio::test]
async fn transitions_evaluations_action_items_and_a_demand_s_fulfilment_are_updates_of_their_records() {
    let app = spawn_app().await;
    let enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let demand = app
        .create_id(
            "/api/v1/demands",
            &json!({"enterprise_id": enterprise, "kind": "order_class", "title": "焊接订单班", "headcount": 30}),
        )
        .await;
    let meeting = app
        .create_record(
            "/api/v1/meetings",
            &json!({"title": "推进会", "held_on": "2024-04-03",
                "action_items": [{"description": "落实订单班", "owner_school_id": school, "due_on": "2024-05-01"}]}),
        )
        .await;
    let start = app.latest().await;
    let placement = app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({"kind": "order_class", "enterprise_id": enterprise, "school_id": school, "demand_id": demand,
                "participant": {"name": "李明", "birth_date": "2006-01-01"}, "start_date": "2024-09-01",
                "agreement_signed_on": "2024-08-20", "insurance_policy_no": "PICC-1"}),
        )
        .await;
    for to in ["submitted", "active"] {
        let response = app
            .post_json(
                &format!("/api/v1/apprenticeships/{placement}/transitions"),
                &json!({"to": to}),
            )
            .await;
        assert_eq!(
            response.status().as_u16(),
            200,
            "{to}: {}",
            response.text().await.unwrap()
        );
    }
    let response = app
        .post_json(
            &format!("/api/v1/apprenticeships/{placement}/evaluations"),
            &json!({"by": "school", "score": 90}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201);
    let item = meeting.body["action_items"][0]["id"].as_str().unwrap();
    let response = app
        .patch_json(
            &format!("/api/v1/meetings/{}/action-items/{item}", meeting.id),
            &json!({"status": "done"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);

    let (items, _) = app.follow_as(&app.token, &start, 100).await;
    let mut seen = actions(&items);
    // The activation and the demand it fulfils one more of commit together, in either order.
    seen[2..4].sort();
    assert_eq!(
        seen,
        vec![
            ("apprenticeship".into(), "create".into(), Some(1)),
            ("apprenticeship".into(), "update".into(), Some(2)),
            ("apprenticeship".into(), "update".into(), Some(3)),
            ("demand".into(), "update".into(), Some(2)),
            ("apprenticeship".into(), "update".into(), Some(4)),
            ("meeting".into(), "update".into(), Some(2)),
        ]
    );
    assert!(items.iter().any(|i| i.resource_id == demand));
    assert_eq!(items[5].resource_id, meeting.id);
    let stored = app.record(&format!("/api/v1/demands/{demand}")).await;
    assert_eq!(
        (stored["version"].clone(), stored["fulfilled_headcount"].clone()),
        (json!(2), json!(1))
    );
}

#[tokio::test]
async fn a_write_that_is_refused_or_rolled_back_leaves_no_change_in_the_feed() {
    let app = spawn_app().await;
    let enterprise = app
        .create_record(
            "/api/v1/enterprises",
            &json!({"name": "辰泰重钢", "credit_code": "91350100M000100Y43"}),
        )
        .await;
    let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    app.create_id(
        "/api/v1/apprenticeships",
        &json!({"kind": "order_class", "enterprise_id": enterprise.id, "school_id": school,
            "participant": {"name": "李明"}, "start_date": "2024-09-01"}),
    )
    .await;
    let start = app.latest().await;
    // A duplicate credit code (409), among creates committed in the same group.
    let mut creates = Vec::new();
    for n in 0..8 {
        let body = if n == 3 {
            json!({"name": "重复", "credit_code": "91350100M000100Y43"})
        } else {
            json!({"name": format!("企业{n}")})
        };
        let app = &app;
        creates.push(async move { app.post_json("/api/v1/enterprises", &body).await.status().as_u16() });
    }
    let statuses = futures_util::future::join_all(creates).await;
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 1, "{statuses:?}");
    // A deletion of a record others reference (409), a stale If-Match (412), an invalid patch (422).
    problem_of(app.delete(&enterprise.location).await, 409).await;
    let response = app
        .request(Method::PATCH, &enterprise.location)
        .header("If-Match", "\"7\"")
        .json(&json!({"industry": "钢铁"}))
        .send()
        .await
        .unwrap();
    problem_of(response, 412).await;
    problem_of(
        app.patch_json(&enterprise.location, &json!({"scale": "huge"})).await,
        422,
    )
    .await;

    let (items, _) = app.follow_as(&app.token, &start, 100).await;
    assert_eq!(items.len(), 7, "{items:?}");
    assert!(items
        .iter()
        .all(|i| i.resource_type == "enterprise" && i.action == "create"));
    assert!(items.iter().all(|i| i.resource_id != enterprise.id));
}

/// Changes committed by `writers` concurrent writers, `writes` each, while
/// a client follows the feed: it must see every change exactly once, in
/// growing positions.
#[tokio::test]
async fn a_client_following_the_feed_during_concurrent_writes_sees_every_change_once() {
    let app = spawn_app().await;
    let start = app.latest().await;
    let (writers, writes): (usize, usize) = (6, 12);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let follower = {
        let done = done.clone();
        let app = &app;
        let start = start.clone();
        async move {
            let mut after = start.clone();
            let mut seen = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = app.feed(&format!("after={after}&limit=7")).await;
                seen.extend(page.items);
                after = page.next_after;
                if finished {
                    // One more walk after the writers are done catches the last ones.
                    let (rest, _) = app.follow_as(&app.token, &after, 7).await;
                    seen.extend(rest);
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    let writing = async {
        let mut tasks = Vec::new();
        for w in 0..writers {
            let app = &app;
            tasks.push(async move {
                for n in 0..writes {
                    let created = app
                        .create_record("/api/v1/schools", &json!({"name": format!("学校{w}-{n}")}))
                        .await;
                    if n % 3 == 0 {
                        app.patch_json(&created.location, &json!({"address": "职教路"})).await;
                    }
                    if n % 4 == 0 {
                        app.delete(&created.location).await;
                    }
                }
            });
        }
        futures_util::future::join_all(tasks).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let (seen, ()) = tokio::join!(follower, writing);
    let (all, _) = app.follow_as(&app.token, &start, 1000).await;
    let expected = writers * (writes + writes.div_ceil(3) + writes.div_ceil(4));
    assert_eq!(all.len(), expected);
    assert!(increasing(&seen), "positions only grow");
    assert_eq!(seen, all, "the follower saw every change once, in order");
}

/// A transaction that began before others and commits after them: its
/// change is not skipped by a client that read the feed in between.
#[tokio::test]
async fn a_change_that_commits_after_later_ones_is_never_skipped() {
    let app = spawn_app().await;
    let early = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let start = app.latest().await;
    // Another connection (as another replica would) begins a write and holds it open.
    let other = sea_orm::Database::connect(app.database_url()).await.unwrap();
    let held = other.begin().await.unwrap();
    let set_id = match held.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => format!("'{early}'::uuid"),
        _ => format!("X'{}'", early.replace('-', "")),
    };
    let changed = held
        .execute_unprepared(&format!(
            "UPDATE enterprises SET industry = '钢铁', version = version + 1 WHERE id = {set_id}"
        ))
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    let postgres = held.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    // Later writes: on PostgreSQL they commit while the first is open; on
    // SQLite (one writer at a time) they wait for it.
    let later = {
        let app = &app;
        async move {
            let mut ids = Vec::new();
            for n in 0..3 {
                ids.push(
                    app.create_id("/api/v1/schools", &json!({"name": format!("学校{n}")}))
                        .await,
                );
            }
            ids
        }
    };
    let reading = async {
        let mut after = start.clone();
        let mut seen = Vec::new();
        // Read the feed while the first transaction is still open.
        for _ in 0..20 {
            let page = app.feed(&format!("after={after}")).await;
            seen.extend(page.items);
            after = page.next_after;
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        (seen, after)
    };
    let (ids, (seen_while_open, after)) = if postgres {
        let ids = later.await;
        let read = reading.await;
        held.commit().await.unwrap();
        (ids, read)
    } else {
        tokio::join!(later, async {
            let read = reading.await;
            held.commit().await.unwrap();
            read
        })
    };
    if postgres {
        // The later writes committed and were read while the first was open.
        let read: BTreeSet<&str> = seen_while_open.iter().map(|i| i.resource_id.as_str()).collect();
        assert_eq!(read, ids.iter().map(String::as_str).collect(), "{seen_while_open:?}");
    } else {
        assert!(seen_while_open.is_empty(), "{seen_while_open:?}");
    }
    let (rest, _) = app.follow_as(&app.token, &after, 100).await;
    let mut seen = seen_while_open;
    seen.extend(rest);
    assert!(increasing(&seen));
    let early_change: Vec<&Item> = seen.iter().filter(|i| i.resource_id == early).collect();
    assert_eq!(early_change.len(), 1, "the late commit is in the feed: {seen:?}");
    assert_eq!(
        (early_change[0].action.as_str(), early_change[0].version),
        ("update", Some(2))
    );
    assert_eq!(seen.len(), 1 + ids.len());
    if postgres {
        // It committed last, so it comes last.
        assert_eq!(seen.last().unwrap().resource_id, early);
    } else {
        assert_eq!(seen[0].resource_id, early);
    }
    let (all, _) = app.follow_as(&app.token, &start, 100).await;
    assert_eq!(all, seen, "nothing was skipped");
}

#[tokio::test]
async fn after_latest_answers_no_changes_and_the_position_to_follow_from() {
    let app = spawn_app().await;
    app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let latest = app.feed("after=latest").await;
    assert!(latest.items.is_empty());
    let everything = app.feed("").await;
    assert_eq!(latest.next_after, everything.items.last().unwrap().position.to_string());
    let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let next = app.feed(&format!("after={}", latest.next_after)).await;
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].resource_id, school);
}

#[tokio::test]
async fn pages_follow_one_another_by_next_after_with_nothing_repeated() {
    let app = spawn_app().await;
    let start = app.latest().await;
    for n in 0..7 {
        app.create_id("/api/v1/schools", &json!({"name": format!("学校{n}")}))
            .await;
    }
    let first = app.feed(&format!("after={start}&limit=3")).await;
    assert_eq!(first.items.len(), 3);
    assert_eq!(first.next_after, first.items[2].position.to_string());
    let (rest, end) = app.follow_as(&app.token, &first.next_after, 3).await;
    assert_eq!(rest.len(), 4);
    assert!(increasing(&[first.items.clone(), rest.clone()].concat()));
    assert_eq!(end, app.latest().await);
    let kinds = app.feed(&format!("after={start}&resource_type=enterprise")).await;
    assert!(kinds.items.is_empty());
    assert_eq!(
        app.feed(&format!("after={start}&resource_type=school"))
            .await
            .items
            .len(),
        7
    );
}

#[tokio::test]
async fn bad_parameters_of_the_feed_are_400_naming_them() {
    let app = spawn_app().await;
    let latest: i64 = app.latest().await.parse().unwrap();
    for (query, field) in [
        ("after=abc", "after"),
        ("after=-1", "after"),
        ("after=1.5", "after"),
        ("after=99999999999999999999", "after"),
        (&format!("after={}", latest + 1000) as &str, "after"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("resource_type=token", "resource_type"),
        ("resource_type=webhook", "resource_type"),
    ] {
        let problem = problem_of(app.get(&format!("/api/v1/changes?{query}")).await, 400).await;
        assert_eq!(problem.fields(), vec![field], "{query}");
    }
    assert!(!app.feed("limit=1000").await.items.is_empty());
    problem_of(
        app.request_as(Method::GET, "/api/v1/changes", None)
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}

/// The county of the scoping test: two schools, two enterprises, their
/// users, an officer and a viewer.
struct County {
    app: TestApp,
    school: String,
    other_school: String,
    enterprise: String,
    other_enterprise: String,
    tokens: Vec<(&'static str, String)>,
}

impl County {
    async fn new() -> County {
        let app = spawn_app().await;
        let enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
        let other_enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "华铝家居"})).await;
        let school = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
        let other_school = app.create_id("/api/v1/schools", &json!({"name": "县技工学校"})).await;
        let tokens = vec![
            ("officer", app.user_with_role("officer", None, None).await.1),
            ("viewer", app.user_with_role("viewer", None, None).await.1),
            ("school", app.user_with_role("school", None, Some(&school)).await.1),
            (
                "other_school",
                app.user_with_role("school", None, Some(&other_school)).await.1,
            ),
            (
                "enterprise",
                app.user_with_role("enterprise", Some(&enterprise), None).await.1,
            ),
        ];
        County {
            app,
            school,
            other_school,
            enterprise,
            other_enterprise,
            tokens,
        }
    }

    fn token(&self, role: &str) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }

    /// The ids of the records whose changes `role` sees after `after`.
    async fn seen(&self, role: &str, after: &str) -> BTreeSet<String> {
        let token = if role == "admin" {
            self.app.token.as_str()
        } else {
            self.token(role)
        };
        let (items, _) = self.app.follow_as(token, after, 1000).await;
        items.into_iter().map(|i| i.resource_id).collect()
    }

    async fn placement(&self, school: &str, enterprise: &str) -> String {
        self.app
            .create_id(
                "/api/v1/apprenticeships",
                &json!({"kind": "order_class", "enterprise_id": enterprise, "school_id": school,
                    "participant": {"name": "李明"}, "start_date": "2024-09-01"}),
            )
            .await
    }
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn each_role_follows_the_changes_of_the_records_it_may_read_now_and_of_those_it_could_before_they_went() {
    let c = County::new().await;
    let start = c.app.latest().await;
    let ours = c.placement(&c.school, &c.enterprise).await;
    let theirs = c.placement(&c.other_school, &c.other_enterprise).await;
    let gone = c.placement(&c.school, &c.other_enterprise).await;
    assert_eq!(
        c.app
            .delete(&format!("/api/v1/apprenticeships/{gone}"))
            .await
            .status()
            .as_u16(),
        204
    );
    let our_demand = c
        .app
        .create_id(
            "/api/v1/demands",
            &json!({"enterprise_id": c.enterprise, "kind": "course", "title": "共建课程"}),
        )
        .await;
    let their_demand = c
        .app
        .create_id(
            "/api/v1/demands",
            &json!({"enterprise_id": c.other_enterprise, "kind": "course", "title": "共建课程"}),
        )
        .await;
    let meeting = c
        .app
        .create_id("/api/v1/meetings", &json!({"title": "推进会", "held_on": "2024-04-03"}))
        .await;
    let (user, _) = c.app.user_with_role("viewer", None, None).await;

    let everything = set(&[&ours, &theirs, &gone, &our_demand, &their_demand, &meeting, &user]);
    assert_eq!(c.seen("admin", &start).await, everything);
    assert_eq!(
        c.seen("officer", &start).await,
        set(&[&ours, &theirs, &gone, &our_demand, &their_demand, &meeting])
    );
    assert_eq!(
        c.seen("viewer", &start).await,
        set(&[&our_demand, &their_demand, &meeting])
    );
    // The school sees its own placements, the one deleted too.
    assert_eq!(
        c.seen("school", &start).await,
        set(&[&ours, &gone, &our_demand, &their_demand, &meeting])
    );
    assert_eq!(
        c.seen("other_school", &start).await,
        set(&[&theirs, &our_demand, &their_demand, &meeting])
    );
    // The enterprise sees what it hosts and its own demands only.
    assert_eq!(c.seen("enterprise", &start).await, set(&[&ours, &our_demand, &meeting]));

    // A placement moved to the other school: every one of its changes moves with it.
    let response = c
        .app
        .patch_json(
            &format!("/api/v1/apprenticeships/{ours}"),
            &json!({"school_id": c.other_school}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(!c.seen("school", &start).await.contains(&ours));
    let (items, _) = c.app.follow_as(c.token("other_school"), &start, 1000).await;
    let moved: Vec<&str> = items
        .iter()
        .filter(|i| i.resource_id == ours)
        .map(|i| i.action.as_str())
        .collect();
    assert_eq!(moved, vec!["create", "update"]);

    // A kind the role reads none of is a 403 naming it; one it reads some of narrows to those.
    for (role, kind) in [
        ("viewer", "apprenticeship"),
        ("viewer", "user"),
        ("officer", "user"),
        ("school", "user"),
    ] {
        let response = c
            .app
            .request_as(
                Method::GET,
                &format!("/api/v1/changes?resource_type={kind}"),
                Some(c.token(role)),
            )
            .send()
            .await
            .unwrap();
        let problem = problem_of(response, 403).await;
        assert_eq!(problem.fields(), vec!["resource_type"], "{role} {kind}");
    }
    let page = c
        .app
        .feed_as(c.token("enterprise"), &format!("after={start}&resource_type=demand"))
        .await;
    assert_eq!(
        page.items.iter().map(|i| i.resource_id.clone()).collect::<Vec<_>>(),
        vec![our_demand.clone()]
    );
}

#[tokio::test]
async fn changes_older_than_90_days_are_removed_by_the_service_and_an_after_before_them_is_410() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            app.create_id("/api/v1/schools", &json!({"name": format!("学校{n}")}))
                .await,
        );
    }
    let (all, _) = app.follow_as(&app.token, "0", 100).await;
    let positions: Vec<i64> = all.iter().map(|i| i.position).collect();
    // The first three are made 91 days old, the fourth 89.
    let backend = app.db.get_database_backend();
    let at = |days: i64| {
        let time = (chrono::Utc::now() - chrono::Duration::days(days)).format("%Y-%m-%dT%H:%M:%S%.6f+00:00");
        match backend {
            sea_orm::DatabaseBackend::Postgres => format!("'{time}'::timestamptz"),
            _ => format!("'{time}'"),
        }
    };
    let n = positions.len();
    for (i, position) in positions.iter().enumerate() {
        let days = if i + 2 < n {
            91
        } else if i + 2 == n {
            89
        } else {
            0
        };
        app.db
            .execute_unprepared(&format!(
                "UPDATE change_log SET at = {} WHERE position = {position}",
                at(days)
            ))
            .await
            .unwrap();
    }
    let removed = chanjiao::service::changes::clean_up(&app.database).await.unwrap();
    assert_eq!(removed as usize, n - 2);
    assert_eq!(chanjiao::service::changes::clean_up(&app.database).await.unwrap(), 0);
    let positions_of = |items: &[Item]| items.iter().map(|i| i.position).collect::<Vec<_>>();
    let kept = app.feed("").await;
    assert_eq!(
        positions_of(&kept.items),
        positions[n - 2..].to_vec(),
        "from the oldest kept"
    );
    let purged = positions[n - 3];
    let problem = problem_of(app.get(&format!("/api/v1/changes?after={}", purged - 1)).await, 410).await;
    assert_eq!(problem.problem_type, "urn:chanjiao:problem:gone");
    problem_of(app.get("/api/v1/changes?after=0").await, 410).await;
    assert_eq!(
        positions_of(&app.feed(&format!("after={purged}")).await.items),
        positions[n - 2..].to_vec()
    );
    assert_eq!(app.feed("after=latest").await.next_after, positions[n - 1].to_string());
}
