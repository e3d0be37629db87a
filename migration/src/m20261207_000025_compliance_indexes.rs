//! The indexes the compliance rules read placements through, covering
//! every column a rule about one placement tests, so that judging a day's
//! placements reads index entries and no table rows:
//!
//! - `apprenticeships_rules`: by status and dates, for the whole county
//!   (it replaces `apprenticeships_status_start`, which it begins with);
//! - `apprenticeships_enterprise_dates` and `apprenticeships_school_dates`:
//!   one organisation's, by status and dates, now with the same columns
//!   after them (a list's `total` still counts from their first columns).

use sea_orm_migration::prelude::*;

use crate::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The status and dates every one of these indexes is searched by.
const JUDGED: [&str; 3] = ["status", "start_date", "end_date"];

/// What the rules test, after the columns an index is searched by.
const TESTED: [&str; 9] = [
    "kind",
    "position_key",
    "monthly_stipend_fen",
    "night_shift",
    "hazardous",
    "insurance_expires_on",
    "first_year_until",
    "birth_date",
    "id",
];

/// One covering index and the index it replaces.
struct Replacement {
    /// The new index's suffix.
    suffix: &'static str,
    /// The columns before the status and dates.
    leading: &'static [&'static str],
    /// The columns between the dates and what the rules test.
    between: &'static [&'static str],
    /// The replaced index's suffix and columns.
    old: (&'static str, &'static [&'static str]),
}

const REPLACEMENTS: [Replacement; 3] = [
    Replacement {
        suffix: "rules",
        leading: &[],
        between: &["enterprise_id", "school_id"],
        old: ("status_start", &["status", "start_date"]),
    },
    Replacement {
        suffix: "enterprise_dates",
        leading: &["enterprise_id"],
        between: &["school_id"],
        old: (
            "enterprise_dates",
            &["enterprise_id", "status", "start_date", "end_date"],
        ),
    },
    Replacement {
        suffix: "school_dates",
        leading: &["school_id"],
        between: &["enterprise_id"],
        old: ("school_dates", &["school_id", "status", "start_date", "end_date"]),
    },
];

fn table() -> Alias {
    Alias::new("apprenticeships")
}

fn create(suffix: &str, columns: impl IntoIterator<Item = &'static str>) -> IndexCreateStatement {
    let columns: Vec<Alias> = columns.into_iter().map(Alias::new).collect();
    index(table(), suffix, &columns)
}

fn drop(suffix: &str) -> IndexDropStatement {
    Index::drop()
        .name(format!("apprenticeships_{suffix}"))
        .table(table())
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for Replacement {
            suffix,
            leading,
            between,
            old: (old, _),
        } in REPLACEMENTS
        {
            manager.drop_index(drop(old)).await?;
            let columns = leading.iter().chain(&JUDGED).chain(between).chain(&TESTED).copied();
            manager.create_index(create(suffix, columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for Replacement {
            suffix,
            old: (old, columns),
            ..
        } in REPLACEMENTS
        {
            manager.drop_index(drop(suffix)).await?;
            manager.create_index(create(old, columns.iter().copied())).await?;
        }
        Ok(())
    }
}
