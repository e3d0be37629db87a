//! When the database cannot store more (SQLite's file or its disk is full),
//! writes answer 503 `storage-full` with `Retry-After`, nothing is answered
//! as saved that was not saved, `/readyz` says so, and once there is room
//! again writes are saved as before.

use reqwest::Client;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{json, Value};

use crate::helpers::{
    admin_token_at, get_json_at, problem, spawn_app, start_process_logging_to, status_at, ADMIN_PASSWORD,
};

/// An enterprise with a long description, so that a few fill a page.
fn bulky(n: usize) -> Value {
    json!({"name": format!("填满企业{n}"), "description": "焊".repeat(400)})
}

/// Checks a refusal for a full database: 503, its problem type, `Retry-After`.
async fn assert_storage_full(response: reqwest::Response, what: &str) {
    assert_eq!(response.status().as_u16(), 503, "{what}");
    let retry_after = response
        .headers()
        .get("retry-after")
        .unwrap_or_else(|| panic!("{what}: a Retry-After header"))
        .to_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert!(retry_after > 0, "{what}");
    let body = problem(response, 503).await;
    assert_eq!(body["type"], "urn:chanjiao:problem:storage-full", "{what}: {body}");
}

#[tokio::test]
async fn an_sqlite_database_at_its_page_limit_answers_503_storage_full_and_acknowledges_only_what_it_stored() {
    let app = spawn_app().await;
    if app.database.backend() != DatabaseBackend::Sqlite {
        return; // PostgreSQL has no page limit to reach; its disk_full maps to the same answer.
    }
    let pages: i64 = app
        .db
        .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, "PRAGMA page_count"))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    // The writer may grow the file by a few pages only.
    app.db
        .execute_unprepared(&format!("PRAGMA max_page_count = {}", pages + 4))
        .await
        .unwrap();
    let mut created = Vec::new();
    let refused = loop {
        let response = app.post_json("/api/v1/enterprises", &bulky(created.len())).await;
        if response.status().as_u16() != 201 {
            break response;
        }
        created.push(
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        assert!(created.len() < 500, "the page limit was never reached");
    };
    assert_storage_full(refused, "the create that found no room").await;
    // Another create may still fit in a page with room, or be refused as
    // full; either way its answer says what was stored (checked below).
    for n in 1_000..1_005 {
        let response = app.post_json("/api/v1/enterprises", &bulky(n)).await;
        match response.status().as_u16() {
            201 => created.push(
                response.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            ),
            _ => assert_storage_full(response, "a create while full").await,
        }
    }
    for id in &created {
        assert_eq!(
            app.get(&format!("/api/v1/enterprises/{id}")).await.status().as_u16(),
            200,
            "every create answered 201 is stored"
        );
    }
    let listed = app.list("/api/v1/enterprises?limit=1").await;
    assert_eq!(listed["total"], json!(created.len()), "and nothing else is");
}

#[tokio::test]
async fn after_sqlite_rolls_a_transaction_back_by_itself_later_writes_are_still_committed() {
    let app = spawn_app().await;
    if app.database.backend() != DatabaseBackend::Sqlite {
        return; // PostgreSQL never ends a transaction behind its client's back.
    }
    // SQLite ends the whole transaction by itself when a write finds the disk
    // full; a trigger's RAISE(ROLLBACK) does the same without a full disk.
    app.db
        .execute_unprepared(
            "CREATE TRIGGER test_rolls_back_all BEFORE INSERT ON enterprises WHEN NEW.name = '整笔回滚' \
             BEGIN SELECT RAISE(ROLLBACK, 'rolled back by the test'); END",
        )
        .await
        .unwrap();
    let refused = app.post_json("/api/v1/enterprises", &json!({"name": "整笔回滚"})).await;
    assert!(!refused.status().is_success());
    // A write that fails inside the next transaction, then ordinary writes:
    // before the fix the writer was left inside a transaction that never
    // committed, and these were answered 201 and lost.
    let first = app
        .create_id(
            "/api/v1/enterprises",
            &json!({"name": "甲", "credit_code": "91350100M000100Y43"}),
        )
        .await;
    let duplicate = app
        .post_json(
            "/api/v1/enterprises",
            &json!({"name": "乙", "credit_code": "91350100M000100Y43"}),
        )
        .await;
    assert_eq!(duplicate.status().as_u16(), 409);
    let mut acknowledged = vec![first];
    for name in ["丙", "丁"] {
        acknowledged.push(app.create_id("/api/v1/enterprises", &json!({ "name": name })).await);
    }
    let patched = app
        .patch_json(
            &format!("/api/v1/enterprises/{}", acknowledged[1]),
            &json!({"industry": "焊接"}),
        )
        .await;
    assert_eq!(patched.status().as_u16(), 200);
    for id in &acknowledged {
        assert_eq!(
            app.get(&format!("/api/v1/enterprises/{id}")).await.status().as_u16(),
            200,
            "a create answered 201 is stored"
        );
    }
    let read = app.record(&format!("/api/v1/enterprises/{}", acknowledged[1])).await;
    assert_eq!(read["industry"], "焊接", "a patch answered 200 is stored");
}

/// A small file system of the test's own (tmpfs), unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts one of `megabytes`; `None` where this process may not mount
    /// (not root): filling the machine's own disk is no test.
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(SmallDisk { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Bytes free on it.
    fn free(&self) -> u64 {
        let output = std::process::Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(self.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[tokio::test]
async fn a_full_disk_answers_503_acknowledges_nothing_it_did_not_save_and_recovers_when_space_is_freed() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty()) {
        return; // The SQLite file's disk: the PostgreSQL run has nothing to fill here.
    }
    let Some(disk) = SmallDisk::mount(8) else {
        eprintln!("not run: mounting a small tmpfs needs root (CI runs as root)");
        return;
    };
    let url = format!("sqlite://{}/full.db?mode=rwc", disk.path().display());
    let log = tempfile::NamedTempFile::new().unwrap();
    let (mut service, base) = start_process_logging_to(&url, &[], log.path()).await;
    let token = admin_token_at(&base).await;
    let client = Client::new();
    let post = |body: Value| {
        client
            .post(format!("{base}/api/v1/enterprises"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    // Leave about 600 KiB free beside a ballast file that can be removed later.
    let ballast = disk.path().join("ballast");
    let keep = 600 * 1024;
    std::fs::write(&ballast, vec![0u8; (disk.free().saturating_sub(keep)) as usize]).unwrap();

    let mut saved = Vec::new();
    let refused = loop {
        let response = post(bulky(saved.len())).await.unwrap();
        if response.status().as_u16() != 201 {
            break response;
        }
        saved.push(
            response.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        assert!(saved.len() < 5_000, "the disk never filled");
    };
    assert_storage_full(refused, "the create that found the disk full").await;
    // Before the fix, the writer was left inside the failed transaction and
    // every later create answered 201 without being saved.
    for n in 0..5 {
        let response = post(json!({"name": format!("满盘之后{n}")})).await.unwrap();
        assert_storage_full(response, "a create while the disk is full").await;
    }
    assert_storage_full(
        client.get(format!("{base}/readyz")).send().await.unwrap(),
        "/readyz while the disk is full",
    )
    .await;
    let login = client
        .post(format!("{base}/api/v1/auth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    // A login writes a refresh token and an audit row: small rows that may
    // still fit in a page with room; if not, it says why.
    if login.status().as_u16() != 200 {
        assert_storage_full(login, "a login that cannot write its audit row").await;
    }

    // A second of the checkpointer failing every 100 ms, and refusals: each
    // logged once, without a backtrace.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let logged = std::fs::read_to_string(log.path()).unwrap();
    // (Once at most: the checkpointer may have had nothing left to copy.)
    assert!(
        logged.matches("a checkpoint of the WAL failed").count() <= 1,
        "{logged}"
    );
    assert_eq!(logged.matches("requests refused with 503").count(), 1, "{logged}");
    assert!(!logged.contains("backtrace"), "{logged}");

    std::fs::remove_file(&ballast).unwrap();
    assert_eq!(
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200,
        "ready once space is freed"
    );
    let response = post(json!({"name": "腾出空间之后"})).await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    saved.push(
        response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );

    // What was answered 201 survives a crash, and nothing else was stored.
    service.kill();
    let (_service, base) = start_process_logging_to(&url, &[], log.path()).await;
    let token = admin_token_at(&base).await;
    for id in &saved {
        let read = status_at(&base, &token, &format!("/api/v1/enterprises/{id}")).await;
        assert_eq!(read, 200, "a create answered 201 is stored");
    }
    let listed = get_json_at(&base, &token, "/api/v1/enterprises?limit=1").await;
    assert_eq!(listed["total"], json!(saved.len()));
}
