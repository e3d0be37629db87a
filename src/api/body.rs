//! Request bodies: the media type (415), the size limit (413), the read
//! timeout (408), JSON syntax (400), and field types, unknown fields and
//! field rules (422).

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::model::check::{decode, parse_body, Check, MergePatch};

/// How request bodies are read, kept in the app data: at most `limit`
/// bytes, the whole body within `timeout` of the start of the read.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    /// The largest body in bytes.
    pub limit: usize,
    /// How long the whole body may take to arrive.
    pub timeout: std::time::Duration,
}

impl Default for BodyLimit {
    fn default() -> Self {
        BodyLimit {
            limit: crate::config::DEFAULT_MAX_BODY_BYTES,
            timeout: crate::config::DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

impl BodyLimit {
    /// The rules in `req`'s app data (the defaults without them).
    pub fn of(req: &HttpRequest) -> Self {
        req.app_data::<BodyLimit>().copied().unwrap_or_default()
    }

    /// These rules for a route that takes bodies of up to `bytes` (an
    /// import's file): the larger of the two limits, the same timeout.
    pub fn at_least(self, bytes: usize) -> Self {
        BodyLimit {
            limit: self.limit.max(bytes),
            ..self
        }
    }
}

/// Reads the whole body of `req` under the rules in its app data
/// ([`BodyLimit::of`]); see [`read_body_under`].
pub(crate) fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl std::future::Future<Output = Result<Bytes, ApiError>> {
    read_body_under(BodyLimit::of(req), req, payload)
}

/// Reads the whole body of `req` under `rules` (a route that takes larger
/// bodies names its own): 413 past the limit (before reading, when
/// `Content-Length` says so), 408 when it does not arrive within the timeout.
pub(crate) fn read_body_under(
    rules: BodyLimit,
    req: &HttpRequest,
    payload: &mut Payload,
) -> impl std::future::Future<Output = Result<Bytes, ApiError>> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    async move {
        let limit = rules.limit;
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        let read = async {
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
            Ok(body.freeze())
        };
        tokio::time::timeout(rules.timeout, read)
            .await
            .map_err(|_| ApiError::RequestTimeout {
                seconds: rules.timeout.as_secs_f64(),
            })?
    }
}

/// A request body as bytes (the token endpoint's form or JSON), read under
/// the same limit and timeout as every body.
pub struct RawBody(pub Bytes);

impl FromRequest for RawBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let read = read_body(req, payload);
        Box::pin(async move { read.await.map(RawBody) })
    }
}

/// A JSON request body, read and size-checked but not yet parsed, so that a
/// handler can check the caller's rights before it judges the body.
pub struct JsonBody {
    bytes: Bytes,
}

impl JsonBody {
    /// Reads the body as a `T`, naming every invalid field at once (422).
    pub fn decode<T: DeserializeOwned + Check>(&self) -> Result<T, ApiError> {
        decode(&self.json()?)
    }

    /// Reads the body as a JSON merge patch of a `T` (its fields are judged
    /// when it is applied to the record).
    pub fn merge_patch<T: Serialize + DeserializeOwned + Check>(&self) -> Result<MergePatch<T>, ApiError> {
        MergePatch::new(self.json()?)
    }

    /// The body as JSON: a syntax error is a 400; anything but an object a 422.
    fn json(&self) -> Result<Value, ApiError> {
        parse_body(&self.bytes)
    }

    /// The body's bytes, for a service that judges it after the caller's rights.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let media_check = check_media_type(req, req.method() == Method::PATCH);
        let read = read_body(req, payload);
        Box::pin(async move {
            media_check?;
            Ok(JsonBody { bytes: read.await? })
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
    use crate::model::enterprise::EnterpriseCreate;

    fn body(text: &str) -> JsonBody {
        JsonBody {
            bytes: Bytes::copy_from_slice(text.as_bytes()),
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request_and_a_non_object_is_unprocessable() {
        for text in ["{", "{\"name\": }", "", "{\"name\":\"a\"} x", "[1,"] {
            assert!(
                matches!(
                    body(text).decode::<EnterpriseCreate>(),
                    Err(ApiError::BadRequest { .. })
                ),
                "{text}"
            );
        }
        for text in ["null", "[]", "12", "\"x\""] {
            assert!(
                matches!(body(text).decode::<EnterpriseCreate>(), Err(ApiError::Validation(_))),
                "{text}"
            );
        }
    }
}
