//! Rows to insert, gathered per table and written with one multi-row
//! `INSERT` per table instead of one statement per row: the rows of a new
//! record (its own row, its side-table rows, its audit row), of a group of
//! creates ([`super::Database::create_in_group`]) or of an import.
//!
//! Statements carry at most [`MAX_ROWS`] rows, and always a power of two of
//! them (37 rows go as 32 + 4 + 1), so that a table has only a handful of
//! distinct statements for the database to prepare and keep.

use std::any::{Any, TypeId};

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryTrait, Statement};

/// The most rows one statement inserts: 64, or for many rows (an import)
/// up to 1,024 while the statement binds at most 30,000 values (SQLite
/// binds at most 32,766, PostgreSQL 65,535). Each statement fires the
/// table's statement-level triggers (counters), so an import of 10,000
/// rows in statements of 64 spent most of its time in them on PostgreSQL.
const MAX_ROWS: usize = 64;
/// See [`MAX_ROWS`].
const MAX_BULK_ROWS: usize = 1024;
/// See [`MAX_ROWS`].
const MAX_VALUES: usize = 30_000;

/// Rows to insert, per table in the order the tables were first named:
/// name a table before the tables that reference it.
#[derive(Default)]
pub struct Inserts {
    tables: Vec<Box<dyn TableRows>>,
}

impl Clone for Inserts {
    fn clone(&self) -> Self {
        Inserts {
            tables: self.tables.iter().map(|rows| rows.clone_box()).collect(),
        }
    }
}

impl Inserts {
    /// No rows.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds rows of the table of `A` (after its rows already here).
    pub(crate) fn add<A>(&mut self, rows: impl IntoIterator<Item = A>)
    where
        A: ActiveModelTrait + Clone + Send + Sync + 'static,
    {
        let mut rows: Vec<A> = rows.into_iter().collect();
        if rows.is_empty() {
            return;
        }
        match self.table_mut::<A>() {
            Some(table) => table.append(&mut rows),
            None => self.tables.push(Box::new(Rows(rows))),
        }
    }

    /// Adds every row of `other`, table by table.
    pub(crate) fn extend(&mut self, other: Inserts) {
        for mut rows in other.tables {
            match self.tables.iter_mut().find(|t| t.table() == rows.table()) {
                Some(table) => table.take_from(rows.as_mut()),
                None => self.tables.push(rows),
            }
        }
    }

    /// Inserts every row, one table after another.
    pub(crate) async fn execute(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let backend = db.get_database_backend();
        for table in &self.tables {
            for statement in table.statements(backend) {
                db.execute_raw(statement).await?;
            }
        }
        Ok(())
    }

    fn table_mut<A: ActiveModelTrait + 'static>(&mut self) -> Option<&mut Vec<A>> {
        self.tables
            .iter_mut()
            .find(|t| t.table() == TypeId::of::<A>())
            .and_then(|t| t.as_any_mut().downcast_mut::<Rows<A>>())
            .map(|rows| &mut rows.0)
    }
}

/// The rows of one table.
trait TableRows: Send + Sync {
    /// Which table (the type of its active model).
    fn table(&self) -> TypeId;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    fn clone_box(&self) -> Box<dyn TableRows>;
    /// Moves the rows of `other` (rows of the same table) after these.
    fn take_from(&mut self, other: &mut dyn TableRows);
    /// The statements that insert the rows.
    fn statements(&self, backend: DbBackend) -> Vec<Statement>;
}

struct Rows<A>(Vec<A>);

impl<A> TableRows for Rows<A>
where
    A: ActiveModelTrait + Clone + Send + Sync + 'static,
{
    fn table(&self) -> TypeId {
        TypeId::of::<A>()
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn clone_box(&self) -> Box<dyn TableRows> {
        Box::new(Rows(self.0.clone()))
    }

    fn take_from(&mut self, other: &mut dyn TableRows) {
        if let Some(other) = other.as_any_mut().downcast_mut::<Rows<A>>() {
            self.0.append(&mut other.0);
        }
    }

    fn statements(&self, backend: DbBackend) -> Vec<Statement> {
        use sea_orm::Iterable;
        let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
        let cap = match self.0.len() > MAX_ROWS {
            true => MAX_BULK_ROWS.min(MAX_VALUES / columns).max(1),
            false => MAX_ROWS,
        };
        let mut statements = Vec::new();
        let mut rest = self.0.as_slice();
        while !rest.is_empty() {
            let size = statement_rows(rest.len(), cap);
            let (chunk, tail) = rest.split_at(size);
            statements.push(<A::Entity as EntityTrait>::insert_many(chunk.iter().cloned()).build(backend));
            rest = tail;
        }
        statements
    }
}

/// How many of `left` rows the next statement inserts: the largest power
/// of two not above `left` or `cap`.
fn statement_rows(left: usize, cap: usize) -> usize {
    let cap = left.min(cap).max(1);
    1 << cap.ilog2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_go_in_statements_of_powers_of_two_up_to_the_maximum() {
        let sizes = |mut left: usize, cap: usize| {
            let mut out = Vec::new();
            while left > 0 {
                let size = statement_rows(left, cap);
                out.push(size);
                left -= size;
            }
            out
        };
        assert_eq!(sizes(1, MAX_ROWS), vec![1]);
        assert_eq!(sizes(37, MAX_ROWS), vec![32, 4, 1]);
        assert_eq!(sizes(64, MAX_ROWS), vec![64]);
        assert_eq!(sizes(130, MAX_ROWS), vec![64, 64, 2]);
        // An import's 2,500 rows of a table of 25 columns: 1,024 rows bind 25,600 values.
        let cap = MAX_BULK_ROWS.min(MAX_VALUES / 25);
        assert_eq!(sizes(2_500, cap), vec![1024, 1024, 256, 128, 64, 4]);
        // Of 40 columns: at most 750 rows, so 512.
        assert_eq!(
            sizes(1_000, MAX_BULK_ROWS.min(MAX_VALUES / 40)),
            vec![512, 256, 128, 64, 32, 8]
        );
    }
}
