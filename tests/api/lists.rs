use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

use crate::helpers::{encode, error_fields, problem, spawn_app, Page, TestApp};

async fn seed(app: &TestApp, names: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    for name in names {
        out.push(app.create("/api/v1/enterprises", &json!({ "name": name })).await);
    }
    out
}

fn names(page: &Page) -> Vec<String> {
    page.items
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_cursor_walk_visits_every_record_once_newest_first() {
    let app = spawn_app().await;
    let all: Vec<String> = (0..7).map(|i| format!("企业{i}")).collect();
    seed(&app, &all.iter().map(String::as_str).collect::<Vec<_>>()).await;

    let mut seen = Vec::new();
    let mut path = "/api/v1/enterprises?limit=3".to_string();
    let mut pages = 0;
    loop {
        let page = app.page(&path).await;
        assert_eq!(page.total, 7);
        pages += 1;
        seen.extend(names(&page));
        match page.next_cursor.as_deref() {
            Some(cursor) => path = format!("/api/v1/enterprises?limit=3&cursor={}", encode(cursor)),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = all.iter().rev().cloned().collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_default_limit_is_20_and_the_limit_may_change_between_pages() {
    let app = spawn_app().await;
    let all: Vec<String> = (0..23).map(|i| format!("e{i:02}")).collect();
    seed(&app, &all.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let first = app.page("/api/v1/enterprises?sort=name").await;
    assert_eq!(first.items.len(), 20);
    let cursor = first.next_cursor.as_deref().unwrap();
    let second = app
        .page(&format!(
            "/api/v1/enterprises?sort=name&limit=2&cursor={}",
            encode(cursor)
        ))
        .await;
    assert_eq!(names(&second), vec!["e20", "e21"]);
    assert!(second.next_cursor.is_some());
}

#[tokio::test]
async fn sorting_by_name_works_both_ways_and_ties_are_broken_by_id() {
    let app = spawn_app().await;
    let created = seed(&app, &["b", "a", "c", "a"]).await;
    let up = app.page("/api/v1/enterprises?sort=name").await;
    assert_eq!(names(&up), vec!["a", "a", "b", "c"]);
    let down = app.page("/api/v1/enterprises?sort=-name").await;
    assert_eq!(names(&down), vec!["c", "b", "a", "a"]);
    // The two "a"s: ascending by id, then descending by id.
    let mut a_ids: Vec<&str> = created
        .iter()
        .filter(|e| e["name"] == "a")
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    a_ids.sort();
    assert_eq!(up.items[0]["id"], a_ids[0]);
    assert_eq!(down.items[2]["id"], a_ids[1]);
    // Paging through ties one at a time loses nothing.
    let mut seen = HashSet::new();
    let mut path = "/api/v1/enterprises?sort=name&limit=1".to_string();
    loop {
        let page = app.page(&path).await;
        for item in page.items {
            assert!(seen.insert(item["id"].as_str().unwrap().to_string()));
        }
        match page.next_cursor.as_deref() {
            Some(c) => path = format!("/api/v1/enterprises?sort=name&limit=1&cursor={}", encode(c)),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
}

#[tokio::test]
async fn bad_limits_sorts_and_filter_values_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("sort=credit_code", "sort"),
        ("sort=-", "sort"),
        ("membership_status=gold", "membership_status"),
        ("scale=huge", "scale"),
        ("updated_since=yesterday", "updated_since"),
    ] {
        let response = app.get(&format!("/api/v1/enterprises?{query}")).await;
        let body = problem(response, 400).await;
        assert_eq!(error_fields(&body), vec![field], "{query}");
    }
    let response = app.get("/api/v1/schools?kind=university").await;
    problem(response, 400).await;
}

#[tokio::test]
async fn a_tampered_cursor_or_one_reused_with_other_filters_is_400() {
    let app = spawn_app().await;
    seed(&app, &["a", "b", "c"]).await;
    let page = app.page("/api/v1/enterprises?limit=1&sort=name").await;
    let cursor = page.next_cursor.as_deref().unwrap().to_string();

    let mut tampered: Vec<char> = cursor.chars().collect();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    for bad in [tampered.as_str(), "garbage", "%%%"] {
        let response = app
            .get(&format!("/api/v1/enterprises?limit=1&sort=name&cursor={}", encode(bad)))
            .await;
        let body = problem(response, 400).await;
        assert_eq!(error_fields(&body), vec!["cursor"]);
    }
    for other in [
        "sort=-name",
        "sort=created_at",
        "sort=name&scale=small",
        "sort=name&q=a",
    ] {
        let response = app
            .get(&format!(
                "/api/v1/enterprises?limit=1&{other}&cursor={}",
                encode(&cursor)
            ))
            .await;
        problem(response, 400).await;
    }
    // A cursor of one resource is not valid for another.
    let response = app
        .get(&format!("/api/v1/schools?limit=1&sort=name&cursor={}", encode(&cursor)))
        .await;
    problem(response, 400).await;
}

#[tokio::test]
async fn q_ignores_case_and_traditional_versus_simplified_chinese() {
    let app = spawn_app().await;
    app.create("/api/v1/enterprises", &json!({"name": "產教融合發展聯盟辦公室"}))
        .await;
    app.create(
        "/api/v1/enterprises",
        &json!({"name": "华铝家居", "short_name": "HuaLv"}),
    )
    .await;
    app.create("/api/v1/enterprises", &json!({"name": "产教融合实训基地"}))
        .await;

    let found = app.page(&format!("/api/v1/enterprises?q={}", encode("产教融合"))).await;
    assert_eq!(found.total, 2);
    let found = app.page(&format!("/api/v1/enterprises?q={}", encode("產教融合"))).await;
    assert_eq!(found.total, 2);
    let found = app.page(&format!("/api/v1/enterprises?q={}", encode("華鋁"))).await;
    assert_eq!(names(&found), vec!["华铝家居"]);
    let found = app.page("/api/v1/enterprises?q=HUALV").await;
    assert_eq!(names(&found), vec!["华铝家居"]);
    let found = app.page("/api/v1/enterprises?q=ualv").await;
    assert_eq!(found.total, 1);
    let found = app.page(&format!("/api/v1/enterprises?q={}", encode("不存在"))).await;
    assert_eq!(found.total, 0);
}

#[tokio::test]
async fn q_takes_percent_underscore_and_wildcards_literally() {
    let app = spawn_app().await;
    seed(&app, &["100% 钢", "a_b", "axb", "星*号", "问?号"]).await;
    for (q, expected) in [
        ("%", vec!["100% 钢"]),
        ("a_b", vec!["a_b"]),
        ("*", vec!["星*号"]),
        ("?号", vec!["问?号"]),
        ("[", vec![]),
    ] {
        let found = app.page(&format!("/api/v1/enterprises?q={}", encode(q))).await;
        assert_eq!(names(&found), expected, "{q}");
    }
}

#[tokio::test]
async fn filters_combine_and_total_counts_all_matching_records() {
    let app = spawn_app().await;
    for (name, status, scale, industry, tags) in [
        ("a", "member", "small", "钢铁", vec!["厂中校"]),
        ("b", "member", "large", "钢铁", vec![]),
        ("c", "applicant", "small", "乳业", vec!["厂中校", "实训"]),
    ] {
        app.create(
            "/api/v1/enterprises",
            &json!({"name": name, "membership_status": status, "scale": scale, "industry": industry, "tags": tags}),
        )
        .await;
    }
    let check = |query: &str, expected: Vec<&str>| {
        let query = query.to_string();
        let expected: Vec<String> = expected.into_iter().map(String::from).collect();
        let app = &app;
        async move {
            let page = app.page(&format!("/api/v1/enterprises?sort=name&{query}")).await;
            assert_eq!(names(&page), expected, "{query}");
            assert_eq!(page.total, expected.len() as u64, "{query}");
        }
    };
    check("membership_status=member", vec!["a", "b"]).await;
    check("scale=small", vec!["a", "c"]).await;
    check("membership_status=member&scale=small", vec!["a"]).await;
    check(&format!("industry={}", encode("钢铁")), vec!["a", "b"]).await;
    check(&format!("tag={}", encode("厂中校")), vec!["a", "c"]).await;
    check(
        &format!("tag={}&scale=small&industry={}", encode("实训"), encode("乳业")),
        vec!["c"],
    )
    .await;
}

#[tokio::test]
async fn updated_since_is_inclusive() {
    let app = spawn_app().await;
    let created = seed(&app, &["old", "new"]).await;
    let since = created[1]["updated_at"].as_str().unwrap();
    let page = app
        .page(&format!("/api/v1/enterprises?updated_since={}", encode(since)))
        .await;
    assert_eq!(names(&page), vec!["new"]);
    let page = app
        .page(&format!(
            "/api/v1/enterprises?updated_since={}",
            encode(created[0]["updated_at"].as_str().unwrap())
        ))
        .await;
    assert_eq!(page.total, 2);
    // A later change of the old record brings it back into the feed.
    let path = format!("/api/v1/enterprises/{}", created[0]["id"].as_str().unwrap());
    app.patch_json(&path, &json!({"industry": "x"})).await;
    let page = app
        .page(&format!(
            "/api/v1/enterprises?updated_since={}&sort=name",
            encode(since)
        ))
        .await;
    assert_eq!(names(&page), vec!["new", "old"]);
}

#[tokio::test]
async fn empty_filter_values_are_no_filter() {
    let app = spawn_app().await;
    seed(&app, &["a", "b"]).await;
    let page = app
        .page("/api/v1/enterprises?membership_status=&scale=&industry=&tag=&q=&updated_since=&sort=&cursor=")
        .await;
    assert_eq!(page.total, 2);
    let page = app
        .page("/api/v1/audit-events?resource_type=&action=&actor_user_id=&from=&to=")
        .await;
    assert!(page.total >= 2);
}

/// A cursor's payload (its JSON, without the signature).
fn payload_of(cursor: &str) -> Value {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).unwrap();
    serde_json::from_slice(&bytes[..bytes.len() - 16]).unwrap()
}

/// `payload` with the old public checksum (SHA-256 of a known prefix) instead of a signature.
fn checksummed(payload: &Value) -> String {
    let mut bytes = serde_json::to_vec(payload).unwrap();
    let digest = Sha256::new()
        .chain_update(b"chanjiao cursor v2\0")
        .chain_update(&bytes)
        .finalize();
    bytes.extend_from_slice(&digest[..16]);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn a_forged_cursor_is_400_and_so_is_a_signed_one_whose_value_has_the_wrong_type() {
    let app = spawn_app().await;
    seed(&app, &["甲", "乙", "丙"]).await;
    for title in ["一会", "二会"] {
        app.create(
            "/api/v1/meetings",
            &json!({"title": title, "held_on": "2024-04-03", "kind": "site_visit"}),
        )
        .await;
    }
    for sort in ["-created_at", "name", "updated_at"] {
        let page = app.page(&format!("/api/v1/enterprises?limit=1&sort={sort}")).await;
        let issued = page.next_cursor.expect("a next page");
        let payload = payload_of(&issued);
        let binding = payload["b"].as_str().unwrap().to_string();
        let id: uuid::Uuid = payload["i"].as_str().unwrap().parse().unwrap();
        let wrong_values = [
            json!({"t": "text", "v": "2024-04-03T08:00:00Z"}),
            json!({"t": "text", "v": "a\u{0}b"}),
            json!({"t": "time", "v": "+262142-01-01T00:00:00Z"}),
            json!({"t": "date", "v": "-200000-01-01"}),
            json!({"t": "date", "v": "2024-04-03"}),
            json!({"t": "time", "v": "2024-04-03T08:00:00Z"}),
            json!({"t": "number", "v": 5}),
        ];
        for value in wrong_values {
            let right_kind = match sort {
                "name" => value["t"] == "text",
                _ => value["t"] == "time",
            };
            let mut forged = payload.clone();
            forged["k"] = value.clone();
            // Without the key: refused whatever it holds.
            let response = app
                .get(&format!(
                    "/api/v1/enterprises?limit=1&sort={sort}&cursor={}",
                    checksummed(&forged)
                ))
                .await;
            problem(response, 400).await;
            // Signed with the key (as if it had leaked): refused unless the value could be stored.
            let Ok(value) = serde_json::from_value::<chanjiao::model::list::SortValue>(value.clone()) else {
                continue;
            };
            let storable = value.could_be_stored();
            let signed = chanjiao::domain::cursor::Cursor {
                key: serde_json::to_value(&value).unwrap(),
                id,
                binding: binding.clone(),
            }
            .encode();
            let response = app
                .get(&format!("/api/v1/enterprises?limit=1&sort={sort}&cursor={signed}"))
                .await;
            if right_kind && storable {
                assert_eq!(response.status().as_u16(), 200, "{sort} {value:?}");
            } else {
                problem(response, 400).await;
            }
        }
    }
    // A date-sorted list takes a date and refuses a time, signed or not.
    let page = app.page("/api/v1/meetings?limit=1&sort=held_on").await;
    let payload = payload_of(&page.next_cursor.expect("a next page"));
    for (value, status) in [
        (json!({"t": "date", "v": "2024-04-03"}), 200),
        (json!({"t": "time", "v": "2024-04-03T00:00:00Z"}), 400),
        (json!({"t": "date", "v": "+200000-01-01"}), 400),
    ] {
        let signed = chanjiao::domain::cursor::Cursor {
            key: value.clone(),
            id: payload["i"].as_str().unwrap().parse().unwrap(),
            binding: payload["b"].as_str().unwrap().to_string(),
        }
        .encode();
        let response = app
            .get(&format!("/api/v1/meetings?limit=1&sort=held_on&cursor={signed}"))
            .await;
        assert_eq!(response.status().as_u16(), status, "{value}");
    }
}

#[tokio::test]
async fn a_walk_sorted_by_names_of_200_chinese_characters_goes_on_past_the_first_page() {
    let app = spawn_app().await;
    let long: Vec<String> = ["甲", "乙", "丙"].iter().map(|c| c.repeat(200)).collect();
    let names_sent: Vec<&str> = long.iter().map(String::as_str).collect();
    seed(&app, &names_sent).await;
    let first = app.page("/api/v1/enterprises?sort=name&limit=1").await;
    let cursor = first.next_cursor.clone().unwrap();
    assert!(cursor.chars().count() > 500, "the cursor carries the long name");
    let second = app
        .page(&format!(
            "/api/v1/enterprises?sort=name&limit=1&cursor={}",
            encode(&cursor)
        ))
        .await;
    let third = app
        .page(&format!(
            "/api/v1/enterprises?sort=name&limit=1&cursor={}",
            encode(second.next_cursor.as_deref().unwrap())
        ))
        .await;
    let mut walked = [names(&first), names(&second), names(&third)].concat();
    walked.dedup();
    assert_eq!(walked.len(), 3);
    // Any other parameter stays at 500 characters.
    let response = app
        .get(&format!("/api/v1/enterprises?industry={}", "钢".repeat(501)))
        .await;
    assert_eq!(error_fields(&problem(response, 400).await), vec!["industry"]);
}

/// The README's text, for the figures it states.
fn readme() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

#[tokio::test]
async fn q_takes_the_200_characters_the_document_and_the_readme_state_on_every_list() {
    let doc: Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    let mut lists = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(parameters) = item["get"]["parameters"].as_array() else {
            continue;
        };
        if let Some(q) = parameters.iter().find(|p| p["name"] == "q") {
            let longest = q["schema"]["anyOf"][0]["maxLength"].as_u64();
            assert_eq!(longest, Some(200), "{path}: {q}");
            lists.push(path.clone());
        }
    }
    assert!(lists.len() >= 9, "{lists:?}");
    assert!(
        readme().contains("`q` at most 200 characters"),
        "the README states q's limit"
    );
    let app = spawn_app().await;
    for path in &lists {
        let response = app.get(&format!("{path}?q={}", encode(&"钢".repeat(200)))).await;
        assert_eq!(response.status().as_u16(), 200, "{path}: 200 characters are fine");
        for length in [201, 501] {
            let response = app.get(&format!("{path}?q={}", encode(&"钢".repeat(length)))).await;
            let body = problem(response, 400).await;
            assert_eq!(error_fields(&body), vec!["q"], "{path}");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("200"), "{path} with {length}: {message}");
        }
    }
}
