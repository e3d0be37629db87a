//! Query parameters: a typed extractor whose errors are 400s naming the
//! parameter. An empty value is no filter (`?scale=` is no `scale`); a
//! value longer than 500 characters (`q` 200, a cursor 4,096), or holding
//! U+0000, is refused.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

use crate::model::list::{MAX_CURSOR_CHARS, MAX_PARAMETER_CHARS, MAX_Q_CHARS};

/// The longest value of the parameter `name`, in characters: a cursor
/// carries a sort value (a 200-character name is 600 bytes before base64);
/// a search is as long as the longest name it could find.
fn longest(name: &str) -> usize {
    match name {
        "cursor" => MAX_CURSOR_CHARS,
        "q" => MAX_Q_CHARS,
        _ => MAX_PARAMETER_CHARS,
    }
}

/// The request's query string read as a `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// Reads a query string as a `T`.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|err| ApiError::BadRequest {
        detail: format!("invalid query string: {err}"),
        errors: Vec::new(),
    })?;
    let mut kept = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        if value.is_empty() {
            continue;
        }
        if value.contains('\0') {
            return Err(ApiError::bad_parameter(&name, "invalid", "must not contain U+0000"));
        }
        let most = longest(&name);
        if value.chars().count() > most {
            return Err(ApiError::bad_parameter(
                &name,
                "length",
                format!("must be at most {most} characters"),
            ));
        }
        kept.push((name, value));
    }
    let encoded = serde_urlencoded::to_string(&kept).map_err(|e| ApiError::Internal(e.into()))?;
    let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let message = err.inner().to_string();
        let mut name = err.path().to_string();
        if name == "." {
            // A parameter given twice: serde names it in the message.
            name = message.split('`').nth(1).unwrap_or_default().to_string();
        }
        let code = if message.starts_with("unknown variant") {
            "enum"
        } else if message.starts_with("invalid type") {
            "type"
        } else {
            "invalid"
        };
        ApiError::bad_parameter(&name, code, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::enterprise::EnterpriseFilters;

    fn field_of(result: Result<EnterpriseFilters, ApiError>) -> String {
        match result {
            Err(ApiError::BadRequest { errors, .. }) => errors[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_values_are_no_filter_and_bad_values_name_their_parameter() {
        let filters: EnterpriseFilters = parse("scale=&industry=&limit=5").unwrap();
        assert!(filters.scale.is_none() && filters.industry.is_none());
        assert_eq!(field_of(parse("scale=huge")), "scale");
        assert_eq!(field_of(parse("tag=a%00")), "tag");
        assert_eq!(field_of(parse(&format!("industry={}", "x".repeat(501)))), "industry");
        assert_eq!(field_of(parse("tag=a&tag=b")), "tag");
    }
}
