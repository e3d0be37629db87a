//! `/api/v1/schools`: the schools of the county directory.

use crate::model::school::{School, SchoolCreate, SchoolFields, SchoolFilters, SchoolPatch, SchoolSort};

crate::crud_api! {
    collection: "schools",
    tag: "schools",
    resource: crate::domain::vocab::ResourceType::School,
    policy: crate::auth::policy::schools,
    service: crate::service::schools,
    types: { record: School, create: SchoolCreate, patch: SchoolPatch, fields: SchoolFields, filters: SchoolFilters, sort: SchoolSort },
    handlers: { list: list_schools, create: create_school, get: get_school, update: update_school, delete: delete_school },
    more: [import_schools],
    docs: {
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
    }
}

crate::import_api!(
    import_schools,
    "schools",
    "schools",
    School,
    SchoolCreate,
    crate::auth::policy::schools,
    crate::service::schools
);
