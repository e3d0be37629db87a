//! The one error type of the API and its RFC 9457 `application/problem+json`
//! form (the HTTP layer sends it: `api::problem`). Database errors are mapped
//! here, once.

use sea_orm::{DbErr, RuntimeErr, SqlErr};
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
    /// An import's row, numbered as a spreadsheet does (the header is row 1);
    /// only in the answers of imports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// An import's column, as its header reads; only in the answers of imports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
            row: None,
            column: None,
        }
    }

    /// A field the record needs because of another field's value (`kind`,
    /// `role`): code `required`, with a message that says what needs it. It
    /// never says the field "is required": after a merge patch the record,
    /// not the body, lacks it (a patch requires nothing), and tools that read
    /// messages (Schemathesis) would take it for a field every body must carry.
    pub fn needed_for(field: impl Into<String>, what: impl std::fmt::Display) -> Self {
        Self::new(field, "required", format!("must have a value for {what}"))
    }

    /// The same error, placed in an import's row and column.
    pub fn at(self, row: u64, column: Option<String>) -> Self {
        Self {
            row: Some(row),
            column,
            ..self
        }
    }
}

/// How many problems of one code an import found in one column (all of
/// them, also those beyond the first 1,000 that `errors` lists).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"column": "统一社会信用代码 credit_code", "code": "checksum", "count": 1200}))]
pub struct ErrorCount {
    /// The column, as its header reads; absent for a problem of a whole row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The problems' code, as in `errors[]`.
    pub code: String,
    /// How many there are.
    pub count: u64,
}

/// An RFC 9457 problem document: the body of every 4xx and 5xx response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:chanjiao:problem:validation-error",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "the request body has invalid fields",
    "errors": [{"field": "credit_code", "code": "checksum", "message": "not a valid Unified Social Credit Code"}],
    "request_id": "01a2383d-6f18-7168-8aed-d7e2ce2c7536"
}))]
pub struct Problem {
    /// The kind of problem, and what to do about it:
    ///
    /// - `about:blank`: the status says it all (401 log in again or refresh
    ///   the token; 404 check the id; 405 see `Allow`; 408 send the body
    ///   faster; 412 read the record again and reapply your change; 413 send
    ///   less; 415 send JSON; 429 wait `Retry-After` seconds; 500 report it
    ///   with `request_id`; 503 retry after `Retry-After`, or another replica).
    /// - `urn:chanjiao:problem:bad-request`: malformed JSON, or a query
    ///   parameter or cursor the service cannot use; `errors` names it. Fix
    ///   it, or start the listing again without the cursor.
    /// - `urn:chanjiao:problem:validation-error`: fields that break the
    ///   rules; `errors` names every one with its code. Fix them all and send
    ///   again.
    /// - `urn:chanjiao:problem:forbidden`: your role or organisation may not
    ///   do this; `errors` names the fields you may not set. Leave them out,
    ///   or ask an officer or admin.
    /// - `urn:chanjiao:problem:password-change-required` (403): the user
    ///   must change its password first (`POST /auth/password`); until then
    ///   only `GET /auth/me` answers.
    /// - `urn:chanjiao:problem:conflict`: a duplicate unique value, a record
    ///   others still reference, a status change not allowed from the
    ///   current status, or an `Idempotency-Key` still in use. Read the
    ///   record, resolve, retry.
    /// - `urn:chanjiao:problem:oauth`: the token endpoint refused; `error`
    ///   carries the RFC 6749 code (`invalid_grant`: log in again).
    /// - `urn:chanjiao:problem:cors-refused`: a browser origin the service
    ///   does not list (`CHANJIAO_CORS_ORIGINS`) asked a preflight.
    /// - `urn:chanjiao:problem:storage-full` (503): the database has no room
    ///   left to store the change; nothing was stored. Retry after
    ///   `Retry-After` seconds (operators are alerted by `/readyz`).
    /// - `urn:chanjiao:problem:database-unavailable` (503): the database
    ///   could not be reached or did not answer in time. A write answered so
    ///   may or may not have been stored: retry after `Retry-After` seconds
    ///   with the same `Idempotency-Key`.
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
    /// On an import's 422 for bad rows: every problem counted per column
    /// and code (`errors` lists at most the first 1,000 of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_counts: Option<Vec<ErrorCount>>,
    /// On the token endpoint: the RFC 6749 error code (`invalid_grant`,
    /// `invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_request`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The request's id, as in the `X-Request-Id` response header: quote
    /// it when you report a problem, it finds the request in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// A problem of `problem_type` with the status phrase as its title.
    pub fn new(status: u16, problem_type: &str, detail: impl Into<String>) -> Self {
        Self {
            problem_type: problem_type.to_string(),
            title: reason_phrase(status).to_string(),
            status,
            detail: detail.into(),
            errors: None,
            error_counts: None,
            error: None,
            request_id: None,
        }
    }
}

/// The reason phrase of an HTTP status the API answers with.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
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
    /// 403: the caller must change its password before anything but
    /// `GET /auth/me` and `POST /auth/password`.
    #[error("change your password first")]
    PasswordChangeRequired,
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
    /// 410: the change feed no longer holds the position a client asked to read after.
    #[error("{0}")]
    Gone(String),
    /// 412: `If-Match` named a version that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 408: the body did not arrive within the read timeout.
    #[error("the request body did not arrive in time")]
    RequestTimeout {
        /// The timeout in seconds.
        seconds: f64,
    },
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
    /// 422: an import's file has bad rows (and nothing was written).
    #[error("invalid rows")]
    InvalidRows {
        /// The first problems, in the order of their rows.
        errors: Vec<FieldError>,
        /// Every problem, counted per column and code.
        counts: Vec<ErrorCount>,
    },
    /// 429: too many failed logins; try again after `retry_after` seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a new attempt can succeed.
        retry_after: u64,
    },
    /// 429: the caller's request budget is spent; try again after `retry_after` seconds.
    #[error("request budget spent")]
    RateLimited {
        /// Seconds until the next request fits the budget.
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
    /// 503: the database is full or out of reach; not the caller's fault,
    /// nor a fault of the service.
    #[error("{0}")]
    Outage(Outage),
    /// 503: work that runs at a bound (password hashing, imports) has no
    /// room for this request within its wait; try again after `retry_after` seconds.
    #[error("{detail}")]
    Busy {
        /// Seconds to wait before trying again.
        retry_after: u64,
        /// What is busy, for a human reader.
        detail: &'static str,
    },
    /// 500: a fault of the service; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// The same error again (for an error shared by several waiters): the
    /// same answer, and for a 500 its cause as text.
    pub fn copied(&self) -> ApiError {
        match self {
            ApiError::BadRequest { detail, errors } => ApiError::BadRequest {
                detail: detail.clone(),
                errors: errors.clone(),
            },
            ApiError::Unauthorized { detail, invalid_token } => ApiError::Unauthorized {
                detail: detail.clone(),
                invalid_token: *invalid_token,
            },
            ApiError::Forbidden { detail, errors } => ApiError::Forbidden {
                detail: detail.clone(),
                errors: errors.clone(),
            },
            ApiError::NotFound => ApiError::NotFound,
            ApiError::PasswordChangeRequired => ApiError::PasswordChangeRequired,
            ApiError::Conflict { detail, errors } => ApiError::Conflict {
                detail: detail.clone(),
                errors: errors.clone(),
            },
            ApiError::PreconditionFailed => ApiError::PreconditionFailed,
            ApiError::Gone(detail) => ApiError::Gone(detail.clone()),
            ApiError::PayloadTooLarge { limit } => ApiError::PayloadTooLarge { limit: *limit },
            ApiError::RequestTimeout { seconds } => ApiError::RequestTimeout { seconds: *seconds },
            ApiError::UnsupportedMediaType { accepted } => ApiError::UnsupportedMediaType { accepted },
            ApiError::Validation(errors) => ApiError::Validation(errors.clone()),
            ApiError::InvalidRows { errors, counts } => ApiError::InvalidRows {
                errors: errors.clone(),
                counts: counts.clone(),
            },
            ApiError::TooManyRequests { retry_after } => ApiError::TooManyRequests {
                retry_after: *retry_after,
            },
            ApiError::RateLimited { retry_after } => ApiError::RateLimited {
                retry_after: *retry_after,
            },
            ApiError::OAuth { status, error, detail } => ApiError::OAuth {
                status: *status,
                error,
                detail: detail.clone(),
            },
            ApiError::Unavailable(detail) => ApiError::Unavailable(detail.clone()),
            ApiError::Outage(outage) => ApiError::Outage(*outage),
            ApiError::Busy { retry_after, detail } => ApiError::Busy {
                retry_after: *retry_after,
                detail,
            },
            ApiError::Internal(cause) => match self.outage() {
                Some(outage) => ApiError::Outage(outage),
                None => ApiError::Internal(anyhow::anyhow!("{cause:#}")),
            },
        }
    }

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
        if let Some(outage) = Outage::of_db(&err) {
            return ApiError::Outage(outage);
        }
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
        // PostgreSQL: a deadlock or a serialization failure between two
        // writers; the one chosen to fail may retry.
        let code = statement_error(&err)
            .and_then(|e| e.as_database_error())
            .and_then(|db| db.code());
        if matches!(code.as_deref(), Some("40P01" | "40001")) {
            return ApiError::Conflict {
                detail: "a concurrent change conflicted with this one; send it again".to_string(),
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

    /// The database outage this error is, also when a 500's cause is one
    /// (a database error carried inside another error).
    pub fn outage(&self) -> Option<Outage> {
        match self {
            ApiError::Outage(outage) => Some(*outage),
            ApiError::Internal(cause) => cause.chain().find_map(Outage::of_error),
            _ => None,
        }
    }

    /// Seconds a client should wait before trying again (`Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::TooManyRequests { retry_after }
            | ApiError::RateLimited { retry_after }
            | ApiError::Busy { retry_after, .. } => Some(*retry_after),
            _ => self.outage().map(Outage::retry_after),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest { .. } => 400,
            ApiError::Unauthorized { .. } => 401,
            ApiError::Forbidden { .. } | ApiError::PasswordChangeRequired => 403,
            ApiError::TooManyRequests { .. } | ApiError::RateLimited { .. } => 429,
            ApiError::OAuth { status, .. } => *status,
            ApiError::NotFound => 404,
            ApiError::Conflict { .. } => 409,
            ApiError::Gone(_) => 410,
            ApiError::PreconditionFailed => 412,
            ApiError::RequestTimeout { .. } => 408,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::UnsupportedMediaType { .. } => 415,
            ApiError::Validation(_) | ApiError::InvalidRows { .. } => 422,
            ApiError::Unavailable(_) | ApiError::Busy { .. } | ApiError::Outage(_) => 503,
            ApiError::Internal(_) => match self.outage() {
                Some(_) => 503,
                None => 500,
            },
        }
    }

    /// The problem document of this error; a 500 shows none of its cause.
    pub fn problem(&self) -> Problem {
        let status = self.status();
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
            ApiError::RateLimited { retry_after } => Problem::new(
                status,
                "about:blank",
                format!("this caller's request budget is spent; try again in {retry_after} seconds"),
            ),
            ApiError::OAuth { error, detail, .. } => {
                let mut p = Problem::new(status, "urn:chanjiao:problem:oauth", detail.clone());
                p.error = Some(error.to_string());
                p
            }
            ApiError::NotFound => Problem::new(status, "about:blank", "no such resource"),
            ApiError::PasswordChangeRequired => Problem::new(
                status,
                "urn:chanjiao:problem:password-change-required",
                "change your password first (POST /api/v1/auth/password); until then only GET /api/v1/auth/me answers",
            ),
            ApiError::Conflict { detail, errors } => {
                let mut p = Problem::new(status, "urn:chanjiao:problem:conflict", detail.clone());
                p.errors = (!errors.is_empty()).then(|| errors.clone());
                p
            }
            ApiError::Gone(detail) => Problem::new(status, "urn:chanjiao:problem:gone", detail.clone()),
            ApiError::PreconditionFailed => Problem::new(
                status,
                "about:blank",
                "the record changed since the version named in If-Match; read it again",
            ),
            ApiError::RequestTimeout { seconds } => Problem::new(
                status,
                "about:blank",
                format!("the request body did not arrive within {seconds} seconds"),
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
            ApiError::InvalidRows { errors, counts } => {
                let mut p = Problem::new(
                    status,
                    "urn:chanjiao:problem:validation-error",
                    "rows of the file break the rules; nothing was imported",
                );
                p.errors = Some(errors.clone());
                p.error_counts = Some(counts.clone());
                p
            }
            ApiError::Unavailable(detail) => Problem::new(status, "about:blank", detail.clone()),
            ApiError::Outage(outage) => outage.problem(),
            ApiError::Busy { retry_after, detail } => Problem::new(
                status,
                "about:blank",
                format!("{detail}; try again in {retry_after} seconds"),
            ),
            ApiError::Internal(_) => match self.outage() {
                Some(outage) => outage.problem(),
                None => Problem::new(
                    status,
                    "about:blank",
                    "the service failed to answer; the fault is logged",
                ),
            },
        }
    }
}

/// The driver's error of a statement that failed (not of a connection).
fn statement_error(err: &DbErr) -> Option<&sea_orm::sqlx::Error> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e),
        _ => None,
    }
}

/// Why the database could not do what a request asked, when neither the
/// request nor the service is at fault: answered 503 with `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outage {
    /// The database has no room for the change (SQLite's `SQLITE_FULL`: the
    /// disk or `max_page_count`; PostgreSQL's `disk_full`).
    StorageFull,
    /// The database could not be reached, refused or dropped the
    /// connection, or did not answer within the configured time.
    Unreachable,
}

impl std::fmt::Display for Outage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outage::StorageFull => "the database has no room left",
            Outage::Unreachable => "the database cannot be reached or does not answer in time",
        })
    }
}

impl Outage {
    /// The throttle of this kind's log lines: once a minute each.
    pub fn log_throttle(self) -> &'static Throttle {
        static STORAGE_FULL: Throttle = Throttle::new(std::time::Duration::from_secs(60));
        static UNREACHABLE: Throttle = Throttle::new(std::time::Duration::from_secs(60));
        match self {
            Outage::StorageFull => &STORAGE_FULL,
            Outage::Unreachable => &UNREACHABLE,
        }
    }

    /// The outage a database error reports, if it is one.
    pub fn of_db(err: &DbErr) -> Option<Outage> {
        match err {
            DbErr::ConnectionAcquire(_) => Some(Outage::Unreachable),
            DbErr::Conn(RuntimeErr::SqlxError(e)) => Some(Outage::of_sqlx(e).unwrap_or(Outage::Unreachable)),
            _ => statement_error(err).and_then(Outage::of_sqlx),
        }
    }

    /// The outage any error reports, if it is a database error that is one.
    fn of_error(err: &(dyn std::error::Error + 'static)) -> Option<Outage> {
        if let Some(db) = err.downcast_ref::<DbErr>() {
            return Outage::of_db(db);
        }
        err.downcast_ref::<sea_orm::sqlx::Error>().and_then(Outage::of_sqlx)
    }

    fn of_sqlx(err: &sea_orm::sqlx::Error) -> Option<Outage> {
        use sea_orm::sqlx::Error;
        match err {
            Error::Io(_) | Error::Tls(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => {
                Some(Outage::Unreachable)
            }
            Error::Database(db) => {
                let code = db.code()?;
                if db.try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>().is_some() {
                    // SQLITE_FULL (13), also as an extended code.
                    return match code.parse::<i32>() {
                        Ok(sqlite) if sqlite & 0xff == 13 => Some(Outage::StorageFull),
                        _ => None,
                    };
                }
                match code.as_ref() {
                    // PostgreSQL: disk_full.
                    "53100" => Some(Outage::StorageFull),
                    // PostgreSQL: a connection exception, a server shutting
                    // down or starting, a statement cancelled by
                    // statement_timeout.
                    c if c.starts_with("08") => Some(Outage::Unreachable),
                    "57P01" | "57P02" | "57P03" | "57014" => Some(Outage::Unreachable),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Seconds a client should wait before trying again.
    pub fn retry_after(self) -> u64 {
        match self {
            Outage::StorageFull => 60,
            Outage::Unreachable => 5,
        }
    }

    /// Its problem document.
    pub fn problem(self) -> Problem {
        match self {
            Outage::StorageFull => Problem::new(
                503,
                "urn:chanjiao:problem:storage-full",
                "the database has no room left to store this change; nothing was stored",
            ),
            Outage::Unreachable => Problem::new(
                503,
                "urn:chanjiao:problem:database-unavailable",
                "the database cannot be reached or did not answer in time; retry later",
            ),
        }
    }
}

/// Lets an event through at most once per interval, and counts the ones it
/// held back: a failure that repeats (a full disk, a database that is gone)
/// is logged once a minute, not once per request.
#[derive(Debug)]
pub struct Throttle {
    interval_ms: u64,
    /// Milliseconds since [`Throttle::origin`] when an event last went through, plus one (0: never).
    last: std::sync::atomic::AtomicU64,
    held: std::sync::atomic::AtomicU64,
}

impl Throttle {
    /// A throttle letting one event through per `interval`.
    pub const fn new(interval: std::time::Duration) -> Self {
        Throttle {
            interval_ms: interval.as_millis() as u64,
            last: std::sync::atomic::AtomicU64::new(0),
            held: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn origin() -> std::time::Instant {
        static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        *ORIGIN.get_or_init(std::time::Instant::now)
    }

    /// `Some(held back since the last one)` when this event may go through.
    pub fn admit(&self) -> Option<u64> {
        use std::sync::atomic::Ordering;
        let now = u64::try_from(Self::origin().elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let last = self.last.load(Ordering::Relaxed);
        let due = last == 0 || now.saturating_sub(last) >= self.interval_ms;
        if due
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            return Some(self.held.swap(0, Ordering::Relaxed));
        }
        self.held.fetch_add(1, Ordering::Relaxed);
        None
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        ApiError::from_db(err, &[])
    }
}
