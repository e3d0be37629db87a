//! Teachers' enterprise practice: 180 days in the five years ending on a
//! day, each day once, by resident ID or by school and name, masked by role.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{problem_of, spawn_app, TestApp};

const TEACHER_ID: &str = "370101200803150021";

/// A teacher's practice placement moved by the admin through the status machine to `to`.
async fn practice(app: &TestApp, enterprise: &str, school: &str, teacher: Value, days: (&str, Option<&str>), to: &str) {
    let created = app
        .create(
            "/api/v1/apprenticeships",
            &json!({"kind": "teacher_practice", "enterprise_id": enterprise, "school_id": school,
                    "participant": teacher, "start_date": days.0, "end_date": days.1}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let moves: &[&str] = match to {
        "draft" => &[],
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
}

fn rows(body: &Value) -> Vec<(String, i64, i64, bool)> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["teacher"]["name"].as_str().unwrap().to_string(),
                t["days"].as_i64().unwrap(),
                t["placements"].as_i64().unwrap(),
                t["meets_requirement"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn days_count_once_per_calendar_day_within_five_years_and_the_fewest_come_first() {
    let app = spawn_app().await;
    let huajian = app
        .create_id("/api/v1/enterprises", &json!({"name": "华建五分厂"}))
        .await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let other = app
        .create_id("/api/v1/schools", &json!({"name": "县第二职业中专"}))
        .await;
    let tan = json!({"name": "谭刚", "national_id": TEACHER_ID});
    // Across the window's first day (2020-07-01): 10 of its days count.
    practice(
        &app,
        &huajian,
        &centre,
        tan.clone(),
        ("2020-06-01", Some("2020-07-10")),
        "completed",
    )
    .await;
    // Two overlapping placements: 31 days and 21 days sharing 12: 40.
    practice(
        &app,
        &huajian,
        &centre,
        tan.clone(),
        ("2021-03-01", Some("2021-03-31")),
        "completed",
    )
    .await;
    practice(
        &app,
        &huajian,
        &centre,
        tan.clone(),
        ("2021-03-20", Some("2021-04-09")),
        "active",
    )
    .await;
    // Before the window: nothing.
    practice(
        &app,
        &huajian,
        &centre,
        tan.clone(),
        ("2019-01-01", Some("2019-12-31")),
        "completed",
    )
    .await;
    // Active without an end: to `on`, exactly 180 days (2 January to 30 June 2025).
    practice(
        &app,
        &huajian,
        &centre,
        json!({"name": "王芳"}),
        ("2025-01-02", None),
        "active",
    )
    .await;
    // Another school's teacher, a whole leap year, and a draft that does not count.
    practice(
        &app,
        &huajian,
        &other,
        json!({"name": "李华"}),
        ("2024-01-01", Some("2024-12-31")),
        "completed",
    )
    .await;
    practice(
        &app,
        &huajian,
        &other,
        json!({"name": "李华"}),
        ("2025-01-01", Some("2025-03-31")),
        "draft",
    )
    .await;
    // A teacher whose only placement is a draft is listed with 0 days.
    practice(
        &app,
        &huajian,
        &centre,
        json!({"name": "赵敏"}),
        ("2025-05-01", Some("2025-05-31")),
        "draft",
    )
    .await;

    let body = app.list("/api/v1/stats/teacher-practice?on=2025-06-30").await;
    assert_eq!(body["on"], "2025-06-30");
    assert_eq!(body["required_days"], 180);
    assert_eq!(body["total"], 4);
    assert_eq!(
        rows(&body),
        vec![
            ("赵敏".to_string(), 0, 0, false),
            ("谭刚".to_string(), 50, 3, false),
            ("王芳".to_string(), 180, 1, true),
            ("李华".to_string(), 366, 1, true),
        ]
    );
    assert_eq!(
        body["items"][1]["teacher"]["national_id"], TEACHER_ID,
        "whole for the admin"
    );
    assert_eq!(body["items"][1]["teacher"]["school_id"], centre.as_str());
    assert_eq!(body["items"][0]["teacher"]["national_id"], Value::Null);

    let below = app
        .list("/api/v1/stats/teacher-practice?on=2025-06-30&below=true")
        .await;
    assert_eq!(below["total"], 2);
    assert_eq!(
        rows(&below).into_iter().map(|r| r.0).collect::<Vec<_>>(),
        vec!["赵敏", "谭刚"]
    );
    let theirs = app
        .list(&format!(
            "/api/v1/stats/teacher-practice?on=2025-06-30&school_id={other}"
        ))
        .await;
    assert_eq!(rows(&theirs), vec![("李华".to_string(), 366, 1, true)]);
    // A day later, the first of the boundary-crossing days leaves the window; so does none of 王芳's.
    let later = app.list("/api/v1/stats/teacher-practice?on=2025-07-01").await;
    assert_eq!(later["items"][1]["days"], 49);
    assert_eq!(later["items"][2]["days"], 181);
    for bad in ["on=2025-02-30", "on=1899-12-31", "below=maybe", "school_id=x"] {
        problem_of(app.get(&format!("/api/v1/stats/teacher-practice?{bad}")).await, 400).await;
    }

    // An officer sees every teacher, the ID masked; a school user its own school's, the ID whole.
    let (_, officer) = app.user_with_role("officer", None, None).await;
    let (_, school) = app.user_with_role("school", None, Some(&centre)).await;
    let read = |token: String, query: String| {
        let app = &app;
        async move {
            app.request_as(
                Method::GET,
                &format!("/api/v1/stats/teacher-practice?on=2025-06-30{query}"),
                Some(&token),
            )
            .send()
            .await
            .unwrap()
        }
    };
    let body: Value = read(officer.clone(), String::new()).await.json().await.unwrap();
    assert_eq!(body["total"], 4);
    assert_eq!(body["items"][1]["teacher"]["national_id"], "370101********0021");
    let body: Value = read(school.clone(), String::new()).await.json().await.unwrap();
    assert_eq!(
        rows(&body).into_iter().map(|r| r.0).collect::<Vec<_>>(),
        vec!["赵敏", "谭刚", "王芳"]
    );
    assert_eq!(body["items"][1]["teacher"]["national_id"], TEACHER_ID);
    let body: Value = read(school.clone(), format!("&school_id={centre}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["total"], 3);
    let refused = read(school.clone(), format!("&school_id={other}")).await;
    assert_eq!(problem_of(refused, 403).await.fields(), vec!["school_id"]);
    // An enterprise user and a viewer: 403.
    let (_, enterprise) = app.user_with_role("enterprise", Some(&huajian), None).await;
    let (_, viewer) = app.user_with_role("viewer", None, None).await;
    for token in [enterprise, viewer] {
        problem_of(read(token, String::new()).await, 403).await;
    }
}

#[tokio::test]
async fn suspended_and_terminated_placements_do_not_count_and_an_end_after_on_is_cut_to_on() {
    let app = spawn_app().await;
    let huajian = app
        .create_id("/api/v1/enterprises", &json!({"name": "华建五分厂"}))
        .await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let teacher = |name: &str| json!({"name": name});
    // Active until after `on`: 1 to 30 June.
    practice(
        &app,
        &huajian,
        &centre,
        teacher("甲"),
        ("2025-06-01", Some("2025-12-31")),
        "active",
    )
    .await;
    // Completed without an end: its first day only.
    practice(
        &app,
        &huajian,
        &centre,
        teacher("乙"),
        ("2025-03-01", None),
        "completed",
    )
    .await;
    // Suspended and terminated: nothing.
    for (name, to) in [("丙", "suspended"), ("丁", "terminated")] {
        let created = app
            .create(
                "/api/v1/apprenticeships",
                &json!({"kind": "teacher_practice", "enterprise_id": huajian, "school_id": centre,
                        "participant": teacher(name), "start_date": "2025-01-01", "end_date": "2025-03-31"}),
            )
            .await;
        let path = format!(
            "/api/v1/apprenticeships/{}/transitions",
            created["id"].as_str().unwrap()
        );
        for step in ["submitted", "active"] {
            app.post_json(&path, &json!({"to": step})).await;
        }
        let moved = app
            .post_json(
                &path,
                &json!({"to": to, "reason": "调岗", "reason_code": "school_decision"}),
            )
            .await;
        assert_eq!(moved.status().as_u16(), 200, "{to}");
    }
    let body = app.list("/api/v1/stats/teacher-practice?on=2025-06-30").await;
    assert_eq!(
        rows(&body),
        vec![
            // By name in character order: 丁 (U+4E01) before 丙 (U+4E19).
            ("丁".to_string(), 0, 0, false),
            ("丙".to_string(), 0, 0, false),
            ("乙".to_string(), 1, 1, false),
            ("甲".to_string(), 30, 1, false),
        ]
    );
}

#[tokio::test]
async fn a_placement_without_the_resident_id_counts_for_the_teacher_its_school_and_name_identify() {
    let app = spawn_app().await;
    let huajian = app
        .create_id("/api/v1/enterprises", &json!({"name": "华建五分厂"}))
        .await;
    let centre = app.create_id("/api/v1/schools", &json!({"name": "县职教中心"})).await;
    let other = app
        .create_id("/api/v1/schools", &json!({"name": "县第二职业中专"}))
        .await;
    let with_id = json!({"name": "谭刚", "national_id": TEACHER_ID});
    practice(
        &app,
        &huajian,
        &centre,
        with_id,
        ("2024-01-01", Some("2024-03-30")),
        "completed",
    )
    .await;
    practice(
        &app,
        &huajian,
        &centre,
        json!({"name": "谭刚"}),
        ("2024-07-01", Some("2024-09-28")),
        "completed",
    )
    .await;
    // The same name at another school, without an ID, is another teacher.
    practice(
        &app,
        &huajian,
        &other,
        json!({"name": "谭刚"}),
        ("2024-07-01", Some("2024-07-10")),
        "completed",
    )
    .await;
    let body = app.list("/api/v1/stats/teacher-practice?on=2025-06-30").await;
    assert_eq!(
        rows(&body),
        vec![("谭刚".to_string(), 10, 1, false), ("谭刚".to_string(), 180, 2, true)]
    );
    assert_eq!(body["items"][1]["teacher"]["national_id"], TEACHER_ID);
    assert_eq!(body["items"][0]["teacher"]["school_id"], other.as_str());
}
