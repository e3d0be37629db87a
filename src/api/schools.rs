//! `/api/v1/schools`: the schools of the county directory.

use super::collection::{collection, imports, Docs};
use super::crud::{self};
use crate::model::school::SchoolFields;

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "schools",
    singular: "school",
    list: "List schools.",
    list_detail: "Filters combine with AND. `q` searches the name and short name; `major` matches a major's code or name.",
    page: "One page of schools",
    create: "Create a school.",
    get: "Read a school.",
    one: "The school",
    update: "Change a school (JSON merge patch).",
    update_detail: "`version` grows only when something changed. A school user may change its own school, but not its `membership_status` or `code` (403).",
    delete: "Delete a school.",
    id: "The school's id",
    conflict: "Another school has this code",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<SchoolFields>(&DOCS);
    cfg.service(
        crud::scope::<SchoolFields>()
            .service(records)
            // Before `/{id}`, which would take `/imports` for an id.
            .service(imports::<SchoolFields>(&DOCS))
            .service(record),
    );
}
