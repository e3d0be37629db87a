use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, spawn_app_with, TestApp, ADMIN_PASSWORD, TEST_JWT_SECRET, USER_PASSWORD};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn admin_id(app: &TestApp) -> String {
    let me: Value = app.get("/api/v1/auth/me").await.json().await.unwrap();
    me["id"].as_str().unwrap().to_string()
}

fn claims(sub: &str) -> Value {
    json!({"iss": "chanjiao", "aud": "chanjiao-api", "sub": sub, "role": "admin",
           "iat": now(), "nbf": now(), "exp": now() + 300, "jti": "t"})
}

fn hs(claims: &Value, secret: &str, alg: Algorithm) -> String {
    encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

async fn status_with(app: &TestApp, token: &str) -> u16 {
    app.request_as(Method::GET, "/api/v1/enterprises", Some(token))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_password_login_gives_a_bearer_pair_that_must_not_be_cached() {
    let app = spawn_app().await;
    let response = app.password_login("admin", ADMIN_PASSWORD).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].is_string());
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(status_with(&app, token).await, 200);
    // The claims the contract lists.
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    for claim in ["iss", "aud", "sub", "role", "iat", "nbf", "exp", "jti"] {
        assert!(!claims[claim].is_null(), "{claim}");
    }
    assert_eq!(claims["role"], "admin");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
}

#[tokio::test]
async fn the_token_endpoint_takes_json_too() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .json(&json!({"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn token_endpoint_failures_carry_the_rfc_6749_error_and_status() {
    let app = spawn_app().await;
    for (form, status, error) in [
        (
            vec![
                ("grant_type", "password"),
                ("username", "admin"),
                ("password", "wrong-password"),
            ],
            400,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("username", "nobody"),
                ("password", "wrong-password"),
            ],
            400,
            "invalid_grant",
        ),
        (
            vec![("grant_type", "password"), ("username", "admin")],
            400,
            "invalid_request",
        ),
        (vec![("username", "admin")], 400, "invalid_request"),
        (vec![("grant_type", "implicit")], 400, "unsupported_grant_type"),
        (
            vec![("grant_type", "refresh_token"), ("refresh_token", "bogus")],
            400,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "admin"),
                ("client_secret", "x"),
            ],
            401,
            "invalid_client",
        ),
    ] {
        let response = app.token_request(&form).await;
        assert_eq!(response.headers()["cache-control"], "no-store", "{form:?}");
        let body = problem(response, status).await;
        assert_eq!(body["error"], error, "{form:?}");
    }
    let response = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .header("Content-Type", "text/plain")
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    let body = problem(response, 415).await;
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn service_users_use_client_credentials_only_and_people_the_password_grant_only() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/users",
        &json!({"username": "stats-bureau", "role": "viewer", "service": true, "password": USER_PASSWORD}),
    )
    .await;
    let response = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "stats-bureau"),
            ("client_secret", USER_PASSWORD),
        ])
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    assert_eq!(status_with(&app, body["access_token"].as_str().unwrap()).await, 200);
    // HTTP Basic client authentication works too.
    let response = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .basic_auth("stats-bureau", Some(USER_PASSWORD))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    let response = app.password_login("stats-bureau", USER_PASSWORD).await;
    assert_eq!(problem(response, 400).await["error"], "unauthorized_client");
    let response = app
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "admin"),
            ("client_secret", ADMIN_PASSWORD),
        ])
        .await;
    assert_eq!(problem(response, 400).await["error"], "unauthorized_client");
}

#[tokio::test]
async fn a_refresh_token_rotates_and_a_reused_one_revokes_the_whole_login() {
    let app = spawn_app().await;
    let first: Value = app.token_pair("admin", ADMIN_PASSWORD).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_string();
    let response = app
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &r1)])
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let second: Value = response.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    assert_eq!(status_with(&app, second["access_token"].as_str().unwrap()).await, 200);

    // r1 again: reuse. The login ends, r2 with it.
    let response = app
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &r1)])
        .await;
    assert_eq!(problem(response, 400).await["error"], "invalid_grant");
    let response = app
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &r2)])
        .await;
    assert_eq!(problem(response, 400).await["error"], "invalid_grant");

    // Another login is not affected.
    let other: Value = app.token_pair("admin", ADMIN_PASSWORD).await;
    let response = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", other["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn revoking_a_refresh_token_logs_it_out_and_unknown_tokens_answer_200() {
    let app = spawn_app().await;
    let pair: Value = app.token_pair("admin", ADMIN_PASSWORD).await;
    let refresh = pair["refresh_token"].as_str().unwrap();
    let revoke = |token: String| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/v1/auth/revoke", app.address))
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    let response = revoke(refresh.to_string()).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let response = app
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .await;
    problem(response, 400).await;
    assert_eq!(revoke("unknown".into()).await.status().as_u16(), 200);
    assert_eq!(revoke(app.token.clone()).await.status().as_u16(), 200);
    // JSON works too; no token at all is an invalid request.
    let response = app
        .client
        .post(format!("{}/api/v1/auth/revoke", app.address))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response, 400).await["error"], "invalid_request");
}

#[tokio::test]
async fn invalid_tokens_of_every_kind_are_refused_with_401_and_a_bearer_challenge() {
    let app = spawn_app().await;
    let sub = admin_id(&app).await;
    let good = claims(&sub);
    assert_eq!(
        status_with(&app, &hs(&good, TEST_JWT_SECRET, Algorithm::HS256)).await,
        200
    );

    let mut cases: Vec<(&str, String)> = Vec::new();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        change(&mut c);
        hs(&c, TEST_JWT_SECRET, Algorithm::HS256)
    };
    cases.push(("expired", with(&|c| c["exp"] = json!(now() - 120))));
    cases.push(("not yet valid", with(&|c| c["nbf"] = json!(now() + 120))));
    cases.push(("wrong aud", with(&|c| c["aud"] = json!("another-api"))));
    cases.push((
        "missing aud",
        with(&|c| {
            c.as_object_mut().unwrap().remove("aud");
        }),
    ));
    cases.push(("wrong iss", with(&|c| c["iss"] = json!("someone-else"))));
    cases.push((
        "missing iss",
        with(&|c| {
            c.as_object_mut().unwrap().remove("iss");
        }),
    ));
    cases.push((
        "missing exp",
        with(&|c| {
            c.as_object_mut().unwrap().remove("exp");
        }),
    ));
    cases.push((
        "exp as a string",
        with(&|c| c["exp"] = json!((now() + 300).to_string())),
    ));
    cases.push(("nbf as a string", with(&|c| c["nbf"] = json!(now().to_string()))));
    cases.push(("iat as a string", with(&|c| c["iat"] = json!(now().to_string()))));
    cases.push((
        "unknown user",
        with(&|c| c["sub"] = json!("01900000-0000-7000-8000-000000000000")),
    ));
    cases.push((
        "wrong key",
        hs(&good, "another-secret-another-secret-another-secret", Algorithm::HS256),
    ));
    cases.push(("wrong algorithm", hs(&good, TEST_JWT_SECRET, Algorithm::HS384)));
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(good.to_string());
    cases.push(("alg none", format!("{none_header}.{payload}.")));
    cases.push(("garbage", "not.a.jwt".to_string()));
    cases.push(("unknown kid", {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = Some("nope".into());
        let key = EncodingKey::from_ed_pem(include_bytes!("../fixtures/ed25519-a.pem")).unwrap();
        encode(&h, &good, &key).unwrap()
    }));

    for (case, token) in cases {
        let response = app
            .request_as(Method::GET, "/api/v1/enterprises", Some(&token))
            .send()
            .await
            .unwrap();
        let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_string();
        assert!(challenge.starts_with("Bearer"), "{case}: {challenge}");
        problem(response, 401).await;
    }
}

#[tokio::test]
async fn a_missing_token_is_401_and_a_token_in_the_query_string_is_ignored() {
    let app = spawn_app().await;
    let response = app
        .request_as(Method::GET, "/api/v1/enterprises", None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer realm=\"chanjiao\"");
    problem(response, 401).await;
    let path = format!("/api/v1/enterprises?access_token={}", app.token);
    let response = app.request_as(Method::GET, &path, None).send().await.unwrap();
    problem(response, 401).await;
    let response = app
        .request_as(Method::GET, "/api/v1/enterprises", None)
        .header("Authorization", format!("Basic {}", app.token))
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
}

#[tokio::test]
async fn a_disabled_user_is_refused_at_once_and_its_refresh_tokens_stop_working() {
    let app = spawn_app().await;
    let user = app
        .create(
            "/api/v1/users",
            &json!({"username": "clerk", "role": "viewer", "password": USER_PASSWORD}),
        )
        .await;
    let pair: Value = app.token_pair("clerk", USER_PASSWORD).await;
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(status_with(&app, access).await, 200);
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    assert_eq!(
        app.patch_json(&path, &json!({"disabled": true}))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(status_with(&app, access).await, 401);
    let response = app
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ])
        .await;
    problem(response, 400).await;
    let response = app.password_login("clerk", USER_PASSWORD).await;
    assert_eq!(problem(response, 400).await["error"], "invalid_grant");
}

#[tokio::test]
async fn a_user_disabled_behind_this_replica_is_refused_within_five_seconds() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app().await;
    app.create(
        "/api/v1/users",
        &json!({"username": "clerk", "role": "viewer", "password": USER_PASSWORD}),
    )
    .await;
    let pair: Value = app.token_pair("clerk", USER_PASSWORD).await;
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(status_with(&app, access).await, 200);
    // As another replica would: the change reaches the database, not this process.
    app.db
        .execute_unprepared("UPDATE users SET disabled = true WHERE username = 'clerk'")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    while status_with(&app, access).await == 200 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "still accepted after 5 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status_with(&app, access).await, 401);
}

#[tokio::test]
async fn five_failed_logins_for_a_username_throttle_it_with_retry_after() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let response = app.password_login("admin", "wrong-password").await;
        problem(response, 400).await;
    }
    // Even the right password is refused now.
    let response = app.password_login("admin", ADMIN_PASSWORD).await;
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    problem(response, 429).await;
    // Other usernames are not affected.
    app.create(
        "/api/v1/users",
        &json!({"username": "other", "role": "viewer", "password": USER_PASSWORD}),
    )
    .await;
    app.login("other", USER_PASSWORD).await;
    // The existing access token still works: throttling is about logins.
    assert_eq!(status_with(&app, &app.token).await, 200);
}

#[tokio::test]
async fn two_hundred_failures_from_one_address_throttle_that_address_behind_a_trusted_proxy() {
    let app = spawn_app_with(|s| s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let from = |ip: &'static str, username: String, password: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/v1/auth/token", app.address))
                .header("X-Forwarded-For", format!("{ip}, 127.0.0.1"))
                .form(&[
                    ("grant_type", "password"),
                    ("username", username.as_str()),
                    ("password", password),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    for i in 0..200 {
        let response = from("198.51.100.7", format!("nobody{i}"), "wrong-password").await;
        assert_eq!(response.status().as_u16(), 400);
    }
    let response = from("198.51.100.7", "admin".into(), ADMIN_PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    problem(response, 429).await;
    let response = from("198.51.100.8", "admin".into(), ADMIN_PASSWORD).await;
    assert_eq!(response.status().as_u16(), 200);
    // The audit trail records the client's address, not the proxy's.
    let events = app.list("/api/v1/audit-events?action=login_failed&limit=1").await;
    assert_eq!(events["items"][0]["ip"], "198.51.100.7");
}

fn jwks_of(keys: &[(&[u8], &str, Algorithm)]) -> String {
    let keys = keys
        .iter()
        .map(|(pem, kid, alg)| {
            let key = if *alg == Algorithm::RS256 {
                EncodingKey::from_rsa_pem(pem).unwrap()
            } else {
                EncodingKey::from_ed_pem(pem).unwrap()
            };
            let mut jwk = Jwk::from_encoding_key(&key, *alg).unwrap();
            jwk.common.key_id = Some(kid.to_string());
            jwk
        })
        .collect();
    serde_json::to_string(&JwkSet { keys }).unwrap()
}

const KEY_A: &[u8] = include_bytes!("../fixtures/ed25519-a.pem");
const KEY_B: &[u8] = include_bytes!("../fixtures/ed25519-b.pem");
const KEY_GOV: &[u8] = include_bytes!("../fixtures/rsa-gov.pem");

fn signed(claims: &Value, pem: &[u8], kid: &str, alg: Algorithm) -> String {
    let key = if alg == Algorithm::RS256 {
        EncodingKey::from_rsa_pem(pem).unwrap()
    } else {
        EncodingKey::from_ed_pem(pem).unwrap()
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_string());
    encode(&header, claims, &key).unwrap()
}

#[tokio::test]
async fn keys_rotate_through_the_jwks_file_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let jwks_path = dir.path().join("jwks.json");
    std::fs::write(
        &jwks_path,
        jwks_of(&[(KEY_A, "key-a", Algorithm::EdDSA), (KEY_GOV, "gov", Algorithm::RS256)]),
    )
    .unwrap();
    let path = jwks_path.display().to_string();
    let app = spawn_app_with(move |s| {
        s.auth.jwt_secret = None;
        s.auth.private_key_pem = Some(String::from_utf8(KEY_B.to_vec()).unwrap().into());
        s.auth.key_id = Some("key-b".into());
        s.auth.jwks = Some(path);
    })
    .await;
    // The admin's own login token is signed with key B.
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(app.token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(
        (header["alg"].as_str(), header["kid"].as_str()),
        (Some("EdDSA"), Some("key-b"))
    );
    let sub = admin_id(&app).await;

    // A token signed with the previous key A, still listed, is accepted.
    let old = signed(&claims(&sub), KEY_A, "key-a", Algorithm::EdDSA);
    assert_eq!(status_with(&app, &old).await, 200);
    // The published JWKS lists the current and the listed keys, public parts only.
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec!["key-b", "key-a", "gov"]);
    assert!(!jwks.to_string().contains("\"d\""));
    // HS256 is not accepted without a secret; a key id no one lists is refused.
    assert_eq!(
        status_with(&app, &hs(&claims(&sub), TEST_JWT_SECRET, Algorithm::HS256)).await,
        401
    );
    assert_eq!(
        status_with(&app, &signed(&claims(&sub), KEY_A, "key-z", Algorithm::EdDSA)).await,
        401
    );
    // A kid whose key is of another algorithm is refused.
    assert_eq!(
        status_with(&app, &signed(&claims(&sub), KEY_A, "gov", Algorithm::EdDSA)).await,
        401
    );

    // An outside identity provider's token: no local user, role from its claims.
    let mut gov = claims("gov-officer-7");
    gov["role"] = json!("viewer");
    let gov_token = signed(&gov, KEY_GOV, "gov", Algorithm::RS256);
    assert_eq!(status_with(&app, &gov_token).await, 200);
    let response = app
        .request_as(Method::POST, "/api/v1/enterprises", Some(&gov_token))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    problem(response, 403).await;

    // Key A is retired from the file: within seconds its tokens stop working.
    std::fs::write(&jwks_path, jwks_of(&[(KEY_GOV, "gov", Algorithm::RS256)])).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    assert_eq!(status_with(&app, &old).await, 401);
    assert_eq!(status_with(&app, &app.token).await, 200);
}

#[tokio::test]
async fn without_a_configured_secret_sqlite_keeps_a_generated_one_and_postgresql_refuses_to_start() {
    let on_postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if on_postgres {
        let mut settings = chanjiao::config::Settings::from_lookup(|_| None).unwrap();
        settings.database_url = std::env::var("TEST_DATABASE_URL").unwrap();
        settings.bind = "127.0.0.1:0".parse().unwrap();
        let err = chanjiao::startup::Application::build(settings)
            .await
            .err()
            .expect("refuses to start");
        assert!(err.to_string().contains("CHANJIAO_JWT_SECRET"), "{err}");
    } else {
        let app = spawn_app_with(|s| s.auth.jwt_secret = None).await;
        assert_eq!(status_with(&app, &app.token).await, 200);
        // A token signed with another secret is refused.
        let sub = admin_id(&app).await;
        assert_eq!(
            status_with(&app, &hs(&claims(&sub), TEST_JWT_SECRET, Algorithm::HS256)).await,
            401
        );
    }
}

#[tokio::test]
async fn of_two_simultaneous_refreshes_with_one_token_only_one_succeeds() {
    let app = spawn_app().await;
    let pair: Value = app.token_pair("admin", ADMIN_PASSWORD).await;
    let refresh = pair["refresh_token"].as_str().unwrap();
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
    let (a, b) = tokio::join!(app.token_request(&form), app.token_request(&form));
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 400]);
}

#[tokio::test]
async fn x_forwarded_for_from_an_untrusted_peer_does_not_change_the_client_address() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/v1/auth/token", app.address))
        .header("X-Forwarded-For", "198.51.100.99")
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", "wrong-password"),
        ])
        .send()
        .await
        .unwrap();
    problem(response, 400).await;
    let events = app.list("/api/v1/audit-events?action=login_failed").await;
    assert_eq!(events["items"][0]["ip"], "127.0.0.1");
}
