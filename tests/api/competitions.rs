//! Skills competitions: entries with server-made ids, replaced as action items
//! are; scores with at most two decimals; names only; filters and roles.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{encode, problem_of, spawn_app};

#[tokio::test]
async fn a_competition_keeps_its_entries_with_server_made_ids_and_two_decimal_scores() {
    let app = spawn_app().await;
    let chentai = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let base = app
        .create_id(
            "/api/v1/bases",
            &json!({"name": "辰泰重钢技能培训基地", "kind": "skills_training", "enterprise_id": chentai}),
        )
        .await;
    let placement = app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({"kind": "order_class", "enterprise_id": chentai, "school_id": centre,
               "participant": {"name": "李明"}, "start_date": "2024-09-01"}),
        )
        .await;
    let created = app
        .create_record(
            "/api/v1/competitions",
            &json!({
                "name": "辰泰重钢焊工技能大比武", "skill": "焊接", "level": "enterprise", "held_on": "2024-05-18",
                "host_enterprise_id": chentai, "base_id": base, "description": "校企同台竞技",
                "entries": [
                    {"name": "李明", "role": "student", "school_id": centre, "apprenticeship_id": placement,
                     "score": 92.5, "rank": 1, "award": "gold"},
                    {"name": "王建国", "role": "worker", "enterprise_id": chentai, "score": 90, "rank": 2, "award": "silver"},
                    {"name": "赵强", "score": 88.25},
                ],
            }),
        )
        .await;
    let entries = created.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["score"], 92.5);
    assert_eq!(entries[1]["score"], 90);
    assert_eq!(entries[2]["score"], 88.25);
    assert_eq!(entries[0]["apprenticeship_id"], placement.as_str());
    let ids: Vec<String> = entries
        .iter()
        .map(|e| e["id"].as_str().expect("a server-made id").to_string())
        .collect();
    assert_eq!(app.record(&created.location).await, created.body);
    // A PATCH replaces the list: the first kept and changed, the second left out, a new one added.
    let mut first = entries[0].clone();
    first["rank"] = json!(2);
    let patched = app
        .patch_json(
            &created.location,
            &json!({"entries": [first, {"name": "孙磊", "role": "student", "school_id": centre, "rank": 1, "award": "gold"}]}),
        )
        .await;
    assert_eq!(patched.status().as_u16(), 200);
    let record = app.record(&created.location).await;
    let after = record["entries"].as_array().unwrap();
    assert_eq!(after.len(), 2);
    assert_eq!(after[0]["id"], ids[0].as_str());
    assert_eq!(after[0]["rank"], 2);
    assert!(!ids.iter().any(|id| after[1]["id"] == id.as_str()));
    assert_eq!(record["version"], 2);
    // An id that is no entry of this competition, or one sent twice, is a 422 naming it.
    let problem = problem_of(
        app.patch_json(
            &created.location,
            &json!({"entries": [{"id": ids[1], "name": "王建国"}, {"id": ids[0], "name": "李明"}, {"id": ids[0], "name": "李明"}]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["entries[0].id", "entries[2].id"]);
    // Scores: 0–100 with at most two decimals; names only, no identifiers.
    let problem = problem_of(
        app.post_json(
            "/api/v1/competitions",
            &json!({"name": "比武", "skill": "焊接", "held_on": "2024-05-18", "entries": [
                {"name": "甲", "score": 12.345}, {"name": "乙", "score": 100.5}, {"name": "丙", "score": -1},
                {"name": "丁", "score": "90"}, {"name": "戊", "rank": 0},
                {"name": "己", "national_id": "370101200803150021"}, {"name": "庚", "phone": "13812345678"},
                {"name": "辛", "school_id": uuid::Uuid::now_v7()},
            ]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        problem.fields(),
        vec![
            "entries[0].score",
            "entries[1].score",
            "entries[2].score",
            "entries[3].score",
            "entries[4].rank",
            "entries[5].national_id",
            "entries[6].phone",
        ]
    );
    let problem = problem_of(
        app.post_json(
            "/api/v1/competitions",
            &json!({"name": "比武", "skill": "焊接", "held_on": "2024-05-18", "base_id": uuid::Uuid::now_v7(),
                    "entries": [{"name": "辛", "school_id": uuid::Uuid::now_v7(), "apprenticeship_id": uuid::Uuid::now_v7()}]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        problem.fields(),
        vec!["entries[0].school_id", "entries[0].apprenticeship_id", "base_id"]
    );
    let problem = problem_of(
        app.post_json("/api/v1/competitions", &json!({"name": "比武"})).await,
        422,
    )
    .await;
    let mut missing = problem.fields();
    missing.sort();
    assert_eq!(missing, vec!["held_on", "skill"]);
    assert_eq!(app.page("/api/v1/competitions").await.total, 1);
    // What a competition names is kept while it names it.
    problem_of(app.delete(&format!("/api/v1/apprenticeships/{placement}")).await, 409).await;
    problem_of(app.delete(&format!("/api/v1/bases/{base}")).await, 409).await;
    problem_of(app.delete(&format!("/api/v1/schools/{centre}")).await, 409).await;
    // A school named only by an entry is kept until a PATCH drops the entry.
    let judged = app
        .create_id("/api/v1/schools", &json!({"name": "县第二职业中专"}))
        .await;
    let mut entries = app.record(&created.location).await["entries"].clone();
    entries
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "周娜", "role": "student", "school_id": judged}));
    app.patch_json(&created.location, &json!({"entries": entries})).await;
    problem_of(app.delete(&format!("/api/v1/schools/{judged}")).await, 409).await;
    let listed = app.list(&format!("/api/v1/competitions?school_id={judged}")).await;
    assert_eq!(listed["total"], 1);
    entries.as_array_mut().unwrap().pop();
    app.patch_json(&created.location, &json!({"entries": entries})).await;
    let listed = app.list(&format!("/api/v1/competitions?school_id={judged}")).await;
    assert_eq!(listed["total"], 0);
    assert_eq!(
        app.delete(&format!("/api/v1/schools/{judged}")).await.status().as_u16(),
        204
    );
    assert_eq!(app.delete(&created.location).await.status().as_u16(), 204);
    assert_eq!(
        app.delete(&format!("/api/v1/apprenticeships/{placement}"))
            .await
            .status()
            .as_u16(),
        204
    );
}

#[tokio::test]
async fn the_competition_list_filters_by_skill_level_dates_and_the_organisations_it_names() {
    let app = spawn_app().await;
    let chentai = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let second = app
        .create_id("/api/v1/schools", &json!({"name": "县第二职业中专"}))
        .await;
    for body in [
        json!({"name": "辰泰重钢焊工技能大比武", "skill": "焊接", "level": "enterprise", "held_on": "2024-05-18",
               "host_enterprise_id": chentai, "entries": [{"name": "李明", "school_id": centre}]}),
        json!({"name": "全县数控技能大赛", "skill": "数控车", "level": "county", "held_on": "2024-10-12",
               "host_school_id": second}),
        json!({"name": "市职业院校技能大赛", "skill": "焊接", "level": "city", "held_on": "2025-04-20"}),
    ] {
        app.create("/api/v1/competitions", &body).await;
    }
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let cases = [
        (
            format!("skill={}&sort=held_on", encode("焊接")),
            vec!["辰泰重钢焊工技能大比武", "市职业院校技能大赛"],
        ),
        ("level=county".to_string(), vec!["全县数控技能大赛"]),
        (
            "held_from=2024-10-12&held_to=2025-04-20&sort=held_on".to_string(),
            vec!["全县数控技能大赛", "市职业院校技能大赛"],
        ),
        (format!("enterprise_id={chentai}"), vec!["辰泰重钢焊工技能大比武"]),
        (format!("school_id={centre}"), vec!["辰泰重钢焊工技能大比武"]),
        (format!("school_id={second}"), vec!["全县数控技能大赛"]),
        (format!("q={}", encode("數控")), vec!["全县数控技能大赛"]),
        ("sort=-held_on&limit=1".to_string(), vec!["市职业院校技能大赛"]),
    ];
    for (query, expected) in cases {
        let page = app.list(&format!("/api/v1/competitions?{query}")).await;
        assert_eq!(names(&page), expected, "{query}");
    }
    for bad in ["level=town", "held_from=2024-02-30", "sort=name"] {
        problem_of(app.get(&format!("/api/v1/competitions?{bad}")).await, 400).await;
    }
}

#[tokio::test]
async fn only_admins_and_officers_write_competitions_and_every_role_reads_them() {
    let app = spawn_app().await;
    let chentai = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let body =
        json!({"name": "焊工技能大比武", "skill": "焊接", "held_on": "2024-05-18", "host_enterprise_id": chentai});
    let (_, officer) = app.user_with_role("officer", None, None).await;
    let response = app
        .request_as(Method::POST, "/api/v1/competitions", Some(&officer))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().await.unwrap();
    let path = format!("/api/v1/competitions/{}", created["id"].as_str().unwrap());
    let tokens = [
        app.user_with_role("school", None, Some(&centre)).await.1,
        app.user_with_role("enterprise", Some(&chentai), None).await.1,
        app.user_with_role("viewer", None, None).await.1,
    ];
    for token in &tokens {
        let read = app.request_as(Method::GET, &path, Some(token)).send().await.unwrap();
        assert_eq!(read.status().as_u16(), 200);
        for (method, path, body) in [
            (Method::POST, "/api/v1/competitions".to_string(), Some(body.clone())),
            (Method::PATCH, path.clone(), Some(json!({"description": "改"}))),
            (Method::DELETE, path.clone(), None),
        ] {
            let mut request = app.request_as(method.clone(), &path, Some(token));
            if let Some(body) = body {
                request = request.json(&body);
            }
            problem_of(request.send().await.unwrap(), 403).await;
        }
        let unknown = format!("/api/v1/competitions/{}", uuid::Uuid::now_v7());
        let response = app
            .request_as(Method::DELETE, &unknown, Some(token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404);
    }
    assert_eq!(app.record(&path).await["version"], 1);
}

#[tokio::test]
async fn a_rank_is_1_to_100000_in_the_code_the_document_and_the_readme() {
    let doc: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    let rank = &doc["components"]["schemas"]["Entry"]["properties"]["rank"];
    assert_eq!(
        (rank["minimum"].as_u64(), rank["maximum"].as_u64()),
        (Some(1), Some(100_000))
    );
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let row = readme
        .lines()
        .find(|line| line.starts_with("| `/competitions`"))
        .expect("the README's resource table has competitions");
    assert!(row.contains("`rank` 1–100,000"), "{row}");
    let app = spawn_app().await;
    let body = |rank: i64| json!({"name": "比武", "skill": "焊接", "held_on": "2024-05-18", "entries": [{"name": "甲", "rank": rank}]});
    let kept = app.create("/api/v1/competitions", &body(100_000)).await;
    assert_eq!(kept["entries"][0]["rank"], 100_000);
    let problem = problem_of(app.post_json("/api/v1/competitions", &body(100_001)).await, 422).await;
    assert_eq!(problem.fields(), vec!["entries[0].rank"]);
}
