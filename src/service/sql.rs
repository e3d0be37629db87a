//! Hand-written SQL for both databases: the values a statement binds, each
//! written as the backend's placeholder (`$1` on PostgreSQL, `?` on SQLite)
//! where it stands in the text.

use sea_orm::sea_query::Value;
use sea_orm::{DatabaseBackend, Statement};

/// The values of a statement being written, in the order they stand in it.
#[derive(Debug)]
pub(crate) struct Binds {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Binds {
    /// No values yet, for a statement to `backend`.
    pub(crate) fn new(backend: DatabaseBackend) -> Self {
        Binds {
            backend,
            values: Vec::new(),
        }
    }

    /// The database the statement is for.
    pub(crate) fn backend(&self) -> DatabaseBackend {
        self.backend
    }

    /// Binds `value` and gives the placeholder that stands for it.
    pub(crate) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_string(),
        }
    }

    /// The statement of `text` with these values.
    pub(crate) fn statement(self, text: String) -> Statement {
        Statement::from_sql_and_values(self.backend, text, self.values)
    }
}
