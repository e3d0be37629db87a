//! The one error type of the API and its RFC 9457 `application/problem+json`
//! form. Database errors are mapped here, once.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"field": "contact_phone", "code": "phone", "message": "must be a mainland mobile or landline number"}))]
pub struct FieldError {
    /// The field, as a dotted path for nested fields (`majors[0].name`), or a
    /// query parameter's name.
    pub field: String,
    /// A machine-readable reason: `required`, `type`, `unknown_field`,
    /// `length`, `range`, `enum`, `format`, `checksum`, `phone`, `email`,
    /// `duplicate`, `not_found`, `forbidden`, `invalid`.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document: the body of every 4xx and 5xx response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:chanjiao:problem:validation-error",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "the request body has invalid fields",
    "errors": [{"field": "credit_code", "code": "checksum", "message": "not a valid Unified Social Credit Code"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem: `about:blank` when the status says
    /// it all, otherwise `urn:chanjiao:problem:<kind>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a human reader.
    pub detail: String,
    /// The fields at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// On the token endpoint: the RFC 6749 error code (`invalid_grant`,
    /// `invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_request`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Problem {
    /// A problem of `problem_type` with the status phrase as its title.
    pub fn new(status: StatusCode, problem_type: &str, detail: impl Into<String>) -> Self {
        Self {
            problem_type: problem_type.to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            error: None,
        }
    }

    /// The problem as an HTTP response with the problem media type.
    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_default();
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .body(body)
    }
}

/// Every way an API call can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: malformed JSON, a bad query parameter, a tampered cursor.
    #[error("{detail}")]
    BadRequest {
        /// What is wrong.
        detail: String,
        /// The parameters at fault.
        errors: Vec<FieldError>,
    },
    /// 401: no bearer token, or one that is invalid, expired or of a disabled user.
    #[error("{detail}")]
    Unauthorized {
        /// What is wrong.
        detail: String,
        /// Whether a token was presented (and refused).
        invalid_token: bool,
    },
    /// 403: the caller's role or organisation forbids this.
    #[error("{detail}")]
    Forbidden {
        /// What is forbidden.
        detail: String,
        /// Fields this role may not set.
        errors: Vec<FieldError>,
    },
    /// 404: no such record (or route, or a path id that is not a UUID).
    #[error("not found")]
    NotFound,
    /// 409: a duplicate unique value, an illegal state change, a record still referenced.
    #[error("{detail}")]
    Conflict {
        /// What conflicts.
        detail: String,
        /// The fields involved.
        errors: Vec<FieldError>,
    },
    /// 412: `If-Match` named a version that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 413: the body is larger than the configured limit.
    #[error("body larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 415: the body is not `application/json`.
    #[error("unsupported media type")]
    UnsupportedMediaType {
        /// The media types this operation accepts.
        accepted: &'static str,
    },
    /// 422: well-formed JSON with invalid or unknown fields.
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    /// 429: too many failed logins; try again after `retry_after` seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a new attempt can succeed.
        retry_after: u64,
    },
    /// An error of the token endpoint, with its RFC 6749 `error` code.
    #[error("{detail}")]
    OAuth {
        /// 400, or 401 for `invalid_client`.
        status: u16,
        /// The RFC 6749 error code.
        error: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// 503: a dependency (the database) does not answer.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a fault of the service; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 400 naming one query parameter.
    pub fn bad_parameter(field: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("invalid query parameter `{field}`: {message}"),
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    /// A 422 naming one field.
    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A 403 for a role or ownership that forbids the operation.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::Forbidden {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A token endpoint error with status 400.
    pub fn oauth(error: &'static str, detail: impl Into<String>) -> Self {
        ApiError::OAuth {
            status: if error == "invalid_client" { 401 } else { 400 },
            error,
            detail: detail.into(),
        }
    }

    /// A 409 for a unique value that another record already has.
    pub fn duplicate(field: &str) -> Self {
        ApiError::Conflict {
            detail: format!("another record already has this `{field}`"),
            errors: vec![FieldError::new(field, "duplicate", "already taken by another record")],
        }
    }

    /// Maps a database error, turning a unique-constraint violation on one of
    /// `unique_fields` into a 409 naming that field.
    pub fn from_db(err: DbErr, unique_fields: &[&str]) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() {
            // Longest name first, so that `credit_code` wins over `code`.
            let mut fields = unique_fields.to_vec();
            fields.sort_by_key(|f| std::cmp::Reverse(f.len()));
            if let Some(field) = fields.iter().find(|f| message.contains(*f)) {
                return ApiError::duplicate(field);
            }
            return ApiError::Conflict {
                detail: "a unique value is already taken".to_string(),
                errors: Vec::new(),
            };
        }
        // SQLite reports an ON DELETE RESTRICT violation with the trigger
        // constraint code (1811), which SeaORM does not classify.
        let sqlite_restrict = err.to_string().contains("FOREIGN KEY constraint failed");
        if sqlite_restrict || matches!(err.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) {
            return ApiError::Conflict {
                detail: "other records still reference this record".to_string(),
                errors: Vec::new(),
            };
        }
        ApiError::Internal(err.into())
    }

    fn problem(&self) -> Problem {
        let status = self.status_code();
        match self {
            ApiError::BadRequest { detail, errors } => {
                let mut p = Problem::new(status, "urn:chanjiao:problem:bad-request", detail.clone());
                p.errors = (!errors.is_empty()).then(|| errors.clone());
                p
            }
            ApiError::Unauthorized { detail, .. } => Problem::new(status, "about:blank", detail.clone()),
            ApiError::Forbidden { detail, errors } => {
                let mut p = Problem::new(status, "urn:chanjiao:problem:forbidden", detail.clone());
                p.errors = (!errors.is_empty()).then(|| errors.clone());
                p
            }
            ApiError::TooManyRequests { retry_after } => Problem::new(
                status,
                "about:blank",
                format!("too many failed logins; try again in {retry_after} seconds"),
            ),
            ApiError::OAuth { error, detail, .. } => {
                let mut p = Problem::new(status, "urn:chanjiao:problem:oauth", detail.clone());
                p.error = Some(error.to_string());
                p
            }
            ApiError::NotFound => Problem::new(status, "about:blank", "no such resource"),
            ApiError::Conflict { detail, errors } => {
                let mut p = Problem::new(status, "urn:chanjiao:problem:conflict", detail.clone());
                p.errors = (!errors.is_empty()).then(|| errors.clone());
                p
            }
            ApiError::PreconditionFailed => Problem::new(
                status,
                "about:blank",
                "the record changed since the version named in If-Match; read it again",
            ),
            ApiError::PayloadTooLarge { limit } => Problem::new(
                status,
                "about:blank",
                format!("the request body is larger than {limit} bytes"),
            ),
            ApiError::UnsupportedMediaType { accepted } => Problem::new(
                status,
                "about:blank",
                format!("the request body must be sent as {accepted}"),
            ),
            ApiError::Validation(errors) => {
                let mut p = Problem::new(
                    status,
                    "urn:chanjiao:problem:validation-error",
                    "the request body has invalid fields",
                );
                p.errors = Some(errors.clone());
                p
            }
            ApiError::Unavailable(detail) => Problem::new(status, "about:blank", detail.clone()),
            ApiError::Internal(_) => Problem::new(
                status,
                "about:blank",
                "the service failed to answer; the fault is logged",
            ),
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        ApiError::from_db(err, &[])
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::OAuth { status, .. } => StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST),
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut response = self.problem().into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized { invalid_token, .. } => {
                let challenge = if *invalid_token {
                    r#"Bearer realm="chanjiao", error="invalid_token""#
                } else {
                    r#"Bearer realm="chanjiao""#
                };
                headers.insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static(challenge));
            }
            ApiError::OAuth { status: 401, .. } => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static(r#"Basic realm="chanjiao""#),
                );
            }
            ApiError::TooManyRequests { retry_after } => {
                if let Ok(value) = header::HeaderValue::from_str(&retry_after.to_string()) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            _ => {}
        }
        response
    }
}
