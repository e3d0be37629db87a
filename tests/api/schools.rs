use serde_json::{json, Value};

use crate::helpers::{encode, error_fields, problem, spawn_app};

fn school() -> Value {
    json!({
        "name": "县职业教育中心",
        "short_name": "县职教中心",
        "code": "4137012345",
        "kind": "secondary_vocational",
        "address": "县城职教路1号",
        "region_code": "370101",
        "contact_name": "谭刚",
        "contact_phone": "13812345678",
        "contact_email": "office@example.edu.cn",
        "website": "https://example.edu.cn",
        "membership_status": "council_member",
        "joined_on": "2023-09-01",
        "majors": [{"code": "660301", "name": "焊接技术应用"}, {"code": null, "name": "新媒体营销"}]
    })
}

#[tokio::test]
async fn creating_a_school_stores_every_field_including_its_majors() {
    let app = spawn_app().await;
    let response = app.post_json("/api/v1/schools", &school()).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let body: Value = response.json().await.unwrap();
    for (field, value) in school().as_object().unwrap() {
        assert_eq!(&body[field], value, "{field}");
    }
    let stored: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(stored, body);
}

#[tokio::test]
async fn a_school_code_must_be_ten_ascii_digits_and_unique() {
    let app = spawn_app().await;
    for code in ["413701234", "41370123456", "413701234５", "41370123a5"] {
        let response = app
            .post_json("/api/v1/schools", &json!({"name": "x", "code": code}))
            .await;
        let body = problem(response, 422).await;
        assert_eq!(error_fields(&body), vec!["code"], "{code}");
    }
    app.create("/api/v1/schools", &json!({"name": "a", "code": "4137012345"}))
        .await;
    let response = app
        .post_json("/api/v1/schools", &json!({"name": "b", "code": "4137012345"}))
        .await;
    let body = problem(response, 409).await;
    assert_eq!(error_fields(&body), vec!["code"]);
    assert_eq!(app.page("/api/v1/schools").await.total, 1);
}

#[tokio::test]
async fn a_major_needs_a_name_and_errors_name_its_position() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "x", "majors": [{"name": "ok"}, {"code": "1"}]}),
        )
        .await;
    let body = problem(response, 422).await;
    assert_eq!(error_fields(&body), vec!["majors[1].name"]);
    let response = app
        .post_json(
            "/api/v1/schools",
            &json!({"name": "x", "majors": [{"name": "ok"}, {"name": " "}]}),
        )
        .await;
    let body = problem(response, 422).await;
    assert_eq!(error_fields(&body), vec!["majors[1].name"]);
    let majors: Vec<Value> = (0..201).map(|i| json!({"name": format!("m{i}")})).collect();
    let response = app
        .post_json("/api/v1/schools", &json!({"name": "x", "majors": majors}))
        .await;
    let body = problem(response, 422).await;
    assert_eq!(error_fields(&body), vec!["majors"]);
}

#[tokio::test]
async fn schools_filter_by_major_code_or_name_kind_and_membership() {
    let app = spawn_app().await;
    app.create("/api/v1/schools", &school()).await;
    app.create(
        "/api/v1/schools",
        &json!({"name": "技师学院", "kind": "technician_college", "majors": [{"name": "数控技术"}]}),
    )
    .await;
    let total = |path: String| {
        let app = &app;
        async move { app.page(&path).await.total }
    };
    assert_eq!(total("/api/v1/schools?major=660301".into()).await, 1);
    assert_eq!(total(format!("/api/v1/schools?major={}", encode("数控技术"))).await, 1);
    assert_eq!(total(format!("/api/v1/schools?major={}", encode("焊接"))).await, 0);
    // The name is compared folded like `q`: script and case do not matter.
    assert_eq!(total(format!("/api/v1/schools?major={}", encode("數控技術"))).await, 1);
    assert_eq!(
        total(format!("/api/v1/schools?major={}", encode("焊接技术應用"))).await,
        1
    );
    assert_eq!(total("/api/v1/schools?kind=technician_college".into()).await, 1);
    assert_eq!(
        total("/api/v1/schools?membership_status=council_member".into()).await,
        1
    );
    assert_eq!(total(format!("/api/v1/schools?q={}", encode("職教"))).await, 1);
}

#[tokio::test]
async fn patching_majors_replaces_the_list_and_the_major_filter_follows() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/schools", &school()).await;
    let path = format!("/api/v1/schools/{}", created["id"].as_str().unwrap());
    let response = app
        .patch_json(&path, &json!({"majors": [{"name": "数控技术"}], "kind": null}))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["majors"], json!([{"code": null, "name": "数控技术"}]));
    assert_eq!(body["kind"], Value::Null);
    assert_eq!(body["version"], 2);
    assert_eq!(app.page("/api/v1/schools?major=660301").await.total, 0);
    assert_eq!(
        app.page(&format!("/api/v1/schools?major={}", encode("数控技术")))
            .await
            .total,
        1
    );
    let response = app.patch_json(&path, &json!({"code": "123"})).await;
    problem(response, 422).await;
}

#[tokio::test]
async fn deleting_a_school_answers_204_and_it_is_gone() {
    let app = spawn_app().await;
    let created = app.create("/api/v1/schools", &school()).await;
    let path = format!("/api/v1/schools/{}", created["id"].as_str().unwrap());
    assert_eq!(app.delete(&path).await.status().as_u16(), 204);
    problem(app.get(&path).await, 404).await;
    assert_eq!(app.page("/api/v1/schools?major=660301").await.total, 0);
}
