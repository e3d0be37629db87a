//! Incidents: their table, the placement they name (whose organisations
//! they copy), the days that must be in order, and the `open` filter.

use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, QueryFilter, Select};

use super::list::Keyset;
use super::placement_records::{not_after_today, placement_hooks};
use super::resource::Stored;
use super::store;
use crate::auth::policy::{Policy, INCIDENTS};
use crate::domain::search::search_text;
use crate::entity::incident;
use crate::error::{ApiError, FieldError};
use crate::model::field::TextRule;
use crate::model::incident::{IncidentFields, IncidentFilters, IncidentSort};

impl Keyset for incident::Entity {
    type Sort = IncidentSort;
}

impl Stored for IncidentFields {
    type Table = incident::Entity;
    const POLICY: &'static Policy = &INCIDENTS;
    placement_hooks!();

    fn complete_row(&self, row: &mut incident::ActiveModel) {
        row.search_text = Set(search_text([
            Some(self.description.as_str()),
            self.insurance_claim_no.as_ref().map(|n| n.as_str()),
        ]));
    }

    /// `occurred_on` is not after today, `resolved_on` not before it (422 naming each).
    fn check(&self) -> Result<(), ApiError> {
        let mut errors: Vec<FieldError> = not_after_today("occurred_on", self.occurred_on).into_iter().collect();
        if self.resolved_on.is_some_and(|resolved| resolved < self.occurred_on) {
            errors.push(FieldError::new(
                "resolved_on",
                "range",
                "must not be before occurred_on",
            ));
        }
        store::invalid_unless_empty(errors)
    }

    /// `open`: `true` keeps the incidents without `resolved_on`, `false` those with one.
    fn custom_filters(filters: &IncidentFilters, select: Select<incident::Entity>) -> Select<incident::Entity> {
        match filters.open {
            Some(true) => select.filter(incident::Column::ResolvedOn.is_null()),
            Some(false) => select.filter(incident::Column::ResolvedOn.is_not_null()),
            None => select,
        }
    }
}
