//! The OpenAPI 3.1 document, served at `/api-docs/openapi.json` and
//! committed as `openapi/openapi.json`.

use utoipa::openapi::security::{Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{audit, auth, enterprises, platform, schools, users};
use crate::error::{FieldError, Problem};

/// The OpenAPI document of the whole service.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "chanjiao",
        description = "The HTTP API of a county's industry–education integration alliance (产教融合发展联盟): \
the directory of its enterprises and schools, user accounts, tokens and the audit trail.\n\n\
Conventions: JSON in `snake_case`; ids are UUIDv7; times are RFC 3339 UTC; every record carries `version` \
and answers with `ETag: \"<version>\"`; PATCH is a JSON merge patch and honours `If-Match`; lists page by \
an opaque `cursor`; every error is `application/problem+json` (RFC 9457).",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    paths(
        auth::token,
        auth::revoke,
        auth::me,
        auth::change_password,
        auth::jwks,
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
        users::list_users,
        users::create_user,
        users::get_user,
        users::update_user,
        users::delete_user,
        users::reset_password,
        audit::list_audit_events,
        platform::healthz,
        platform::readyz,
        platform::metrics,
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Tokens: log in, refresh, revoke; your own account and password"),
        (name = "enterprises", description = "Enterprises of the county: member units and partners"),
        (name = "schools", description = "Vocational schools and other places of learning"),
        (name = "users", description = "User accounts (admin only)"),
        (name = "audit", description = "The audit trail (admin and officer)"),
        (name = "platform", description = "Health, readiness and metrics, outside /api/v1"),
    )
)]
pub struct ApiDoc;

/// Declares the two ways to send an access token: `bearer` (a JWT in the
/// `Authorization` header) and `oauth2` (the password flow on the token
/// endpoint, which Swagger UI's *Authorize* button uses).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(Password::new("/api/v1/auth/token", Scopes::new()))],
                "Log in with a username and password (the OAuth2 password flow)",
            )),
        );
    }
}

/// The document as pretty JSON, as `chanjiao openapi` prints it.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
