//! `/api/v1/visits`: supervision visits to placements (巡查, 走访).

use super::collection::{collection, Docs};
use super::crud;
use crate::model::visit::VisitFields;

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "visits",
    singular: "visit",
    list: "List supervision visits.",
    list_detail: "Whoever reads a placement reads its visits: an admin and an officer all of them, a school user its own school's placements', an enterprise user those of the placements it hosts; a viewer none (403). Filters combine with AND; `school_id` and `enterprise_id` are the placement's; `visited_from` and `visited_to` are inclusive; `q` searches the visitor's name and the findings.",
    page: "One page of supervision visits",
    create: "Record a supervision visit (admin, or a school user for a placement of its own school: another school's placement is a 403 naming `apprenticeship_id`). `school_id` and `enterprise_id` are copied from the placement; `kind` is `on_site` when left out; `visited_on` may not be after today (422).",
    get: "Read a supervision visit.",
    one: "The supervision visit",
    update: "Change a supervision visit (JSON merge patch).",
    update_detail: "An admin changes any visit, a school user its own school's placements' visits. `apprenticeship_id` is set on create only, and `school_id` and `enterprise_id` follow the placement (422 for each in a patch). `version` grows only when something changed, and when the placement moves to another school or enterprise.",
    delete: "Delete a supervision visit (admin, or a school user for its own school's placements).",
    id: "The visit's id",
    conflict: "The placement moved to another organisation while the visit was written",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<VisitFields>(&DOCS);
    cfg.service(crud::scope::<VisitFields>().service(records).service(record));
}
