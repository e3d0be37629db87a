use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{error_fields, problem, spawn_app, spawn_app_with, FreshDatabase};

fn full_enterprise() -> Value {
    json!({
        "name": "辰泰重钢有限公司",
        "short_name": "辰泰重钢",
        "credit_code": "91350100M000100Y43",
        "industry": "钢铁",
        "scale": "large",
        "address": "县经济开发区",
        "region_code": "370101",
        "contact_name": "王经理",
        "contact_phone": "0536-1234567",
        "contact_email": "hr@example.com",
        "website": "https://example.com",
        "description": "焊接培训基地",
        "membership_status": "council_member",
        "joined_on": "2024-04-03",
        "tags": ["焊接培训", "技能大比武"],
        "staff_count": 1260,
        "posts": [
            {"name": "焊工", "staff_count": 320, "probation_monthly_fen": 450000},
            {"name": "起重工", "staff_count": 0, "probation_monthly_fen": null},
            {"name": "质检员", "staff_count": null, "probation_monthly_fen": 0}
        ]
    })
}

#[tokio::test]
async fn creating_an_enterprise_answers_201_with_location_etag_and_every_field() {
    let app = spawn_app().await;
    let response = app.post_json("/api/v1/enterprises", &full_enterprise()).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/enterprises/{}", body["id"].as_str().unwrap())
    );
    for (field, value) in full_enterprise().as_object().unwrap() {
        assert_eq!(&body[field], value, "{field}");
    }
    assert_eq!(body["version"], 1);
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["created_at"], body["updated_at"]);
    let id = uuid::Uuid::parse_str(body["id"].as_str().unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 7);

    let stored: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(stored, body);
}

#[tokio::test]
async fn an_enterprise_needs_only_a_name_and_defaults_the_rest() {
    let app = spawn_app().await;
    let body = app.create("/api/v1/enterprises", &json!({"name": "华铝家居"})).await;
    assert_eq!(body["membership_status"], "none");
    assert_eq!(body["tags"], json!([]));
    assert_eq!(body["credit_code"], Value::Null);
    assert_eq!(body["staff_count"], Value::Null);
    assert_eq!(body["posts"], json!([]));
    let post = app
        .create(
            "/api/v1/enterprises",
            &json!({"name": "华建五分厂", "posts": [{"name": "装配工"}]}),
        )
        .await;
    assert_eq!(
        post["posts"],
        json!([{"name": "装配工", "staff_count": null, "probation_monthly_fen": null}]),
        "a post's optional fields are shown as null"
    );
}

#[tokio::test]
async fn a_lower_case_credit_code_is_accepted_and_stored_upper_cased() {
    let app = spawn_app().await;
    let body = app
        .create(
            "/api/v1/enterprises",
            &json!({"name": "华铝家居", "credit_code": "91440101ma5cjq4n59"}),
        )
        .await;
    assert_eq!(body["credit_code"], "91440101MA5CJQ4N59");
}

#[tokio::test]
async fn a_bad_credit_code_is_refused_with_422_naming_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    for code in ["91350100M000100Y4Z", "91350100M000100Y4", "９1350100M000100Y43"] {
        let response = app
            .post_json("/api/v1/enterprises", &json!({"name": "x", "credit_code": code}))
            .await;
        let body = problem(response, 422).await;
        assert_eq!(error_fields(&body), vec!["credit_code"], "{code}");
        assert_eq!(body["errors"][0]["code"], "checksum");
    }
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);
}

#[tokio::test]
async fn a_duplicate_credit_code_is_a_conflict_on_create_and_on_patch() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/enterprises",
        &json!({"name": "a", "credit_code": "91350100M000100Y43"}),
    )
    .await;
    let response = app
        .post_json(
            "/api/v1/enterprises",
            &json!({"name": "b", "credit_code": "91350100m000100y43"}),
        )
        .await;
    let body = problem(response, 409).await;
    assert_eq!(error_fields(&body), vec!["credit_code"]);

    let other = app.create("/api/v1/enterprises", &json!({"name": "c"})).await;
    let path = format!("/api/v1/enterprises/{}", other["id"].as_str().unwrap());
    let response = app
        .patch_json(&path, &json!({"credit_code": "91350100M000100Y43"}))
        .await;
    problem(response, 409).await;
    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(stored["credit_code"], Value::Null);
    assert_eq!(stored["version"], 1);
    assert_eq!(app.page("/api/v1/enterprises").await.total, 2);
}

#[tokio::test]
async fn every_invalid_field_is_named_in_one_422() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/enterprises",
            &json!({
                "name": "",
                "short_name": "x".repeat(51),
                "region_code": "37010",
                "contact_phone": "１3812345678",
                "contact_email": "not-an-email",
                "description": "字".repeat(5001),
                "tags": ["ok", "x".repeat(31)],
            }),
        )
        .await;
    let body = problem(response, 422).await;
    let mut fields = error_fields(&body);
    fields.dedup();
    assert_eq!(
        fields,
        vec![
            "contact_email",
            "contact_phone",
            "description",
            "name",
            "region_code",
            "short_name",
            "tags"
        ]
    );
}

#[tokio::test]
async fn unknown_and_read_only_fields_are_refused_with_422() {
    let app = spawn_app().await;
    for field in ["id", "version", "created_at", "search_text", "owner"] {
        let response = app
            .post_json("/api/v1/enterprises", &json!({"name": "x", field: "1"}))
            .await;
        let body = problem(response, 422).await;
        assert_eq!(error_fields(&body), vec![field]);
        assert_eq!(body["errors"][0]["code"], "unknown_field");
    }
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);
}

#[tokio::test]
async fn wrong_json_types_are_422_naming_the_field() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"name": 12}), "name"),
        (json!({"name": "x", "tags": "a"}), "tags"),
        (json!({"name": "x", "scale": "huge"}), "scale"),
        (json!({"name": "x", "joined_on": "2024-02-30"}), "joined_on"),
        (json!({"short_name": "x"}), "name"),
    ] {
        let response = app.post_json("/api/v1/enterprises", &body).await;
        let problem = problem(response, 422).await;
        assert_eq!(error_fields(&problem), vec![field], "{body}");
    }
}

#[tokio::test]
async fn reading_with_a_current_if_none_match_answers_304() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &json!({"name": "x"})).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let response = app
        .request(Method::GET, &path)
        .header("If-None-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 304);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let response = app
        .request(Method::GET, &path)
        .header("If-None-Match", "\"7\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn a_merge_patch_changes_given_fields_clears_nulls_and_bumps_the_version() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &full_enterprise()).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let response = app
        .patch_json(
            &path,
            &json!({"membership_status": "member", "website": null, "tags": ["厂中校"]}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["membership_status"], "member");
    assert_eq!(body["website"], Value::Null);
    assert_eq!(body["tags"], json!(["厂中校"]));
    assert_eq!(body["name"], created["name"]);
    assert_eq!(body["version"], 2);
    assert!(body["updated_at"].as_str() > created["updated_at"].as_str());
    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(stored, body);
    // The tag filter sees the new tags only.
    assert_eq!(
        app.page("/api/v1/enterprises?tag=%E5%8E%82%E4%B8%AD%E6%A0%A1")
            .await
            .total,
        1
    );
    assert_eq!(
        app.page("/api/v1/enterprises?tag=%E7%84%8A%E6%8E%A5%E5%9F%B9%E8%AE%AD")
            .await
            .total,
        0
    );
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &full_enterprise()).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let response = app
        .patch_json(&path, &json!({"name": created["name"], "scale": "large"}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["version"], 1);
    assert_eq!(body["updated_at"], created["updated_at"]);
}

#[tokio::test]
async fn a_patch_sent_as_merge_patch_json_is_accepted() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &json!({"name": "x"})).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let response = app
        .request(Method::PATCH, &path)
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"industry": "乳业"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["industry"], "乳业");
}

#[tokio::test]
async fn clearing_a_required_field_is_refused_with_422() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &json!({"name": "x"})).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    for field in ["name", "membership_status"] {
        let response = app.patch_json(&path, &json!({ field: null })).await;
        let body = problem(response, 422).await;
        assert_eq!(error_fields(&body), vec![field]);
    }
    let response = app.patch_json(&path, &json!({"version": 5})).await;
    problem(response, 422).await;
    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(stored["version"], 1);
}

#[tokio::test]
async fn a_stale_if_match_is_refused_with_412_and_changes_nothing() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &json!({"name": "x"})).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let ok = app
        .request(Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let stale = app
        .request(Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "z"}))
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    let stale_delete = app
        .request(Method::DELETE, &path)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    problem(stale_delete, 412).await;
    let stored: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        (stored["name"].as_str(), stored["version"].as_i64()),
        (Some("y"), Some(2))
    );
}

#[tokio::test]
async fn deleting_an_enterprise_answers_204_and_it_is_gone() {
    let app = spawn_app().await;
    let created = app
        .create("/api/v1/enterprises", &json!({"name": "x", "tags": ["a"]}))
        .await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let response = app
        .request(Method::DELETE, &path)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    problem(app.get(&path).await, 404).await;
    problem(app.delete(&path).await, 404).await;
    assert_eq!(app.page("/api/v1/enterprises?tag=a").await.total, 0);
}

#[tokio::test]
async fn unknown_and_malformed_ids_answer_404_to_every_method() {
    let app = spawn_app().await;
    for id in ["01900000-0000-7000-8000-000000000000", "not-a-uuid", "123"] {
        let path = format!("/api/v1/enterprises/{id}");
        problem(app.get(&path).await, 404).await;
        problem(app.patch_json(&path, &json!({"name": "x"})).await, 404).await;
        problem(app.delete(&path).await, 404).await;
    }
}

#[tokio::test]
async fn the_bulk_path_checks_every_record_and_audits_each_one() {
    let app = spawn_app().await;
    let inputs: Vec<chanjiao::model::enterprise::EnterpriseCreate> = (0..3)
        .map(|i| {
            chanjiao::model::check::decode(&json!({"name": format!("批量{i}"), "tags": ["导入"]}))
                .expect("a valid enterprise")
        })
        .collect();
    let created = chanjiao::service::resource::create_many::<chanjiao::model::enterprise::EnterpriseFields>(
        &app.database,
        &chanjiao::auth::Actor::system("import"),
        inputs,
    )
    .await
    .unwrap();
    assert_eq!(created, 3);
    let page = app.page("/api/v1/enterprises?tag=%E5%AF%BC%E5%85%A5").await;
    assert_eq!(page.total, 3);
    let events = app
        .page("/api/v1/audit-events?resource_type=enterprise&action=create")
        .await;
    assert_eq!(events.total, 3);
    assert!(events.items.iter().all(|e| e["actor_username"] == "import"));
    // A record that breaks a rule never reaches the bulk path: it does not decode.
    let broken: Result<chanjiao::model::enterprise::EnterpriseCreate, _> =
        chanjiao::model::check::decode(&json!({"name": "x", "credit_code": "bad"}));
    assert!(broken.is_err());
}

#[tokio::test]
async fn a_search_total_and_its_pages_follow_every_create_rename_and_delete_at_once() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let created = app
            .create_record(
                "/api/v1/enterprises",
                &json!({"name": format!("沂水{:02}号有限公司", 29 - i)}),
            )
            .await;
        ids.push(created.id);
    }
    app.create_record("/api/v1/enterprises", &json!({"name": "宝龙达科技"}))
        .await;
    let search = |q: &str, sort: &str| {
        format!(
            "/api/v1/enterprises?q={}&sort={sort}&limit=7",
            crate::helpers::encode(q)
        )
    };
    // Every page of a search that matches almost every row (read by walking
    // the sort's index) and of one that matches one row (read through the
    // trigram index), in order, each with the exact total.
    let walk = |path: String| {
        let app = &app;
        async move {
            let mut names = Vec::new();
            let mut totals = Vec::new();
            let mut next = Some(path.clone());
            while let Some(url) = next {
                let page = app.page(&url).await;
                names.extend(page.items.iter().map(|e| e["name"].as_str().unwrap().to_string()));
                totals.push(page.total as usize);
                next = page
                    .next_cursor
                    .map(|c| format!("{path}&cursor={}", crate::helpers::encode(&c)));
            }
            assert!(
                totals.iter().all(|t| *t == names.len()),
                "{totals:?} for {} items",
                names.len()
            );
            names
        }
    };
    let expected: Vec<String> = (0..30).map(|i| format!("沂水{i:02}号有限公司")).collect();
    assert_eq!(walk(search("有限公司", "name")).await, expected);
    let mut descending = expected.clone();
    descending.reverse();
    assert_eq!(walk(search("有限公司", "-name")).await, descending);
    assert_eq!(walk(search("寶龍達", "name")).await, vec!["宝龙达科技".to_string()]);
    // Two characters, which a trigram index cannot serve: a walk, whatever it matches.
    assert_eq!(walk(search("龍達", "-name")).await, vec!["宝龙达科技".to_string()]);
    assert_eq!(walk(search("沂水", "name")).await, expected);
    assert_eq!(app.page(&search("有限公司", "name")).await.total, 30);
    assert_eq!(app.page(&search("无此企业", "name")).await.total, 0);
    // A rename, a create and a delete each show in the very next answer.
    let path = format!("/api/v1/enterprises/{}", ids[0]);
    assert_eq!(
        app.patch_json(&path, &json!({"name": "沂水宝龙达"}))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(app.page(&search("有限公司", "name")).await.total, 29);
    assert_eq!(app.page(&search("宝龙达", "name")).await.total, 2);
    app.create_record("/api/v1/enterprises", &json!({"name": "无此企业有限公司"}))
        .await;
    assert_eq!(app.page(&search("无此企业", "name")).await.total, 1);
    assert_eq!(app.page(&search("有限公司", "name")).await.total, 30);
    assert_eq!(
        app.delete(&format!("/api/v1/enterprises/{}", ids[1]))
            .await
            .status()
            .as_u16(),
        204
    );
    let page = app.page(&search("有限公司", "name")).await;
    assert_eq!(page.total, 29);
    assert!(page.items.iter().all(|e| e["id"] != ids[1].as_str()));
}

/// A valid unified social credit code: the 17 characters of `body` and its check character.
pub(crate) fn credit_code(body: &str) -> String {
    "0123456789ABCDEFGHJKLMNPQRTUWXY"
        .chars()
        .map(|check| format!("{body}{check}"))
        .find(|code| chanjiao::domain::identifiers::normalize_credit_code(code).is_some())
        .expect("a check character")
}

#[tokio::test]
async fn creates_sent_at_once_are_each_stored_with_their_audit_row_and_a_duplicate_among_them_is_409() {
    let app = spawn_app().await;
    let codes: Vec<String> = (0..24).map(|i| credit_code(&format!("913707240{i:08}"))).collect();
    // Enterprise 23 repeats the credit code of enterprise 5.
    let bodies: Vec<Value> = (0..24)
        .map(|i| json!({"name": format!("并发企业{i}"), "credit_code": codes[if i == 23 { 5 } else { i }], "tags": ["并发"]}))
        .collect();
    let responses = futures_util::future::join_all(
        bodies
            .iter()
            .map(|body| async { app.post_json("/api/v1/enterprises", body).await }),
    )
    .await;
    let mut created = Vec::new();
    let mut conflicts = 0;
    for response in responses {
        match response.status().as_u16() {
            201 => created.push(response.json::<Value>().await.unwrap()),
            409 => conflicts += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((created.len(), conflicts), (23, 1));
    let listed = app.page("/api/v1/enterprises?tag=%E5%B9%B6%E5%8F%91&limit=100").await;
    assert_eq!(listed.total, 23);
    let mut stored_codes: Vec<&str> = listed
        .items
        .iter()
        .map(|e| e["credit_code"].as_str().unwrap())
        .collect();
    stored_codes.sort();
    stored_codes.dedup();
    assert_eq!(stored_codes.len(), 23);
    for record in &created {
        let id = record["id"].as_str().unwrap();
        let stored = app.record(&format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(stored["name"], record["name"]);
        let audit = app.audit_of(id).await;
        assert_eq!(audit.iter().filter(|row| row.action == "create").count(), 1, "{id}");
    }
}

#[tokio::test]
async fn an_unknown_field_sent_as_null_is_refused_before_if_match_is_compared() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &json!({"name": "伊利乳业"})).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    for if_match in [None, Some("\"99\"")] {
        let mut request = app
            .request(reqwest::Method::PATCH, &path)
            .json(&json!({"website": "https://yili.example.cn", "nickname": null}));
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        let body = problem(request.send().await.unwrap(), 422).await;
        assert_eq!(body["errors"][0]["field"], "nickname");
        assert_eq!(body["errors"][0]["code"], "unknown_field");
    }
    let stored = app.get(&path).await.json::<serde_json::Value>().await.unwrap();
    assert_eq!(
        (stored["version"].as_u64(), stored["website"].as_str()),
        (Some(1), None)
    );
}

#[tokio::test]
async fn staff_counts_and_posts_are_patched_cleared_and_replaced_whole() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &full_enterprise()).await;
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let response = app
        .patch_json(
            &path,
            &json!({"staff_count": 1300, "posts": [{"name": "焊工", "staff_count": 330, "probation_monthly_fen": 460000}]}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["staff_count"], 1300);
    assert_eq!(
        body["posts"],
        json!([{"name": "焊工", "staff_count": 330, "probation_monthly_fen": 460000}]),
        "a list is replaced whole"
    );
    assert_eq!(body["version"], 2);
    assert_eq!(app.record(&path).await, body);

    let response = app
        .patch_json(&path, &json!({"staff_count": null, "posts": null}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["staff_count"], Value::Null);
    assert_eq!(body["posts"], json!([]), "null clears the posts");
    assert_eq!(body["version"], 3);
}

#[tokio::test]
async fn staff_counts_and_posts_out_of_range_are_each_named_in_one_422_and_nothing_is_stored() {
    let app = spawn_app().await;
    for (body, fields) in [
        (json!({"name": "x", "staff_count": -1}), vec!["staff_count"]),
        (json!({"name": "x", "staff_count": 1_000_000_000}), vec!["staff_count"]),
        (json!({"name": "x", "staff_count": 12.5}), vec!["staff_count"]),
        (json!({"name": "x", "staff_count": "12"}), vec!["staff_count"]),
        (
            json!({"name": "x", "posts": [{"name": "焊工", "staff_count": -1}, {"name": "质检员", "staff_count": 1_000_001}]}),
            vec!["posts[0].staff_count", "posts[1].staff_count"],
        ),
        (
            json!({"name": "x", "posts": [{"name": ""}, {"name": " "}, {"name": "工".repeat(101)}, {"staff_count": 3}]}),
            vec!["posts[0].name", "posts[1].name", "posts[2].name", "posts[3].name"],
        ),
        (
            json!({"name": "x", "posts": [{"name": "焊工", "probation_monthly_fen": -1}, {"name": "电工", "probation_monthly_fen": 100_000_001}]}),
            vec!["posts[0].probation_monthly_fen", "posts[1].probation_monthly_fen"],
        ),
        (
            json!({"name": "x", "posts": [{"name": "焊工", "salary": 1}]}),
            vec!["posts[0].salary"],
        ),
        (json!({"name": "x", "posts": {"name": "焊工"}}), vec!["posts"]),
        (json!({"name": "x", "posts": ["焊工"]}), vec!["posts[0]"]),
    ] {
        let response = app.post_json("/api/v1/enterprises", &body).await;
        let problem = problem(response, 422).await;
        assert_eq!(error_fields(&problem), fields, "{body}");
    }
    let problem = problem(
        app.post_json("/api/v1/enterprises", &json!({"name": "x", "staff_count": -1}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem["errors"][0]["code"], "range");
    let posts: Vec<Value> = (0..201).map(|i| json!({"name": format!("岗位{i}")})).collect();
    let response = app
        .post_json("/api/v1/enterprises", &json!({"name": "x", "posts": posts}))
        .await;
    assert_eq!(error_fields(&problem_body(response).await), vec!["posts"]);
    // 200 posts and the bounds themselves are fine.
    let posts: Vec<Value> = (0..200)
        .map(|i| json!({"name": format!("岗位{i}"), "staff_count": 1_000_000, "probation_monthly_fen": 100_000_000}))
        .collect();
    let edge = app
        .create(
            "/api/v1/enterprises",
            &json!({"name": "y", "staff_count": 0, "posts": posts}),
        )
        .await;
    assert_eq!(edge["posts"].as_array().unwrap().len(), 200);
    assert_eq!(app.page("/api/v1/enterprises").await.total, 1, "only the good one");

    // A patch is judged alike, and changes nothing when refused.
    let path = format!("/api/v1/enterprises/{}", edge["id"].as_str().unwrap());
    let response = app
        .patch_json(
            &path,
            &json!({"staff_count": 1_000_001, "posts": [{"name": "焊工", "staff_count": -5}]}),
        )
        .await;
    assert_eq!(
        error_fields(&problem_body(response).await),
        vec!["posts[0].staff_count", "staff_count"]
    );
    let stored = app.record(&path).await;
    assert_eq!(
        (stored["version"].as_u64(), stored["staff_count"].as_u64()),
        (Some(1), Some(0))
    );
}

/// The problem of a 422.
async fn problem_body(response: reqwest::Response) -> Value {
    problem(response, 422).await
}

#[tokio::test]
async fn post_names_that_fold_alike_are_a_422_naming_the_later_one() {
    let app = spawn_app().await;
    for (posts, fields) in [
        (
            json!([{"name": "Welder"}, {"name": "焊工"}, {"name": "WELDER"}]),
            vec!["posts[2].name"],
        ),
        (
            json!([{"name": "電工"}, {"name": "电工", "staff_count": 3}]),
            vec!["posts[1].name"],
        ),
        (json!([{"name": "焊工"}, {"name": "焊工"}]), vec!["posts[1].name"]),
        (
            json!([{"name": "质检员"}, {"name": "質檢員"}, {"name": "质检员"}]),
            vec!["posts[1].name", "posts[2].name"],
        ),
    ] {
        let response = app
            .post_json("/api/v1/enterprises", &json!({"name": "辰泰重钢", "posts": posts}))
            .await;
        let problem = problem(response, 422).await;
        assert_eq!(error_fields(&problem), fields, "{posts}");
        assert!(
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["code"] == "duplicate"),
            "{problem}"
        );
    }
    assert_eq!(app.page("/api/v1/enterprises").await.total, 0);

    // Names that only look alike are different posts.
    let created = app
        .create(
            "/api/v1/enterprises",
            &json!({"name": "辰泰重钢", "posts": [{"name": "焊工"}, {"name": "焊工 "}, {"name": "电焊工"}]}),
        )
        .await;
    assert_eq!(created["posts"].as_array().unwrap().len(), 3);
    let path = format!("/api/v1/enterprises/{}", created["id"].as_str().unwrap());
    let response = app
        .patch_json(&path, &json!({"posts": [{"name": "起重工"}, {"name": "起重工"}]}))
        .await;
    let problem = problem(response, 422).await;
    assert_eq!(error_fields(&problem), vec!["posts[1].name"]);
    let stored = app.record(&path).await;
    assert_eq!(stored["version"], 1);
    assert_eq!(stored["posts"], created["posts"]);
}

#[tokio::test]
async fn the_export_carries_the_staff_count_and_the_posts_as_json() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/enterprises", &full_enterprise()).await;
    let text = app.get("/api/v1/enterprises?format=csv").await.text().await.unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let column = |header: &str| {
        rows[0]
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("{header} in {:?}", rows[0]))
    };
    assert_eq!(rows[1][column("职工人数 staff_count")], "1260");
    let posts: Value = serde_json::from_str(&rows[1][column("岗位 posts")]).unwrap();
    assert_eq!(posts, created["posts"]);
}

#[tokio::test]
async fn enterprises_and_placements_stored_before_the_compliance_fields_read_back_with_their_defaults() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm::ConnectionTrait;

    let fresh = FreshDatabase::new().await;
    let db = sea_orm::Database::connect(fresh.url.as_str()).await.unwrap();
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261207_000020_compliance_fields")
        .expect("the migration is listed");
    Migrator::up(&db, Some(before as u32)).await.unwrap();
    let (enterprise, placement) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let at = chrono::Utc::now();
    let rows = [
        Query::insert()
            .into_table(Alias::new("enterprises"))
            .columns(
                [
                    "id",
                    "name",
                    "membership_status",
                    "tags",
                    "search_text",
                    "version",
                    "created_at",
                    "updated_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                enterprise.into(),
                "伊利乳业".into(),
                "member".into(),
                json!([]).into(),
                "伊利乳业".into(),
                1.into(),
                at.into(),
                at.into(),
            ])
            .to_owned(),
        Query::insert()
            .into_table(Alias::new("apprenticeships"))
            .columns(
                [
                    "id",
                    "kind",
                    "enterprise_id",
                    "participant",
                    "start_date",
                    "status",
                    "evaluations",
                    "search_text",
                    "version",
                    "created_at",
                    "updated_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                placement.into(),
                "worker_training".into(),
                enterprise.into(),
                json!({"name": "吴军", "role": "worker"}).into(),
                chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap().into(),
                "draft".into(),
                json!([]).into(),
                "吴军".into(),
                1.into(),
                at.into(),
                at.into(),
            ])
            .to_owned(),
    ];
    for row in &rows {
        db.execute(row).await.unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    db.close().await.unwrap();

    let url = fresh.url.clone();
    let app = spawn_app_with(|settings| settings.database_url = url).await;
    let stored = app.record(&format!("/api/v1/enterprises/{enterprise}")).await;
    assert_eq!((&stored["staff_count"], &stored["posts"]), (&Value::Null, &json!([])));
    let stored = app.record(&format!("/api/v1/apprenticeships/{placement}")).await;
    assert_eq!(
        (
            &stored["night_shift"],
            &stored["hazardous"],
            &stored["insurance_expires_on"]
        ),
        (&json!(false), &json!(false), &Value::Null)
    );
    assert_eq!(stored["participant"]["enrolled_on"], Value::Null);
    // And they change like any other.
    let response = app
        .patch_json(
            &format!("/api/v1/enterprises/{enterprise}"),
            &json!({"staff_count": 2100, "posts": [{"name": "生产线操作工", "staff_count": 1200}]}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let response = app
        .patch_json(
            &format!("/api/v1/apprenticeships/{placement}"),
            &json!({"night_shift": true, "insurance_expires_on": "2024-12-31"}),
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
}
