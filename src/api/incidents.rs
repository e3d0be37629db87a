//! `/api/v1/incidents`: what went wrong during placements.

use super::collection::{collection, Docs};
use super::crud;
use crate::model::incident::IncidentFields;

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "incidents",
    singular: "incident",
    list: "List incidents.",
    list_detail: "Whoever reads a placement reads its incidents: an admin and an officer all of them, a school user its own school's placements', an enterprise user those of the placements it hosts; a viewer none (403). Filters combine with AND; `school_id` and `enterprise_id` are the placement's; `open=true` keeps those without `resolved_on`, `open=false` the resolved ones; `occurred_from` and `occurred_to` are inclusive; `q` searches the description and the insurance claim number.",
    page: "One page of incidents",
    create: "Record an incident (admin; a school user for a placement of its own school; an enterprise user for one it hosts: another's placement is a 403 naming `apprenticeship_id`). `school_id` and `enterprise_id` are copied from the placement; `occurred_on` may not be after today, `resolved_on` not before `occurred_on` (422).",
    get: "Read an incident.",
    one: "The incident",
    update: "Change an incident (JSON merge patch).",
    update_detail: "An admin changes any incident; a school user its own school's placements', an enterprise user those of the placements it hosts (to record the report to the bureau, the claim, the resolution). `apprenticeship_id` is set on create only, and `school_id` and `enterprise_id` follow the placement (422 for each in a patch). `version` grows only when something changed, and when the placement moves to another school or enterprise.",
    delete: "Delete an incident (admin only: an incident is a record of fact).",
    id: "The incident's id",
    conflict: "The placement moved to another organisation while the incident was written",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<IncidentFields>(&DOCS);
    cfg.service(crud::scope::<IncidentFields>().service(records).service(record));
}
