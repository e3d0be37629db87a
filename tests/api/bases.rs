//! Training bases: the parties each kind needs, who changes which, placements
//! at a base, and the list.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{encode, problem_of, spawn_app};

#[tokio::test]
async fn each_kind_of_base_names_the_parties_it_needs_and_keeps_every_field() {
    let app = spawn_app().await;
    let huajian = app
        .create_id("/api/v1/enterprises", &json!({"name": "华建科技园"}))
        .await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let body = json!({
        "name": "华建科技园厂中校", "kind": "factory_school", "enterprise_id": huajian, "school_id": centre,
        "established_on": "2023-09-01", "capacity": 120, "majors": [{"code": "660103", "name": "数控技术应用"}],
        "address": "华建科技园五分厂", "description": "校企共建", "tags": ["厂中校"],
    });
    let created = app.create_record("/api/v1/bases", &body).await;
    for (key, value) in body.as_object().unwrap() {
        assert_eq!(&created.body[key], value, "{key}");
    }
    assert_eq!(created.body["status"], "operating");
    // (kind, what is sent, the fields a 422 names)
    let cases = [
        ("factory_school", json!({}), vec!["enterprise_id", "school_id"]),
        ("factory_school", json!({"enterprise_id": huajian}), vec!["school_id"]),
        ("school_factory", json!({}), vec!["school_id"]),
        (
            "innovation_service",
            json!({"school_id": centre}),
            vec!["enterprise_id"],
        ),
        ("skills_training", json!({}), vec!["enterprise_id"]),
    ];
    for (kind, parties, fields) in cases {
        let mut body = json!({"name": "基地", "kind": kind});
        body.as_object_mut()
            .unwrap()
            .extend(parties.as_object().unwrap().clone());
        let problem = problem_of(app.post_json("/api/v1/bases", &body).await, 422).await;
        assert_eq!(problem.fields(), fields, "{kind} {parties}");
    }
    // A school-factory needs no enterprise; an innovation base no school.
    app.create(
        "/api/v1/bases",
        &json!({"name": "县职教中心校中厂", "kind": "school_factory", "school_id": centre}),
    )
    .await;
    app.create(
        "/api/v1/bases",
        &json!({"name": "辰泰重钢创新服务基地", "kind": "innovation_service", "enterprise_id": huajian}),
    )
    .await;
    let unknown = uuid::Uuid::now_v7();
    let problem = problem_of(
        app.post_json(
            "/api/v1/bases",
            &json!({"name": "基地", "kind": "factory_school", "enterprise_id": unknown, "school_id": unknown}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["enterprise_id", "school_id"]);
    let problem = problem_of(
        app.post_json(
            "/api/v1/bases",
            &json!({"name": "", "kind": "farm", "capacity": 0, "status": "open", "established_on": "2101-01-01"}),
        )
        .await,
        422,
    )
    .await;
    let mut fields = problem.fields();
    fields.sort();
    assert_eq!(fields, vec!["capacity", "established_on", "kind", "name", "status"]);
    assert_eq!(app.page("/api/v1/bases").await.total, 3);
    // A patch that drops a needed party is refused too.
    let problem = problem_of(
        app.patch_json(&created.location, &json!({"school_id": null})).await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["school_id"]);
}

#[tokio::test]
async fn the_host_s_and_the_partner_s_users_change_their_base_but_not_its_kind_or_parties() {
    let app = spawn_app().await;
    let host = app
        .create_id("/api/v1/enterprises", &json!({"name": "华建科技园"}))
        .await;
    let other = app.create_id("/api/v1/enterprises", &json!({"name": "伊利乳业"})).await;
    let partner = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let stranger = app
        .create_id("/api/v1/schools", &json!({"name": "县第二职业中专"}))
        .await;
    let base = app
        .create_id(
            "/api/v1/bases",
            &json!({"name": "华建科技园厂中校", "kind": "factory_school", "enterprise_id": host, "school_id": partner}),
        )
        .await;
    let path = format!("/api/v1/bases/{base}");
    let token = |role: &'static str, enterprise: Option<String>, school: Option<String>| {
        let app = &app;
        async move {
            app.user_with_role(role, enterprise.as_deref(), school.as_deref())
                .await
                .1
        }
    };
    let host_user = token("enterprise", Some(host.clone()), None).await;
    let partner_user = token("school", None, Some(partner.clone())).await;
    let other_enterprise = token("enterprise", Some(other.clone()), None).await;
    let other_school = token("school", None, Some(stranger.clone())).await;
    let viewer = token("viewer", None, None).await;
    let send = |token: &str, method: Method, path: &str, body: Option<Value>| {
        let mut request = app.request_as(method, path, Some(token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    for (who, token, capacity) in [("host", &host_user, 150), ("partner", &partner_user, 160)] {
        let response = send(
            token,
            Method::PATCH,
            &path,
            Some(json!({"capacity": capacity, "status": "building"})),
        )
        .await
        .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{who}");
        for (field, value) in [
            ("kind", json!("skills_training")),
            ("enterprise_id", json!(other)),
            ("school_id", json!(stranger)),
        ] {
            let response = send(token, Method::PATCH, &path, Some(json!({field: value, "capacity": 1})))
                .await
                .unwrap();
            assert_eq!(problem_of(response, 403).await.fields(), vec![field], "{who} {field}");
        }
        // Sending the current value is fine.
        let response = send(token, Method::PATCH, &path, Some(json!({"kind": "factory_school"})))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{who} sends the current kind");
    }
    for (who, token) in [
        ("another enterprise", &other_enterprise),
        ("another school", &other_school),
        ("a viewer", &viewer),
    ] {
        let response = send(token, Method::PATCH, &path, Some(json!({"capacity": 1})))
            .await
            .unwrap();
        problem_of(response, 403).await;
        let response = send(token, Method::GET, &path, None).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{who} reads it");
        let unknown = format!("/api/v1/bases/{}", uuid::Uuid::now_v7());
        let response = send(token, Method::PATCH, &unknown, Some(json!({"capacity": 1})))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{who}: an unknown id is 404");
    }
    for token in [&host_user, &partner_user] {
        let response = send(token, Method::DELETE, &path, None).await.unwrap();
        problem_of(response, 403).await;
        let response = send(
            token,
            Method::POST,
            "/api/v1/bases",
            Some(json!({"name": "新基地", "kind": "school_factory", "school_id": partner})),
        )
        .await
        .unwrap();
        problem_of(response, 403).await;
    }
    let record = app.record(&path).await;
    assert_eq!(record["capacity"], 160);
    assert_eq!(record["status"], "building");
    assert_eq!(record["kind"], "factory_school");
    assert_eq!(record["version"], 3);
}

#[tokio::test]
async fn placements_name_a_base_that_exists_and_a_base_they_name_is_kept() {
    let app = spawn_app().await;
    let host = app.create_id("/api/v1/enterprises", &json!({"name": "伊利乳业"})).await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let base = app
        .create_id(
            "/api/v1/bases",
            &json!({"name": "伊利乳业数字素养培训基地", "kind": "skills_training", "enterprise_id": host}),
        )
        .await;
    let placement = |base: Value| {
        json!({"kind": "worker_training", "enterprise_id": host, "base_id": base,
               "participant": {"name": "王师傅"}, "start_date": "2024-05-06"})
    };
    let created = app.create("/api/v1/apprenticeships", &placement(json!(base))).await;
    assert_eq!(created["base_id"], base.as_str());
    let problem = problem_of(
        app.post_json("/api/v1/apprenticeships", &placement(json!(uuid::Uuid::now_v7())))
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["base_id"]);
    let listed = app.list(&format!("/api/v1/apprenticeships?base_id={base}")).await;
    assert_eq!(listed["total"], 1);
    let path = format!("/api/v1/bases/{base}");
    problem_of(app.delete(&path).await, 409).await;
    assert_eq!(app.get(&path).await.status().as_u16(), 200);
    // The host and the partner of a base are kept while it names them.
    let only_host = app.create_id("/api/v1/enterprises", &json!({"name": "宝龙达"})).await;
    let research = app
        .create_id(
            "/api/v1/bases",
            &json!({"name": "宝龙达产学研基地", "kind": "industry_research", "enterprise_id": only_host}),
        )
        .await;
    problem_of(app.delete(&format!("/api/v1/enterprises/{only_host}")).await, 409).await;
    assert_eq!(
        app.delete(&format!("/api/v1/bases/{research}")).await.status().as_u16(),
        204
    );
    assert_eq!(
        app.delete(&format!("/api/v1/enterprises/{only_host}"))
            .await
            .status()
            .as_u16(),
        204
    );
    let lone = app
        .create_id(
            "/api/v1/bases",
            &json!({"name": "县职教中心校中厂", "kind": "school_factory", "school_id": centre}),
        )
        .await;
    problem_of(app.delete(&format!("/api/v1/schools/{centre}")).await, 409).await;
    assert_eq!(
        app.delete(&format!("/api/v1/bases/{lone}")).await.status().as_u16(),
        204
    );
    assert_eq!(
        app.delete(&format!("/api/v1/schools/{centre}")).await.status().as_u16(),
        204
    );
}

#[tokio::test]
async fn the_base_list_filters_by_kind_status_host_and_partner_and_sorts_undated_last() {
    let app = spawn_app().await;
    let chentai = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
    let huajian = app
        .create_id("/api/v1/enterprises", &json!({"name": "华建科技园"}))
        .await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let bodies = [
        json!({"name": "辰泰重钢创新服务基地", "kind": "innovation_service", "enterprise_id": chentai, "established_on": "2022-03-01"}),
        json!({"name": "华建科技园厂中校", "kind": "factory_school", "enterprise_id": huajian, "school_id": centre, "established_on": "2023-09-01"}),
        json!({"name": "县职教中心校中厂", "kind": "school_factory", "school_id": centre, "status": "building"}),
        json!({"name": "宝龙达产学研基地", "kind": "industry_research", "enterprise_id": chentai, "established_on": "2021-01-01"}),
    ];
    for body in &bodies {
        app.create("/api/v1/bases", body).await;
    }
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().to_string())
            .collect()
    };
    let cases = [
        ("kind=factory_school".to_string(), vec!["华建科技园厂中校"]),
        ("status=building".to_string(), vec!["县职教中心校中厂"]),
        (
            format!("enterprise_id={chentai}&sort=name"),
            vec!["宝龙达产学研基地", "辰泰重钢创新服务基地"],
        ),
        (
            format!("school_id={centre}&sort=created_at"),
            vec!["华建科技园厂中校", "县职教中心校中厂"],
        ),
        (format!("q={}", encode("廠中校")), vec!["华建科技园厂中校"]),
        (
            "sort=established_on".to_string(),
            vec![
                "宝龙达产学研基地",
                "辰泰重钢创新服务基地",
                "华建科技园厂中校",
                "县职教中心校中厂",
            ],
        ),
        ("sort=-established_on&limit=1".to_string(), vec!["县职教中心校中厂"]),
    ];
    for (query, expected) in cases {
        let page = app.list(&format!("/api/v1/bases?{query}")).await;
        assert_eq!(names(&page), expected, "{query}");
    }
    for bad in ["kind=farm", "status=open", "sort=capacity", "school_id=x"] {
        problem_of(app.get(&format!("/api/v1/bases?{bad}")).await, 400).await;
    }
}

#[tokio::test]
async fn a_base_patch_requires_nothing_and_the_merged_base_keeps_its_kind_s_rules() {
    let doc: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    let schema = &doc["components"]["schemas"]["BasePatch"];
    assert!(schema["properties"]["enterprise_id"].is_object());
    assert!(
        schema.get("required").is_none(),
        "a merge patch requires nothing: {schema}"
    );
    let app = spawn_app().await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let created = app
        .create_record(
            "/api/v1/bases",
            &json!({"name": "县职教中心校中厂", "kind": "school_factory", "school_id": centre}),
        )
        .await;
    // A patch without `enterprise_id` of a base without a host is fine.
    let response = app.patch_json(&created.location, &json!({"capacity": 80})).await;
    assert_eq!(response.status().as_u16(), 200);
    // A kind that needs a host names it, as the merged base lacks it: never
    // as a field the body "is required" to carry (a client, or a fuzzer
    // reading the message, would take it for one).
    for (body, field) in [
        (json!({"kind": "innovation_service"}), "enterprise_id"),
        (json!({"school_id": null}), "school_id"),
    ] {
        let problem = problem_of(app.patch_json(&created.location, &body).await, 422).await;
        assert_eq!(problem.fields(), vec![field], "{body}");
        let error = &problem.errors[0];
        assert_eq!(error.code, "required");
        assert!(!error.message.contains("is required"), "{body}: {}", error.message);
    }
    let problem = problem_of(
        app.post_json("/api/v1/bases", &json!({"name": "基地", "kind": "skills_training"}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem.fields(), vec!["enterprise_id"]);
    assert_eq!(
        problem.errors[0].message,
        "must have a value for kind `skills_training`"
    );
    assert_eq!(app.record(&created.location).await["capacity"], 80);
}
