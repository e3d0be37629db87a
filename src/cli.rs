//! The command line: `serve` (the default), `migrate`, `openapi`.

use clap::{Parser, Subcommand};

use validator::Validate;

use crate::api::users::UserCreate;
use crate::config::{redact_url, Settings};
use crate::domain::vocab::Role;
use crate::error::ApiError;
use crate::service::audit::Actor;
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
    Serve,
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
        /// admin, officer, school, enterprise or viewer.
        #[arg(long)]
        role: String,
        /// The user's enterprise (role enterprise).
        #[arg(long)]
        enterprise_id: Option<uuid::Uuid>,
        /// The user's school (role school).
        #[arg(long)]
        school_id: Option<uuid::Uuid>,
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
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            println!("{}", crate::api::docs::openapi_json());
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
            display_name,
            service,
        }) => {
            let settings = load_settings()?;
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role: must be admin, officer, school, enterprise or viewer"))?;
            let password = match std::env::var("CHANJIAO_USER_PASSWORD").ok().filter(|p| !p.is_empty()) {
                Some(password) => password,
                None => {
                    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
                    let second = rpassword::prompt_password("Password again: ")?;
                    anyhow::ensure!(first == second, "the passwords differ");
                    first
                }
            };
            let input = UserCreate {
                username,
                display_name,
                role,
                enterprise_id,
                school_id,
                service,
                disabled: false,
                password,
            };
            if let Err(errors) = input.validate() {
                let fields = crate::api::body::flatten(&errors);
                let text: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
                anyhow::bail!("{}", text.join("; "));
            }
            let db = connect(&settings).await?;
            migrate(&db).await?;
            let actor = Actor {
                user_id: None,
                username: Some("cli".into()),
                ip: "local".into(),
            };
            let user = crate::service::users::create(&db, &actor, input)
                .await
                .map_err(describe)?;
            println!(
                "created user {} ({}) with id {}",
                user.username,
                user.role.as_str(),
                user.id
            );
            Ok(())
        }
        Command::Serve => {
            let settings = load_settings()?;
            let app = Application::build(settings.clone()).await?;
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
        other => anyhow::anyhow!("{other}"),
    }
}

fn load_settings() -> anyhow::Result<Settings> {
    let settings = Settings::from_env()?;
    init_tracing(&settings.log);
    Ok(settings)
}

fn init_tracing(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
