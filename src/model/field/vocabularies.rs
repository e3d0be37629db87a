//! The closed vocabularies of the domain (`crate::domain::vocab`) as
//! fields: a value must be one of the vocabulary's names, and the OpenAPI
//! document refers to the vocabulary's component.

use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use crate::domain::vocab::Vocabulary;
use crate::error::FieldError;
use crate::model::check::Leaf;
use crate::model::doc::{self, Components, FieldSchema};

/// A vocabulary's value must be one of its names.
impl<V: Vocabulary + DeserializeOwned> Leaf for V {
    fn check_leaf(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let known = value.as_str().and_then(V::parse);
        if known.is_none() {
            let all: Vec<String> = V::ALL.iter().map(|v| format!("`{}`", v.as_str())).collect();
            errors.push(FieldError::new(
                path,
                "enum",
                format!("must be one of {}", all.join(", ")),
            ));
        }
    }
}

/// A vocabulary's schema is a reference to its component.
impl<V: Vocabulary + ToSchema> FieldSchema for V {
    fn field_schema() -> RefOr<Schema> {
        doc::ref_to(V::name())
    }

    fn components(out: &mut Components) {
        doc::reference::<V>(out);
    }
}
