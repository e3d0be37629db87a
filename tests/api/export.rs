//! Lists as spreadsheets: the whole list, as the JSON list would show it.

use serde_json::json;

use crate::helpers::{encode, problem, spawn_app};

/// The rows of a CSV answer, its header first (byte-order mark removed).
fn rows(body: &str) -> Vec<Vec<String>> {
    let text = body.strip_prefix('\u{feff}').expect("a UTF-8 byte-order mark first");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn a_csv_export_is_every_page_of_the_list_with_its_filters_and_sort() {
    let app = spawn_app().await;
    for i in 0..130 {
        let status = if i % 2 == 0 { "member" } else { "applicant" };
        app.create(
            "/api/v1/enterprises",
            &json!({"name": format!("华建科技园{i:03}"), "membership_status": status, "tags": ["厂中校"]}),
        )
        .await;
    }
    let response = app
        .get("/api/v1/enterprises?format=csv&membership_status=member&sort=-name&limit=7")
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"enterprises.csv\""
    );
    let table = rows(&response.text().await.unwrap());
    assert_eq!(table[0][1], "名称 name");
    assert_eq!(table[0][13], "会员状态 membership_status");
    assert_eq!(
        table.len(),
        1 + 65,
        "every member, over the 100-row pages, whatever `limit` says"
    );
    assert_eq!(table[1][1], "华建科技园128");
    assert_eq!(table[65][1], "华建科技园000");
    assert!(table[1..].iter().all(|r| r[13] == "member"));
    assert_eq!(table[1][15], r#"["厂中校"]"#);

    // The same with Accept, and a search blind to script.
    let response = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/enterprises?q={}", encode("華建科技園12")),
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(rows(&response.text().await.unwrap()).len(), 1 + 10);
}

#[tokio::test]
async fn an_unknown_export_format_is_a_400_naming_format() {
    let app = spawn_app().await;
    let body = problem(app.get("/api/v1/schools?format=xls").await, 400).await;
    assert_eq!(body["errors"][0]["field"], "format");
    let json = app.get("/api/v1/schools?format=json").await;
    assert_eq!(json.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn action_items_and_the_audit_trail_export_as_csv_too() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/meetings",
        &json!({"title": "全县产教融合发展联盟调度推进工作会议", "held_on": "2024-04-03", "action_items": [
            {"description": "开展全县企业用工需求调查", "due_on": "2024-06-30"},
            {"description": "建设数字素养培训基地", "status": "done", "done_on": "2024-05-01"}
        ]}),
    )
    .await;
    let items = rows(
        &app.get("/api/v1/action-items?format=csv&status=open")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(items[0][3], "任务 description");
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[1][3].as_str(), items[1][8].as_str()),
        ("开展全县企业用工需求调查", "open")
    );

    let audit = rows(
        &app.get("/api/v1/audit-events?format=csv&action=create")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(audit[0][4], "操作 action");
    assert!(
        audit.len() >= 2 && audit[1..].iter().all(|r| r[4] == "create"),
        "{audit:?}"
    );

    let (_, viewer) = app.user_with_role("viewer", None, None).await;
    let refused = app
        .request_as(reqwest::Method::GET, "/api/v1/audit-events?format=csv", Some(&viewer))
        .send()
        .await
        .unwrap();
    problem(refused, 403).await;
}
