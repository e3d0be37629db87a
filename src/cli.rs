//! The command line: `serve` (the default), `migrate`, `openapi`, `user create`, `demo-data`.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{redact_url, LogFormat, Settings};
use crate::error::ApiError;
use crate::model::check::decode;
use crate::model::field::TextRule;
use crate::model::user::UserCreate;
use crate::startup::{connect, migrate, Application};

/// chanjiao: the HTTP API of a county's industry–education integration alliance.
///
/// Configuration comes from the environment (DATABASE_URL, CHANJIAO_BIND,
/// CHANJIAO_LOG, CHANJIAO_MAX_BODY_BYTES, ...); see the README.
#[derive(Debug, Parser)]
#[command(name = "chanjiao", version, about, long_about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve {
        /// Load the demo data (the county's alliance) before serving; see `demo-data`.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo data into the configured database: the alliance of the
    /// April 2024 report, its users (password `chanjiao-demo-2024`), placements
    /// and the meeting of 2024-04-03. A second run changes nothing.
    DemoData,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
}

/// User account commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from CHANJIAO_USER_PASSWORD, or
    /// asked for at a prompt.
    Create {
        /// Login name: 3–64 characters of a-z, 0-9, `_`, `.`, `-`.
        #[arg(long)]
        username: String,
        /// admin, officer, school, enterprise, viewer or participant.
        #[arg(long)]
        role: String,
        /// The user's enterprise (role enterprise).
        #[arg(long)]
        enterprise_id: Option<uuid::Uuid>,
        /// The user's school (role school).
        #[arg(long)]
        school_id: Option<uuid::Uuid>,
        /// The participant's resident ID (role participant).
        #[arg(long)]
        participant_national_id: Option<String>,
        /// Name shown to people.
        #[arg(long)]
        display_name: Option<String>,
        /// A service account (logs in with client_credentials).
        #[arg(long)]
        service: bool,
    },
}

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Openapi => {
            let document = crate::api::docs::openapi_json().context("cannot produce the OpenAPI document")?;
            println!("{document}");
            Ok(())
        }
        Command::Migrate => {
            let settings = load_settings()?;
            let db = connect(&settings).await?;
            migrate(&db).await?;
            tracing::info!(database = %redact_url(&settings.database_url), "migrations applied");
            Ok(())
        }
        Command::User(UserCommand::Create {
            username,
            role,
            enterprise_id,
            school_id,
            participant_national_id,
            display_name,
            service,
        }) => {
            let settings = load_settings()?;
            let password = match std::env::var("CHANJIAO_USER_PASSWORD").ok().filter(|p| !p.is_empty()) {
                Some(password) => password,
                None => {
                    use std::io::IsTerminal;
                    anyhow::ensure!(
                        std::io::stdin().is_terminal(),
                        "no terminal to ask for the password: set CHANJIAO_USER_PASSWORD \
                         (at least 12 characters) and run the command again"
                    );
                    let ask = |prompt: &str| {
                        rpassword::prompt_password(prompt).map_err(|e| {
                            anyhow::anyhow!(
                                "cannot ask for the password ({e}): without a terminal, set \
                                 CHANJIAO_USER_PASSWORD (at least 12 characters) and run the command again"
                            )
                        })
                    };
                    let first = ask("Password (at least 12 characters): ")?;
                    let second = ask("Password again: ")?;
                    anyhow::ensure!(first == second, "the passwords differ");
                    first
                }
            };
            let body = serde_json::json!({
                "username": username,
                "display_name": display_name,
                "role": role,
                "enterprise_id": enterprise_id,
                "school_id": school_id,
                "participant_national_id": participant_national_id,
                "service": service,
                "password": password,
            });
            let input: UserCreate = decode(&body).map_err(describe)?;
            let db = connect(&settings).await?;
            migrate(&db).await?;
            let user = crate::service::users::create_as(&db, &crate::auth::Principal::system("cli"), input)
                .await
                .map_err(describe)?;
            println!(
                "created user {} ({}) with id {}",
                user.fields.username.as_str(),
                user.fields.role.as_str(),
                user.id
            );
            Ok(())
        }
        Command::DemoData => {
            let settings = load_settings()?;
            crate::domain::clock::set_timezone(settings.timezone);
            let db = connect(&settings).await?;
            migrate(&db).await?;
            let report = crate::service::demo::load(&db).await.map_err(describe)?;
            println!(
                "demo data: {} records created, {} already there",
                report.created, report.kept
            );
            Ok(())
        }
        Command::Serve { demo } => {
            let settings = load_settings()?;
            let app = Application::build(settings.clone()).await?;
            if demo {
                let report = crate::service::demo::load(&app.database()).await.map_err(describe)?;
                tracing::info!(created = report.created, kept = report.kept, "demo data loaded");
            }
            let address = format!("{}:{}", settings.bind.ip(), app.port());
            tracing::info!(
                database = %redact_url(&settings.database_url),
                "chanjiao listening on http://{address}; Swagger UI at http://{address}/swagger-ui/"
            );
            app.run_until_signalled().await?;
            Ok(())
        }
    }
}

/// An API error as a line for the terminal.
fn describe(err: ApiError) -> anyhow::Error {
    match err {
        ApiError::Validation(errors) | ApiError::Conflict { errors, .. } if !errors.is_empty() => {
            let text: Vec<String> = errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
            anyhow::anyhow!("{}", text.join("; "))
        }
        other => anyhow::Error::new(other),
    }
}

fn load_settings() -> anyhow::Result<Settings> {
    let settings = Settings::from_env()?;
    init_tracing(&settings.log, settings.log_format);
    Ok(settings)
}

/// Logs to standard error: text (coloured only on a terminal) or one JSON
/// object per line, each line with the fields of its spans (a request's
/// `request_id`).
fn init_tracing(filter: &str, format: LogFormat) {
    use std::io::IsTerminal;
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
