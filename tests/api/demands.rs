//! Demands (需求清单): their rules, who may write which, `fulfilled_headcount`
//! from the placements that name them, their list, and matching schools.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{encode, problem_of, spawn_app, TestApp};

async fn enterprise(app: &TestApp, name: &str, region: Option<&str>) -> String {
    app.create("/api/v1/enterprises", &json!({"name": name, "region_code": region}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn school(app: &TestApp, name: &str, region: Option<&str>, majors: Value) -> String {
    app.create(
        "/api/v1/schools",
        &json!({"name": name, "region_code": region, "majors": majors}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A teacher's placement at `enterprise` from `school`, moved by the admin to `to`
/// through the status machine (`draft`, `submitted`, `active` or `completed`).
async fn placement(app: &TestApp, enterprise: &str, school: &str, demand: Option<&str>, to: &str) -> String {
    let created = app
        .create(
            "/api/v1/apprenticeships",
            &json!({
                "kind": "teacher_practice", "enterprise_id": enterprise, "school_id": school,
                "demand_id": demand, "participant": {"name": "谭刚"}, "start_date": "2024-09-01",
            }),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let moves: &[&str] = match to {
        "draft" => &[],
        "submitted" => &["submitted"],
        "active" => &["submitted", "active"],
        "completed" => &["submitted", "active", "completed"],
        other => panic!("{other}"),
    };
    for step in moves {
        let response = app
            .post_json(
                &format!("/api/v1/apprenticeships/{id}/transitions"),
                &json!({"to": step}),
            )
            .await;
        assert_eq!(response.status().as_u16(), 200, "move to {step}");
    }
    id
}

async fn fulfilled(app: &TestApp, demand: &str) -> i64 {
    app.record(&format!("/api/v1/demands/{demand}")).await["fulfilled_headcount"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_demand_keeps_every_field_and_a_kind_that_counts_people_needs_a_headcount() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", Some("370101")).await;
    let meeting = app
        .create("/api/v1/meetings", &json!({"title": "推进会", "held_on": "2024-04-03"}))
        .await["id"]
        .clone();
    let body = json!({
        "enterprise_id": chentai, "kind": "order_class", "title": "焊接订单班",
        "description": "每年培养焊工30名", "majors": [{"code": "660301", "name": "焊接技术应用"}],
        "headcount": 30, "needed_by": "2025-09-01", "source": "meeting", "meeting_id": meeting,
        "tags": ["一企一策"],
    });
    let created = app.create_record("/api/v1/demands", &body).await;
    for (key, value) in body.as_object().unwrap() {
        assert_eq!(&created.body[key], value, "{key}");
    }
    assert_eq!(created.body["status"], "open");
    assert_eq!(created.body["fulfilled_headcount"], 0);
    for kind in ["positions", "training", "order_class"] {
        let problem = problem_of(
            app.post_json(
                "/api/v1/demands",
                &json!({"enterprise_id": chentai, "kind": kind, "title": "缺人数"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(problem.fields(), vec!["headcount"], "{kind}");
    }
    app.create(
        "/api/v1/demands",
        &json!({"enterprise_id": chentai, "kind": "course", "title": "共建课程"}),
    )
    .await;
    // Every invalid field at once; unknown ids name their fields.
    let unknown = uuid::Uuid::now_v7().to_string();
    let problem = problem_of(
        app.post_json(
            "/api/v1/demands",
            &json!({"enterprise_id": unknown, "kind": "course", "title": "x", "meeting_id": unknown}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["enterprise_id", "meeting_id"]);
    let problem = problem_of(
        app.post_json(
            "/api/v1/demands",
            &json!({"enterprise_id": chentai, "kind": "mystery", "title": "", "headcount": 10001,
                    "majors": [{"code": "1"}], "status": "done"}),
        )
        .await,
        422,
    )
    .await;
    let mut fields = problem.fields();
    fields.sort();
    assert_eq!(fields, vec!["headcount", "kind", "majors[0].name", "status", "title"]);
    assert_eq!(app.page("/api/v1/demands").await.total, 2, "nothing else stored");
}

#[tokio::test]
async fn fulfilled_headcount_counts_the_active_and_completed_placements_that_name_the_demand() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", None).await;
    let other = enterprise(&app, "华铝家居", None).await;
    let centre = school(&app, "县职教中心", None, json!([])).await;
    let demand = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": chentai, "kind": "positions", "title": "焊工", "headcount": 2}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    placement(&app, &chentai, &centre, Some(&demand), "draft").await;
    placement(&app, &chentai, &centre, Some(&demand), "submitted").await;
    assert_eq!(fulfilled(&app, &demand).await, 0);
    let demand_path = format!("/api/v1/demands/{demand}");
    let before = app.record(&demand_path).await;
    let active = placement(&app, &chentai, &centre, Some(&demand), "active").await;
    // A count that changes is a change of the demand: a new version, ETag and updated_at.
    let response = app
        .request(Method::GET, &demand_path)
        .header("If-None-Match", format!("\"{}\"", before["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "the old ETag is stale");
    let after: Value = response.json().await.unwrap();
    assert_eq!(after["fulfilled_headcount"], 1);
    assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);
    assert!(after["updated_at"].as_str().unwrap() > before["updated_at"].as_str().unwrap());
    let since = app
        .list(&format!(
            "/api/v1/demands?updated_since={}",
            encode(after["updated_at"].as_str().unwrap())
        ))
        .await;
    assert_eq!(since["total"], 1, "updated_since sees it");
    // Active to completed counts the same: no new version.
    let completing = placement(&app, &chentai, &centre, Some(&demand), "active").await;
    let version = app.record(&demand_path).await["version"].clone();
    app.post_json(
        &format!("/api/v1/apprenticeships/{completing}/transitions"),
        &json!({"to": "completed"}),
    )
    .await;
    assert_eq!(app.record(&demand_path).await["version"], version);
    assert_eq!(fulfilled(&app, &demand).await, 2);
    placement(&app, &chentai, &centre, None, "active").await;
    // More than the headcount is allowed: demands change.
    assert_eq!(fulfilled(&app, &demand).await, 2);
    placement(&app, &chentai, &centre, Some(&demand), "active").await;
    assert_eq!(fulfilled(&app, &demand).await, 3);
    // Suspending one takes it out; resuming puts it back; unnaming it takes it out.
    let path = format!("/api/v1/apprenticeships/{active}");
    let moved = app
        .post_json(&format!("{path}/transitions"), &json!({"to": "suspended"}))
        .await;
    assert_eq!(moved.status().as_u16(), 200);
    assert_eq!(fulfilled(&app, &demand).await, 2);
    app.post_json(&format!("{path}/transitions"), &json!({"to": "active"}))
        .await;
    assert_eq!(fulfilled(&app, &demand).await, 3);
    let response = app.patch_json(&path, &json!({"demand_id": null})).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(fulfilled(&app, &demand).await, 2);
    // The list shows the same count.
    let listed = app.list("/api/v1/demands").await;
    assert_eq!(listed["items"][0]["fulfilled_headcount"], 2);
    // A placement names a demand of its own enterprise only, and one that exists.
    let problem = problem_of(
        app.post_json(
            "/api/v1/apprenticeships",
            &json!({"kind": "teacher_practice", "enterprise_id": other, "school_id": centre,
                    "demand_id": demand, "participant": {"name": "谭刚"}, "start_date": "2024-09-01"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["demand_id"]);
    let problem = problem_of(
        app.patch_json(&path, &json!({"demand_id": uuid::Uuid::now_v7()})).await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["demand_id"]);
    // The placements of a demand are listed by it.
    let answering = app.list(&format!("/api/v1/apprenticeships?demand_id={demand}")).await;
    assert_eq!(answering["total"], 4);
    // A demand that placements name is kept; it cannot move to another enterprise.
    let problem = problem_of(app.delete(&demand_path).await, 409).await;
    assert!(!problem.detail.is_empty());
    let problem = problem_of(
        app.patch_json(&demand_path, &json!({"enterprise_id": other})).await,
        409,
    )
    .await;
    assert_eq!(problem.fields(), vec!["enterprise_id"]);
    assert_eq!(app.record(&demand_path).await["enterprise_id"], chentai.as_str());
}

#[tokio::test]
async fn fulfilled_and_withdrawn_are_final_but_the_rest_of_such_a_demand_may_change() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", None).await;
    for last in ["fulfilled", "withdrawn"] {
        let created = app
            .create_record(
                "/api/v1/demands",
                &json!({"enterprise_id": chentai, "kind": "culture", "title": "企业文化进校园"}),
            )
            .await;
        let path = created.location.clone();
        for status in ["in_progress", "open", last] {
            let response = app.patch_json(&path, &json!({"status": status})).await;
            assert_eq!(response.status().as_u16(), 200, "{status}");
        }
        for status in [
            "open",
            "in_progress",
            if last == "fulfilled" { "withdrawn" } else { "fulfilled" },
        ] {
            let problem = problem_of(app.patch_json(&path, &json!({"status": status})).await, 409).await;
            assert_eq!(problem.fields(), vec!["status"], "{last} → {status}");
        }
        let changed = app.patch_json(&path, &json!({"description": "已完成"})).await;
        assert_eq!(changed.status().as_u16(), 200);
        let record = app.record(&path).await;
        assert_eq!(record["status"], last);
        assert_eq!(record["description"], "已完成");
        assert_eq!(record["version"], 5);
    }
}

#[tokio::test]
async fn an_enterprise_user_sees_and_manages_only_its_own_enterprise_s_demands() {
    let app = spawn_app().await;
    let own = enterprise(&app, "辰泰重钢", None).await;
    let other = enterprise(&app, "华铝家居", None).await;
    let centre = school(&app, "县职教中心", None, json!([])).await;
    let (_, token) = app.user_with_role("enterprise", Some(&own), None).await;
    let (_, school_token) = app.user_with_role("school", None, Some(&centre)).await;
    let (_, viewer) = app.user_with_role("viewer", None, None).await;
    let theirs = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": other, "kind": "course", "title": "新媒体营销"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let call = |token: &str, method: Method, path: String, body: Option<Value>| {
        let mut request = app.request_as(method, &path, Some(token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    // Its own enterprise: 201; another: 403 naming enterprise_id, nothing stored.
    let mine = call(
        &token,
        Method::POST,
        "/api/v1/demands".into(),
        Some(json!({"enterprise_id": own, "kind": "training", "title": "焊工培训", "headcount": 20})),
    )
    .await
    .unwrap();
    assert_eq!(mine.status().as_u16(), 201);
    let mine: Value = mine.json().await.unwrap();
    let mine = mine["id"].as_str().unwrap().to_string();
    let refused = call(
        &token,
        Method::POST,
        "/api/v1/demands".into(),
        Some(json!({"enterprise_id": other, "kind": "course", "title": "代提"})),
    )
    .await
    .unwrap();
    assert_eq!(problem_of(refused, 403).await.fields(), vec!["enterprise_id"]);
    // It lists, reads and changes its own only; another's is 404 to every method.
    let page: Value = call(&token, Method::GET, "/api/v1/demands".into(), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], mine.as_str());
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let body = (method == Method::PATCH).then(|| json!({"title": "改"}));
        let response = call(&token, method.clone(), format!("/api/v1/demands/{theirs}"), body)
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{method}");
    }
    let response = call(&token, Method::GET, format!("/api/v1/demands/{theirs}/matches"), None)
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        404,
        "matches of another enterprise's demand"
    );
    let moved = call(
        &token,
        Method::PATCH,
        format!("/api/v1/demands/{mine}"),
        Some(json!({"enterprise_id": other})),
    )
    .await
    .unwrap();
    assert_eq!(problem_of(moved, 403).await.fields(), vec!["enterprise_id"]);
    let changed = call(
        &token,
        Method::PATCH,
        format!("/api/v1/demands/{mine}"),
        Some(json!({"status": "in_progress"})),
    )
    .await
    .unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    // A school user and a viewer read every demand and write none.
    for reader in [&school_token, &viewer] {
        let page: Value = call(reader, Method::GET, "/api/v1/demands".into(), None)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(page["total"], 2);
        let matches = call(reader, Method::GET, format!("/api/v1/demands/{theirs}/matches"), None)
            .await
            .unwrap();
        assert_eq!(matches.status().as_u16(), 200);
        let refused = call(
            reader,
            Method::POST,
            "/api/v1/demands".into(),
            Some(json!({"enterprise_id": own, "kind": "course", "title": "x"})),
        )
        .await
        .unwrap();
        problem_of(refused, 403).await;
        let refused = call(
            reader,
            Method::PATCH,
            format!("/api/v1/demands/{theirs}"),
            Some(json!({"title": "改"})),
        )
        .await
        .unwrap();
        problem_of(refused, 403).await;
        let unknown = uuid::Uuid::now_v7();
        let response = call(reader, Method::DELETE, format!("/api/v1/demands/{unknown}"), None)
            .await
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            404,
            "an unknown id is 404 before the role's 403"
        );
    }
    let record = app.record(&format!("/api/v1/demands/{theirs}")).await;
    assert_eq!(record["title"], "新媒体营销");
    assert_eq!(record["version"], 1);
}

#[tokio::test]
async fn the_demand_list_filters_by_kind_status_enterprise_major_and_date_and_sorts_undated_last() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", None).await;
    let hualv = enterprise(&app, "华铝家居", None).await;
    let make = |enterprise: &str, kind: &str, title: &str, needed_by: Option<&str>, majors: Value| {
        json!({"enterprise_id": enterprise, "kind": kind, "title": title, "needed_by": needed_by,
               "majors": majors, "headcount": 5})
    };
    let bodies = [
        make(
            &chentai,
            "order_class",
            "焊接订单班",
            Some("2025-09-01"),
            json!([{"code": "660301", "name": "焊接技术应用"}]),
        ),
        make(&chentai, "training", "职工数字技能培训", None, json!([])),
        make(
            &hualv,
            "positions",
            "新媒体营销人才",
            Some("2025-03-01"),
            json!([{"name": "电子商务"}]),
        ),
        make(&hualv, "course", "共建产教融合课程", Some("2025-03-02"), json!([])),
        make(&hualv, "research", "铝型材工艺研究", None, json!([])),
    ];
    let mut ids = Vec::new();
    for body in &bodies {
        ids.push(
            app.create("/api/v1/demands", body).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    app.patch_json(
        &format!("/api/v1/demands/{}", ids[3]),
        &json!({"status": "in_progress"}),
    )
    .await;
    let titles = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_string())
            .collect()
    };
    let cases = [
        ("kind=training".to_string(), vec!["职工数字技能培训"]),
        ("status=in_progress".to_string(), vec!["共建产教融合课程"]),
        (
            format!("enterprise_id={chentai}&sort=created_at"),
            vec!["焊接订单班", "职工数字技能培训"],
        ),
        ("major=660301".to_string(), vec!["焊接订单班"]),
        (format!("major={}", encode("焊接技术應用")), vec!["焊接订单班"]),
        (format!("major={}", encode("電子商務")), vec!["新媒体营销人才"]),
        ("needed_before=2025-03-02".to_string(), vec!["新媒体营销人才"]),
        (format!("q={}", encode("產教融合")), vec!["共建产教融合课程"]),
        (
            "sort=needed_by".to_string(),
            vec![
                "新媒体营销人才",
                "共建产教融合课程",
                "焊接订单班",
                "职工数字技能培训",
                "铝型材工艺研究",
            ],
        ),
        (
            "sort=-needed_by".to_string(),
            vec![
                "铝型材工艺研究",
                "职工数字技能培训",
                "焊接订单班",
                "共建产教融合课程",
                "新媒体营销人才",
            ],
        ),
    ];
    for (query, expected) in cases {
        let page = app.list(&format!("/api/v1/demands?{query}")).await;
        assert_eq!(titles(&page), expected, "{query}");
        assert_eq!(page["total"], expected.len(), "{query}");
    }
    // A cursor walk over the undated demands visits each once.
    let mut seen = Vec::new();
    let mut next = Some(String::new());
    while let Some(cursor) = next {
        let page = app
            .list(&format!(
                "/api/v1/demands?sort=needed_by&limit=2&cursor={}",
                encode(&cursor)
            ))
            .await;
        seen.extend(titles(&page));
        next = page["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(
        seen,
        vec![
            "新媒体营销人才",
            "共建产教融合课程",
            "焊接订单班",
            "职工数字技能培训",
            "铝型材工艺研究"
        ]
    );
    for bad in ["kind=mystery", "needed_before=2025-13-01", "sort=title", "status=done"] {
        problem_of(app.get(&format!("/api/v1/demands?{bad}")).await, 400).await;
    }
}

#[tokio::test]
async fn matches_rank_schools_by_majors_placements_and_region_leave_out_score_zero_and_break_ties_by_name() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", Some("370101")).await;
    let welding = json!([{"code": "660301", "name": "焊接技术应用"}, {"name": "数控技术应用"}]);
    // Both majors (one by code under another name, one by traditional script) and the same county: 23.
    let centre = school(
        &app,
        "县职教中心",
        Some("370101"),
        json!([{"code": "660301", "name": "焊接"}, {"name": "數控技術應用"}, {"name": "会计"}]),
    )
    .await;
    // Four placements at the enterprise, two of them counting, and the same city: 2 + 1 = 3.
    let technician = school(&app, "市技师学院", Some("370102"), json!([{"name": "电工"}])).await;
    // The same city alone: 1 each, tied, by name.
    let b = school(&app, "乙校", Some("370105"), json!([])).await;
    let a = school(&app, "甲校", Some("370103"), json!([])).await;
    // Nothing in common: left out.
    school(&app, "外县学校", Some("370201"), json!([{"name": "护理"}])).await;
    school(&app, "无区划学校", None, json!([])).await;
    for to in ["active", "completed", "submitted", "draft"] {
        placement(&app, &chentai, &technician, None, to).await;
    }
    let demand = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": chentai, "kind": "order_class", "title": "焊接订单班",
                    "headcount": 30, "majors": welding}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let matches = app.list(&format!("/api/v1/demands/{demand}/matches")).await;
    let items = matches["items"].as_array().unwrap();
    let ranked: Vec<(&str, i64)> = items
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["score"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        ranked,
        vec![("县职教中心", 23), ("市技师学院", 3), ("乙校", 1), ("甲校", 1)]
    );
    assert_eq!(items[0]["school_id"], centre.as_str());
    assert_eq!(
        items[0]["matched_majors"],
        json!([{"code": "660301", "name": "焊接技术应用"}, {"code": null, "name": "数控技术应用"}])
    );
    assert_eq!(items[0]["active_placements"], 0);
    assert_eq!(items[0]["same_region"], true);
    assert_eq!(items[1]["matched_majors"], json!([]));
    assert_eq!(items[1]["active_placements"], 2);
    assert_eq!(items[1]["same_region"], "city");
    assert_eq!(items[2]["school_id"], b.as_str());
    assert_eq!(items[3]["school_id"], a.as_str());
    // Tied, by name: "乙" (U+4E59) before "甲" (U+7532).
    let top = app.list(&format!("/api/v1/demands/{demand}/matches?limit=2")).await;
    assert_eq!(top["items"].as_array().unwrap().len(), 2);
    for bad in ["0", "51", "x", "-1"] {
        let response = app.get(&format!("/api/v1/demands/{demand}/matches?limit={bad}")).await;
        assert_eq!(problem_of(response, 400).await.fields(), vec!["limit"], "limit={bad}");
    }
    let unknown = uuid::Uuid::now_v7();
    problem_of(app.get(&format!("/api/v1/demands/{unknown}/matches")).await, 404).await;
    // Placements count at most 10.
    for _ in 0..11 {
        placement(&app, &chentai, &a, None, "active").await;
    }
    let matches = app.list(&format!("/api/v1/demands/{demand}/matches")).await;
    assert_eq!(matches["items"][1]["name"], "甲校");
    assert_eq!(matches["items"][1]["score"], 11);
    assert_eq!(matches["items"][1]["active_placements"], 11);
}

#[tokio::test]
async fn matching_500_schools_with_200_majors_each_reads_only_the_schools_that_score() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", Some("370101")).await;
    let majors: Vec<Value> = (0..200)
        .map(|i| json!({"code": format!("{:06}", 700000 + i), "name": format!("专业{i}")}))
        .collect();
    let mut schools = Vec::new();
    for n in 0..500 {
        let mut these = majors.clone();
        if n % 50 == 0 {
            these[199] = json!({"code": "660301", "name": "焊接技术应用"});
        }
        schools.push(json!({"name": format!("学校{n:03}"), "region_code": "370201", "majors": these}));
    }
    // Through the import, as an alliance office would load them.
    let mut csv = String::from("名称 name,行政区划代码 region_code,专业 majors\n");
    for s in &schools {
        let majors = s["majors"].to_string().replace('"', "\"\"");
        csv.push_str(&format!(
            "{},{},\"{majors}\"\n",
            s["name"].as_str().unwrap(),
            s["region_code"].as_str().unwrap()
        ));
    }
    let response = app
        .request(Method::POST, "/api/v1/schools/imports")
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let demand = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": chentai, "kind": "course", "title": "焊接课程",
                    "majors": [{"code": "660301", "name": "焊接技术应用"}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let matches = app.list(&format!("/api/v1/demands/{demand}/matches?limit=50")).await;
    let names: Vec<&str> = matches["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..500).step_by(50).map(|n| format!("学校{n:03}")).collect();
    assert_eq!(names, expected);
    assert!(matches["items"].as_array().unwrap().iter().all(|m| m["score"] == 10));
}

#[tokio::test]
async fn demands_export_as_csv_with_their_fulfilled_headcount() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", None).await;
    let centre = school(&app, "县职教中心", None, json!([])).await;
    let demand = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": chentai, "kind": "order_class", "title": "焊接订单班", "headcount": 30}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    placement(&app, &chentai, &centre, Some(&demand), "active").await;
    let csv = app.get("/api/v1/demands?format=csv").await.text().await.unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let record = reader.records().next().unwrap().unwrap();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&record[at("标题 title")], "焊接订单班");
    assert_eq!(&record[at("人数 headcount")], "30");
    assert_eq!(&record[at("已满足人数 fulfilled_headcount")], "1");
}

#[tokio::test]
async fn a_major_whose_folded_name_is_longer_than_500_characters_is_stored_for_schools_and_demands() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", Some("370101")).await;
    // `İ` lower-cases to two characters: the folded name is 1,000 long.
    let long = "İ".repeat(500);
    let centre = school(&app, "县职教中心", Some("370101"), json!([{"name": long}])).await;
    let demand = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": chentai, "kind": "course", "title": "课程", "majors": [{"name": long}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let matches = app.list(&format!("/api/v1/demands/{demand}/matches")).await;
    assert_eq!(matches["items"][0]["school_id"], centre.as_str());
    assert_eq!(matches["items"][0]["score"], 13);
    let found = app.list(&format!("/api/v1/schools?major={}", encode(&long))).await;
    assert_eq!(found["total"], 1);
}

#[tokio::test]
async fn a_demand_without_majors_matches_by_placements_and_region_and_an_enterprise_without_a_region_by_majors() {
    let app = spawn_app().await;
    let chentai = enterprise(&app, "辰泰重钢", Some("370101")).await;
    let placeless = enterprise(&app, "无区划企业", None).await;
    let near = school(
        &app,
        "同城学校",
        Some("370102"),
        json!([{"code": "660301", "name": "焊接"}]),
    )
    .await;
    school(
        &app,
        "外市学校",
        Some("380101"),
        json!([{"code": "660301", "name": "焊接"}]),
    )
    .await;
    let plain = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": chentai, "kind": "culture", "title": "企业文化进校园"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let matches = app.list(&format!("/api/v1/demands/{plain}/matches")).await;
    assert_eq!(matches["items"].as_array().unwrap().len(), 1);
    assert_eq!(matches["items"][0]["school_id"], near.as_str());
    assert_eq!(matches["items"][0]["score"], 1);
    let majors = app
        .create(
            "/api/v1/demands",
            &json!({"enterprise_id": placeless, "kind": "course", "title": "焊接课程",
                    "majors": [{"code": "660301", "name": "焊接技术应用"}]}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let matches = app.list(&format!("/api/v1/demands/{majors}/matches")).await;
    let scores: Vec<(&str, i64, &Value)> = matches["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap(),
                m["score"].as_i64().unwrap(),
                &m["same_region"],
            )
        })
        .collect();
    assert_eq!(
        scores,
        [("同城学校", 10, &json!(false)), ("外市学校", 10, &json!(false))]
    );
}
