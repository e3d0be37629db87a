//! Field rules shared by request types, for `#[validate(custom(...))]`, and
//! the merge-patch helper.

use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use validator::ValidationError;

use crate::domain::identifiers;

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

/// Reads a merge-patch field: absent → `None` (unchanged, via
/// `#[serde(default)]`), `null` → `Some(None)` (clear), a value → `Some(Some(v))`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Text that is not only white space (an empty text is left to the length rule).
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if !value.is_empty() && value.trim().is_empty() {
        Err(error("length", "must not be empty"))
    } else {
        Ok(())
    }
}

/// A Unified Social Credit Code with a correct check character.
pub fn credit_code(value: &str) -> Result<(), ValidationError> {
    identifiers::normalize_credit_code(value).map(|_| ()).ok_or_else(|| {
        error(
            "checksum",
            "must be an 18-character Unified Social Credit Code with a correct check character",
        )
    })
}

/// A username: 3–64 characters of `a-z`, `0-9`, `_`, `.`, `-`.
pub fn username(value: &str) -> Result<(), ValidationError> {
    let ok = (3..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(error(
            "format",
            "must be 3 to 64 characters of a-z, 0-9, `_`, `.` and `-`",
        ))
    }
}

/// A 10-digit school identification code.
pub fn school_code(value: &str) -> Result<(), ValidationError> {
    if identifiers::is_school_code(value) {
        Ok(())
    } else {
        Err(error("format", "must be a 10-digit school identification code"))
    }
}

/// A 6-digit region code.
pub fn region_code(value: &str) -> Result<(), ValidationError> {
    if identifiers::is_region_code(value) {
        Ok(())
    } else {
        Err(error("format", "must be a 6-digit region code"))
    }
}

/// A mainland mobile or landline number.
pub fn phone(value: &str) -> Result<(), ValidationError> {
    if identifiers::is_phone(value) {
        Ok(())
    } else {
        Err(error(
            "phone",
            "must be a mainland mobile number (13812345678) or a landline (0536-1234567)",
        ))
    }
}

/// Tags: each 1–30 characters.
pub fn tags(values: &[String]) -> Result<(), ValidationError> {
    if values.iter().any(|t| t.trim().is_empty() || t.chars().count() > 30) {
        Err(error("length", "each tag must be 1 to 30 characters"))
    } else {
        Ok(())
    }
}

/// Removes repeated entries, keeping the first of each.
pub fn dedup<T: PartialEq + Clone>(values: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}
