//! `/api/v1/bases`: the alliance's training bases (产教融合基地, 厂中校, 校中厂).

use super::collection::{collection, Docs};
use super::crud;
use crate::model::base::BaseFields;

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "bases",
    singular: "base",
    list: "List training bases.",
    list_detail: "Every role reads them. Filters combine with AND; `q` searches the name; `enterprise_id` is the host, `school_id` the partner school.",
    page: "One page of training bases",
    create: "Create a training base (admin and officer). A host `enterprise_id` is required unless `kind` is `school_factory`; a partner `school_id` for `factory_school` and `school_factory`.",
    get: "Read a training base.",
    one: "The training base",
    update: "Change a training base (JSON merge patch).",
    update_detail: "Admins and officers change any base; the users of its host enterprise or partner school change that base, but not its `kind`, `enterprise_id` or `school_id` (403 naming the field); another organisation's base is a 403. A patch requires no field; the base it leaves must still have the parties its kind needs (422 naming the one it lacks). `version` grows only when something changed.",
    delete: "Delete a training base (admin and officer): one that placements or competitions name is kept (409).",
    id: "The base's id",
    conflict: "Other records still name the base",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<BaseFields>(&DOCS);
    cfg.service(crud::scope::<BaseFields>().service(records).service(record));
}
