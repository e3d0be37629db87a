//! `change_log`: the change feed's outbox. Every create, change (a new
//! `version`) and delete of a record of the feed is written here by
//! triggers, in the transaction of the write itself, whatever writes it (a
//! request, a grouped create, an import, the triggers that keep a demand's
//! `fulfilled_headcount`): a write that rolls back leaves no entry, one that
//! commits always has one.
//!
//! `position` grows in the order the writes *commit*, so that a client that
//! follows the feed with `after` never skips an entry that commits late:
//!
//! - on SQLite one write transaction runs at a time, and the triggers take
//!   the next `AUTOINCREMENT` value (never reused, even after the oldest
//!   entries are removed);
//! - on PostgreSQL, where transactions run side by side and a sequence hands
//!   out values before commit, the triggers are deferred constraint triggers:
//!   they run as the transaction commits, take a transaction-scoped advisory
//!   lock (held until the commit is visible to everyone) and only then the
//!   next sequence value. A position is therefore handed out only after every
//!   smaller one has committed or rolled back, and the committed positions
//!   are always a prefix.
//!
//! `enterprise_id` and `school_id` are the organisations that scope who may
//! read a placement's (both) and a demand's (`enterprise_id`) entries. When
//! a placement or a demand moves to another organisation, its earlier
//! entries move with it, so that the feed shows each caller the records it
//! may read now (and a deleted record's entries to those who could read it
//! last).
//!
//! `app_settings.change_log_purged_through`: the newest position the
//! service has removed (entries are kept at least 90 days).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::SQLITE_NOW;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The advisory lock that orders the feed's positions on PostgreSQL.
pub const FEED_LOCK: i64 = 0x6368_616e_6665_6564;

/// A table whose records the feed follows: its name, the feed's name of its
/// records, and the organisation columns that scope them.
struct Followed {
    table: &'static str,
    resource_type: &'static str,
    enterprise: bool,
    school: bool,
}

const FOLLOWED: [Followed; 8] = [
    Followed {
        table: "enterprises",
        resource_type: "enterprise",
        enterprise: false,
        school: false,
    },
    Followed {
        table: "schools",
        resource_type: "school",
        enterprise: false,
        school: false,
    },
    Followed {
        table: "apprenticeships",
        resource_type: "apprenticeship",
        enterprise: true,
        school: true,
    },
    Followed {
        table: "meetings",
        resource_type: "meeting",
        enterprise: false,
        school: false,
    },
    Followed {
        table: "demands",
        resource_type: "demand",
        enterprise: true,
        school: false,
    },
    Followed {
        table: "bases",
        resource_type: "base",
        enterprise: false,
        school: false,
    },
    Followed {
        table: "competitions",
        resource_type: "competition",
        enterprise: false,
        school: false,
    },
    Followed {
        table: "users",
        resource_type: "user",
        enterprise: false,
        school: false,
    },
];

impl Followed {
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

    fn drop(&self, backend: DatabaseBackend) -> Vec<String> {
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
}

/// The table and its indexes: by position (the feed), by resource type and
/// position (a caller who reads only some types), by each organisation and
/// position (a school's or an enterprise's own records), by record (moving
/// a record's entries).
fn table_sql(backend: DatabaseBackend) -> Vec<String> {
    let (table, uuid, time) = match backend {
        DatabaseBackend::Postgres => (
            "CREATE TABLE change_log (position BIGINT NOT NULL PRIMARY KEY",
            "uuid",
            "timestamptz",
        ),
        _ => (
            "CREATE TABLE change_log (position INTEGER PRIMARY KEY AUTOINCREMENT",
            "uuid_text",
            "timestamp_with_timezone_text",
        ),
    };
    let mut sql = Vec::new();
    if backend == DatabaseBackend::Postgres {
        sql.push("CREATE SEQUENCE change_log_position".to_string());
    }
    sql.extend([
        format!(
            "{table}, at {time} NOT NULL, resource_type VARCHAR(32) NOT NULL, resource_id {uuid} NOT NULL, \
             action VARCHAR(8) NOT NULL, version INTEGER NULL, enterprise_id {uuid} NULL, school_id {uuid} NULL)"
        ),
        "CREATE INDEX change_log_type ON change_log (resource_type, position)".into(),
        "CREATE INDEX change_log_enterprise ON change_log (enterprise_id, position) WHERE enterprise_id IS NOT NULL"
            .into(),
        "CREATE INDEX change_log_school ON change_log (school_id, position) WHERE school_id IS NOT NULL".into(),
        "CREATE INDEX change_log_resource ON change_log (resource_id)".into(),
        "INSERT INTO app_settings (key, value) VALUES ('change_log_purged_through', '0')".into(),
    ]);
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut sql = table_sql(backend);
        for followed in &FOLLOWED {
            sql.extend(match backend {
                DatabaseBackend::Postgres => followed.postgres(),
                _ => followed.sqlite(),
            });
        }
        for statement in sql {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for followed in &FOLLOWED {
            for statement in followed.drop(backend) {
                db.execute_unprepared(&statement).await?;
            }
        }
        db.execute_unprepared("DELETE FROM app_settings WHERE key = 'change_log_purged_through'")
            .await?;
        db.execute_unprepared("DROP TABLE IF EXISTS change_log").await?;
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP SEQUENCE IF EXISTS change_log_position")
                .await?;
        }
        Ok(())
    }
}
