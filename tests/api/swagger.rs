//! Swagger UI in a real headless Chromium: *Authorize* with a username and
//! password (the OAuth2 password flow), then *Try it out* on a protected
//! operation answers 200. Needs Debian's `chromium` and `chromium-driver`
//! (`.ci/run` installs them): it is ignored by a plain `cargo test` and
//! run with `cargo test --test api -- --ignored`, where it fails without them.
//! And the examples its sample bodies are made of (a plain test).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::helpers::{spawn_app, ADMIN_PASSWORD};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Ends the driver when the test ends, however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_for_port(port: u16) {
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "needs Debian's chromium and chromium-driver; `.ci/run` installs them and runs it with --ignored"]
async fn swagger_ui_authorizes_with_a_password_and_try_it_out_answers_200() {
    assert!(
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
        "{CHROMIUM} and {CHROMEDRIVER} are needed: apt-get install chromium chromium-driver"
    );
    let app = spawn_app().await;
    let port = free_port();
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_for_port(port).await;
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,2000",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    // The driver is on loopback: plain HTTP, no TLS stack needed.
    let browser = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session");
    let result = drive(&browser, &app.address).await;
    if result.is_err() {
        // Leave a picture of the page behind for whoever reads the failure.
        if let Ok(png) = browser.screenshot().await {
            let path = std::env::temp_dir().join("chanjiao-swagger-ui-failure.png");
            let _ = std::fs::write(&path, png);
            eprintln!("screenshot of the page: {}", path.display());
        }
    }
    let _ = browser.close().await;
    result.expect("Swagger UI works");
}

async fn drive(browser: &fantoccini::Client, address: &str) -> Result<(), fantoccini::error::CmdError> {
    let timeout = Duration::from_secs(30);
    browser.goto(&format!("{address}/swagger-ui/")).await?;
    browser
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css("button.authorize"))
        .await?
        .click()
        .await?;
    let username = browser
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css("#oauth_username"))
        .await?;
    username.send_keys("admin").await?;
    browser
        .find(Locator::Css("#oauth_password"))
        .await?
        .send_keys(ADMIN_PASSWORD)
        .await?;
    // The Authorize button of the OAuth2 block (the bearer block has its own).
    browser
        .execute(
            "const input = document.querySelector('#oauth_username');
             let node = input;
             while (node && !node.querySelector('button.authorize')) { node = node.parentElement; }
             node.querySelector('button.authorize').click();",
            vec![],
        )
        .await?;
    // The OAuth2 block now says the token request succeeded.
    browser
        .wait()
        .at_most(timeout)
        .for_element(Locator::XPath("//*[normalize-space(text())='Authorized']"))
        .await?;
    browser.find(Locator::Css("button.btn-done")).await?.click().await?;

    let operation = browser
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css(
            "#operations-enterprises-list_enterprises .opblock-summary",
        ))
        .await?;
    operation.click().await?;
    browser
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css(
            "#operations-enterprises-list_enterprises button.try-out__btn",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css("#operations-enterprises-list_enterprises button.execute"))
        .await?
        .click()
        .await?;
    let status = browser
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css(
            "#operations-enterprises-list_enterprises .live-responses-table .response .response-col_status",
        ))
        .await?
        .text()
        .await?;
    assert_eq!(status.trim(), "200", "the authorised call's status in Swagger UI");
    Ok(())
}

/// Walks one schema of the document: every string that has a `pattern` or
/// `format: date` must carry an example of its own (or its `oneOf`/`allOf`
/// wrapper's) that keeps its rules; an object's example keeps its
/// properties' patterns too. Faults are pushed onto `faults`.
fn check_examples(
    schema: &serde_json::Value,
    path: &str,
    wrapper: Option<&serde_json::Value>,
    faults: &mut Vec<String>,
) {
    use serde_json::Value;
    let Some(map) = schema.as_object() else {
        return;
    };
    let types: Vec<&str> = match &map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let pattern = map.get("pattern").and_then(Value::as_str);
    let date = map.get("format").and_then(Value::as_str) == Some("date");
    let example = map.get("example").or(wrapper);
    if types.contains(&"string") && (pattern.is_some() || date) {
        match example {
            None => faults.push(format!("{path}: no example")),
            Some(example) => match keeps(schema, example) {
                Ok(()) => {}
                Err(why) => faults.push(format!("{path}: the example {example} {why}")),
            },
        }
    }
    if let (Some(Value::Object(example)), Some(Value::Object(properties))) = (map.get("example"), map.get("properties"))
    {
        for (name, value) in example {
            if let (Some(property), Value::String(_)) = (properties.get(name), value) {
                if let Err(why) = keeps(property, value) {
                    faults.push(format!("{path}: the object's example {name}: {value} {why}"));
                }
            }
        }
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        for (name, property) in properties {
            check_examples(property, &format!("{path}.{name}"), None, faults);
        }
    }
    if let Some(items) = map.get("items") {
        check_examples(items, &format!("{path}[]"), None, faults);
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for (i, branch) in map
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            check_examples(branch, &format!("{path}/{combinator}[{i}]"), map.get("example"), faults);
        }
    }
}

/// Whether a string example keeps its schema's pattern, date format and lengths.
fn keeps(schema: &serde_json::Value, example: &serde_json::Value) -> Result<(), String> {
    let Some(text) = example.as_str() else {
        return Err("is no string".into());
    };
    if let Some(pattern) = schema["pattern"].as_str() {
        if !regex::Regex::new(pattern).unwrap().is_match(text) {
            return Err(format!("does not match {pattern}"));
        }
    }
    if schema["format"] == "date" && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() {
        return Err("is no date".into());
    }
    let length = text.chars().count() as u64;
    if schema["minLength"].as_u64().is_some_and(|min| length < min)
        || schema["maxLength"].as_u64().is_some_and(|max| length > max)
    {
        return Err("has the wrong length".into());
    }
    Ok(())
}

#[test]
fn every_string_with_a_pattern_or_a_date_format_has_an_example_that_keeps_its_rules() {
    let doc: serde_json::Value = serde_json::from_str(&chanjiao::api::docs::openapi_json().unwrap()).unwrap();
    let mut faults = Vec::new();
    let mut checked = 0;
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        check_examples(schema, name, None, &mut faults);
        checked += 1;
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let bodies = operation["requestBody"]["content"].as_object().into_iter().flatten();
            let answers = operation["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .flat_map(|(_, answer)| answer["content"].as_object().into_iter().flatten());
            for (media, content) in bodies.chain(answers) {
                check_examples(
                    &content["schema"],
                    &format!("{method} {path} {media}"),
                    None,
                    &mut faults,
                );
            }
        }
    }
    assert!(checked > 50, "the document's schemas were read");
    assert!(faults.is_empty(), "{} faults:\n{}", faults.len(), faults.join("\n"));
}
