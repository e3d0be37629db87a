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
//!
//! The triggers are built by [`crate::util::FeedTable`]: a later migration
//! that adds a resource to the feed gives its table the same triggers with
//! [`crate::util::add_feed_triggers`].

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::util::{add_feed_triggers, drop_feed_triggers, FeedTable};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose records the feed follows.
const FOLLOWED: [FeedTable; 8] = [
    FeedTable::new("enterprises", "enterprise"),
    FeedTable::new("schools", "school"),
    FeedTable {
        enterprise: true,
        school: true,
        ..FeedTable::new("apprenticeships", "apprenticeship")
    },
    FeedTable::new("meetings", "meeting"),
    FeedTable {
        enterprise: true,
        ..FeedTable::new("demands", "demand")
    },
    FeedTable::new("bases", "base"),
    FeedTable::new("competitions", "competition"),
    FeedTable::new("users", "user"),
];

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
        for statement in table_sql(backend) {
            db.execute_unprepared(&statement).await?;
        }
        for followed in &FOLLOWED {
            add_feed_triggers(manager, followed).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for followed in &FOLLOWED {
            drop_feed_triggers(manager, followed).await?;
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
