//! Every shell block of the README runs as pasted. A reader pastes the blocks
//! into one shell in the README's order, each building on the variables and
//! files of the earlier ones, against the service the walk-through starts:
//! so does this test, in one `bash -euo pipefail` session, against a service
//! process started from the README's own serve block on a fresh database.
//! What the test changes is only what a reader's machine decides: the
//! service's address (a free port instead of 8080), `cargo run --` (the
//! binary already built), the working directory (a fresh temporary one) and,
//! under `TEST_DATABASE_URL`, the walk-through's database (a fresh PostgreSQL
//! one). Needs `curl` and `jq` (CI installs jq).
//!
//! Each shell block is preceded by a marker saying what it needs:
//! `<!-- readme-test: serve -->` starts the service, `<!-- readme-test: run
//! [name][; answers 201 304 …] -->` runs the block in the session (every
//! HTTP answer it gets must be 2xx, or exactly the statuses listed, in order),
//! `<!-- readme-test: skip <kind> -->` leaves it out for one of the reasons
//! in [`SKIPPED`]. A block without a marker fails the test.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// The address the README's blocks name.
const README_ADDRESS: &str = "http://127.0.0.1:8080";
/// The walk-through's database, as its serve block names it.
const WALKTHROUGH_DATABASE: &str = "sqlite://walkthrough.db?mode=rwc";
/// The blocks this test ran when it was written: fewer means a block lost its marker or its run.
const AT_LEAST_RUN: usize = 12;

/// Why a block may be left out, by the kind its marker names.
const SKIPPED: [(&str, &str); 5] = [
    (
        "second-terminal",
        "serves until stopped, in a terminal of its own (the walk-through's service is started from its own block)",
    ),
    (
        "docker",
        "needs a Docker engine, which CI does not have (tests/api/container.rs checks what it can without one)",
    ),
    (
        "network",
        "installs packages from a registry, and tests send nothing beyond loopback",
    ),
    ("suite", "runs `cargo test`, the suite this test is part of"),
    (
        "benchmark",
        "loads a release build for minutes (and profiles it); benchmarks check their own figures",
    ),
];

/// What a block needs, from its marker.
#[derive(Debug)]
enum Need {
    Serve,
    Run {
        name: Option<String>,
        answers: Option<Vec<u16>>,
    },
    Skip(String),
}

#[derive(Debug)]
struct Block {
    /// The README line of its opening fence.
    line: usize,
    need: Need,
    code: String,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// Every shell block of the README with its marker, in order.
fn shell_blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut blocks = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let fence = lines[index];
        if !fence.starts_with("```") {
            index += 1;
            continue;
        }
        let info = fence.trim_start_matches('`').trim();
        let end = index
            + 1
            + lines[index + 1..]
                .iter()
                .position(|line| line.starts_with("```"))
                .unwrap_or_else(|| panic!("README.md:{}: a code block that is not closed", index + 1));
        assert!(
            !["bash", "shell", "console", "zsh"].contains(&info),
            "README.md:{}: shell blocks are `sh` blocks, so that this test finds them",
            index + 1
        );
        if info == "sh" {
            let marker = index
                .checked_sub(1)
                .and_then(|before| lines[before].strip_prefix("<!-- readme-test: "))
                .and_then(|rest| rest.strip_suffix(" -->"))
                .unwrap_or_else(|| {
                    panic!(
                        "README.md:{}: a shell block without a `<!-- readme-test: … -->` marker on the line before it",
                        index + 1
                    )
                });
            blocks.push(Block {
                line: index + 1,
                need: need(marker, index + 1),
                code: lines[index + 1..end].join("\n"),
            });
        }
        index = end + 1;
    }
    blocks
}

fn need(marker: &str, line: usize) -> Need {
    let (what, answers) = match marker.split_once("; answers ") {
        Some((what, answers)) => (
            what,
            Some(
                answers
                    .split_whitespace()
                    .map(|status| status.parse().expect("a status code"))
                    .collect::<Vec<u16>>(),
            ),
        ),
        None => (marker, None),
    };
    let mut words = what.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("serve"), None, None) if answers.is_none() => Need::Serve,
        (Some("run"), name, None) => Need::Run {
            name: name.map(str::to_string),
            answers,
        },
        (Some("skip"), Some(kind), None) if answers.is_none() => {
            assert!(
                SKIPPED.iter().any(|(known, _)| *known == kind),
                "README.md:{line}: `skip {kind}`: the kinds of skipped block are {:?}",
                SKIPPED.map(|(kind, _)| kind)
            );
            Need::Skip(kind.to_string())
        }
        _ => panic!(
            "README.md:{line}: `{marker}` is no readme-test marker (serve, run [name][; answers …], skip <kind>)"
        ),
    }
}

/// What a run block printed and the statuses of the HTTP answers it got, in order.
struct Ran {
    output: String,
    answers: Vec<u16>,
}

/// The status of each answer `curl -D` recorded in `dir`, in the order they came.
fn recorded_answers(dir: &Path) -> Vec<u16> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|file| {
            let head = std::fs::read_to_string(file).unwrap();
            // The last status line: a `100 Continue` may come before it.
            let status = head.lines().rfind(|line| line.starts_with("HTTP/"));
            status
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|code| code.parse().ok())
                .unwrap_or(0)
        })
        .collect()
}

/// Whether a line of shell runs `chanjiao` by that name (after the
/// environment assignments before it, or after `|`, `&&`, `;`, `$(`; not in a comment).
fn runs_chanjiao_by_name(line: &str) -> bool {
    let before_comment = line.split(" #").next().unwrap_or_default();
    before_comment
        .split(['|', ';', '&', '('])
        .filter_map(|command| {
            command
                .split_whitespace()
                .find(|word| !word.contains('=') && !word.starts_with('$') && !word.starts_with('\\'))
        })
        .any(|program| program == "chanjiao")
}

#[test]
fn the_readme_runs_chanjiao_s_commands_as_a_fresh_clone_can() {
    let readme = readme();
    for block in shell_blocks(&readme) {
        for (offset, line) in block.code.lines().enumerate() {
            assert!(
                !runs_chanjiao_by_name(line),
                "README.md:{}: `chanjiao` is not on the PATH of a fresh clone: `cargo run -- …` (or say `cargo install --path .`)",
                block.line + 1 + offset
            );
        }
    }
    assert!(runs_chanjiao_by_name(
        "CHANJIAO_LOG_FORMAT=json chanjiao serve 2>&1 | jq -c ."
    ));
    assert!(runs_chanjiao_by_name("cargo build && chanjiao openapi"));
    assert!(!runs_chanjiao_by_name(
        r#"perf record -p "$(pgrep -f 'chanjiao serve')""#
    ));
    assert!(!runs_chanjiao_by_name("cargo run -- serve   # (chanjiao serve)"));
}

#[tokio::test]
async fn every_shell_block_of_the_readme_runs_as_pasted_and_shows_what_it_says() {
    let readme = readme();
    let blocks = shell_blocks(&readme);
    let binary = env!("CARGO_BIN_EXE_chanjiao");
    let work = tempfile::tempdir().expect("a working directory");
    let database = crate::helpers::FreshDatabase::new().await;
    let postgres = !database.url.starts_with("sqlite:");
    // On SQLite the walk-through's own database, a file in the working directory, is fresh.
    let adapt = |code: &str, base: &str| {
        let code = code
            .replace("cargo run --", &format!("'{binary}'"))
            .replace(README_ADDRESS, base);
        if postgres {
            code.replace(WALKTHROUGH_DATABASE, &database.url)
        } else {
            code
        }
    };

    // The service, from the README's serve block.
    let serve = blocks
        .iter()
        .find(|block| matches!(block.need, Need::Serve))
        .expect("the README has a block that starts the service");
    assert!(
        serve.code.contains(WALKTHROUGH_DATABASE)
            && serve.code.contains("cargo run -- serve")
            && !serve.code.trim().contains('\n'),
        "README.md:{}: the walk-through's service is one `cargo run -- serve` on a database of its own, {WALKTHROUGH_DATABASE}",
        serve.line
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log = work.path().join("service.log");
    let mut service = shell(work.path());
    service
        .arg("-c")
        // `exec`, so that the process the test stops is the service itself.
        .arg(adapt(
            &serve.code.trim().replace("cargo run --", "exec cargo run --"),
            &base,
        ))
        .env("CHANJIAO_BIND", format!("127.0.0.1:{port}"))
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::options().append(true).open(&log).unwrap());
    if postgres {
        // Start-up on PostgreSQL asks for the secret that replicas share
        // (README: Running against PostgreSQL).
        service.env("CHANJIAO_JWT_SECRET", crate::helpers::TEST_JWT_SECRET);
    }
    let _service = crate::helpers::Running(service.spawn().expect("bash starts"));
    let mut ready = false;
    for _ in 0..400 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        ready,
        "README.md:{}: the service did not start:\n{}",
        serve.line,
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    // One shell session for every block that runs, in the README's order.
    // `curl` records the head of every answer it gets (`-D`; no block uses
    // it), so that an answer a block prints nothing of is checked too.
    let answers = work.path().join(".answers");
    let mut script = String::from(
        "set -euo pipefail\n\
         curl() { command curl --max-time 60 -D \"$README_TEST_ANSWERS/$EPOCHREALTIME\" \"$@\"; }\n",
    );
    let to_run: Vec<(usize, &Block)> = blocks
        .iter()
        .enumerate()
        .filter(|(_, block)| matches!(block.need, Need::Run { .. }))
        .collect();
    for (index, block) in &to_run {
        assert!(
            !block.code.contains(" -D ") && !block.code.contains("--dump-header"),
            "README.md:{}: the test records answers with curl -D",
            block.line
        );
        let dir = answers.join(index.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        script.push_str(&format!(
            "README_TEST_ANSWERS='{}'\nprintf '\\n@@readme-test block {index}@@\\n'\n{}\n",
            dir.display(),
            adapt(&block.code, &base)
        ));
    }
    let started = std::time::Instant::now();
    // The service is another process: blocking this test's thread is fine.
    let output = shell(work.path()).arg("-c").arg(&script).output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);

    // Each block's output, by its index.
    let mut outputs: BTreeMap<usize, String> = BTreeMap::new();
    let mut current = None;
    for line in stdout.split('\n') {
        if let Some(index) = line
            .strip_prefix("@@readme-test block ")
            .and_then(|rest| rest.strip_suffix("@@"))
        {
            current = Some(index.parse::<usize>().unwrap());
            outputs.insert(current.unwrap(), String::new());
        } else if let Some(index) = current {
            let text = outputs.get_mut(&index).unwrap();
            text.push_str(line);
            text.push('\n');
        }
    }
    if !output.status.success() {
        let failed = current.map(|index| &blocks[index]);
        panic!(
            "README.md:{}: this block failed as pasted ({}):\n{}\n--- its output:\n{}\n--- stderr:\n{stderr}\n--- service:\n{}",
            failed.map_or(0, |block| block.line),
            output.status,
            failed.map_or("", |block| block.code.as_str()),
            current.map_or("", |index| outputs[&index].as_str()),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    let mut ran: BTreeMap<String, Ran> = BTreeMap::new();
    for (index, block) in &to_run {
        let Need::Run {
            name,
            answers: promised,
        } = &block.need
        else {
            unreachable!()
        };
        let got = recorded_answers(&answers.join(index.to_string()));
        let output = outputs.remove(index).unwrap_or_default();
        match promised {
            Some(promised) => assert_eq!(
                &got, promised,
                "README.md:{}: the block's answers are the ones its marker names:\n{output}",
                block.line
            ),
            None => assert!(
                got.iter().all(|status| (200..300).contains(status)),
                "README.md:{}: every answer of the block is a success: {got:?}\n{output}",
                block.line
            ),
        }
        if let Some(name) = name {
            ran.insert(name.clone(), Ran { output, answers: got });
        }
    }

    // What the blocks say they show.
    let walk = &ran["walk-through"].output;
    let lines: Vec<&str> = walk.lines().filter(|line| !line.is_empty()).collect();
    assert!(lines[0].contains("\"username\":\"admin\""), "{walk}");
    assert_eq!(
        &lines[1..],
        ["辰泰重钢有限公司", "submitted", "stats-bureau", "Bearer", "200"],
        "the search finds the enterprise, the placement is submitted, the service account logs in, logout is 200"
    );

    let user = &ran["user-create"].output;
    assert!(
        user.contains("created user li.hua (school) with id ") && user.trim_end().ends_with("Bearer"),
        "the command line creates the school's user in the service's database, who then logs in:\n{user}"
    );

    let tour = &ran["tour"].output;
    // The searches print names and titles, one a line (jq -r).
    for shown in [
        "华铝家居有限公司\n",
        "全县产教融合发展联盟调度推进工作会议\n",
        "\"status\":\"active\"",
        "\"score\":92",
    ] {
        assert!(tour.contains(shown), "the tour shows {shown:?}:\n{tour}");
    }

    let idempotency = &ran["idempotency"].output;
    assert_eq!(
        idempotency
            .lines()
            .filter(|line| line.to_ascii_lowercase().trim_end() == "idempotent-replayed: true")
            .count(),
        1,
        "the second request is the first one's answer replayed:\n{idempotency}"
    );

    let day = &ran["participant-day"].output;
    assert!(
        day.contains("urn:chanjiao:problem:password-change-required")
            && day.contains(r#"{"kind":"in","on":"#)
            && day.lines().any(|line| line.trim() == "submitted")
            && day.contains(r#""status":"approved","reviews":["school","enterprise"]"#),
        "the participant's day shows each step:\n{day}"
    );

    let exported =
        std::fs::read_to_string(work.path().join("enterprises.csv")).expect("the export wrote enterprises.csv");
    assert!(
        exported.starts_with('\u{feff}') && exported.contains("辰泰重钢有限公司"),
        "{exported}"
    );
    let workbook = std::fs::read(work.path().join("placements.xlsx")).expect("the export wrote placements.xlsx");
    assert!(workbook.starts_with(b"PK"), "an XLSX file is a ZIP archive");

    let imports: Vec<Value> = serde_json::Deserializer::from_str(&ran["imports"].output)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("the imports answer JSON");
    assert_eq!(imports.len(), 2, "{imports:?}");
    assert!(
        imports
            .iter()
            .all(|answer| answer["errors"].as_array().is_none_or(Vec::is_empty)),
        "the exported files import back without a problem: {imports:?}"
    );
    assert_eq!(
        imports[1]["created"].as_array().map(Vec::len),
        Some(2),
        "the active placements (the tour's, 李明's of this term) are imported again: {imports:?}"
    );

    let problem: Value = serde_json::from_str(ran["errors"].output.trim()).expect("a problem document");
    let mut named: Vec<(String, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            (
                error["field"].as_str().unwrap().into(),
                error["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    named.sort();
    assert_eq!(
        named,
        [
            ("contact_email", "email"),
            ("contact_phone", "phone"),
            ("name", "required"),
            ("scale", "enum")
        ]
        .map(|(field, code)| (field.to_string(), code.to_string())),
        "the 422 names the fields its comment shows"
    );

    let demo: Vec<&str> = ran["demo-data"]
        .output
        .lines()
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(demo.len(), 2, "{demo:?}");
    let counts = |line: &str| -> (u32, u32) {
        let numbers: Vec<u32> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|part| part.parse().ok())
            .collect();
        assert!(line.starts_with("demo data: ") && numbers.len() == 2, "{line}");
        (numbers[0], numbers[1])
    };
    let (created, kept) = counts(demo[0]);
    assert!(created > 0 && kept == 0, "the first run creates the demo: {demo:?}");
    assert_eq!(counts(demo[1]), (0, created), "a second run changes nothing");
    assert!(ran["demo-data"].answers.is_empty());

    let run = blocks
        .iter()
        .filter(|block| !matches!(block.need, Need::Skip(_)))
        .count();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for block in &blocks {
        if let Need::Skip(kind) = &block.need {
            *skipped.entry(kind.as_str()).or_default() += 1;
        }
    }
    println!(
        "README: {run} shell blocks run (the serve block and {} in one session, {:.1} s), {} skipped {skipped:?}",
        to_run.len(),
        started.elapsed().as_secs_f64(),
        blocks.len() - run
    );
    assert!(
        run >= AT_LEAST_RUN,
        "{run} README blocks ran; at least {AT_LEAST_RUN} did when this test was written"
    );
}

/// `bash` in `dir` with the environment of a fresh terminal: none of the
/// service's settings from the test's own environment.
fn shell(dir: &Path) -> std::process::Command {
    let mut bash = std::process::Command::new("bash");
    bash.current_dir(dir)
        .stdin(std::process::Stdio::null())
        .env_remove("DATABASE_URL")
        .env_remove("BASH_ENV");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CHANJIAO_") {
            bash.env_remove(name);
        }
    }
    bash.env("CHANJIAO_LOG", "warn");
    bash
}
