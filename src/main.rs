//! The `chanjiao` binary: parses the command line and hands over to the library.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    chanjiao::startup::return_freed_memory();
    let cli = chanjiao::cli::Cli::parse();
    match chanjiao::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("chanjiao: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
