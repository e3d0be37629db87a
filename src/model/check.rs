//! Reading request bodies into the contract's types so that every invalid
//! field is named at once: wrong types, unknown enum values, failed field
//! rules and unknown fields alike, nested ones by dotted path
//! (`participant.phone`, `majors[3].name`).
//!
//! serde stops at the first error. So a body is first read with serde (the
//! fast path); only when that fails is it walked again with [`Check`], which
//! visits every field of every object and collects all the problems.

use std::marker::PhantomData;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::{ApiError, FieldError};

/// A type whose JSON form can be checked field by field, collecting every
/// problem instead of stopping at the first.
pub trait Check {
    /// Whether a field of this type may be left out of an object.
    const OPTIONAL: bool = false;

    /// Pushes one error per problem of `value` (found at `path`) to `errors`.
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>);

    /// Like [`Check::check`], for a merge patch's body: a resource's fields
    /// that a patch may not change are unknown to it.
    fn check_patch(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        Self::check(value, path, errors);
    }
}

impl<T: Check> Check for Option<T> {
    const OPTIONAL: bool = true;

    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        if !value.is_null() {
            T::check(value, path, errors);
        }
    }
}

/// The path of `key` inside the object at `path`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The path of item `index` of the array at `path`.
pub fn index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// The object at `path`, or an error naming it when the value is something else.
pub fn object<'a>(value: &'a Value, path: &str, errors: &mut Vec<FieldError>) -> Option<&'a Map<String, Value>> {
    let map = value.as_object();
    if map.is_none() {
        errors.push(FieldError::new(path, "type", "must be a JSON object"));
    }
    map
}

/// Names every key of `map` that is not one of `known`.
pub fn unknown_keys(map: &Map<String, Value>, known: &[&str], path: &str, errors: &mut Vec<FieldError>) {
    for key in map.keys().filter(|key| !known.contains(&key.as_str())) {
        errors.push(FieldError::new(
            join(path, key),
            "unknown_field",
            "this operation does not accept this field",
        ));
    }
}

/// Checks the field `name` of `map`: absent is fine when its type is
/// optional or the field has a default, and a required field otherwise.
pub fn field<T: Check>(
    map: &Map<String, Value>,
    name: &str,
    has_default: bool,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    match map.get(name) {
        Some(value) => T::check(value, &join(path, name), errors),
        None if T::OPTIONAL || has_default => {}
        None => errors.push(FieldError::new(join(path, name), "required", "is required")),
    }
}

/// Checks a value with its type's own `Deserialize` (for types with no
/// fields of their own: numbers, booleans, ids, dates, vocabularies).
pub fn leaf<T: DeserializeOwned>(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    if let Err(err) = T::deserialize(value) {
        errors.push(from_serde(path, &err));
    }
}

/// A serde error about the value at `path`, as a field error.
fn from_serde(path: &str, err: &serde_json::Error) -> FieldError {
    let message = err.to_string();
    // serde_json ends some messages with " at line L column C"; keep the reason.
    let reason = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(reason, _)| reason);
    let code = if reason.starts_with("invalid type") || reason.starts_with("invalid length") {
        "type"
    } else if reason.starts_with("unknown variant") {
        "enum"
    } else {
        "invalid"
    };
    FieldError::new(path, code, reason)
}

/// A field read whole, as one JSON value (a flag, a number, a UUID, a
/// date, a vocabulary's name): a [`Check`] whose one problem is, unless it
/// says otherwise, what serde says of it ([`leaf`]).
pub trait Leaf: DeserializeOwned {
    /// Pushes the value's one problem, if it has one.
    fn check_leaf(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        leaf::<Self>(value, path, errors);
    }
}

impl<T: Leaf> Check for T {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        T::check_leaf(value, path, errors);
    }
}

impl Leaf for bool {}
impl Leaf for i32 {}
impl Leaf for i64 {}
impl Leaf for u32 {}
impl Leaf for Uuid {}
impl Leaf for NaiveDate {}
impl Leaf for DateTime<Utc> {}

/// A request body as JSON: a syntax error is a 400; anything but an object a 422.
pub fn parse_body(bytes: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|err| ApiError::BadRequest {
        detail: format!("the body is not valid JSON: {err}"),
        errors: Vec::new(),
    })?;
    if !value.is_object() {
        return Err(ApiError::invalid_field("", "type", "the body must be a JSON object"));
    }
    Ok(value)
}

/// Reads a JSON value into `T`, naming every invalid field at once (422).
pub fn decode<T: DeserializeOwned + Check>(value: &Value) -> Result<T, ApiError> {
    decode_collecting(value).map_err(ApiError::Validation)
}

fn decode_collecting<T: DeserializeOwned + Check>(value: &Value) -> Result<T, Vec<FieldError>> {
    match T::deserialize(value) {
        Ok(decoded) => Ok(decoded),
        Err(first) => {
            let mut errors = Vec::new();
            T::check(value, "", &mut errors);
            if errors.is_empty() {
                // The walk and serde disagree: report what serde found rather than nothing.
                errors.push(from_serde("", &first));
            }
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(errors)
        }
    }
}

/// A JSON merge patch (RFC 7396) of a `T`: what a `PATCH` body says to
/// change. A key left out stays as it is, `null` clears it, an object is
/// merged key by key, anything else (arrays included) replaces the value.
#[derive(Debug, Clone)]
pub struct MergePatch<T> {
    patch: Map<String, Value>,
    target: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned + Check> MergePatch<T> {
    /// A patch from a request body, which must be a JSON object (422 otherwise).
    /// Fields `T` does not have are refused here, before the record is read
    /// or `If-Match` compared, whatever their value: a `null` for an unknown
    /// field would otherwise vanish in the merge.
    pub fn new(body: Value) -> Result<Self, ApiError> {
        let Value::Object(patch) = body else {
            return Err(ApiError::invalid_field("", "type", "the body must be a JSON object"));
        };
        let mut errors = Vec::new();
        let body = Value::Object(patch.clone());
        T::check_patch(&body, "", &mut errors);
        if errors.iter().any(|error| error.code == "unknown_field") {
            // Every fault the patch shows by itself, at once: a field it
            // leaves out is no fault (outside a list, which it replaces).
            errors.retain(|error| {
                let sent = error.field.split('.').try_fold(&body, |value, key| value.get(key));
                match sent {
                    Some(Value::Null) if error.code == "required" => true,
                    None => error.code != "required" || error.field.contains('['),
                    _ => true,
                }
            });
            for error in &mut errors {
                if error.code == "required" && !error.field.contains('[') {
                    error.message = "cannot be cleared".into();
                }
            }
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            return Err(ApiError::Validation(errors));
        }
        Ok(MergePatch {
            patch,
            target: PhantomData,
        })
    }

    /// The patched value: `current` with the patch merged in, read back
    /// under every rule of `T`, so that all of the patch's faults are
    /// named at once. Clearing (`null`) a field that must have a value is a
    /// 422 (`cannot be cleared`); clearing a list empties it.
    pub fn apply(&self, current: &T) -> Result<T, ApiError> {
        let mut document = serde_json::to_value(current).map_err(|e| ApiError::Internal(e.into()))?;
        merge(&mut document, &self.patch);
        let mut cleared = Vec::new();
        null_paths(&self.patch, "", &mut cleared);
        match decode_collecting::<T>(&document) {
            Ok(next) => {
                let after = serde_json::to_value(&next).map_err(|e| ApiError::Internal(e.into()))?;
                let errors: Vec<FieldError> = cleared
                    .iter()
                    .filter(|path| !is_empty_at(&after, path))
                    .map(|path| FieldError::new(path.as_str(), "required", "cannot be cleared"))
                    .collect();
                if errors.is_empty() {
                    Ok(next)
                } else {
                    Err(ApiError::Validation(errors))
                }
            }
            Err(mut errors) => {
                for error in &mut errors {
                    if error.code == "required" && cleared.contains(&error.field) {
                        error.message = "cannot be cleared".into();
                    }
                }
                Err(ApiError::Validation(errors))
            }
        }
    }

    /// What the patch sends at a dotted `path` (`participant.role`), if anything.
    pub fn value_at(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let first = self.patch.get(parts.next()?)?;
        parts.try_fold(first, |value, key| value.get(key))
    }
}

/// Merges `patch` into `target` (RFC 7396).
fn merge(target: &mut Value, patch: &Map<String, Value>) {
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else {
        return;
    };
    for (key, value) in patch {
        match value {
            Value::Null => {
                map.remove(key);
            }
            Value::Object(inner) => merge(map.entry(key.clone()).or_insert(Value::Null), inner),
            other => {
                map.insert(key.clone(), other.clone());
            }
        }
    }
}

/// The paths a patch sets to `null`.
fn null_paths(patch: &Map<String, Value>, path: &str, out: &mut Vec<String>) {
    for (key, value) in patch {
        match value {
            Value::Null => out.push(join(path, key)),
            Value::Object(inner) => null_paths(inner, &join(path, key), out),
            _ => {}
        }
    }
}

/// Whether the value at a dotted `path` is absent, `null` or an empty list.
fn is_empty_at(value: &Value, path: &str) -> bool {
    let found = path.split('.').try_fold(value, |v, key| v.get(key));
    match found {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        code: i32,
        note: Option<i32>,
    }

    impl Check for Inner {
        fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
            let Some(map) = object(value, path, errors) else {
                return;
            };
            unknown_keys(map, &["code", "note"], path, errors);
            field::<i32>(map, "code", false, path, errors);
            field::<Option<i32>>(map, "note", false, path, errors);
        }
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        count: i32,
        flag: Option<bool>,
        #[serde(default)]
        on: bool,
        inner: Option<Inner>,
    }

    impl Check for Sample {
        fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
            let Some(map) = object(value, path, errors) else {
                return;
            };
            unknown_keys(map, &["count", "flag", "on", "inner"], path, errors);
            field::<i32>(map, "count", false, path, errors);
            field::<Option<bool>>(map, "flag", false, path, errors);
            field::<bool>(map, "on", true, path, errors);
            field::<Option<Inner>>(map, "inner", false, path, errors);
        }
    }

    fn fields(result: Result<Sample, ApiError>) -> Vec<(String, String)> {
        match result {
            Err(ApiError::Validation(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let body = json!({"flag": "yes", "extra": 1, "inner": {"code": "x", "other": 2}});
        assert_eq!(
            fields(decode::<Sample>(&body)),
            pairs(&[
                ("count", "required"),
                ("extra", "unknown_field"),
                ("flag", "type"),
                ("inner.code", "type"),
                ("inner.other", "unknown_field"),
            ])
        );
    }

    #[test]
    fn a_valid_body_decodes_with_defaults() {
        let decoded: Sample = decode(&json!({"count": 2})).unwrap();
        assert_eq!(
            decoded,
            Sample {
                count: 2,
                flag: None,
                on: false,
                inner: None
            }
        );
    }

    #[test]
    fn a_merge_patch_merges_objects_clears_nulls_and_refuses_clearing_required_fields() {
        let current = Sample {
            count: 1,
            flag: Some(true),
            on: true,
            inner: Some(Inner { code: 1, note: Some(2) }),
        };
        let patch = MergePatch::<Sample>::new(json!({"flag": null, "inner": {"note": null}})).unwrap();
        let next = patch.apply(&current).unwrap();
        assert_eq!(next.flag, None);
        assert_eq!(next.inner, Some(Inner { code: 1, note: None }));
        assert!(next.on);

        let patch = MergePatch::<Sample>::new(json!({"count": null, "on": null, "inner": {"code": null}})).unwrap();
        let result = patch.apply(&current);
        assert_eq!(
            fields(result),
            pairs(&[("count", "required"), ("inner.code", "required")])
        );
        let patch = MergePatch::<Sample>::new(json!({"on": null})).unwrap();
        match patch.apply(&current) {
            Err(ApiError::Validation(errors)) => {
                assert_eq!(errors[0].field, "on");
                assert_eq!(errors[0].message, "cannot be cleared");
            }
            other => panic!("{other:?}"),
        }
        assert!(MergePatch::<Sample>::new(json!([1])).is_err());
    }
}
