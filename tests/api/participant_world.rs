//! The world of the participants' tests (check-ins, journals): an
//! enterprise hosting two schools' active student placements, the first of
//! the participant, the second of another person, and a user of each role.

use chrono::Datelike;
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// The participant's resident ID (valid check character), and another person's.
pub const NATIONAL_ID: &str = "370101200803150021";
pub const OTHER_ID: &str = "370101200705120048";

/// Today in the service's time zone (`Asia/Shanghai`).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
}

/// Today shifted by `days`.
pub fn day(days: i64) -> String {
    (today() + chrono::Duration::days(days)).to_string()
}

/// The Monday of the week `weeks` weeks from this one (negative: before).
pub fn monday(weeks: i64) -> String {
    let today = today();
    let this = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (this + chrono::Duration::weeks(weeks)).to_string()
}

pub struct World {
    pub app: TestApp,
    pub enterprise: String,
    pub schools: [String; 2],
    /// The participant's placement (first school), and the other person's (second school).
    pub placements: [String; 2],
    pub participant: String,
    pub other_participant: String,
    pub school: String,
    pub other_school: String,
    pub enterprise_user: String,
    pub officer: String,
    pub viewer: String,
}

/// A student placement of `school` at `enterprise` for `national_id`, from
/// five weeks ago to ten weeks on, made active by the admin.
pub async fn active_placement(app: &TestApp, enterprise: &str, school: &str, name: &str, national_id: &str) -> String {
    let id = app
        .create_id(
            "/api/v1/apprenticeships",
            &json!({
                "kind": "student_internship", "enterprise_id": enterprise, "school_id": school,
                "participant": {"name": name, "national_id": national_id, "enrolled_on": "2022-09-01"},
                "start_date": monday(-5), "end_date": monday(10), "agreement_signed_on": monday(-6),
                "insurance_policy_no": "PICC-2026-001", "insurance_expires_on": monday(20),
            }),
        )
        .await;
    for to in ["submitted", "active"] {
        let response = app
            .post_json(&format!("/api/v1/apprenticeships/{id}/transitions"), &json!({"to": to}))
            .await;
        assert_eq!(response.status().as_u16(), 200, "the admin moves it to {to}");
    }
    id
}

impl World {
    pub async fn new() -> World {
        let app = spawn_app().await;
        let enterprise = app.create_id("/api/v1/enterprises", &json!({"name": "辰泰重钢"})).await;
        let mut schools = Vec::new();
        for name in ["县职教中心", "县第二职业中专"] {
            schools.push(app.create_id("/api/v1/schools", &json!({"name": name})).await);
        }
        let placements = [
            active_placement(&app, &enterprise, &schools[0], "李明", NATIONAL_ID).await,
            active_placement(&app, &enterprise, &schools[1], "王芳", OTHER_ID).await,
        ];
        World {
            participant: app.participant_user(NATIONAL_ID).await.1,
            other_participant: app.participant_user(OTHER_ID).await.1,
            school: app.user_with_role("school", None, Some(&schools[0])).await.1,
            other_school: app.user_with_role("school", None, Some(&schools[1])).await.1,
            enterprise_user: app.user_with_role("enterprise", Some(&enterprise), None).await.1,
            officer: app.user_with_role("officer", None, None).await.1,
            viewer: app.user_with_role("viewer", None, None).await.1,
            app,
            enterprise,
            schools: [schools[0].clone(), schools[1].clone()],
            placements,
        }
    }

    /// A request as `token`'s caller, with `body` as JSON when given.
    pub async fn send(&self, token: &str, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self.app.request_as(method, path, Some(token));
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("a response")
    }

    /// POST `body` to placement `n`'s sub-collection `what` (`check-ins`, `journals`) as `token`.
    pub async fn post_on(&self, token: &str, n: usize, what: &str, body: &Value) -> Response {
        let path = format!("/api/v1/apprenticeships/{}/{what}", self.placements[n]);
        self.send(token, Method::POST, &path, Some(body)).await
    }
}
