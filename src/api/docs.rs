//! The OpenAPI 3.1 document, served at `/api-docs/openapi.json` and
//! committed as `openapi/openapi.json`.
//!
//! The paths are collected from the handlers as they are registered
//! (`utoipa-actix-web`), so a route cannot be served without being
//! documented. What every operation of a kind shares is added here by rule,
//! from responses declared once in `components/responses`: every `/api/v1`
//! operation takes a bearer token unless it declares `security(())`, and
//! then may answer 401 and 403; a body may be malformed (400), too large
//! (413), of the wrong type (415) or invalid (422); a record path may name
//! no record (404); an `If-Match` may be stale (412); a list's parameters
//! may be bad (400); every `POST` takes an `Idempotency-Key` (400 when it is
//! malformed, 422 when it is sent again with another request, 409 while
//! the first request with it runs).

use actix_web::App;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{
    Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{ApiError, FieldError, Problem, PROBLEM_JSON};

/// The document's frame: its description, tags, security schemes and the
/// problem types; the paths come from the registered handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "chanjiao",
        description = "The HTTP API of a county's industry–education integration alliance (产教融合发展联盟): \
the directory of its enterprises and schools, placements (internships, apprenticeships, order classes, teachers' practice, worker training), \
meetings and their action items, the alliance's demands, bases and competitions, supervision visits and incidents, user accounts, tokens and the audit trail; \
the change feed and webhooks for integrators that keep a copy.\n\n\
## Authorize\n\n\
Every `/api/v1` operation but the token endpoint needs an access token. In Swagger UI press *Authorize* and either \
fill in **oauth2 (password)** with a username and password (Swagger UI then calls `POST /api/v1/auth/token` for you; \
leave the client fields empty), or paste an access token you already have into **bearer** (the token alone, without `Bearer `). \
Outside Swagger UI: `POST /api/v1/auth/token` with `grant_type=password&username=…&password=…` and send \
`Authorization: Bearer <access_token>`; it lasts 15 minutes, the refresh token renews it.\n\n\
## Conventions\n\n\
JSON in `snake_case`; ids are UUIDv7; times are RFC 3339 UTC; every record carries `version` \
and answers with `ETag`, its version in double quotes (`\"3\"`); PATCH is a JSON merge patch and honours `If-Match`; lists page by \
an opaque `cursor`; every error is `application/problem+json` (RFC 9457), and a 422 names every invalid field at once. \
Every answer carries `X-Request-Id`; quote it when you report a problem. Chinese in a query string must be percent-encoded.",
        contact(name = "chanjiao maintainers", url = "https://github.com/chanjiao/chanjiao"),
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    servers((url = "/", description = "This service")),
    modifiers(&SecuritySchemes),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Tokens: log in, refresh, revoke; your own account and password"),
        (name = "enterprises", description = "Enterprises of the county: member units and partners"),
        (name = "schools", description = "Vocational schools and other places of learning"),
        (name = "apprenticeships", description = "Placements: internships, apprenticeships, order classes, teachers' practice, worker training; their transitions, history and evaluations"),
        (name = "meetings", description = "The alliance's meetings: attendees, agenda, decisions and action items; the action items of every meeting"),
        (name = "demands", description = "What enterprises asked of the alliance (需求清单), and the schools that could answer each"),
        (name = "bases", description = "Training bases: innovation service, skills training and research bases, factory-schools (厂中校) and school-factories (校中厂)"),
        (name = "competitions", description = "Skills competitions (技能大比武) and their entries"),
        (name = "visits", description = "Supervision visits (巡查, 走访) to placements: read by whoever reads the placement"),
        (name = "incidents", description = "Incidents during placements (injuries, illnesses, disputes, absences…), their reports and resolutions: read by whoever reads the placement"),
        (name = "journals", description = "Participants' weekly journals (实习周记): written and changed by the placement's participant, reviewed once per submission by the host enterprise and the owning school, read by whoever reads the placement"),
        (name = "check-ins", description = "Participants' check-ins at the workplace (签到, 签退): made by the placement's participant, read by whoever reads the placement (coordinates by the participant, the owning school and admins); the placements without a check-in on a day"),
        (name = "compliance", description = "Placements against the internship rules (职业学校学生实习管理规定): the county's settings of the rules"),
        (name = "stats", description = "The statistics overview (every role) and teachers' enterprise practice (admin, officer, a school for its own teachers)"),
        (name = "users", description = "User accounts (admin only)"),
        (name = "audit", description = "The audit trail (admin and officer)"),
        (name = "changes", description = "The change feed: every create, update and delete in commit order, for integrators to sync from (every role, scoped to what it may read)"),
        (name = "webhooks", description = "Webhooks: the change feed pushed to an integrator's URL, signed; their delivery logs (admin only)"),
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

/// A response many operations share, declared once, with an example body
/// made by the same error the service answers with (its status too).
struct Shared {
    name: &'static str,
    description: &'static str,
    example: fn() -> ApiError,
}

/// The responses many operations share.
const SHARED: &[Shared] = &[
    Shared {
        name: "BadRequest",
        description: "Malformed JSON, or a bad query parameter or cursor (`errors` names it)",
        example: || ApiError::bad_parameter("limit", "range", "must be an integer from 1 to 100"),
    },
    Shared {
        name: "Unauthorized",
        description:
            "No valid access token (`WWW-Authenticate: Bearer`, with `error=\"invalid_token\"` when one was sent)",
        example: || ApiError::Unauthorized {
            detail: "the access token is invalid or expired".into(),
            invalid_token: true,
        },
    },
    Shared {
        name: "Forbidden",
        description: "Your role or organisation may not do this (`errors` names fields it may not change)",
        example: || ApiError::Forbidden {
            detail: "an enterprise user may not change these fields".into(),
            errors: vec![FieldError::new(
                "membership_status",
                "forbidden",
                "only an admin or officer sets it",
            )],
        },
    },
    Shared {
        name: "NotFound",
        description: "No such record (or one you may not see)",
        example: || ApiError::NotFound,
    },
    Shared {
        name: "PreconditionFailed",
        description: "If-Match names a version that is no longer current",
        example: || ApiError::PreconditionFailed,
    },
    Shared {
        name: "PayloadTooLarge",
        description: "The body is larger than CHANJIAO_MAX_BODY_BYTES",
        example: || ApiError::PayloadTooLarge { limit: 2_097_152 },
    },
    Shared {
        name: "UnsupportedMediaType",
        description: "The body is not sent as JSON",
        example: || ApiError::UnsupportedMediaType {
            accepted: "application/json or application/merge-patch+json",
        },
    },
    Shared {
        name: "RateLimited",
        description: "The caller's request budget (CHANJIAO_RATE_LIMIT, when set) is spent; see Retry-After",
        example: || ApiError::RateLimited { retry_after: 12 },
    },
    Shared {
        name: "IdempotencyKeyInUse",
        description: "The first request with this Idempotency-Key is still being answered; retry later",
        example: super::idempotency::key_in_use,
    },
    Shared {
        name: "ValidationFailed",
        description: "Invalid, unknown or read-only fields: `errors` names every one at once",
        example: || {
            ApiError::Validation(vec![
                FieldError::new("contact_phone", "phone", "not a mainland mobile or landline number"),
                FieldError::new("credit_code", "checksum", "not a valid Unified Social Credit Code"),
                FieldError::new("name", "required", "is required"),
            ])
        },
    },
];

/// A list that exports (it takes `format`): its 200 also answers `text/csv`
/// and XLSX, and its description says how.
fn offer_spreadsheets(operation: &mut Operation) {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let note = "With `Accept: text/csv` or `format=csv`: the whole list (every page, with the same filters, \
                sort, scope and masking) as one CSV file, UTF-8 with a byte-order mark, streamed; a text that a \
                spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab or carriage return) \
                is written after a `'`. With `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` \
                or `format=xlsx`: the same as an Excel workbook (numbers as number cells; at most 1,048,575 \
                records, else 400), sent once the whole list is read. Columns are headed in Chinese and English \
                (`名称 name`); an import reads the same columns.";
    operation.description = Some(match operation.description.take() {
        Some(text) if !text.is_empty() => format!("{text}\n\n{note}"),
        _ => note.to_string(),
    });
    if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
        ok.content.insert(
            crate::api::export::CSV.to_string(),
            RefOr::T(
                ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .example(Some(serde_json::json!(
                        "\u{feff}编号 id,名称 name,…\r\n01a2383d-6f18-7168-8aed-d7e2ce2c7536,辰泰重钢有限公司,…\r\n"
                    )))
                    .build(),
            ),
        );
        ok.content.insert(
            crate::api::export::XLSX.to_string(),
            RefOr::T(
                ContentBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .content_media_type(crate::api::export::XLSX),
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds a shared response to an operation that does not describe that status itself.
fn share(operation: &mut Operation, name: &str) {
    if let Some(shared) = SHARED.iter().find(|s| s.name == name) {
        let status = (shared.example)().status();
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// The `Idempotency-Key` header every `POST` takes.
fn idempotency_key() -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "1–255 printable ASCII characters. The same key from the same caller within 24 hours answers \
             what the first request answered (status, body, `Location`, `ETag`) with \
             `Idempotent-Replayed: true`, and does nothing again; the same key with another request → 422; \
             while the first request with it runs → 409. Kept in the database, so every replica sees it. \
             The token endpoint and revocation take it and keep nothing (their answers are secrets).",
        ))
        .schema(Some(crate::model::doc::string(
            Some(1),
            Some(crate::api::idempotency::MAX_KEY_LEN),
            Some("^[\\x20-\\x7E]+$"),
            None,
        )))
        .build()
}

/// States in `UserCreate` which organisation each role names: one branch
/// per role, from [`ORGANISATION_FIELDS`](crate::model::user::ORGANISATION_FIELDS)
/// (the rule the service checks).
fn pair_roles_with_organisations(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::schema::{AllOfBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    use utoipa::openapi::Schema;
    let Some(create) = components.schemas.remove("UserCreate") else {
        return;
    };
    let mut branches = OneOfBuilder::new();
    for role in crate::domain::vocab::Role::ALL {
        let mut branch = ObjectBuilder::new().property(
            "role",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([role.as_str()])),
        );
        for (field, owner) in crate::model::user::ORGANISATION_FIELDS {
            branch = if owner == *role {
                branch
                    .property(
                        field,
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
                    )
                    .required(field)
            } else {
                branch.property(field, ObjectBuilder::new().schema_type(Type::Null))
            };
        }
        branches = branches.item(branch);
    }
    let paired: Schema = AllOfBuilder::new().item(create).item(branches).into();
    components.schemas.insert("UserCreate".to_string(), RefOr::T(paired));
}

/// Applies the document's rules (see the module documentation) to a
/// document whose paths were collected from the handlers.
fn finish(mut openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let components = openapi.components.get_or_insert_with(Default::default);
    pair_roles_with_organisations(components);
    for shared in SHARED {
        let example = serde_json::to_value((shared.example)().problem()).ok();
        let response = ResponseBuilder::new()
            .description(shared.description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .example(example)
                    .build(),
            )
            .build();
        components.responses.insert(shared.name.to_string(), RefOr::T(response));
    }
    let protected = vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("oauth2", Vec::<String>::new()),
    ];
    for (path, item) in openapi.paths.paths.iter_mut() {
        let api = path.starts_with("/api/v1");
        if let Some(post) = item.post.as_mut().filter(|_| api) {
            post.parameters
                .get_or_insert_with(Vec::new)
                .push(RefOr::T(idempotency_key()));
            share(post, "IdempotencyKeyInUse");
            // A malformed Idempotency-Key, or one sent again with another
            // request, on a POST without a body too.
            share(post, "BadRequest");
            share(post, "ValidationFailed");
        }
        for operation in operations(item) {
            let open = operation
                .security
                .as_ref()
                .is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()));
            if open {
                operation.security = None;
            } else if api && operation.security.is_none() {
                operation.security = Some(protected.clone());
            }
            if api {
                share(operation, "RateLimited");
            }
            if operation.security.is_some() {
                share(operation, "Unauthorized");
                share(operation, "Forbidden");
            }
            if operation.request_body.is_some() {
                for name in [
                    "BadRequest",
                    "PayloadTooLarge",
                    "UnsupportedMediaType",
                    "ValidationFailed",
                ] {
                    share(operation, name);
                }
            }
            let parameters = serde_json::to_value(&operation.parameters).unwrap_or_default();
            let has = |name: &str| {
                parameters
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == name))
            };
            if let Some(parameters) = operation.parameters.as_mut() {
                let mut queried = false;
                for parameter in parameters.iter_mut() {
                    if let RefOr::T(parameter) = parameter {
                        if parameter.parameter_in == utoipa::openapi::path::ParameterIn::Query {
                            queried = true;
                            let accepts_empty = serde_json::to_value(&parameter.schema)
                                .is_ok_and(|s| s["pattern"].as_str().is_some_and(|p| p.ends_with(")?$")));
                            if !accepts_empty {
                                parameter.schema = parameter.schema.take().map(crate::model::doc::or_empty);
                            }
                        }
                    }
                }
                if queried {
                    share(operation, "BadRequest");
                }
            }
            if has("If-Match") {
                share(operation, "PreconditionFailed");
            }
            if has("format") {
                offer_spreadsheets(operation);
            }
            if api && path.contains("{id}") {
                share(operation, "NotFound");
            }
        }
    }
    openapi
}

/// Gives every record schema that has none an example that looks like a
/// stored record (Swagger UI shows `"string"` and `version: 0` otherwise):
/// its create example, with an id, version 1, times, and for each other
/// required field its own example, the first value of its enum, an empty
/// list, `false` or 0.
fn record_examples(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let value = |name: &str| {
        components
            .schemas
            .get(name)
            .and_then(|schema| serde_json::to_value(schema).ok())
            .unwrap_or_default()
    };
    let mut examples = Vec::new();
    for name in components.schemas.keys() {
        let record = value(name);
        let Some(created) = value(&format!("{name}Create")).get("example").cloned() else {
            continue;
        };
        if record.get("example").is_some() || !created.is_object() {
            continue;
        }
        let mut example = serde_json::json!({
            "id": "01a2383d-6f18-7168-8aed-d7e2ce2c7536",
            "version": 1,
            "created_at": "2024-04-03T08:00:00Z",
            "updated_at": "2024-04-03T08:00:00Z",
        });
        let Some(fields) = example.as_object_mut() else {
            continue;
        };
        fields.extend(
            created
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let properties = &record["properties"];
        fields.retain(|k, _| properties.get(k).is_some());
        for required in record["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str())
        {
            if fields.contains_key(required) {
                continue;
            }
            let property = &properties[required];
            let referred = property["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(value);
            let first = referred.as_ref().and_then(|r| r["enum"].get(0).cloned());
            let own = property.get("example").cloned();
            let default = match (own.or(first), property["type"].as_str()) {
                (Some(example), _) => example,
                (None, Some("array")) => serde_json::json!([]),
                (None, Some("boolean")) => serde_json::json!(false),
                (None, Some("integer")) => serde_json::json!(0),
                _ => continue,
            };
            fields.insert(required.to_string(), default);
        }
        examples.push((name.clone(), example));
    }
    for (name, example) in examples {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            object.example = Some(example);
        }
    }
}

/// Drops the schemas nothing refers to (a list's page inlines its items'
/// schema, so a type listed but never read alone is left over).
fn drop_unreferenced_schemas(openapi: &mut utoipa::openapi::OpenApi) {
    let text = serde_json::to_string(&*openapi).unwrap_or_default();
    if let Some(components) = openapi.components.as_mut() {
        components
            .schemas
            .retain(|name, _| text.contains(&format!("\"#/components/schemas/{name}\"")));
    }
}

/// The document of the service: the frame, the registered handlers' paths,
/// and the shared rules. The same function serves the running service and
/// `chanjiao openapi`.
pub fn document_of(collected: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut openapi = finish(collected);
    record_examples(&mut openapi);
    drop_unreferenced_schemas(&mut openapi);
    openapi
}

/// The document as the service builds it, without a server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, collected) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(super::routes)
        .split_for_parts();
    document_of(collected)
}

/// The document as pretty JSON, as `chanjiao openapi` prints it.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    openapi().to_pretty_json()
}
