//! The first admin: created at start-up on a database without an enabled
//! admin, with `CHANJIAO_ADMIN_PASSWORD` or a generated password that never
//! enters the log.

use anyhow::Context;
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::service::Database;

/// The file, in the working directory, that holds a generated password of
/// `admin` when standard error is no terminal (a log file, a container's log).
pub const ADMIN_PASSWORD_FILE: &str = "chanjiao-admin-password";

/// Unless an enabled admin exists, creates `admin` with
/// `CHANJIAO_ADMIN_PASSWORD` or a generated password. A generated password
/// never enters the log: it is printed to standard error when that is a
/// terminal, and otherwise written to [`ADMIN_PASSWORD_FILE`] (readable only
/// by the service's user), whose path is logged. A password set while an
/// enabled admin exists is not used, and a warning says so.
pub(super) async fn bootstrap_admin(settings: &Settings, db: &Database) -> anyhow::Result<()> {
    use crate::service::users::{self, Bootstrap};
    use std::io::IsTerminal;
    let configured = settings.admin_password.as_ref().map(|p| p.expose_secret());
    if configured.is_some_and(|p| p.chars().count() < crate::model::field::MIN_PASSWORD_CHARS) {
        anyhow::bail!("CHANJIAO_ADMIN_PASSWORD: must be at least 12 characters");
    }
    let not_created = |outcome: Bootstrap| {
        if outcome == Bootstrap::NameTaken {
            tracing::warn!(
                "no enabled admin exists and the username `admin` is taken by a disabled user or another role: \
                 create an admin with `chanjiao user create --role admin --username <name>`"
            );
        } else if configured.is_some() {
            tracing::warn!(
                "CHANJIAO_ADMIN_PASSWORD is set but not used: an enabled admin already exists, and the variable \
                 only sets the password of the admin created when there is none (change a password with \
                 POST /api/v1/auth/password)"
            );
        }
    };
    if users::has_enabled_admin(db).await.context("cannot look for an admin")? {
        not_created(Bootstrap::AdminExists);
        return Ok(());
    }
    if let Some(password) = configured {
        let outcome = users::bootstrap_admin(db, password)
            .await
            .context("cannot create the first admin")?;
        if outcome == Bootstrap::Created {
            tracing::info!("created user `admin` with the password of CHANJIAO_ADMIN_PASSWORD");
        } else {
            not_created(outcome);
        }
        return Ok(());
    }
    let password = crate::auth::tokens::random_secret();
    let on_terminal = std::io::stderr().is_terminal();
    // Kept before the admin exists: an admin whose password went nowhere
    // could not be logged in as.
    let file = if on_terminal {
        None
    } else {
        Some(keep_admin_password(&password)?)
    };
    let outcome = users::bootstrap_admin(db, &password)
        .await
        .context("cannot create the first admin")?;
    match (outcome, file) {
        (Bootstrap::Created, None) => {
            eprintln!("chanjiao: created user `admin` with the generated password: {password}");
            eprintln!("chanjiao: it is shown only this once; change it with POST /api/v1/auth/password");
        }
        (Bootstrap::Created, Some(file)) => tracing::warn!(
            file = %file.display(),
            "created user `admin` with a generated password, written to {} (readable only by this user): \
             log in, change it with POST /api/v1/auth/password, and delete the file",
            file.display()
        ),
        (outcome, file) => {
            if let Some(file) = file {
                let _ = std::fs::remove_file(file);
            }
            not_created(outcome);
        }
    }
    Ok(())
}

/// Writes a generated admin password to [`ADMIN_PASSWORD_FILE`] in the
/// working directory, readable and writable only by this user (a file left
/// by an earlier start is replaced); its absolute path.
fn keep_admin_password(password: &str) -> anyhow::Result<std::path::PathBuf> {
    use std::io::Write;
    let path = std::env::current_dir()
        .context("cannot find the working directory for the generated admin password")?
        .join(ADMIN_PASSWORD_FILE);
    let failed = |e: std::io::Error| {
        anyhow::anyhow!(
            "cannot write the generated admin password to {} ({e}); run from a writable directory, \
             or set CHANJIAO_ADMIN_PASSWORD",
            path.display()
        )
    };
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(e)),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(failed)?;
    writeln!(file, "{password}")
        .and_then(|()| file.sync_all())
        .map_err(failed)?;
    Ok(path)
}
