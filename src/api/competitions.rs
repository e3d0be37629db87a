//! `/api/v1/competitions`: skills competitions (技能大比武) and their entries.

use super::collection::{collection, Docs};
use super::crud::{self};
use crate::model::competition::CompetitionFields;

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "competitions",
    singular: "competition",
    list: "List skills competitions.",
    list_detail: "Every role reads them. Filters combine with AND; `q` searches the name and the skill; `enterprise_id` / `school_id` match a competition the organisation hosted or has an entry in.",
    page: "One page of competitions",
    create: "Create a competition (admin and officer). Every enterprise, school, placement and base it names must exist (422 naming the field, e.g. `entries[2].school_id`); its entries get server-made ids. Entries carry names only: an ID number or a phone is an unknown field (422).",
    get: "Read a competition.",
    one: "The competition",
    update: "Change a competition (JSON merge patch; admin and officer).",
    update_detail: "`entries` sent replaces the list: an entry carrying its `id` keeps it (and its fields are those sent), an entry without one is created, an entry left out is deleted. `version` grows only when something changed.",
    delete: "Delete a competition with its entries (admin and officer).",
    id: "The competition's id",
    conflict: "The competition conflicts with another record",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<CompetitionFields>(&DOCS);
    cfg.service(crud::scope::<CompetitionFields>().service(records).service(record));
}
