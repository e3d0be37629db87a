//! Imports from spreadsheets: the columns an export writes, every row judged
//! as the JSON API would judge it, all rows or the good ones or none.

use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, TestApp};

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// POSTs a file to an import as its body.
async fn import(app: &TestApp, path: &str, media: &str, file: Vec<u8>) -> reqwest::Response {
    app.request(reqwest::Method::POST, path)
        .header("Content-Type", media)
        .body(file)
        .send()
        .await
        .unwrap()
}

/// Sends the `rest` of an upload begun on `slow` and checks its answer is 201.
async fn assert_answered_201(slow: &mut tokio::net::TcpStream, rest: &str) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    slow.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    while !String::from_utf8_lossy(&answer).contains("\r\n\r\n") {
        let mut chunk = [0u8; 4096];
        let n = slow.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the slow import is answered");
        answer.extend_from_slice(&chunk[..n]);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

/// Every record of a list (its first page of 100).
async fn listed(app: &TestApp, collection: &str) -> Vec<Value> {
    let page: Value = app
        .get(&format!("/api/v1/{collection}?limit=100&sort=created_at"))
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_exported_csv_file_imports_back_with_every_row_audited() {
    let source = spawn_app().await;
    source
        .create(
            "/api/v1/enterprises",
            &json!({"name": "辰泰重钢有限公司", "credit_code": "91350100M000100Y43", "scale": "large",
                    "membership_status": "council_member", "tags": ["焊接培训", "厂中校"], "short_name": "+辰泰", "contact_phone": "0536-1234567",
                    "staff_count": 1260, "posts": [{"name": "焊工", "staff_count": 320, "probation_monthly_fen": 450000}, {"name": "=质检员"}]}),
        )
        .await;
    source
        .create(
            "/api/v1/enterprises",
            &json!({"name": "=华铝家居", "joined_on": "2024-04-03"}),
        )
        .await;
    let exported = source
        .get("/api/v1/enterprises?format=csv&sort=created_at")
        .await
        .bytes()
        .await
        .unwrap();

    let target = spawn_app().await;
    let response = import(&target, "/api/v1/enterprises/imports", CSV, exported.to_vec()).await;
    assert_eq!(response.status().as_u16(), 201);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["imported"].as_u64()),
        (Some(2), Some(2)),
        "{report}"
    );
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["created"][0]["row"], 2);

    let stored = listed(&target, "enterprises").await;
    assert_eq!(stored.len(), 2);
    assert_eq!(
        stored[0]["id"], report["created"][0]["id"],
        "a new id, not the exported one"
    );
    assert_eq!(stored[0]["credit_code"], "91350100M000100Y43");
    assert_eq!(stored[0]["tags"], json!(["焊接培训", "厂中校"]));
    assert_eq!(stored[0]["membership_status"], "council_member");
    assert_eq!(stored[0]["short_name"], "+辰泰", "the formula guard is taken off");
    assert_eq!(stored[0]["contact_phone"], "0536-1234567");
    assert_eq!(stored[0]["staff_count"], 1260);
    assert_eq!(
        stored[0]["posts"],
        json!([{"name": "焊工", "staff_count": 320, "probation_monthly_fen": 450000},
               {"name": "=质检员", "staff_count": null, "probation_monthly_fen": null}])
    );
    assert_eq!(stored[1]["name"], "=华铝家居");
    assert_eq!(stored[1]["joined_on"], "2024-04-03");
    assert_eq!(
        (&stored[1]["staff_count"], &stored[1]["posts"]),
        (&Value::Null, &json!([]))
    );

    let audit: Value = target
        .get("/api/v1/audit-events?resource_type=enterprise&action=create")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 2, "{audit}");
}

/// A CSV file of enterprises: one good row, one with two bad fields, one
/// repeating the good row's credit code, one empty (skipped).
fn mixed_enterprises() -> Vec<u8> {
    "名称 name,credit_code,联系电话\n\
     辰泰重钢有限公司,91350100M000100Y43,13812345678\n\
     ,91350100M000100Y44,12345\n\
     华铝家居有限公司,91350100M000100Y43,\n\
     ,,\n"
        .as_bytes()
        .to_vec()
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_names_every_problem_with_its_row_and_column() {
    let app = spawn_app().await;
    let response = import(&app, "/api/v1/enterprises/imports", CSV, mixed_enterprises()).await;
    let body = problem(response, 422).await;
    let errors: Vec<(u64, String, String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or("").to_string(),
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |row: u64, column: &str, field: &str, code: &str| {
        errors
            .iter()
            .any(|e| e == &(row, column.to_string(), field.to_string(), code.to_string()))
    };
    assert!(has(3, "名称 name", "name", "required"), "{errors:?}");
    assert!(
        has(3, "统一社会信用代码 credit_code", "credit_code", "checksum"),
        "{errors:?}"
    );
    assert!(has(3, "联系电话 contact_phone", "contact_phone", "phone"), "{errors:?}");
    assert!(
        has(4, "统一社会信用代码 credit_code", "credit_code", "duplicate"),
        "{errors:?}"
    );
    assert!(errors.iter().all(|e| e.0 == 3 || e.0 == 4), "{errors:?}");
    assert!(listed(&app, "enterprises").await.is_empty(), "nothing written");
}

#[tokio::test]
async fn a_dry_run_reports_without_writing_and_partial_imports_the_good_rows() {
    let app = spawn_app().await;
    let dry = import(
        &app,
        "/api/v1/enterprises/imports?dry_run=true",
        CSV,
        mixed_enterprises(),
    )
    .await;
    assert_eq!(dry.status().as_u16(), 200);
    let report: Value = dry.json().await.unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(
        (
            report["rows"].as_u64(),
            report["valid"].as_u64(),
            report["imported"].as_u64()
        ),
        (Some(3), Some(1), Some(0))
    );
    assert!(report["errors"].as_array().unwrap().len() >= 4, "{report}");
    assert!(listed(&app, "enterprises").await.is_empty());

    let partial = import(
        &app,
        "/api/v1/enterprises/imports?partial=true",
        CSV,
        mixed_enterprises(),
    )
    .await;
    assert_eq!(partial.status().as_u16(), 201);
    let report: Value = partial.json().await.unwrap();
    assert_eq!(report["imported"], 1);
    let stored = listed(&app, "enterprises").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["name"], "辰泰重钢有限公司");

    // The same file again: its credit code is now taken by a stored record.
    let again = import(
        &app,
        "/api/v1/enterprises/imports?partial=true",
        CSV,
        mixed_enterprises(),
    )
    .await;
    let body = problem(again, 422).await;
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["row"] == 2 && e["code"] == "duplicate"),
        "{body}"
    );
}

/// An XLSX workbook of placements at `enterprise`: numbers as number cells,
/// a date as a date cell, one row naming an enterprise that does not exist.
fn placements_workbook(enterprise: &str, school: &str) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let header = [
        "kind",
        "企业",
        "school_id",
        "participant.name",
        "participant.national_id",
        "start_date",
        "每周学时 hours_per_week",
    ];
    for (col, text) in header.iter().enumerate() {
        sheet.write_string(0, col as u16, *text).unwrap();
    }
    let rows = [
        ("order_class", enterprise, "李明", "370101200803150021", 36.0),
        ("order_class", "01900000-0000-7000-8000-000000000000", "王芳", "", 30.0),
        ("student_internship", enterprise, "赵强", "", 48.0),
    ];
    for (i, (kind, at, name, national_id, hours)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, *kind).unwrap();
        sheet.write_string(row, 1, *at).unwrap();
        sheet.write_string(row, 2, school).unwrap();
        sheet.write_string(row, 3, *name).unwrap();
        if !national_id.is_empty() {
            sheet.write_string(row, 4, *national_id).unwrap();
        }
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 9, 1).unwrap();
        sheet.write_datetime_with_format(row, 5, &day, &date).unwrap();
        sheet.write_number(row, 6, *hours).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn placements_import_from_an_xlsx_file_in_a_multipart_form_judged_as_creates() {
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
    let workbook = placements_workbook(enterprise["id"].as_str().unwrap(), school["id"].as_str().unwrap());
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(workbook).file_name("placements.xlsx"),
    );
    let response = app
        .request(reqwest::Method::POST, "/api/v1/apprenticeships/imports?partial=true")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["imported"], 1, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["row"] == 3
            && e["field"] == "enterprise_id"
            && e["code"] == "not_found"
            && e["column"] == "企业 enterprise_id"),
        "{report}"
    );
    assert!(
        errors.iter().any(|e| e["row"] == 4 && e["field"] == "hours_per_week"),
        "a student works at most 40 hours a week: {report}"
    );
    let stored = listed(&app, "apprenticeships").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["participant"]["name"], "李明");
    assert_eq!(stored[0]["start_date"], "2024-09-01");
    assert_eq!(stored[0]["hours_per_week"], 36);
    assert_eq!(stored[0]["status"], "draft");
    assert_eq!(stored[0]["participant"]["role"], "student");

    // As the body itself, with its media type: the same judgement.
    let workbook = placements_workbook(enterprise["id"].as_str().unwrap(), school["id"].as_str().unwrap());
    let dry = import(&app, "/api/v1/apprenticeships/imports?dry_run=true", XLSX, workbook).await;
    assert_eq!(dry.status().as_u16(), 200);
    let report: Value = dry.json().await.unwrap();
    assert_eq!(report["valid"], 1, "{report}");
}

#[tokio::test]
async fn an_import_checks_the_caller_s_role_before_the_file_and_the_role_s_rules_per_row() {
    let app = spawn_app().await;
    let (_, viewer) = app.user_with_role("viewer", None, None).await;
    let refused = app
        .request_as(reqwest::Method::POST, "/api/v1/enterprises/imports", Some(&viewer))
        .header("Content-Type", CSV)
        .body("not,a,file\n\"")
        .send()
        .await
        .unwrap();
    problem(refused, 403).await;

    let enterprise = app
        .create("/api/v1/enterprises", &json!({"name": "辰泰重钢有限公司"}))
        .await;
    let ours = app
        .create(
            "/api/v1/schools",
            &json!({"name": "县职业教育中心", "kind": "secondary_vocational"}),
        )
        .await;
    let theirs = app
        .create(
            "/api/v1/schools",
            &json!({"name": "县第二职业中专", "kind": "secondary_vocational"}),
        )
        .await;
    let (_, school_user) = app.user_with_role("school", None, ours["id"].as_str()).await;
    let file = format!(
        "kind,enterprise_id,school_id,participant.name,start_date\n\
         student_internship,{e},{ours},李明,2024-09-01\n\
         student_internship,{e},{theirs},王芳,2024-09-01\n",
        e = enterprise["id"].as_str().unwrap(),
        ours = ours["id"].as_str().unwrap(),
        theirs = theirs["id"].as_str().unwrap(),
    );
    let response = app
        .request_as(
            reqwest::Method::POST,
            "/api/v1/apprenticeships/imports",
            Some(&school_user),
        )
        .header("Content-Type", CSV)
        .body(file)
        .send()
        .await
        .unwrap();
    let body = problem(response, 422).await;
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["row"] == 3 && e["code"] == "forbidden"),
        "{body}"
    );
    assert!(listed(&app, "apprenticeships").await.is_empty());
}

#[tokio::test]
async fn a_file_the_import_cannot_read_is_refused_as_a_whole() {
    let app = spawn_app().await;
    // An unknown column, named.
    let body = problem(
        import(
            &app,
            "/api/v1/schools/imports",
            CSV,
            "name,colour\n县职业教育中心,红\n".into(),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "file");
    assert_eq!(body["errors"][0]["code"], "unknown_column");
    assert_eq!(body["errors"][0]["column"], "colour");
    // No data rows; not UTF-8; not a workbook; another media type.
    let body = problem(import(&app, "/api/v1/schools/imports", CSV, "name\n".into()).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "required");
    let gbk = vec![b'n', b'a', b'm', b'e', b'\n', 0xcf, 0xd8, 0xd6, 0xb0, b'\n'];
    let body = problem(import(&app, "/api/v1/schools/imports", CSV, gbk).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "encoding");
    let body = problem(
        import(&app, "/api/v1/schools/imports", XLSX, b"PK not really".to_vec()).await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["code"], "format");
    problem(
        import(&app, "/api/v1/schools/imports", "application/json", b"{}".to_vec()).await,
        415,
    )
    .await;
    // A multipart form without `file`.
    let form = reqwest::multipart::Form::new().text("other", "x");
    let response = app
        .request(reqwest::Method::POST, "/api/v1/schools/imports")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "file");
    // A form whose parts cannot be read (a control character in a part's name).
    let form = "--b\r\nContent-Disposition: form-data; name=\"\x19\"\r\n\r\nx\r\n--b--\r\n";
    let response = app
        .request(reqwest::Method::POST, "/api/v1/schools/imports")
        .header("Content-Type", "multipart/form-data; boundary=b")
        .body(form)
        .send()
        .await
        .unwrap();
    let body = problem(response, 422).await;
    assert_eq!(body["errors"][0]["code"], "format", "{body}");
}

#[tokio::test]
async fn rows_are_numbered_as_a_spreadsheet_shows_the_file_and_no_value_is_dropped_silently() {
    let app = spawn_app().await;
    // Line 3 is blank: a spreadsheet shows it as row 3, so the bad row is row 4.
    let file =
        "name,kind\n县职业教育中心,secondary_vocational\n\n,secondary_vocational\n\"县第二\n职业中专\",nursery\n";
    let body = problem(import(&app, "/api/v1/schools/imports", CSV, file.into()).await, 422).await;
    let rows: Vec<(u64, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, vec![(4, "name"), (5, "kind")], "{body}");

    // A value in a column without a header is an error, not a loss.
    let file = "name,,kind\n县职业教育中心,多出的值,secondary_vocational\n";
    let body = problem(import(&app, "/api/v1/schools/imports", CSV, file.into()).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "unknown_column");
    assert_eq!(body["errors"][0]["row"], 2);
}

#[tokio::test]
async fn an_xlsx_file_claiming_a_huge_sheet_or_unpacking_to_gigabytes_is_refused_without_reading_it_whole() {
    // A header in A1 and one cell in the sheet's last cell, XFD1048576.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "name").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let far = workbook.save_to_buffer().unwrap();

    // A ZIP whose one part unpacks to 300 MiB of empty elements (a few hundred KiB packed).
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    let empty = b"<x/>".repeat(256 * 1024);
    for _ in 0..300 {
        std::io::Write::write_all(&mut bomb, &empty).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    let app = spawn_app().await;
    // Both files are made before the first request (an idle connection
    // would be closed meanwhile).
    let body = problem(import(&app, "/api/v1/schools/imports", XLSX, far).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "range", "{body}");
    let body = problem(import(&app, "/api/v1/schools/imports", XLSX, bomb).await, 422).await;
    assert_eq!(body["errors"][0]["code"], "range", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("MiB"), "{body}");
}

#[tokio::test]
async fn a_file_larger_than_a_json_body_imports_and_replays_with_an_idempotency_key() {
    let app = spawn_app().await;
    let description = "产教融合".repeat(400);
    let mut file = String::from("name,description\n");
    for i in 0..700 {
        file.push_str(&format!("导入企业{i:03},{description}\n"));
    }
    assert!(file.len() > 3 * 1024 * 1024, "over the 2 MiB of a JSON body");
    let send = || {
        app.request(reqwest::Method::POST, "/api/v1/enterprises/imports")
            .header("Content-Type", CSV)
            .header("Idempotency-Key", "import-2024-04-03")
            .body(file.clone())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status().as_u16(), 201);
    let report: Value = first.json().await.unwrap();
    assert_eq!(report["imported"], 700);
    let again = send().await.unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let page: Value = app.get("/api/v1/enterprises?limit=1").await.json().await.unwrap();
    assert_eq!(page["total"], 700, "imported once");
}

#[tokio::test]
async fn an_exported_xlsx_file_of_placements_imports_back() {
    let source = spawn_app().await;
    let enterprise = source
        .create("/api/v1/enterprises", &json!({"name": "辰泰重钢有限公司"}))
        .await;
    let school = source
        .create(
            "/api/v1/schools",
            &json!({"name": "县职业教育中心", "kind": "secondary_vocational"}),
        )
        .await;
    source
        .create(
            "/api/v1/apprenticeships",
            &json!({"kind": "order_class", "enterprise_id": enterprise["id"], "school_id": school["id"],
                    "participant": {"name": "李明", "national_id": "370101200803150021", "phone": "13812345678", "enrolled_on": "2023-09-01"},
                    "program": "辰泰重钢焊接订单班", "start_date": "2024-09-01", "end_date": "2025-06-30",
                    "hours_per_week": 36, "monthly_stipend_fen": 200000, "night_shift": true,
                    "insurance_expires_on": "2025-03-31"}),
        )
        .await;
    let exported = source
        .get("/api/v1/apprenticeships?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    // The same service: the enterprise and school it names exist.
    let response = import(&source, "/api/v1/apprenticeships/imports", XLSX, exported.to_vec()).await;
    assert_eq!(response.status().as_u16(), 201);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["imported"], 1, "{report}");
    let stored = listed(&source, "apprenticeships").await;
    assert_eq!(stored.len(), 2);
    let copy = &stored[1];
    assert_eq!(copy["id"], report["created"][0]["id"]);
    assert_eq!(copy["participant"]["national_id"], "370101200803150021");
    assert_eq!(copy["participant"]["role"], "student");
    assert_eq!(copy["monthly_stipend_fen"], 200000);
    assert_eq!(copy["end_date"], "2025-06-30");
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["participant"]["enrolled_on"], "2023-09-01");
    assert_eq!(
        (&copy["night_shift"], &copy["hazardous"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(copy["insurance_expires_on"], "2025-03-31");
}

#[tokio::test]
async fn rows_naming_the_same_missing_record_are_each_reported_in_their_own_row() {
    let app = spawn_app().await;
    let enterprise = app
        .create("/api/v1/enterprises", &json!({"name": "辰泰重钢有限公司"}))
        .await;
    let missing = "01900000-0000-7000-8000-000000000000";
    let file = format!(
        "kind,enterprise_id,participant.name,start_date\n\
         worker_training,{missing},李明,2024-09-01\n\
         worker_training,{e},王芳,2024-09-01\n\
         worker_training,{missing},赵强,2024-09-01\n",
        e = enterprise["id"].as_str().unwrap(),
    );
    let response = import(&app, "/api/v1/apprenticeships/imports?partial=true", CSV, file.into()).await;
    assert_eq!(response.status().as_u16(), 201);
    let report: Value = response.json().await.unwrap();
    let rows: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, vec![(2, "not_found"), (4, "not_found")], "{report}");
    assert_eq!(report["created"][0]["row"], 3);
}

/// A workbook of one sheet whose cells show shared strings: `strings` writes
/// the shared-string table's `<si>` elements, `cells` names the string each
/// cell of column A shows, from row 1 on.
fn shared_string_workbook(unique_count: u64, strings: impl Fn(&mut dyn std::io::Write), cells: &[u32]) -> Vec<u8> {
    use std::io::Write;
    let main = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {main}><sheetData>{}</sheetData></worksheet>"#,
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, string)| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>{string}</v></c></row>"#, r = i + 1))
                    .collect::<String>()
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><sst {main} uniqueCount="{unique_count}">"#
    )
    .unwrap();
    strings(&mut zip);
    zip.write_all(b"</sst>").unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_workbook_whose_cells_repeat_a_long_shared_string_past_32_mib_is_refused_naming_the_file() {
    // One string of 600 KiB shown by 64 cells: 38 MiB of text in a file of a few KiB.
    let repeated = shared_string_workbook(
        2,
        |out| {
            out.write_all(b"<si><t>name</t></si><si><t>").unwrap();
            out.write_all(&b"A".repeat(600 * 1024)).unwrap();
            out.write_all(b"</t></si>").unwrap();
        },
        &[[0].as_slice(), &[1; 64]].concat(),
    );
    assert!(repeated.len() < 16 * 1024, "{} bytes", repeated.len());
    // A shared-string table of 40 MiB (in runs of 512 KiB), shown by one cell.
    let large_table = shared_string_workbook(
        2,
        |out| {
            out.write_all(b"<si><t>name</t></si><si>").unwrap();
            let run = b"B".repeat(512 * 1024);
            for _ in 0..80 {
                out.write_all(b"<r><t>").unwrap();
                out.write_all(&run).unwrap();
                out.write_all(b"</t></r>").unwrap();
            }
            out.write_all(b"</si>").unwrap();
        },
        &[0, 1],
    );
    // A table that claims four billion strings (the parser would reserve
    // room for them all: 96 GB, and the process would abort).
    let claimed = shared_string_workbook(
        4_000_000_000,
        |out| {
            out.write_all(b"<si><t>name</t></si><si><t>\xe8\xbe\xb0\xe6\xb3\xb0</t></si>")
                .unwrap()
        },
        &[0, 1],
    );
    // The same table with its true count imports.
    let fine = shared_string_workbook(
        2,
        |out| {
            out.write_all("<si><t>name</t></si><si><t>辰泰重钢有限公司</t></si>".as_bytes())
                .unwrap()
        },
        &[0, 1],
    );

    let app = spawn_app().await;
    for (file, what) in [(repeated, "MiB"), (large_table, "MiB"), (claimed, "strings")] {
        let body = problem(import(&app, "/api/v1/enterprises/imports", XLSX, file).await, 422).await;
        assert_eq!(body["errors"][0]["field"], "file", "{body}");
        assert_eq!(body["errors"][0]["code"], "range", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains(what), "{body}");
    }
    assert!(listed(&app, "enterprises").await.is_empty());
    let response = import(&app, "/api/v1/enterprises/imports", XLSX, fine).await;
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(listed(&app, "enterprises").await[0]["name"], "辰泰重钢有限公司");
}

#[tokio::test]
async fn an_import_s_answer_lists_the_first_1000_problems_and_counts_every_problem_per_column_and_code() {
    let app = spawn_app().await;
    // 3,000 rows, each without a name and with a bad phone; the last also
    // with a bad scale.
    let mut file = String::from("name,contact_phone,scale\n");
    for _ in 0..2_999 {
        file.push_str(",12345,\n");
    }
    file.push_str(",12345,huge\n");
    let counts = |body: &Value| -> Vec<(String, String, u64)> {
        let mut counts: Vec<(String, String, u64)> = body["error_counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["column"].as_str().unwrap_or("").to_string(),
                    c["code"].as_str().unwrap().to_string(),
                    c["count"].as_u64().unwrap(),
                )
            })
            .collect();
        counts.sort();
        counts
    };
    for path in [
        "/api/v1/enterprises/imports",
        "/api/v1/enterprises/imports?partial=true",
    ] {
        let body = problem(import(&app, path, CSV, file.clone().into()).await, 422).await;
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1_000, "{path}");
        assert_eq!(errors[0]["row"], 2);
        assert_eq!(errors[999]["row"], 501, "two problems a row, the first rows first");
        assert_eq!(
            counts(&body),
            vec![
                ("名称 name".to_string(), "required".to_string(), 3_000),
                ("联系电话 contact_phone".to_string(), "phone".to_string(), 3_000),
                ("规模 scale".to_string(), "enum".to_string(), 1),
            ],
            "{path}"
        );
    }
    let dry = import(&app, "/api/v1/enterprises/imports?dry_run=true", CSV, file.into()).await;
    assert_eq!(dry.status().as_u16(), 200);
    let report: Value = dry.json().await.unwrap();
    assert_eq!(report["rows"], 3_000);
    assert_eq!(report["errors"].as_array().unwrap().len(), 1_000);
    assert_eq!(counts(&report).iter().map(|c| c.2).sum::<u64>(), 6_001);
}

#[tokio::test]
async fn imports_beyond_the_ones_running_at_once_wait_their_turn_then_are_answered_503_with_retry_after() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.imports.at_once = 1;
        settings.imports.wait = std::time::Duration::from_secs(2);
    })
    .await;
    // An import whose file is still arriving holds the one turn.
    let slow_file = "name,kind\n县实验职业学校,secondary_vocational\n";
    let (begun, rest) = slow_file.split_at(10);
    let mut slow = crate::helpers::upload_begun(
        &app.address,
        "/api/v1/schools/imports",
        Some(&app.token),
        CSV,
        slow_file.len(),
        begun,
    )
    .await;
    let mut refused = None;
    for i in 0..50 {
        let file = format!("name,kind\n县职业教育中心{i},secondary_vocational\n");
        let response = import(&app, "/api/v1/schools/imports", CSV, file.into()).await;
        if response.status().as_u16() == 503 {
            refused = Some(response);
            break;
        }
        // The slow import had not taken its turn yet (or waited for this one's).
        assert_eq!(response.status().as_u16(), 201);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let refused = refused.expect("an import is refused while another holds the turn");
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    let body = problem(refused, 503).await;
    assert!(body["detail"].as_str().unwrap().contains("imports"), "{body}");

    // Once the slow import's file has arrived, it is imported and the turn is free again.
    assert_answered_201(&mut slow, rest).await;
    let response = import(
        &app,
        "/api/v1/schools/imports",
        CSV,
        "name,kind\n县第二职业中专,secondary_vocational\n".into(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn partial_imports_racing_for_one_credit_code_each_import_every_other_good_row() {
    let app = spawn_app().await;
    let mut stored = 0;
    for trial in 0..5u32 {
        // Two files of 200 rows each; their rows 101 share one credit code.
        let file = |side: u32| {
            let mut file = String::from("name,credit_code\n");
            for i in 0..200u32 {
                let body = match i {
                    99 => format!("91370724{trial:01}{:08}", 99_999_999),
                    _ => format!("91370724{trial:01}{side:01}{i:07}"),
                };
                file.push_str(&format!(
                    "竞速企业{trial}-{side}-{i},{}\n",
                    crate::enterprises::credit_code(&body)
                ));
            }
            file
        };
        let (first, second) = tokio::join!(
            import(&app, "/api/v1/enterprises/imports?partial=true", CSV, file(1).into()),
            import(&app, "/api/v1/enterprises/imports?partial=true", CSV, file(2).into()),
        );
        assert_eq!(
            (first.status().as_u16(), second.status().as_u16()),
            (201, 201),
            "trial {trial}: both import their good rows"
        );
        let first: Value = first.json().await.unwrap();
        let second: Value = second.json().await.unwrap();
        let imported = first["imported"].as_u64().unwrap() + second["imported"].as_u64().unwrap();
        assert_eq!(imported, 399, "trial {trial}: {first} {second}");
        let loser = if first["imported"] == 199 { &first } else { &second };
        let errors = loser["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{loser}");
        assert_eq!(errors[0]["row"], 101, "{loser}");
        assert_eq!(errors[0]["code"], "duplicate", "{loser}");
        assert_eq!(errors[0]["column"], "统一社会信用代码 credit_code", "{loser}");
        stored += 399;
        let page: Value = app.get("/api/v1/enterprises?limit=1").await.json().await.unwrap();
        assert_eq!(page["total"], stored, "trial {trial}");
    }
}

#[tokio::test]
async fn a_json_cell_larger_than_256_kib_is_that_cell_s_problem_and_is_not_parsed() {
    let app = spawn_app().await;
    // 300 KiB of a list of numbers: millions of values once parsed.
    let majors = format!("[{}0]", "0,".repeat(150 * 1024));
    let file = format!("名称 name,专业 majors\n县职业中专,\"{majors}\"\n");
    let response = import(&app, "/api/v1/schools/imports", CSV, file.into_bytes()).await;
    let body = problem(response, 422).await;
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["code"], "length");
    assert_eq!(errors[0]["row"], 2);
    assert_eq!(errors[0]["column"], "专业 majors");
}

#[tokio::test]
async fn a_keyed_import_reads_its_file_under_its_turn_like_any_other() {
    // The Idempotency-Key's middleware reads a keyed request's body before
    // the handler runs: an import's file is read under the import's turn
    // there too (it was read outside any turn, so that many keyed uploads
    // held their files at once).
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.imports.at_once = 1;
        settings.imports.wait = std::time::Duration::from_secs(1);
    })
    .await;
    let slow_file = "name\n慢慢上传\n";
    let (begun, rest) = slow_file.split_at(5);
    let mut slow = crate::helpers::upload_begun_with(
        &app.address,
        "/api/v1/enterprises/imports",
        Some(&app.token),
        &[("Content-Type", CSV), ("Idempotency-Key", "slow-keyed-import")],
        slow_file.len(),
        begun,
    )
    .await;
    let mut refused = false;
    for _ in 0..50 {
        let response = import(
            &app,
            "/api/v1/enterprises/imports",
            CSV,
            "name\n插队\n".as_bytes().to_vec(),
        )
        .await;
        if response.status().as_u16() == 503 {
            refused = true;
            break;
        }
        // The slow import had not taken its turn yet.
        assert_eq!(response.status().as_u16(), 201);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(refused, "the keyed import's file arrives under the one turn");
    // Its file arrives: it is imported under that turn, then the turn is free.
    assert_answered_201(&mut slow, rest).await;
    drop(slow);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let response = import(
        &app,
        "/api/v1/enterprises/imports",
        CSV,
        "name\n下一个\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
}

#[tokio::test]
async fn an_import_takes_files_past_the_json_body_limit_up_to_32_mib_with_or_without_a_key() {
    use tokio::io::AsyncReadExt;
    let app = crate::helpers::spawn_app_with(|settings| settings.max_body_bytes = 2048).await;
    let description = "产教融合".repeat(30);
    for (round, key) in [None, Some("import-past-the-json-limit")].into_iter().enumerate() {
        let mut file = String::from("name,description\n");
        for i in 0..10 {
            file.push_str(&format!("导入企业{round}-{i},{description}\n"));
        }
        assert!(file.len() > 2048, "over the JSON body limit");
        let mut request = app
            .request(reqwest::Method::POST, "/api/v1/enterprises/imports")
            .header("Content-Type", CSV)
            .body(file);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 201, "key {key:?}");
    }
    // A file of more than 32 MiB is refused by its declared length, before it is read.
    for headers in [
        &[("Content-Type", CSV)][..],
        &[("Content-Type", CSV), ("Idempotency-Key", "import-past-32-mib")],
    ] {
        let mut upload = crate::helpers::upload_begun_with(
            &app.address,
            "/api/v1/enterprises/imports",
            Some(&app.token),
            headers,
            32 * 1024 * 1024 + 1,
            "name\n",
        )
        .await;
        let mut answer = vec![0u8; 4096];
        let n = upload.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{headers:?}: {answer}");
    }
}
