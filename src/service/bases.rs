//! Training bases: their table, the columns computed from their fields and
//! the parties each kind needs.

use sea_orm::ActiveValue::Set;
use sea_orm::DatabaseTransaction;

use super::list::{date_or_last, Keyset};
use super::resource::Stored;
use super::store;
use crate::auth::policy::{Policy, BASES};
use crate::domain::search::search_text;
use crate::entity::base;
use crate::error::{ApiError, FieldError};
use crate::model::base::{BaseFields, BaseSort};
use crate::model::field::TextRule;

impl Keyset for base::Entity {
    type Sort = BaseSort;
}

impl Stored for BaseFields {
    type Table = base::Entity;
    const POLICY: &'static Policy = &BASES;

    fn complete_row(&self, row: &mut base::ActiveModel) {
        row.established_on_key = Set(date_or_last(self.established_on));
        row.search_text = Set(search_text([Some(self.name.as_str())]));
    }

    /// The parties the kind needs: a host unless it is a `school_factory`,
    /// a partner school for `factory_school` and `school_factory` (422).
    fn check(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        let kind = self.kind.as_str();
        if self.kind.needs_host() && self.enterprise_id.is_none() {
            errors.push(FieldError::needed_for("enterprise_id", format_args!("kind `{kind}`")));
        }
        if self.kind.needs_school() && self.school_id.is_none() {
            errors.push(FieldError::needed_for("school_id", format_args!("kind `{kind}`")));
        }
        store::invalid_unless_empty(errors)
    }

    /// The host and the partner must exist (422 naming each that does not).
    async fn check_references(&self, db: &DatabaseTransaction) -> Result<(), ApiError> {
        store::check_ids(
            db,
            &store::named_by("enterprise_id", self.enterprise_id),
            &store::named_by("school_id", self.school_id),
        )
        .await
    }
}
