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

/// The advisory lock that orders the change feed's positions on PostgreSQL
/// (see the `change_log` migration): taken by the feed's triggers as their
/// transaction commits, and by the service while what it reads of the feed
/// must stay true.
pub const FEED_LOCK: i64 = 0x6368_616e_6665_6564;

/// A table whose records the change feed follows: its name, the feed's name
/// of its records (their `resource_type` in `change_log`), and the
/// organisation columns that scope who may read their entries.
///
/// A migration that adds a resource to the feed gives its table the feed's
/// triggers with [`add_feed_triggers`] (and takes them back in `down` with
/// [`drop_feed_triggers`]):
///
/// ```ignore
/// add_feed_triggers(manager, &FeedTable::new("trainings", "training")).await?;
/// // A table whose records an enterprise's users read by its `enterprise_id`:
/// add_feed_triggers(manager, &FeedTable { enterprise: true, ..FeedTable::new("offers", "offer") }).await?;
/// ```
///
/// From then on every create, change (a new `version`) and delete of one of
/// its rows is written to `change_log` in the transaction of the write,
/// whatever writes it; rows already in the table get no entries. The table
/// needs the columns `id`, `version` and `updated_at` (and `enterprise_id`,
/// `school_id` where it is scoped by them). The service names the type too:
/// add it to `FeedType` (`src/domain/vocab.rs`) and to the feed's read
/// rules (`auth::policy`); the API tests' convention test creates a record
/// of every `FeedType` and fails for a type whose table has no triggers.
#[derive(Debug, Clone, Copy)]
pub struct FeedTable {
    /// The table.
    pub table: &'static str,
    /// The `resource_type` of its entries (a `FeedType` of the service).
    pub resource_type: &'static str,
    /// Whether its `enterprise_id` scopes who reads its entries (copied into
    /// each entry, and the earlier entries moved when the record moves).
    pub enterprise: bool,
    /// Whether its `school_id` does.
    pub school: bool,
}

impl FeedTable {
    /// A table whose entries are not scoped by an organisation.
    pub const fn new(table: &'static str, resource_type: &'static str) -> Self {
        FeedTable {
            table,
            resource_type,
            enterprise: false,
            school: false,
        }
    }

    /// The statements that give the table its feed triggers: deferred
    /// constraint triggers on PostgreSQL, which take [`FEED_LOCK`] and the
    /// next position as the transaction commits; plain triggers on SQLite,
    /// where the position is `change_log`'s `AUTOINCREMENT` key.
    pub fn triggers_sql(&self, backend: DatabaseBackend) -> Vec<String> {
        match backend {
            DatabaseBackend::Postgres => self.postgres(),
            _ => self.sqlite(),
        }
    }

    /// The statements that take [`FeedTable::triggers_sql`] back.
    pub fn drop_triggers_sql(&self, backend: DatabaseBackend) -> Vec<String> {
        let t = self.table;
        let mut sql: Vec<String> = ["insert", "update", "delete"]
            .iter()
            .map(|event| match backend {
                DatabaseBackend::Postgres => format!("DROP TRIGGER IF EXISTS {t}_feed_{event} ON {t}"),
                _ => format!("DROP TRIGGER IF EXISTS {t}_feed_{event}"),
            })
            .collect();
        if backend == DatabaseBackend::Postgres {
            sql.push(format!("DROP FUNCTION IF EXISTS change_log_{t}()"));
        }
        sql
    }

    /// The scoping columns' values in `row` (`NEW`/`OLD`), NULL where the table has none.
    fn owners(&self, row: &str) -> String {
        let column = |has: bool, name: &str| {
            if has {
                format!("{row}.{name}")
            } else {
                "NULL".to_string()
            }
        };
        format!(
            "{}, {}",
            column(self.enterprise, "enterprise_id"),
            column(self.school, "school_id")
        )
    }

    /// Whether the table has scoping columns.
    fn scoped(&self) -> bool {
        self.enterprise || self.school
    }

    /// The condition that its scoping columns changed between `OLD` and `NEW`.
    fn moved(&self, distinct: &str) -> String {
        let mut parts = Vec::new();
        if self.enterprise {
            parts.push(format!("{{old}}.enterprise_id {distinct} {{new}}.enterprise_id"));
        }
        if self.school {
            parts.push(format!("{{old}}.school_id {distinct} {{new}}.school_id"));
        }
        parts.join(" OR ")
    }

    /// The statement that moves the record's earlier entries to its new organisations.
    fn move_entries(&self, new: &str) -> String {
        let mut sets = Vec::new();
        if self.enterprise {
            sets.push(format!("enterprise_id = {new}.enterprise_id"));
        }
        if self.school {
            sets.push(format!("school_id = {new}.school_id"));
        }
        format!(
            "UPDATE change_log SET {} WHERE resource_id = {new}.id AND resource_type = '{}';",
            sets.join(", "),
            self.resource_type
        )
    }

    fn insert(&self, at: &str, row: &str, action: &str, version: &str, position: Option<&str>) -> String {
        let (column, value) = match position {
            Some(p) => ("position, ", format!("{p}, ")),
            None => ("", String::new()),
        };
        format!(
            "INSERT INTO change_log ({column}at, resource_type, resource_id, action, version, enterprise_id, school_id) \
             VALUES ({value}{at}, '{}', {row}.id, {action}, {version}, {});",
            self.resource_type,
            self.owners(row)
        )
    }

    fn postgres(&self) -> Vec<String> {
        let t = self.table;
        let moved = if self.scoped() {
            format!(
                "IF TG_OP = 'UPDATE' AND ({}) THEN {} END IF;",
                self.moved("IS DISTINCT FROM")
                    .replace("{old}", "OLD")
                    .replace("{new}", "NEW"),
                self.move_entries("NEW")
            )
        } else {
            String::new()
        };
        let position = Some("nextval('change_log_position')");
        vec![
            format!(
                "CREATE FUNCTION change_log_{t}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 PERFORM pg_advisory_xact_lock({FEED_LOCK}); \
                 IF TG_OP = 'DELETE' THEN {} \
                 ELSE {moved} {} END IF; \
                 RETURN NULL; END $$",
                self.insert("now()", "OLD", "'delete'", "NULL", position),
                self.insert(
                    "NEW.updated_at",
                    "NEW",
                    "CASE TG_OP WHEN 'INSERT' THEN 'create' ELSE 'update' END",
                    "NEW.version",
                    position
                ),
            ),
            format!(
                "CREATE CONSTRAINT TRIGGER {t}_feed_insert AFTER INSERT ON {t} \
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_log_{t}()"
            ),
            format!(
                "CREATE CONSTRAINT TRIGGER {t}_feed_update AFTER UPDATE ON {t} \
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
                 WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION change_log_{t}()"
            ),
            format!(
                "CREATE CONSTRAINT TRIGGER {t}_feed_delete AFTER DELETE ON {t} \
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_log_{t}()"
            ),
        ]
    }

    fn sqlite(&self) -> Vec<String> {
        let t = self.table;
        let now = SQLITE_NOW;
        let moved = if self.scoped() {
            format!(
                "{} AND ({});",
                self.move_entries("new").trim_end_matches(';'),
                self.moved("IS NOT").replace("{old}", "old").replace("{new}", "new")
            )
        } else {
            String::new()
        };
        vec![
            format!(
                "CREATE TRIGGER {t}_feed_insert AFTER INSERT ON {t} BEGIN {} END",
                self.insert("new.updated_at", "new", "'create'", "new.version", None)
            ),
            format!(
                "CREATE TRIGGER {t}_feed_update AFTER UPDATE ON {t} WHEN old.version IS NOT new.version BEGIN {moved} {} END",
                self.insert("new.updated_at", "new", "'update'", "new.version", None)
            ),
            format!(
                "CREATE TRIGGER {t}_feed_delete AFTER DELETE ON {t} BEGIN {} END",
                self.insert(now, "old", "'delete'", "NULL", None)
            ),
        ]
    }
}

/// Gives `table` the change feed's triggers (see [`FeedTable`]); the
/// `change_log` migration must have run.
pub async fn add_feed_triggers(manager: &SchemaManager<'_>, table: &FeedTable) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    for statement in table.triggers_sql(backend) {
        manager.get_connection().execute_unprepared(&statement).await?;
    }
    Ok(())
}

/// Takes back [`add_feed_triggers`] (the table's entries stay in `change_log`).
pub async fn drop_feed_triggers(manager: &SchemaManager<'_>, table: &FeedTable) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    for statement in table.drop_triggers_sql(backend) {
        manager.get_connection().execute_unprepared(&statement).await?;
    }
    Ok(())
}
