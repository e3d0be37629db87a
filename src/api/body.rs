//! Request bodies: the media type (415), the size limit (413), JSON syntax
//! (400), and field types, unknown fields and field rules (422).

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, FieldError};

/// The request body limit in bytes, kept in the app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON request body, read and size-checked but not yet parsed, so that a
/// handler can check the caller's rights before it judges the body.
pub struct JsonBody {
    bytes: Bytes,
}

impl JsonBody {
    /// Parses the body into `T` and applies `T`'s field rules.
    pub fn parse<T: DeserializeOwned + Validate>(&self) -> Result<T, ApiError> {
        let value: T = parse_json(&self.bytes)?;
        value.validate().map_err(|e| ApiError::Validation(flatten(&e)))?;
        Ok(value)
    }
}

/// Parses JSON: a syntax error → 400; a wrong type, a missing or unknown
/// field → 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so that `[1,` is a 400 even where the type would fail sooner.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| classify(String::new(), e))?;
    // A request body is an object: serde would also read a struct from an array.
    if !value.is_object() {
        return Err(ApiError::invalid_field("", "type", "the body must be a JSON object"));
    }
    // No text field may hold U+0000: PostgreSQL cannot store it.
    if let Some(path) = find_nul(&value, String::new()) {
        return Err(ApiError::invalid_field(
            &path,
            "invalid",
            "must not contain the character U+0000",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        classify(path, inner)
    })
}

/// The path of the first string (or object key) holding U+0000, if any.
fn find_nul(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Some(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_nul(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(child)
            } else {
                find_nul(v, child)
            }
        }),
        _ => None,
    }
}

fn classify(path: String, err: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::BadRequest {
            detail: format!("the body is not valid JSON: {err}"),
            errors: Vec::new(),
        },
        Category::Data => {
            let message = err.to_string();
            // serde's message ends with " at line L column C"; keep the reason.
            let reason = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(reason, _)| reason)
                .to_string();
            let parent = if path == "." { String::new() } else { path };
            let named = backticked(&reason);
            let (code, field) = if reason.starts_with("unknown field") {
                ("unknown_field", join(&parent, named))
            } else if reason.starts_with("missing field") {
                ("required", join(&parent, named))
            } else if reason.starts_with("unknown variant") {
                ("enum", parent)
            } else if reason.starts_with("invalid type") || reason.starts_with("invalid length") {
                ("type", parent)
            } else {
                ("invalid", parent)
            };
            let message = match code {
                "unknown_field" => "this operation does not accept this field".to_string(),
                "required" => "is required".to_string(),
                _ => reason,
            };
            ApiError::Validation(vec![FieldError::new(field, code, message)])
        }
    }
}

fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

fn join(parent: &str, name: Option<&str>) -> String {
    match (parent.is_empty(), name) {
        (_, None) => parent.to_string(),
        // serde_path_to_error already put the offending key on the path.
        (false, Some(name)) if parent == name || parent.ends_with(&format!(".{name}")) => parent.to_string(),
        (true, Some(name)) => name.to_string(),
        (false, Some(name)) => format!("{parent}.{name}"),
    }
}

/// Turns validator's nested errors into a flat list with dotted paths.
pub fn flatten(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| default_message(&e.code, &e.params));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn default_message(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    let param = |name: &str| params.get(name).map(|v| v.to_string());
    match code {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters (or items) long"),
            (None, Some(max)) => format!("must be at most {max} characters (or items) long"),
            (Some(min), None) => format!("must be at least {min} characters (or items) long"),
            _ => "has the wrong length".to_string(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be from {min} to {max}"),
            _ => "is out of range".to_string(),
        },
        "email" => "must be an email address".to_string(),
        _ => "is invalid".to_string(),
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map_or(crate::config::DEFAULT_MAX_BODY_BYTES, |l| l.0);
        let is_patch = req.method() == Method::PATCH;
        let media_check = check_media_type(req, is_patch);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            media_check?;
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| ApiError::BadRequest {
                    detail: "the request body could not be read".into(),
                    errors: Vec::new(),
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(JsonBody { bytes: body.freeze() })
        })
    }
}

fn check_media_type(req: &HttpRequest, is_patch: bool) -> Result<(), ApiError> {
    let accepted = if is_patch {
        "application/json or application/merge-patch+json"
    } else {
        "application/json"
    };
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        Some("application/merge-patch+json") if is_patch => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType { accepted }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        count: Option<u32>,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        code: String,
    }

    fn field_error(body: &str) -> FieldError {
        match parse_json::<Sample>(body.as_bytes()) {
            Err(ApiError::Validation(mut errors)) => errors.remove(0),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        for body in ["{", "{\"name\": }", "", "{\"name\":\"a\"} x", "[1,"] {
            assert!(
                matches!(parse_json::<Sample>(body.as_bytes()), Err(ApiError::BadRequest { .. })),
                "{body}"
            );
        }
    }

    #[test]
    fn type_errors_unknown_and_missing_fields_name_the_field() {
        let e = field_error(r#"{"name": "a", "count": "12"}"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("count", "type"));
        let e = field_error(r#"{"name": "a", "version": 3}"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("version", "unknown_field"));
        let e = field_error(r#"{"count": 1}"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("name", "required"));
        let e = field_error(r#"{"name": "a", "inner": {"code": 5}}"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("inner.code", "type"));
        let e = field_error(r#"{"name": "a", "inner": {"code": "x", "extra": 1}}"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("inner.extra", "unknown_field"));
        let e = field_error("null");
        assert_eq!((e.field.as_str(), e.code.as_str()), ("", "type"));
        let e = field_error(r#"{"name": "a", "inner": {"code": "x\u0000"}}"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("inner.code", "invalid"));
        let e = field_error(r#"["a", 1]"#);
        assert_eq!((e.field.as_str(), e.code.as_str()), ("", "type"));
    }
}
