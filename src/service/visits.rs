//! Supervision visits: their table, the placement they name (whose
//! organisations they copy) and the day that is not after today.

use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::list::Keyset;
use super::placement_records::{check_placement, copy_owners, not_after_today, PLACEMENT_FIELD};
use super::resource::Stored;
use super::store;
use crate::auth::policy::{Policy, VISITS};
use crate::domain::search::search_text;
use crate::entity::visit;
use crate::error::ApiError;
use crate::model::field::TextRule;
use crate::model::visit::{VisitFields, VisitSort};

impl Keyset for visit::Entity {
    type Sort = VisitSort;
}

impl Stored for VisitFields {
    type Table = visit::Entity;
    const POLICY: &'static Policy = &VISITS;
    const OWNERS_NAMED_BY: Option<&'static str> = Some(PLACEMENT_FIELD);

    fn complete_row(&self, row: &mut visit::ActiveModel) {
        row.search_text = Set(search_text([
            Some(self.visitor_name.as_str()),
            self.findings.as_ref().map(|f| f.as_str()),
        ]));
    }

    /// The placement's school and enterprise (422 when it names none).
    async fn derive(&mut self, db: &DatabaseConnection) -> Result<(), ApiError> {
        copy_owners(self, db).await
    }

    /// `visited_on` is not after today (422).
    fn check(&self) -> Result<(), ApiError> {
        store::invalid_unless_empty(not_after_today("visited_on", self.visited_on).into_iter().collect())
    }

    /// The placement exists and still belongs to the organisations copied.
    async fn check_references(&self, db: &DatabaseTransaction) -> Result<(), ApiError> {
        check_placement(self, db).await
    }
}
