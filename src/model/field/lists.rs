//! Lists: tags ([`Tags`]), and lists of items that each have a field type
//! of their own ([`List`], and [`Sequence`], which keeps repeats), such as
//! a school's majors or a meeting's agenda.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;

use super::{no_nul, Broken, Stored};
use crate::error::FieldError;
use crate::model::check::{self, Check};
use crate::model::doc::{self, Components, FieldSchema};

/// Tags: at most 20, each 1–30 characters; repeats are dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Tags(Vec<String>);

impl Tags {
    const MAX: usize = 20;
    const MAX_CHARS: usize = 30;

    /// Checks a tag list and drops repeats.
    pub fn parse(tags: Vec<String>) -> Result<Self, Broken> {
        if tags.len() > Self::MAX {
            return Err(Broken::new("length", "must have at most 20 tags"));
        }
        for tag in &tags {
            no_nul(tag)?;
            if tag.trim().is_empty() || tag.chars().count() > Self::MAX_CHARS {
                return Err(Broken::new("length", "each tag must be 1 to 30 characters long"));
            }
        }
        Ok(Tags(dedup(tags)))
    }

    /// The tags, in order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let tags = Vec::<String>::deserialize(deserializer)?;
        Tags::parse(tags).map_err(|broken| D::Error::custom(broken.message))
    }
}

impl Check for Tags {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        match Vec::<String>::deserialize(value) {
            Ok(tags) => {
                if let Err(broken) = Tags::parse(tags) {
                    errors.push(FieldError::new(path, broken.code, broken.message));
                }
            }
            Err(_) => errors.push(FieldError::new(path, "type", "must be a list of texts")),
        }
    }
}

impl FieldSchema for Tags {
    fn field_schema() -> RefOr<Schema> {
        doc::array(doc::string(Some(1), Some(Self::MAX_CHARS), None, None), Some(Self::MAX))
    }

    fn patch_schema() -> RefOr<Schema> {
        doc::nullable(Self::field_schema())
    }
}

impl Stored<Vec<String>> for Tags {
    fn from_stored(stored: Vec<String>) -> Self {
        Tags(stored)
    }
}

/// A list of `MIN` to `MAX` items (`MIN` is 0 unless stated), each checked
/// by its own type; repeats are dropped unless `UNIQUE` is `false` ([`Sequence`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct List<T, const MAX: usize, const UNIQUE: bool = true, const MIN: usize = 0>(Vec<T>);

/// A list of at most `MAX` items in the order given, repeats kept (a
/// meeting's agenda, its decisions, its action items).
pub type Sequence<T, const MAX: usize> = List<T, MAX, false>;

impl<T, const MAX: usize, const UNIQUE: bool, const MIN: usize> Default for List<T, MAX, UNIQUE, MIN> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T: PartialEq + Clone, const MAX: usize, const UNIQUE: bool, const MIN: usize> List<T, MAX, UNIQUE, MIN> {
    /// The items, in order.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The items, to change in place (the service completes server-made values).
    pub fn items_mut(&mut self) -> &mut [T] {
        &mut self.0
    }

    /// Why `count` items are too many or too few.
    fn wrong_length(count: usize) -> Option<Broken> {
        if count > MAX {
            Some(Broken::new("length", format!("must have at most {MAX} items")))
        } else if count < MIN {
            Some(Broken::new(
                "length",
                format!("must have at least {MIN} item{}", if MIN == 1 { "" } else { "s" }),
            ))
        } else {
            None
        }
    }
}

impl<'de, T: Deserialize<'de> + PartialEq + Clone, const MAX: usize, const UNIQUE: bool, const MIN: usize>
    Deserialize<'de> for List<T, MAX, UNIQUE, MIN>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        if let Some(broken) = Self::wrong_length(items.len()) {
            return Err(D::Error::custom(broken.message));
        }
        Ok(List(if UNIQUE { dedup(items) } else { items }))
    }
}

impl<T: Check + PartialEq + Clone, const MAX: usize, const UNIQUE: bool, const MIN: usize> Check
    for List<T, MAX, UNIQUE, MIN>
{
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let Value::Array(items) = value else {
            errors.push(FieldError::new(path, "type", "must be a list"));
            return;
        };
        if let Some(broken) = Self::wrong_length(items.len()) {
            errors.push(FieldError::new(path, broken.code, broken.message));
        }
        // Past MAX the list is refused already: its items are not judged one
        // by one (a list of millions would be millions of errors).
        for (i, item) in items.iter().enumerate().take(MAX) {
            T::check(item, &check::index(path, i), errors);
        }
    }
}

impl<T: FieldSchema, const MAX: usize, const UNIQUE: bool, const MIN: usize> FieldSchema for List<T, MAX, UNIQUE, MIN> {
    fn field_schema() -> RefOr<Schema> {
        match doc::array(T::field_schema(), Some(MAX)) {
            RefOr::T(Schema::Array(mut array)) if MIN > 0 => {
                array.min_items = Some(MIN);
                RefOr::T(Schema::Array(array))
            }
            other => other,
        }
    }

    fn patch_schema() -> RefOr<Schema> {
        doc::nullable(Self::field_schema())
    }

    fn components(out: &mut Components) {
        T::components(out);
    }
}

impl<T, const MAX: usize, const UNIQUE: bool, const MIN: usize> Stored<Vec<T>> for List<T, MAX, UNIQUE, MIN> {
    fn from_stored(stored: Vec<T>) -> Self {
        List(stored)
    }
}

/// Removes repeated entries, keeping the first of each.
fn dedup<T: PartialEq>(values: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(values.len());
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}
