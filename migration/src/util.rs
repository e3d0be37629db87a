//! Helpers shared by the migrations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// SQLite's current time as the text sqlx writes for a UTC time (RFC 3339
/// with microseconds), for triggers that stamp rows.
pub const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000+00:00'";

/// A plain index named `<table>_<suffix>` on `columns`.
pub fn index<T: Iden + Clone + 'static, C: Iden + Clone + 'static>(
    table: T,
    suffix: &str,
    columns: &[C],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{}_{suffix}", table.to_string())).table(table);
    for column in columns {
        index.col(column.clone());
    }
    index.to_owned()
}

/// SQL that gives `table.search_text` a trigram index, so that a substring
/// search (`q`) does not scan the table: pg_trgm on PostgreSQL; on SQLite an
/// FTS5 trigram table keyed by rowid and kept in step by triggers.
pub fn search_index_sql(backend: DatabaseBackend, table: &str) -> Vec<String> {
    match backend {
        DatabaseBackend::Postgres => vec![
            "CREATE EXTENSION IF NOT EXISTS pg_trgm".to_string(),
            // Without the pending list, a search right after many inserts reads the index only.
            format!(
                "CREATE INDEX {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops) WITH (fastupdate = off)"
            ),
        ],
        _ => vec![
            format!("CREATE VIRTUAL TABLE {table}_fts USING fts5(search_text, tokenize = 'trigram')"),
            format!(
                "CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN \
                 INSERT INTO {table}_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END"
            ),
            format!(
                "CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN \
                 DELETE FROM {table}_fts WHERE rowid = old.rowid; END"
            ),
            // Only when the text changed: an update writes every column, and re-indexing
            // a meeting's 200,000 characters of minutes for each status change is waste.
            format!(
                "CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_text ON {table} \
                 WHEN old.search_text IS NOT new.search_text BEGIN \
                 UPDATE {table}_fts SET search_text = new.search_text WHERE rowid = old.rowid; END"
            ),
        ],
    }
}

/// The statements a change counter raises on: every one that writes rows.
const COUNTED_EVENTS: [&str; 3] = ["insert", "update", "delete"];

/// SQL that gives `table` a change counter in `table_changes` (created by
/// the `table_changes` migration, with PostgreSQL's trigger function
/// `table_changes_raised()`): its row, starting at 0, and the triggers that
/// raise it in the transaction of every statement that inserts, changes or
/// deletes the table's rows (per statement on PostgreSQL, per row on SQLite).
pub fn change_counter_sql(backend: DatabaseBackend, table: &str) -> Vec<String> {
    let mut sql = vec![format!(
        "INSERT INTO table_changes (resource, changes) VALUES ('{table}', 0)"
    )];
    for event in COUNTED_EVENTS {
        sql.push(match backend {
            DatabaseBackend::Postgres => format!(
                "CREATE TRIGGER {table}_changed_{event} AFTER {} ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION table_changes_raised()",
                event.to_uppercase()
            ),
            _ => format!(
                "CREATE TRIGGER {table}_changed_{event} AFTER {} ON {table} BEGIN \
                 UPDATE table_changes SET changes = changes + 1 WHERE resource = '{table}'; END",
                event.to_uppercase()
            ),
        });
    }
    sql
}

/// SQL that takes [`change_counter_sql`] back.
pub fn drop_change_counter_sql(backend: DatabaseBackend, table: &str) -> Vec<String> {
    let mut sql: Vec<String> = COUNTED_EVENTS
        .iter()
        .map(|event| match backend {
            DatabaseBackend::Postgres => format!("DROP TRIGGER IF EXISTS {table}_changed_{event} ON {table}"),
            _ => format!("DROP TRIGGER IF EXISTS {table}_changed_{event}"),
        })
        .collect();
    sql.push(format!("DELETE FROM table_changes WHERE resource = '{table}'"));
    sql
}

/// SQL that adds a nullable uuid column `column` to `table`, a foreign key
/// to `referenced(id)` that keeps a referenced row (`RESTRICT`), named
/// `<table>_<column>_fk` (SQLite takes a foreign key only in the column's
/// own definition).
pub fn add_reference_sql(backend: DatabaseBackend, table: &str, column: &str, referenced: &str) -> String {
    let column_type = match backend {
        DatabaseBackend::Postgres => "uuid",
        _ => "uuid_text",
    };
    format!(
        "ALTER TABLE {table} ADD COLUMN {column} {column_type} NULL \
         CONSTRAINT {table}_{column}_fk REFERENCES {referenced} (id) ON DELETE RESTRICT"
    )
}
