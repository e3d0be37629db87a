//! Participants' accounts: a school gives its placement's participant a
//! login; one resident ID, one account, every placement with that ID its
//! own; the first password must be changed before anything but reading
//! oneself.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use futures_util::future::join;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{error_fields, problem, spawn_app, TestApp, USER_PASSWORD};

/// The participant's resident ID on every placement of these tests (valid check character).
const NATIONAL_ID: &str = "370101200803150021";
/// Another person's.
const OTHER_ID: &str = "370101200705120048";
const FIRST_PASSWORD: &str = "a first passphrase 2024";
const NEW_PASSWORD: &str = "my own new passphrase";

/// An enterprise, two schools, and a school user of each: the world of these tests.
struct World {
    app: TestApp,
    enterprise: String,
    schools: [String; 2],
    school_tokens: [String; 2],
}

async fn world() -> World {
    let app = spawn_app().await;
    let enterprise = app
        .create_id(
            "/api/v1/enterprises",
            &json!({"name": "华建机械", "membership_status": "member"}),
        )
        .await;
    let mut schools = Vec::new();
    let mut tokens = Vec::new();
    for name in ["县职业中专", "县技工学校"] {
        let school = app
            .create_id("/api/v1/schools", &json!({"name": name, "membership_status": "member"}))
            .await;
        tokens.push(app.user_with_role("school", None, Some(&school)).await.1);
        schools.push(school);
    }
    World {
        app,
        enterprise,
        schools: [schools[0].clone(), schools[1].clone()],
        school_tokens: [tokens[0].clone(), tokens[1].clone()],
    }
}

impl World {
    /// A draft placement of school `n` for the participant with `national_id` (none when `None`).
    async fn placement(&self, n: usize, national_id: Option<&str>) -> String {
        let body = json!({
            "kind": "student_internship", "enterprise_id": self.enterprise, "school_id": self.schools[n],
            "participant": {"name": "李明", "national_id": national_id, "phone": "13812345678", "birth_date": "2006-01-01"},
            "start_date": "2024-10-08", "end_date": "2025-04-07",
        });
        let response = self
            .app
            .request_as(Method::POST, "/api/v1/apprenticeships", Some(&self.school_tokens[n]))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201, "the school creates its placement");
        let created: Value = response.json().await.unwrap();
        created["id"].as_str().unwrap().to_string()
    }

    /// POST the participant-account of `placement` as `token`.
    async fn give_account(&self, placement: &str, token: &str, username: &str) -> reqwest::Response {
        self.app
            .request_as(
                Method::POST,
                &format!("/api/v1/apprenticeships/{placement}/participant-account"),
                Some(token),
            )
            .json(&json!({"username": username, "password": FIRST_PASSWORD}))
            .send()
            .await
            .unwrap()
    }

    /// The number of users of role `participant`, as the admin lists them.
    async fn participants(&self) -> u64 {
        self.app.list("/api/v1/users?role=participant").await["total"]
            .as_u64()
            .unwrap()
    }

    /// POST /auth/password as `token`, from `current` to [`NEW_PASSWORD`].
    async fn change_password(&self, token: &str, current: &str) -> reqwest::Response {
        self.app
            .request_as(Method::POST, "/api/v1/auth/password", Some(token))
            .json(&json!({"current_password": current, "password": NEW_PASSWORD}))
            .send()
            .await
            .unwrap()
    }

    async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.app
            .request_as(Method::GET, path, Some(token))
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_school_gives_its_placements_participant_an_account_that_must_change_its_first_password() {
    let w = world().await;
    let placement = w.placement(0, Some(NATIONAL_ID)).await;
    let response = w.give_account(&placement, &w.school_tokens[0], "li.ming").await;
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    let user: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/users/{}", user["id"].as_str().unwrap()));
    assert_eq!(etag, "\"1\"");
    assert_eq!(user["role"], "participant");
    assert_eq!(user["participant_national_id"], NATIONAL_ID);
    assert_eq!(user["must_change_password"], true);
    assert_eq!(
        (user["enterprise_id"].is_null(), user["school_id"].is_null()),
        (true, true)
    );
    assert_eq!(user["display_name"], "李明");
    assert!(!user.to_string().contains(FIRST_PASSWORD));
    // What the admin reads of it afterwards is what was answered.
    let stored: Value = w.app.get(&location).await.json().await.unwrap();
    assert_eq!(stored, user);

    // The first login works, and its token carries no organisation.
    let pair = w.app.token_pair("li.ming", FIRST_PASSWORD).await;
    let token = pair["access_token"].as_str().unwrap().to_string();
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(
        (claims["role"].as_str(), claims.get("org")),
        (Some("participant"), None)
    );
    let me: Value = w.get_as(&token, "/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(
        (me["username"].as_str(), me["must_change_password"].as_bool()),
        (Some("li.ming"), Some(true))
    );
    // Everything else is refused until the password changes, reads of its own placement included.
    for path in [
        "/api/v1/apprenticeships".to_string(),
        format!("/api/v1/apprenticeships/{placement}"),
        "/api/v1/enterprises".to_string(),
        "/api/v1/users".to_string(),
    ] {
        let refused = problem(w.get_as(&token, &path).await, 403).await;
        assert_eq!(
            refused["type"], "urn:chanjiao:problem:password-change-required",
            "GET {path}"
        );
    }
    // A change with the wrong current password is a 422 and changes nothing.
    let wrong = w.change_password(&token, "not the password at all").await;
    assert_eq!(error_fields(&problem(wrong, 422).await), ["current_password"]);
    problem(w.get_as(&token, "/api/v1/apprenticeships").await, 403).await;

    let changed = w.change_password(&token, FIRST_PASSWORD).await;
    assert_eq!(changed.status().as_u16(), 204);
    // The same access token now reads the participant's own placement, unmasked.
    let list: Value = w.get_as(&token, "/api/v1/apprenticeships").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], placement.as_str());
    assert_eq!(list["items"][0]["participant"]["national_id"], NATIONAL_ID);
    assert_eq!(list["items"][0]["participant"]["phone"], "13812345678");
    let me: Value = w.get_as(&token, "/api/v1/auth/me").await.json().await.unwrap();
    assert_eq!(me["must_change_password"], false);
    // The first password no longer logs in; the new one does.
    assert_eq!(
        w.app.password_login("li.ming", FIRST_PASSWORD).await.status().as_u16(),
        400
    );
    w.app.login("li.ming", NEW_PASSWORD).await;
}

#[tokio::test]
async fn one_person_has_one_account_and_every_placement_with_that_resident_id_is_theirs() {
    let w = world().await;
    let first = w.placement(0, Some(NATIONAL_ID)).await;
    let second = w.placement(1, Some(NATIONAL_ID)).await;
    let someone_else = w.placement(1, Some(OTHER_ID)).await;
    let made = w.give_account(&first, &w.school_tokens[0], "li.ming").await;
    assert_eq!(made.status().as_u16(), 201);
    // The other school's placement of the same person: 409 naming the account; nothing stored.
    let again = problem(w.give_account(&second, &w.school_tokens[1], "li.ming.2").await, 409).await;
    assert!(again["detail"].as_str().unwrap().contains("li.ming"), "{again}");
    assert_eq!(error_fields(&again), ["participant_national_id"]);
    assert_eq!(w.participants().await, 1);
    // The admin cannot make a second one through /users either.
    let twice = w
        .app
        .post_json(
            "/api/v1/users",
            &json!({"username": "li.ming.3", "role": "participant", "password": USER_PASSWORD,
                    "participant_national_id": NATIONAL_ID}),
        )
        .await;
    assert_eq!(error_fields(&problem(twice, 409).await), ["participant_national_id"]);

    let token = w.app.login("li.ming", FIRST_PASSWORD).await;
    let changed = w.change_password(&token, FIRST_PASSWORD).await;
    assert_eq!(changed.status().as_u16(), 204);
    // Both schools' placements are the participant's; the other person's is a 404.
    let list: Value = w
        .get_as(&token, "/api/v1/apprenticeships?limit=10")
        .await
        .json()
        .await
        .unwrap();
    let mut ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![first.as_str(), second.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(list["total"], 2);
    for id in [&first, &second] {
        let path = format!("/api/v1/apprenticeships/{id}");
        assert_eq!(w.get_as(&token, &path).await.status().as_u16(), 200);
        let history = format!("/api/v1/apprenticeships/{id}/history");
        assert_eq!(w.get_as(&token, &history).await.status().as_u16(), 200);
    }
    let theirs = format!("/api/v1/apprenticeships/{someone_else}");
    assert_eq!(w.get_as(&token, &theirs).await.status().as_u16(), 404);
    // A placement entered later with the same resident ID is theirs at once.
    let later = w.placement(1, Some(NATIONAL_ID)).await;
    let path = format!("/api/v1/apprenticeships/{later}");
    assert_eq!(w.get_as(&token, &path).await.status().as_u16(), 200);
    // A participant changes nothing: its own placement is a 403, writes elsewhere too.
    let patch = w
        .app
        .request_as(Method::PATCH, &path, Some(&token))
        .json(&json!({"program": "改了"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status().as_u16(), 403);
    let account = w.give_account(&later, &token, "li.ming.4").await;
    assert_eq!(account.status().as_u16(), 403);
}

#[tokio::test]
async fn two_accounts_asked_for_one_person_at_once_make_one() {
    let w = world().await;
    let first = w.placement(0, Some(NATIONAL_ID)).await;
    let second = w.placement(1, Some(NATIONAL_ID)).await;
    let (a, b) = join(
        w.give_account(&first, &w.school_tokens[0], "li.ming.a"),
        w.give_account(&second, &w.school_tokens[1], "li.ming.b"),
    )
    .await;
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409]);
    assert_eq!(w.participants().await, 1);
}

#[tokio::test]
async fn only_the_admin_and_the_owning_school_give_accounts_and_only_for_a_placement_naming_a_resident_id() {
    let w = world().await;
    let placement = w.placement(0, Some(NATIONAL_ID)).await;
    let officer = w.app.user_with_role("officer", None, None).await.1;
    let enterprise = w.app.user_with_role("enterprise", Some(&w.enterprise), None).await.1;
    let viewer = w.app.user_with_role("viewer", None, None).await.1;
    for (who, token, status) in [
        ("the officer", &officer, 403),
        ("the host enterprise", &enterprise, 403),
        ("a viewer", &viewer, 403),
        ("another school", &w.school_tokens[1], 404),
    ] {
        let response = w.give_account(&placement, token, "li.ming").await;
        assert_eq!(response.status().as_u16(), status, "{who}");
    }
    assert_eq!(w.participants().await, 0);
    // A bad body: 422 naming each field; nothing stored.
    let bad = w
        .app
        .request_as(
            Method::POST,
            &format!("/api/v1/apprenticeships/{placement}/participant-account"),
            Some(&w.school_tokens[0]),
        )
        .json(&json!({"username": "No Spaces Allowed", "password": "short"}))
        .send()
        .await
        .unwrap();
    let mut fields = error_fields(&problem(bad, 422).await);
    fields.sort();
    assert_eq!(fields, ["password", "username"]);
    // No resident ID on the placement: 422 naming it.
    let anonymous = w.placement(0, None).await;
    let refused = problem(w.give_account(&anonymous, &w.school_tokens[0], "li.ming").await, 422).await;
    assert_eq!(error_fields(&refused), ["participant.national_id"]);
    assert_eq!(w.participants().await, 0);
    // The admin may; a taken username is a 409 naming it.
    let admin = w.give_account(&placement, &w.app.token, "li.ming").await;
    assert_eq!(admin.status().as_u16(), 201);
    let other = w.placement(0, Some(OTHER_ID)).await;
    let taken = problem(w.give_account(&other, &w.school_tokens[0], "li.ming").await, 409).await;
    assert_eq!(error_fields(&taken), ["username"]);
    assert_eq!(w.participants().await, 1);
}

#[tokio::test]
async fn a_participant_user_names_its_resident_id_and_no_other_user_does() {
    let app = spawn_app().await;
    let without = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "part.one", "role": "participant", "password": USER_PASSWORD}),
        )
        .await;
    assert_eq!(error_fields(&problem(without, 422).await), ["participant_national_id"]);
    let viewer = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "viewer.one", "role": "viewer", "password": USER_PASSWORD, "participant_national_id": NATIONAL_ID}),
        )
        .await;
    assert_eq!(error_fields(&problem(viewer, 422).await), ["participant_national_id"]);
    let bad_checksum = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "part.two", "role": "participant", "password": USER_PASSWORD, "participant_national_id": "370101200803150022"}),
        )
        .await;
    assert_eq!(
        error_fields(&problem(bad_checksum, 422).await),
        ["participant_national_id"]
    );
    assert_eq!(app.list("/api/v1/users?role=participant").await["total"], 0);
    // A lower-case check character is stored upper-cased.
    let made = app
        .create(
            "/api/v1/users",
            &json!({"username": "part.three", "role": "participant", "password": USER_PASSWORD,
                    "participant_national_id": "11010519491231002x", "must_change_password": true}),
        )
        .await;
    assert_eq!(made["participant_national_id"], "11010519491231002X");
    assert_eq!(made["must_change_password"], true);
    // Made so by the admin, it holds as for an account a school gave.
    let token = app.login("part.three", USER_PASSWORD).await;
    let me = app
        .request_as(Method::GET, "/api/v1/stats/overview?year=2024", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(me, 403).await["type"],
        "urn:chanjiao:problem:password-change-required"
    );
}
