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

/// The rows of an XLSX answer's first sheet, each cell as text.
fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let range = workbook.worksheet_range_at(0).expect("a sheet").expect("readable");
    range
        .rows()
        .map(|row| row.iter().map(|cell| cell.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn an_xlsx_export_is_the_same_list_as_a_workbook_with_numbers_as_numbers() {
    let app = spawn_app().await;
    let enterprise = app
        .create("/api/v1/enterprises", &json!({"name": "辰泰重钢有限公司"}))
        .await;
    let school = app
        .create(
            "/api/v1/schools",
            &json!({"name": "县职业教育中心", "kind": "secondary_vocational"}),
        )
        .await;
    for i in 0..105 {
        app.create(
            "/api/v1/apprenticeships",
            &json!({"kind": "worker_training", "enterprise_id": enterprise["id"],
                    "participant": {"name": format!("职工{i:03}"), "phone": "13812345678"},
                    "start_date": "2024-09-01", "hours_per_week": 40 + (i % 3)}),
        )
        .await;
    }
    let _ = school;
    let response = app
        .request(reqwest::Method::GET, "/api/v1/apprenticeships?sort=created_at")
        .header(
            "Accept",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"apprenticeships.xlsx\""
    );
    assert!(response.headers()["vary"].to_str().unwrap().starts_with("Accept"));
    let table = sheet_rows(&response.bytes().await.unwrap());
    assert_eq!(table.len(), 1 + 105, "every page");
    let at = |header: &str| table[0].iter().position(|h| h == header).expect(header);
    let name = at("姓名 participant.name");
    assert_eq!(table[1][name], "职工000");
    assert_eq!(table[105][name], "职工104");
    assert_eq!(
        table[2][at("每周学时 hours_per_week")],
        "41",
        "hours_per_week, a number cell"
    );
    assert_eq!(table[1][at("状态 status")], "draft");

    // format=xlsx for a link, the same rows.
    let linked = app.get("/api/v1/apprenticeships?format=xlsx&sort=created_at").await;
    assert_eq!(sheet_rows(&linked.bytes().await.unwrap()), table);
}

#[tokio::test]
async fn a_csv_export_guards_text_a_spreadsheet_would_run_as_a_formula() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/enterprises",
        &json!({"name": "=HYPERLINK(\"http://evil.example\",\"点击\")", "short_name": "@SUM(A1)", "industry": "-钢铁"}),
    )
    .await;
    let table = rows(&app.get("/api/v1/enterprises?format=csv").await.text().await.unwrap());
    assert_eq!(table[1][1], "'=HYPERLINK(\"http://evil.example\",\"点击\")");
    assert_eq!(table[1][2], "'@SUM(A1)");
    assert_eq!(table[1][4], "'-钢铁");
    // The workbook keeps them as text cells, unguarded.
    let sheet = sheet_rows(&app.get("/api/v1/enterprises?format=xlsx").await.bytes().await.unwrap());
    assert_eq!(sheet[1][1], "=HYPERLINK(\"http://evil.example\",\"点击\")");
}

#[tokio::test]
async fn accept_picks_the_format_by_quality_and_lists_vary_on_accept() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/schools",
        &json!({"name": "县职业教育中心", "kind": "secondary_vocational"}),
    )
    .await;
    let with_accept = |accept: &'static str| {
        app.request(reqwest::Method::GET, "/api/v1/schools")
            .header("Accept", accept)
            .send()
    };
    for (accept, media) in [
        ("text/csv;q=0", "application/json"),
        ("application/json, text/csv;q=0.5", "application/json"),
        ("application/json;q=0.4, text/csv", "text/csv; charset=utf-8"),
        ("*/*", "application/json"),
        ("text/*", "text/csv; charset=utf-8"),
        ("image/png", "application/json"),
        (
            "text/csv;q=0.5, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let response = with_accept(accept).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{accept}");
        assert_eq!(response.headers()["content-type"], media, "{accept}");
        let vary = response.headers()["vary"].to_str().unwrap();
        assert!(vary.split(", ").any(|name| name == "Accept"), "{accept}: {vary}");
    }
}

#[tokio::test]
async fn an_export_starts_at_the_first_record_whatever_limit_and_cursor_say_but_checks_them() {
    let app = spawn_app().await;
    for name in ["县职业教育中心", "县第二职业中专"] {
        app.create(
            "/api/v1/schools",
            &json!({"name": name, "kind": "secondary_vocational"}),
        )
        .await;
    }
    let page: serde_json::Value = app.get("/api/v1/schools?limit=1").await.json().await.unwrap();
    let cursor = page["next_cursor"].as_str().unwrap();
    let response = app
        .get(&format!("/api/v1/schools?format=csv&limit=1&cursor={}", encode(cursor)))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(rows(&response.text().await.unwrap()).len(), 1 + 2, "every record");
    // As for a page, a limit or cursor that is not one is a 400.
    problem(app.get("/api/v1/schools?format=csv&limit=0").await, 400).await;
    problem(app.get("/api/v1/schools?format=csv&cursor=forged").await, 400).await;
}
