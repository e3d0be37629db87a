//! Creates committed in groups ([`Database::create_in_group`]): a thread of
//! its own runs every create that arrived while the previous group ran in
//! one transaction, each with its audit row (their rows inserted together,
//! a statement per table), and answers each only after that transaction
//! commits. A create only inserts (its references are checked by reading
//! rows no create changes), so creates in one transaction cannot see each
//! other's half-done state; when any of them fails (a duplicate credit
//! code, a reference to nothing), the group is rolled back and every create
//! in it runs again alone, in arrival order, in a transaction of its own,
//! and gets its own answer. A group commits once for all its creates,
//! instead of once each.
//!
//! On SQLite the group writer shares the service's one writer connection;
//! on PostgreSQL its thread opens a connection of its own.

use std::time::Duration;

use futures_util::future::{join_all, LocalBoxFuture};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use tokio::sync::{mpsc, oneshot};

use super::{begin_write, Database};
use crate::error::ApiError;
use crate::service::inserts::Inserts;

/// What a create checks before its rows go in (that the records it names
/// exist), in the transaction it is given; run again alone if its group
/// fails, so it must be able to run more than once.
pub(crate) type CreateCheck =
    Box<dyn for<'a> Fn(&'a DatabaseTransaction) -> LocalBoxFuture<'a, Result<(), ApiError>> + Send>;

/// One create: its check and the rows it inserts.
pub(crate) struct GroupedCreate {
    /// Checks the create against what is stored.
    pub check: CreateCheck,
    /// The new record's rows, its audit row among them.
    pub rows: Inserts,
    /// The columns whose values are unique, for mapping a violation to 409.
    pub unique: &'static [&'static str],
}

/// A create waiting for its group, and where its answer goes.
pub(super) struct Queued {
    create: GroupedCreate,
    done: oneshot::Sender<Result<(), ApiError>>,
}

/// How long the SQLite group writer waits for more creates after the first
/// of a group when the previous group had more than one. Measured with the
/// yardstick (32 clients), as shares of healthz: on SQLite no wait 4.5–5.2 %,
/// 500 µs 5.3–6.1 % (200 µs and 800 µs less); on PostgreSQL, where a group's
/// commit costs little more than one create's, the wait cost two thirds of
/// the creates, so it does not wait there.
const GATHER_WAIT: Duration = Duration::from_micros(500);

/// The most creates one group commits.
const MAX_GROUP: usize = 64;

impl Database {
    /// Runs a create's statements in a transaction and returns once it has
    /// committed: on SQLite in the next group of creates (see the module
    /// documentation), elsewhere in a transaction of its own.
    pub(crate) async fn create_in_group(&self, create: GroupedCreate) -> Result<(), ApiError> {
        let Some(groups) = &self.groups else {
            return run_alone(&self.write, &create).await;
        };
        let (done, answer) = oneshot::channel();
        if let Err(refused) = groups.send(Queued { create, done }) {
            // No group writer (it could not start): the create runs alone here.
            return run_alone(&self.write, &refused.0.create).await;
        }
        answer
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("the group writer dropped a create")))?
    }
}

/// The connection the group writer writes on.
pub(super) enum GroupConnection {
    /// The service's own writer (SQLite: its connections are not tied to a runtime).
    Shared(DatabaseConnection),
    /// A pool of one connection that the writer's thread opens (PostgreSQL).
    Open(Box<sea_orm::ConnectOptions>),
}

/// Starts the thread that commits creates in groups; it ends when the last
/// clone of the [`Database`] is dropped (if it cannot connect, it ends at
/// once, and creates run alone on the service's writer).
pub(super) fn group_writer(connection: GroupConnection) -> mpsc::UnboundedSender<Queued> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    match runtime {
        Ok(runtime) => {
            let spawned = std::thread::Builder::new()
                .name("chanjiao-group-writer".into())
                .spawn(move || {
                    runtime.block_on(async move {
                        // Only SQLite's writer is shared; it gathers (see GATHER_WAIT).
                        let gather = matches!(connection, GroupConnection::Shared(_));
                        let write = match connection {
                            GroupConnection::Shared(write) => write,
                            GroupConnection::Open(mut options) => {
                                options.max_connections(1).min_connections(1);
                                match sea_orm::Database::connect(*options).await {
                                    Ok(write) => write,
                                    Err(e) => {
                                        tracing::error!(error = %e, "the group writer cannot connect");
                                        return;
                                    }
                                }
                            }
                        };
                        run_groups(write, receiver, gather).await
                    })
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start the group writer");
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot start the group writer"),
    }
    sender
}

/// Takes every create that is waiting (at most [`MAX_GROUP`]; with `gather`,
/// after [`GATHER_WAIT`] when the previous group had more than one), runs them in
/// one transaction, and answers them; again and again.
async fn run_groups(write: DatabaseConnection, mut queue: mpsc::UnboundedReceiver<Queued>, gather: bool) {
    let mut previous = 0;
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        if gather && previous > 1 {
            // Creates are arriving together: a moment more gathers the
            // ones on their way into this group (an SQLite commit costs
            // much the same for 8 creates as for 32). This thread runs
            // nothing else, so it may block (a runtime timer would wait a
            // whole millisecond or two).
            std::thread::sleep(GATHER_WAIT);
        }
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        // A create whose request is gone (answered 503 when the database
        // stopped answering, or dropped by its client) is not stored later.
        group.retain(|queued| !queued.done.is_closed());
        previous = group.len();
        if group.is_empty() {
            continue;
        }
        let together = match group.len() {
            1 => None,
            _ => Some(run_together(&write, &group).await),
        };
        match together {
            Some(Ok(())) => {
                for queued in group {
                    let _ = queued.done.send(Ok(()));
                }
                continue;
            }
            // The database is full or gone: each create alone would only
            // wait for the same answer.
            Some(Err(failure)) if failure.outage().is_some() => {
                for queued in group {
                    let _ = queued.done.send(Err(failure.copied()));
                }
                continue;
            }
            _ => {}
        }
        for queued in group {
            if queued.done.is_closed() {
                continue;
            }
            let answer = run_alone(&write, &queued.create).await;
            let _ = queued.done.send(answer);
        }
    }
}

/// Runs a group's checks side by side in one transaction, then inserts the
/// rows of all its creates together (one statement per table and up to
/// 64 rows) and commits when every step succeeded; rolls back otherwise.
async fn run_together(write: &DatabaseConnection, group: &[Queued]) -> Result<(), ApiError> {
    let txn = begin_write(write).await?;
    let checks = join_all(group.iter().map(|queued| (queued.create.check)(&txn))).await;
    let mut rows = Inserts::new();
    for queued in group {
        rows.extend(queued.create.rows.clone());
    }
    let inserted = match checks.into_iter().find_map(Result::err) {
        Some(failure) => Err(failure),
        None => rows.execute(&txn).await.map_err(|e| ApiError::from_db(e, &[])),
    };
    if let Err(failure) = inserted {
        txn.rollback().await?;
        return Err(failure);
    }
    txn.commit().await?;
    Ok(())
}

/// Runs one create in a transaction of its own.
async fn run_alone(write: &DatabaseConnection, create: &GroupedCreate) -> Result<(), ApiError> {
    let txn = begin_write(write).await?;
    (create.check)(&txn).await?;
    create
        .rows
        .execute(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, create.unique))?;
    txn.commit().await?;
    Ok(())
}
