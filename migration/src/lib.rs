//! Database migrations of chanjiao, run at start-up and by `chanjiao migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_directory;
mod m20261129_000002_identity;
mod m20261201_000003_apprenticeships;
mod m20261201_000004_record_counts;
mod m20261201_000005_search_index_updates;
mod m20261201_000006_placement_scope_indexes;
mod m20261201_000007_meetings;
mod m20261201_000008_directory_totals;
mod m20261201_000009_table_changes;
mod m20261201_000010_apprenticeship_changes;
mod m20261202_000011_login_failures;
mod m20261202_000012_idempotency_keys;
mod m20261202_000013_major_folding;
mod m20261203_000014_demands;
mod m20261203_000015_bases;
mod m20261203_000016_competitions;
mod m20261203_000017_folded_major_names;
mod m20261205_000018_change_log;
mod m20261205_000019_webhooks;
mod m20261207_000020_compliance_fields;
mod m20261207_000021_transfers;
mod m20261207_000022_visits_incidents;
mod m20261207_000023_compliance_settings;
mod m20261207_000024_compliance_rules;
mod m20261207_000025_compliance_indexes;
mod m20261207_000026_participants;
mod m20261208_000027_check_ins;
mod m20261208_000028_journal_reviews;
mod util;

pub use m20261202_000013_major_folding::fold;
pub use util::FEED_LOCK;

/// Applies chanjiao's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_directory::Migration),
            Box::new(m20261129_000002_identity::Migration),
            Box::new(m20261201_000003_apprenticeships::Migration),
            Box::new(m20261201_000004_record_counts::Migration),
            Box::new(m20261201_000005_search_index_updates::Migration),
            Box::new(m20261201_000006_placement_scope_indexes::Migration),
            Box::new(m20261201_000007_meetings::Migration),
            Box::new(m20261201_000008_directory_totals::Migration),
            Box::new(m20261201_000009_table_changes::Migration),
            Box::new(m20261201_000010_apprenticeship_changes::Migration),
            Box::new(m20261202_000011_login_failures::Migration),
            Box::new(m20261202_000012_idempotency_keys::Migration),
            Box::new(m20261202_000013_major_folding::Migration),
            Box::new(m20261203_000014_demands::Migration),
            Box::new(m20261203_000015_bases::Migration),
            Box::new(m20261203_000016_competitions::Migration),
            Box::new(m20261203_000017_folded_major_names::Migration),
            Box::new(m20261205_000018_change_log::Migration),
            Box::new(m20261205_000019_webhooks::Migration),
            Box::new(m20261207_000020_compliance_fields::Migration),
            Box::new(m20261207_000021_transfers::Migration),
            Box::new(m20261207_000022_visits_incidents::Migration),
            Box::new(m20261207_000023_compliance_settings::Migration),
            Box::new(m20261207_000024_compliance_rules::Migration),
            Box::new(m20261207_000025_compliance_indexes::Migration),
            Box::new(m20261207_000026_participants::Migration),
            Box::new(m20261208_000027_check_ins::Migration),
            Box::new(m20261208_000028_journal_reviews::Migration),
        ]
    }
}
