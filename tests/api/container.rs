//! What can be checked of the container without a Docker engine: the
//! compose file parses and hands every documented setting to the service,
//! the Dockerfile builds as CI's release build does, and the build context
//! leaves out what must not go into an image.

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The variables of the README's configuration table.
fn documented_settings() -> BTreeSet<String> {
    read("README.md")
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_string())
        .filter(|name| name == "DATABASE_URL" || name.starts_with("CHANJIAO_"))
        .collect()
}

fn compose() -> serde_norway::Value {
    serde_norway::from_str(&read("docker-compose.yml")).expect("docker-compose.yml parses")
}

#[test]
fn every_documented_setting_reaches_the_container_through_env_file_or_environment() {
    let compose = compose();
    let api = &compose["services"]["api"];
    let env_file = &api["env_file"][0];
    assert_eq!(env_file["path"].as_str(), Some(".env"));
    assert_eq!(env_file["required"].as_bool(), Some(false));
    let environment: BTreeSet<String> = api["environment"]
        .as_mapping()
        .expect("environment is a mapping")
        .keys()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    let example: BTreeSet<String> = read(".env.example")
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim().to_string()))
        .collect();
    let settings = documented_settings();
    assert!(settings.len() >= 20, "the README table was read: {settings:?}");
    for name in &settings {
        assert!(
            example.contains(name) || environment.contains(name),
            "{name} is documented but neither in .env.example nor in the service's environment"
        );
    }
    for name in example
        .iter()
        .filter(|n| n.starts_with("CHANJIAO_") && *n != "CHANJIAO_PORT")
    {
        assert!(settings.contains(name), "{name} is in .env.example but not documented");
    }
}

#[test]
fn the_database_password_never_goes_into_a_url_and_the_services_restart() {
    let compose = compose();
    let api = &compose["services"]["api"];
    let url = api["environment"]["DATABASE_URL"].as_str().unwrap();
    let userinfo = url.split("://").nth(1).and_then(|rest| rest.split('@').next()).unwrap();
    assert!(!userinfo.contains(':'), "no password in the URL: {url}");
    assert!(!url.contains("${"), "nothing interpolated into the URL: {url}");
    assert_eq!(
        api["environment"]["PGPASSWORD"].as_str(),
        compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"].as_str()
    );
    for service in ["api", "db"] {
        assert_eq!(
            compose["services"][service]["restart"].as_str(),
            Some("unless-stopped"),
            "{service}"
        );
    }
    let ports = api["ports"].as_sequence().unwrap();
    assert_eq!(ports.len(), 1, "only the API port is published: {ports:?}");
}

#[test]
fn the_dockerfile_builds_the_release_binary_as_ci_does() {
    let dockerfile = read("Dockerfile");
    let build = "cargo build --release --locked --bin chanjiao";
    assert!(dockerfile.contains(build), "the Dockerfile runs `{build}`");
    assert!(
        read("tools/replicas/run.sh").contains(build),
        "CI's release build runs `{build}`"
    );
    assert!(
        dockerfile.contains("--mount=type=cache,target=/src/target"),
        "dependencies are cached"
    );
    // The toolchain image is at least the manifest's rust-version.
    let image: f32 = dockerfile
        .split("FROM rust:")
        .nth(1)
        .and_then(|rest| rest.split('-').next())
        .and_then(|v| v.parse().ok())
        .expect("a rust:<version>-… image");
    let manifest = read("Cargo.toml");
    let required: f32 = manifest
        .split("rust-version = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|v| v.parse().ok())
        .expect("a rust-version");
    assert!(image >= required, "rust:{image} is older than rust-version {required}");
}

#[test]
fn the_build_context_leaves_out_build_output_databases_and_settings() {
    let ignore: BTreeSet<String> = read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    for entry in [
        "target/",
        "**/*.db",
        "**/*.db-wal",
        ".env",
        ".git/",
        "clients/typescript/node_modules/",
    ] {
        assert!(ignore.contains(entry), ".dockerignore lacks {entry}");
    }
}

/// What the service's environment holds under compose with `.env` copied
/// from `.env.example` and `changes` applied to it: every line of `.env`
/// (env_file), then the compose file's `environment`, interpolated from `.env`.
fn compose_environment(changes: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    let mut dot_env: std::collections::HashMap<String, String> = read(".env.example")
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.trim().to_string(), value.to_string()))
        .collect();
    for (name, value) in changes {
        dot_env.insert(name.to_string(), value.to_string());
    }
    let mut environment = dot_env.clone();
    let compose = compose();
    for (name, value) in compose["services"]["api"]["environment"].as_mapping().unwrap() {
        let value = value.as_str().unwrap();
        let value = match value.strip_prefix("${") {
            Some(rest) => {
                let variable: String = rest.chars().take_while(|c| *c != ':' && *c != '}').collect();
                dot_env.get(&variable).cloned().unwrap_or_default()
            }
            None => value.to_string(),
        };
        environment.insert(name.as_str().unwrap().to_string(), value);
    }
    environment
}

#[test]
fn the_placeholder_secrets_of_env_example_stop_the_service_naming_their_variable() {
    let refused = |changes: &[(&str, &str)]| {
        let environment = compose_environment(changes);
        chanjiao::config::Settings::from_lookup(|name| environment.get(name).cloned())
            .err()
            .map(|e| (e.variable, e.to_string()))
    };
    let (variable, message) = refused(&[]).expect("the placeholder JWT secret is refused");
    assert_eq!(variable, "CHANJIAO_JWT_SECRET");
    assert!(message.contains("placeholder"), "{message}");
    let secret = ("CHANJIAO_JWT_SECRET", "Zq8vR2kLm4Xw9Tn7Bc3Hd6Pf1Jy5Gs0A");
    // docker-compose.yml hands POSTGRES_PASSWORD to the service as PGPASSWORD.
    let (variable, message) = refused(&[secret]).expect("the placeholder database password is refused");
    assert_eq!(variable, "PGPASSWORD");
    assert!(message.contains("POSTGRES_PASSWORD"), "{message}");
    assert_eq!(refused(&[secret, ("POSTGRES_PASSWORD", "k3#Vw:9@qL/zR7mT")]), None);
    // A placeholder in the URL itself, percent-encoded, is refused as well.
    let url = "postgres://chanjiao:change-me%3Aany%40characters%2F%23ok@db:5432/chanjiao";
    let environment = std::collections::HashMap::from([("DATABASE_URL", url)]);
    let err = chanjiao::config::Settings::from_lookup(|name| environment.get(name).map(|v| v.to_string())).unwrap_err();
    assert_eq!(err.variable, "DATABASE_URL");
    assert!(
        !err.to_string().contains("change-me"),
        "the value is never repeated: {err}"
    );
}
