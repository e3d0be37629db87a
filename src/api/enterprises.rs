//! `/api/v1/enterprises`: the enterprises of the county directory.

use crate::model::enterprise::{
    Enterprise, EnterpriseCreate, EnterpriseFields, EnterpriseFilters, EnterprisePatch, EnterpriseSort,
};

crate::crud_api! {
    collection: "enterprises",
    tag: "enterprises",
    resource: crate::domain::vocab::ResourceType::Enterprise,
    policy: crate::auth::policy::enterprises,
    service: crate::service::enterprises,
    types: { record: Enterprise, create: EnterpriseCreate, patch: EnterprisePatch, fields: EnterpriseFields, filters: EnterpriseFilters, sort: EnterpriseSort },
    handlers: { list: list_enterprises, create: create_enterprise, get: get_enterprise, update: update_enterprise, delete: delete_enterprise },
    more: [import_enterprises],
    docs: {
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
    }
}

crate::import_api!(
    import_enterprises,
    "enterprises",
    "enterprises",
    Enterprise,
    EnterpriseCreate,
    crate::auth::policy::enterprises,
    crate::service::enterprises
);
