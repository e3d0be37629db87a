//! Supervision visits: their table, the placement they name (whose
//! organisations they copy) and the day that is not after today.

use sea_orm::ActiveValue::Set;

use super::list::Keyset;
use super::placement_records::{not_after_today, placement_hooks};
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
    placement_hooks!();

    fn complete_row(&self, row: &mut visit::ActiveModel) {
        row.search_text = Set(search_text([
            Some(self.visitor_name.as_str()),
            self.findings.as_ref().map(|f| f.as_str()),
        ]));
    }

    /// `visited_on` is not after today (422).
    fn check(&self) -> Result<(), ApiError> {
        store::invalid_unless_empty(not_after_today("visited_on", self.visited_on).into_iter().collect())
    }
}
