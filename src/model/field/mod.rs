//! Field types that carry their own rule: parsing (serde), checking
//! ([`Check`](crate::model::check::Check), every problem named), and their
//! schema in the OpenAPI document
//! ([`FieldSchema`](crate::model::doc::FieldSchema)). A request type
//! declares a field once, with its type, and every operation and the
//! document take the rule from here.
//!
//! Values read back from the database were checked when they were written,
//! so the types are built from stored values without checking again
//! ([`Stored::from_stored`]).
//!
//! The types come in families, a file each, and are all named from here
//! (`crate::model::field::Name`):
//!
//! - `text`: free text of a bounded length, and secret text;
//! - `identifiers`: phones, email addresses, codes and ID numbers, login names;
//! - `webhook`: a webhook's URL and the events it takes;
//! - `numbers`: flags, whole numbers, scores and dates;
//! - `lists`: tags and lists of items;
//! - `vocabularies`: the closed vocabularies of the domain.
//!
//! What they share is here: [`Broken`], [`TextRule`] and [`Stored`]; a
//! text type implements [`TextRule`] and derives the rest
//! (`#[derive(TextField)]`: its serde, check, schema and stored form).

use std::borrow::Cow;

use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;

use crate::error::FieldError;

/// Why a value breaks its field's rule: a machine-readable `code` (as in
/// `errors[].code`) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// `length`, `format`, `phone`, `email`, `checksum`, `invalid`…
    pub code: &'static str,
    /// What the value must be.
    pub message: Cow<'static, str>,
}

impl Broken {
    fn new(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Broken {
            code,
            message: message.into(),
        }
    }
}

/// A field type whose values are text with a rule.
pub trait TextRule: Sized {
    /// Checks (and normalises) a text.
    fn parse(text: String) -> Result<Self, Broken>;
    /// The checked text.
    fn as_str(&self) -> &str;
    /// The type's schema.
    fn schema() -> RefOr<Schema>;
}

/// A value as the database stores it, turned back into its field type
/// without checking it again (it was checked when it was written).
pub trait Stored<S> {
    /// The field value of a stored value.
    fn from_stored(stored: S) -> Self;
}

/// The pattern of a text without U+0000 (which PostgreSQL cannot store), as
/// the OpenAPI document states it.
pub const NO_NUL_PATTERN: &str = "^[^\\x00]*$";

fn no_nul(text: &str) -> Result<(), Broken> {
    if text.contains('\0') {
        Err(Broken::new("invalid", "must not contain the character U+0000"))
    } else {
        Ok(())
    }
}

fn check_text<T: TextRule>(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(text) => {
            if let Err(broken) = T::parse(text.clone()) {
                errors.push(FieldError::new(path, broken.code, broken.message));
            }
        }
        _ => errors.push(FieldError::new(path, "type", "must be a string")),
    }
}

/// A fixed rule's check: a text without U+0000 that `rule` takes (it
/// returns the text to store), else `code` and `message`.
fn fixed_rule(
    text: String,
    code: &'static str,
    message: &'static str,
    rule: impl FnOnce(String) -> Option<String>,
) -> Result<String, Broken> {
    no_nul(&text)?;
    rule(text).ok_or_else(|| Broken::new(code, message))
}

mod identifiers;
mod lists;
mod numbers;
mod text;
mod vocabularies;
mod webhook;

#[cfg(test)]
mod tests;

pub use identifiers::{CreditCode, Email, Phone, RegionCode, ResidentId, SchoolCode, Username};
pub use lists::{List, Sequence, Tags};
pub use numbers::{
    Date, Decimal, Fen, Flag, Hours, Int, Latitude, Longitude, Metres, Points, Score, DATE_EXAMPLE, DATE_PATTERN,
    DATE_YEARS,
};
pub use text::{CurrentPassword, LongText, Name, Password, PlainText, Secret, ShortName, Text, MIN_PASSWORD_CHARS};
pub use webhook::{webhook_url, EventName, WebhookUrl};
