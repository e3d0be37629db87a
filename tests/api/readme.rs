//! The README's walk-through, pasted into a shell: run as it stands against
//! a fresh service (only its address changed), it must succeed line by line
//! and show what it says it shows. Needs `curl` and `jq` (CI installs jq).

use std::path::Path;

/// The `sh` block after the walk-through marker.
fn walk_through() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let after = readme
        .split("<!-- walk-through:")
        .nth(1)
        .expect("the README marks its walk-through");
    let block = after.split("```sh\n").nth(1).expect("a sh block follows the marker");
    block.split("\n```").next().unwrap().to_string()
}

#[tokio::test]
async fn the_readme_walk_through_runs_line_by_line_against_a_fresh_service() {
    let script = walk_through();
    let password = script
        .lines()
        .find_map(|line| line.strip_prefix("ADMIN_PASSWORD='"))
        .and_then(|rest| rest.split('\'').next())
        .expect("the walk-through sets ADMIN_PASSWORD first")
        .to_string();
    let database = crate::helpers::FreshDatabase::new().await;
    let (_service, base) =
        crate::helpers::start_process_with(&database.url, &[("CHANJIAO_ADMIN_PASSWORD", password.as_str())]).await;
    assert!(
        script.contains("http://127.0.0.1:8080"),
        "the walk-through names the default address"
    );
    let script = script.replace("http://127.0.0.1:8080", &base);
    // The service is another process: blocking this test's thread is fine.
    let output = std::process::Command::new("bash")
        .args(["-e", "-u", "-o", "pipefail", "-c", &script])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the walk-through failed:\n{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].contains("\"username\":\"admin\""), "{stdout}");
    assert_eq!(
        &lines[1..],
        ["辰泰重钢有限公司", "submitted", "stats-bureau", "Bearer", "200"],
        "the search finds the enterprise, the placement is submitted, the service account logs in, logout is 200"
    );
}
