//! Swagger UI in a real headless Chromium: *Authorize* with a username and
//! password (the OAuth2 password flow), then *Try it out* on a protected
//! operation answers 200. Needs Debian's `chromium` and `chromium-driver`
//! (`.ci/run` installs them): it is ignored by a plain `cargo test` and
//! run with `cargo test --test api -- --ignored`, where it fails without them.

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
