//! A resource declared once: its fields, as one struct.
//!
//! A resource's fields are one plain struct (`BaseFields`), each field with
//! the type that carries its rule, its doc comment (the document's text),
//! its spreadsheet label and perhaps an example; `#[derive(Fields)]` turns
//! the struct into a table of [`FieldInfo`] ([`FieldSet`]). Everything else
//! is generic code over that table:
//!
//! - a create body is a [`Create<F>`] (every field but the computed ones);
//! - a `PATCH` body is a [`MergePatch<F>`](super::check::MergePatch) of the
//!   fields a patch may change ([`FieldAccess::Patch`]);
//! - every answer is a [`Record<F>`]: `id`, the fields, `version` and the times;
//! - the document's schemas of all three, and the spreadsheet columns.
//!
//! The resource's names and texts beyond its fields are its [`Resource`] impl.

use std::borrow::Cow;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use uuid::Uuid;

use super::check::{join, object, Check};
use super::doc::{self, Components, Keys, Property};
use super::export::{CellKind, Column, Columns};
use super::record::{meta_properties, Meta, ShownOnce};
use crate::domain::vocab::ResourceType;
use crate::error::FieldError;

/// Who writes a field and where it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldAccess {
    /// Set on create, changed by a patch, shown.
    Patch,
    /// Set on create, never patched, shown (a username).
    Fixed,
    /// Set on create only, never shown (a password).
    Secret,
    /// Set by the service, shown only (a placement's status).
    Computed,
}

/// What a body is read as, which decides the fields it may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A create body: every field but the computed ones.
    Create,
    /// A merge patch: the patchable fields.
    Patch,
    /// A nested object, or a stored record's fields: every field.
    Object,
}

impl FieldAccess {
    /// Whether a body read for `purpose` may carry the field.
    pub fn accepted(self, purpose: Purpose) -> bool {
        match purpose {
            Purpose::Create => self != FieldAccess::Computed,
            Purpose::Patch => self == FieldAccess::Patch,
            Purpose::Object => true,
        }
    }

    /// Whether records show the field.
    pub fn shown(self) -> bool {
        self != FieldAccess::Secret
    }
}

/// One field of a [`FieldSet`], as `#[derive(Fields)]` writes it from the
/// struct: its name, texts, rule and schema, each taken from its type.
#[derive(Clone, Copy)]
pub struct FieldInfo {
    /// The field's name in JSON and the column's in the table.
    pub name: &'static str,
    /// The spreadsheet header, `名称 name`.
    pub header: &'static str,
    /// The doc comment lines.
    pub doc: &'static [&'static str],
    /// Who writes it.
    pub access: FieldAccess,
    /// Whether a create may leave it out (`#[serde(default)]`).
    pub has_default: bool,
    /// Whether its type takes no value (an `Option`).
    pub optional: bool,
    /// Checks a value of it, pushing every problem.
    pub check: fn(&Value, &str, &mut Vec<FieldError>),
    /// Its schema.
    pub schema: fn() -> RefOr<Schema>,
    /// Its schema in a merge patch.
    pub patch_schema: fn() -> RefOr<Schema>,
    /// Registers the components its schema refers to.
    pub components: fn(&mut Components),
    /// Its example, if it has one of its own.
    pub example: Option<fn() -> Option<Value>>,
}

impl FieldInfo {
    /// Whether a body must carry it. A stored record's fields (read as an
    /// object) never carry a secret one, which is never shown.
    fn required(&self, purpose: Purpose) -> bool {
        let secret_of_stored = purpose == Purpose::Object && self.access == FieldAccess::Secret;
        !(self.optional || self.has_default || purpose == Purpose::Patch || secret_of_stored)
    }
}

/// A struct of fields declared by `#[derive(Fields)]`.
pub trait FieldSet: Sized {
    /// The struct's doc comment lines.
    const DOC: &'static [&'static str];
    /// The fields, in declaration order.
    const FIELDS: &'static [FieldInfo];
}

/// Checks an object of `F`'s fields read for `purpose`: every key it may
/// not carry, every required field it lacks and every field's own rule,
/// each a problem, all at once.
pub fn check_fields<F: FieldSet>(value: &Value, path: &str, errors: &mut Vec<FieldError>, purpose: Purpose) {
    let Some(map) = object(value, path, errors) else {
        return;
    };
    for key in map.keys() {
        if !F::FIELDS.iter().any(|f| f.name == key && f.access.accepted(purpose)) {
            errors.push(FieldError::new(
                join(path, key),
                "unknown_field",
                "this operation does not accept this field",
            ));
        }
    }
    for field in F::FIELDS.iter().filter(|f| f.access.accepted(purpose)) {
        match map.get(field.name) {
            Some(value) => (field.check)(value, &join(path, field.name), errors),
            None if !field.required(purpose) => {}
            None => errors.push(FieldError::new(join(path, field.name), "required", "is required")),
        }
    }
}

/// The properties of `F`'s fields read for `purpose` (or shown, for `None`).
fn properties<F: FieldSet>(purpose: Option<Purpose>) -> Vec<Property> {
    F::FIELDS
        .iter()
        .filter(|f| match purpose {
            Some(purpose) => f.access.accepted(purpose),
            None => f.access.shown(),
        })
        .map(|f| Property {
            name: f.name,
            schema: if purpose == Some(Purpose::Patch) {
                (f.patch_schema)()
            } else {
                (f.schema)()
            },
            doc: f.doc,
            example: f.example.and_then(|example| example()),
            required: match purpose {
                Some(purpose) => f.required(purpose),
                None => !f.optional,
            },
        })
        .collect()
}

/// The component schema of a nested object declared with `#[fields(object)]`.
pub fn object_schema<F: FieldSet>(example: Option<Value>) -> RefOr<Schema> {
    doc::object(
        properties::<F>(Some(Purpose::Object)),
        F::DOC,
        example.into_iter().collect(),
        Keys::Closed,
    )
}

/// The schema of a one-of-a-kind record: `F`'s fields shown with their
/// `version` and times, and no `id` (the county's compliance settings).
pub fn versioned_schema<F: FieldSet>(example: Option<Value>) -> RefOr<Schema> {
    let mut properties = properties_shown::<F>();
    properties.extend(meta_properties());
    doc::object(properties, F::DOC, example.into_iter().collect(), Keys::Open)
}

/// Registers the components `F`'s fields refer to.
pub fn field_components<F: FieldSet>(out: &mut Components) {
    for field in F::FIELDS {
        (field.components)(out);
    }
}

/// A resource: its fields, and its names and texts in the document.
pub trait Resource:
    FieldSet + Check + Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The record's schema name (`Base`); the create body's is `BaseCreate`
    /// and the patch's `BasePatch`.
    const NAME: &'static str;
    /// The collection's path below `/api/v1` (`bases`).
    const COLLECTION: &'static str;
    /// How the audit trail and the change feed name it.
    const TYPE: ResourceType;
    /// The create body's description.
    const CREATE_DOC: &'static str;
    /// The patch body's description.
    const PATCH_DOC: &'static str;
    /// The list's sort table.
    type Sort: super::list::SortKey;
    /// The list's filters.
    type Filters: super::list::ListFilters + Serialize + DeserializeOwned + Send + Sync + 'static;

    /// Examples of a create body (the first is the schema's `example`).
    fn create_examples() -> Vec<Value> {
        Vec::new()
    }

    /// An example of a patch body.
    fn patch_example() -> Option<Value> {
        None
    }

    /// The spreadsheet columns a field spreads over, when it is not one
    /// column of its own: a nested object's fields, each its own column
    /// (`participant.name` …). None by default.
    fn spread_columns(_field: &str) -> Option<&'static [Column]> {
        None
    }
}

/// A stored resource as every answer shows it: its id, its fields, its
/// version and its times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record<F> {
    /// Server-made id (UUIDv7).
    pub id: Uuid,
    /// The resource's fields.
    #[serde(flatten)]
    pub fields: F,
    /// Starts at 1, +1 per change.
    pub version: i32,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl<F: Resource> Record<F> {
    /// The record of `fields` with the stamp `meta`.
    pub fn new(meta: Meta, fields: F) -> Self {
        Record {
            id: meta.id,
            fields,
            version: meta.version,
            created_at: meta.created_at,
            updated_at: meta.updated_at,
        }
    }
}

impl<F> ShownOnce for Record<F> {}

impl<F: Resource> super::record::Record for Record<F> {
    type Fields = F;

    fn meta(&self) -> Meta {
        Meta {
            id: self.id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    fn fields(&self) -> F {
        self.fields.clone()
    }

    fn with_fields(self, fields: F) -> Self {
        Record { fields, ..self }
    }

    fn touched(self, at: DateTime<Utc>) -> Self {
        Record {
            version: self.version + 1,
            updated_at: at,
            ..self
        }
    }
}

impl<F: Resource> utoipa::PartialSchema for Record<F> {
    fn schema() -> RefOr<Schema> {
        let mut properties = vec![Property {
            name: "id",
            schema: <Uuid as doc::FieldSchema>::field_schema(),
            doc: &[" Server-made id (UUIDv7)."],
            example: None,
            required: true,
        }];
        properties.extend(properties_shown::<F>());
        properties.extend(meta_properties());
        doc::object(properties, F::DOC, Vec::new(), Keys::Open)
    }
}

fn properties_shown<F: FieldSet>() -> Vec<Property> {
    properties::<F>(None)
}

impl<F: Resource> utoipa::ToSchema for Record<F> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(F::NAME)
    }

    fn schemas(out: &mut Components) {
        field_components::<F>(out);
    }
}

impl<F: Resource> Columns for Record<F> {
    fn columns() -> Cow<'static, [Column]> {
        let mut components = Components::new();
        field_components::<F>(&mut components);
        let mut columns = vec![Column::text("编号 id", "id").shown()];
        for field in F::FIELDS.iter().filter(|f| f.access.shown()) {
            match F::spread_columns(field.name) {
                Some(spread) => columns.extend_from_slice(spread),
                None => columns.push(Column {
                    header: field.header,
                    path: field.name,
                    kind: cell_kind((field.schema)(), &components),
                    imported: field.access != FieldAccess::Computed,
                }),
            }
        }
        columns.extend([
            Column::number("版本 version", "version").shown(),
            Column::text("创建时间 created_at", "created_at").shown(),
            Column::text("更新时间 updated_at", "updated_at").shown(),
        ]);
        Cow::Owned(columns)
    }
}

/// How a field of this schema is written in a spreadsheet: numbers as
/// numbers; lists, objects and booleans as JSON; the rest as text.
fn cell_kind(schema: RefOr<Schema>, components: &Components) -> CellKind {
    use utoipa::openapi::schema::{SchemaType, Type};
    let of_type = |t: &SchemaType| match t {
        SchemaType::Type(Type::Integer | Type::Number) => Some(CellKind::Number),
        SchemaType::Type(Type::Boolean | Type::Object | Type::Array) => Some(CellKind::Json),
        SchemaType::Array(types) if types.contains(&Type::Integer) || types.contains(&Type::Number) => {
            Some(CellKind::Number)
        }
        SchemaType::Array(types)
            if types.contains(&Type::Boolean) || types.contains(&Type::Array) || types.contains(&Type::Object) =>
        {
            Some(CellKind::Json)
        }
        _ => None,
    };
    match schema {
        RefOr::T(Schema::Object(object)) => of_type(&object.schema_type).unwrap_or(CellKind::Text),
        RefOr::T(Schema::Array(_)) => CellKind::Json,
        RefOr::T(Schema::OneOf(one_of)) => one_of
            .items
            .into_iter()
            .map(|item| cell_kind(item, components))
            .find(|kind| *kind != CellKind::Text)
            .unwrap_or(CellKind::Text),
        RefOr::Ref(reference) => {
            let name = reference.ref_location.rsplit('/').next().unwrap_or_default();
            match components.iter().find(|(n, _)| n == name) {
                Some((_, RefOr::T(Schema::Object(object)))) if !object.properties.is_empty() => CellKind::Json,
                Some((_, schema)) => cell_kind(schema.clone(), &Components::new()),
                None => CellKind::Text,
            }
        }
        _ => CellKind::Text,
    }
}

/// A create body of `F`: every field but the computed ones, each checked
/// by its rule, every problem named at once.
#[derive(Debug, Clone)]
pub struct Create<F>(pub F);

impl<'de, F: Resource> Deserialize<'de> for Create<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        if let Some(key) = map.keys().find(|key| {
            !F::FIELDS
                .iter()
                .any(|f| f.name == *key && f.access.accepted(Purpose::Create))
        }) {
            return Err(D::Error::custom(format!("unknown field `{key}`")));
        }
        F::deserialize(Value::Object(map)).map(Create).map_err(D::Error::custom)
    }
}

impl<F: Resource> Check for Create<F> {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        check_fields::<F>(value, path, errors, Purpose::Create);
    }
}

impl<F: Resource> utoipa::PartialSchema for Create<F> {
    fn schema() -> RefOr<Schema> {
        doc::object(
            properties::<F>(Some(Purpose::Create)),
            &[F::CREATE_DOC],
            F::create_examples(),
            Keys::Closed,
        )
    }
}

impl<F: Resource> utoipa::ToSchema for Create<F> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Create", F::NAME))
    }

    fn schemas(out: &mut Components) {
        field_components::<F>(out);
    }
}

/// The document's schema of a `PATCH` body of `F`: the patchable fields,
/// all optional, `null` clearing an optional one.
pub struct Patch<F>(PhantomData<F>);

impl<F: Resource> utoipa::PartialSchema for Patch<F> {
    fn schema() -> RefOr<Schema> {
        doc::object(
            properties::<F>(Some(Purpose::Patch)),
            &[F::PATCH_DOC],
            F::patch_example().into_iter().collect(),
            Keys::Closed,
        )
    }
}

impl<F: Resource> utoipa::ToSchema for Patch<F> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Patch", F::NAME))
    }

    fn schemas(out: &mut Components) {
        field_components::<F>(out);
    }
}
