//! The command line: `serve` (the default), `migrate`, `openapi`.

use clap::{Parser, Subcommand};

use crate::config::{redact_url, Settings};
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
