//! `/api/v1/enterprises`: the enterprises of the county directory.

use super::collection::{collection, imports, Docs};
use super::crud::{self};
use crate::model::enterprise::EnterpriseFields;

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "enterprises",
    singular: "enterprise",
    list: "List enterprises.",
    list_detail: "Filters combine with AND. `q` searches the name and short name.",
    page: "One page of enterprises",
    create: "Create an enterprise.",
    get: "Read an enterprise.",
    one: "The enterprise",
    update: "Change an enterprise (JSON merge patch).",
    update_detail: "`version` grows only when something changed. An enterprise user may change its own enterprise, but not its `membership_status` or `credit_code` (403).",
    delete: "Delete an enterprise.",
    id: "The enterprise's id",
    conflict: "Another enterprise has this credit code",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<EnterpriseFields>(&DOCS);
    cfg.service(
        crud::scope::<EnterpriseFields>()
            .service(records)
            // Before `/{id}`, which would take `/imports` for an id.
            .service(imports::<EnterpriseFields>(&DOCS))
            .service(record),
    );
}
