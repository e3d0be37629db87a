//! Declaring a resource's fields once.
//!
//! [`record!`] takes a resource's field list (each field with the type that
//! carries its rule, its doc comment and an optional example) and makes:
//!
//! - the *create* type (the body of `POST`): every writable field;
//! - the *fields* type: the fields a `PATCH` may change, which a
//!   [`MergePatch`](super::check::MergePatch) is applied to;
//! - the *record* type (every response): `id`, the fields, `version`,
//!   `created_at`, `updated_at`;
//! - the *patch* schema for the document: the patchable fields, all
//!   optional and nullable.
//!
//! with serde, [`Check`](super::check::Check) (every problem named at
//! once) and the OpenAPI schemas. A field may carry options in brackets:
//! `[default]` (may be left out of a create; the type's default applies),
//! `[fixed]` (set on create only, never patched), `[secret]` (create only,
//! never shown), `[computed]` (shown only: set by the service, starting at
//! the type's default), `[example = …]`.
//!
//! [`object!`] declares a nested object (a school's major, a meeting's
//! attendee) the same way.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What the service stamps on every record: its id, version and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Server-made id (UUIDv7).
    pub id: Uuid,
    /// Starts at 1, +1 per change.
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl Meta {
    /// The stamp of a record created at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Meta {
            id: Uuid::now_v7(),
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }
}

/// What every record type offers the generic service code.
pub trait Record: Clone + serde::Serialize {
    /// The patchable fields.
    type Fields: Clone + Send + Sync + 'static + serde::Serialize + serde::de::DeserializeOwned + super::check::Check;

    /// The record's id, version and times.
    fn meta(&self) -> Meta;
    /// A copy of the patchable fields.
    fn fields(&self) -> Self::Fields;
    /// The record with these fields.
    fn with_fields(self, fields: Self::Fields) -> Self;
    /// The record as changed at `at`: the version grows by one.
    fn touched(self, at: DateTime<Utc>) -> Self;
}

/// An answer some of whose members are shown once only (a webhook's
/// secret): an `Idempotency-Key` replay of it leaves them out.
pub trait ShownOnce {
    /// The top-level members shown once.
    const FIELDS: &'static [&'static str] = &[];
}

/// The document's properties of a record's `version`, `created_at` and `updated_at`.
pub fn meta_properties() -> Vec<super::doc::Property> {
    use super::doc::{FieldSchema, Property};
    vec![
        Property {
            name: "version",
            schema: i32::field_schema(),
            doc: &[
                " Starts at 1 and grows by 1 with every change; the `ETag` is this number in double quotes (`\"3\"`).",
            ],
            example: None,
            required: true,
        },
        Property {
            name: "created_at",
            schema: DateTime::<Utc>::field_schema(),
            doc: &[" When the record was created (RFC 3339, UTC)."],
            example: None,
            required: true,
        },
        Property {
            name: "updated_at",
            schema: DateTime::<Utc>::field_schema(),
            doc: &[" When the record last changed (RFC 3339, UTC)."],
            example: None,
            required: true,
        },
    ]
}
