//! The OpenAPI 3.1 document, served at `/api-docs/openapi.json` and
//! committed as `openapi/openapi.json`.

use utoipa::OpenApi;

use super::{enterprises, platform, schools};
use crate::error::{FieldError, Problem};

/// The OpenAPI document of the whole service.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "chanjiao",
        description = "The HTTP API of a county's industry–education integration alliance (产教融合发展联盟): \
its enterprises and schools, placements and apprenticeships, and meetings.\n\n\
Conventions: JSON in `snake_case`; ids are UUIDv7; times are RFC 3339 UTC; every record carries `version` \
and answers with `ETag: \"<version>\"`; PATCH is a JSON merge patch and honours `If-Match`; lists page by \
an opaque `cursor`; every error is `application/problem+json` (RFC 9457).",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        enterprises::list_enterprises,
        enterprises::create_enterprise,
        enterprises::get_enterprise,
        enterprises::update_enterprise,
        enterprises::delete_enterprise,
        schools::list_schools,
        schools::create_school,
        schools::get_school,
        schools::update_school,
        schools::delete_school,
        platform::healthz,
        platform::readyz,
        platform::metrics,
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "enterprises", description = "Enterprises of the county: member units and partners"),
        (name = "schools", description = "Vocational schools and other places of learning"),
        (name = "platform", description = "Health, readiness and metrics, outside /api/v1"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON, as `chanjiao openapi` prints it.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
