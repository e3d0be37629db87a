//! How the contract's types describe themselves in the OpenAPI document.
//!
//! A field type states its own schema ([`FieldSchema`]): a bounded text its
//! lengths, a phone number its pattern, a vocabulary a reference to its
//! component. The record macro builds each object schema from its fields'
//! schemas, descriptions and examples, so the document takes every rule from
//! the type that enforces it.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use utoipa::openapi::schema::{
    AdditionalProperties, AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat,
    SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use uuid::Uuid;

/// The components a schema refers to, as utoipa collects them.
pub type Components = Vec<(String, RefOr<Schema>)>;

/// A type's schema where it is used as a field.
pub trait FieldSchema {
    /// The schema of a field of this type (inline, or a reference to a component).
    fn field_schema() -> RefOr<Schema>;

    /// Adds the components the schema refers to.
    fn components(_out: &mut Components) {}

    /// The schema of the field in a merge patch: the field's own, since
    /// `null` cannot clear a field that must have a value (422); optional
    /// fields (and lists, which `null` empties) also take `null`.
    fn patch_schema() -> RefOr<Schema> {
        Self::field_schema()
    }
}

impl<T: FieldSchema> FieldSchema for Option<T> {
    fn field_schema() -> RefOr<Schema> {
        nullable(T::field_schema())
    }

    fn components(out: &mut Components) {
        T::components(out);
    }
}

/// The schema of a value that may also be `null`.
pub fn nullable(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object.schema_type = with_null(object.schema_type);
            RefOr::T(Schema::Object(object))
        }
        RefOr::T(Schema::Array(mut array)) => {
            array.schema_type = with_null(array.schema_type);
            RefOr::T(Schema::Array(array))
        }
        RefOr::T(Schema::OneOf(one_of)) if one_of.items.iter().any(is_null) => RefOr::T(Schema::OneOf(one_of)),
        other => OneOfBuilder::new()
            .item(other)
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into(),
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

fn with_null(schema_type: SchemaType) -> SchemaType {
    match schema_type {
        SchemaType::Type(Type::Null) => SchemaType::Type(Type::Null),
        SchemaType::Type(t) => [t, Type::Null].into_iter().collect(),
        SchemaType::Array(mut types) => {
            if !types.contains(&Type::Null) {
                types.push(Type::Null);
            }
            SchemaType::Array(types)
        }
        SchemaType::AnyValue => SchemaType::AnyValue,
    }
}

/// A string schema with these bounds, pattern and format.
pub fn string(
    min: Option<usize>,
    max: Option<usize>,
    pattern: Option<&str>,
    format: Option<KnownFormat>,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(min)
        .max_length(max)
        .pattern(pattern)
        .format(format.map(SchemaFormat::KnownFormat))
        .into()
}

/// An array schema of `items`, with at most `max` of them.
pub fn array(items: RefOr<Schema>, max: Option<usize>) -> RefOr<Schema> {
    ArrayBuilder::new().items(items).max_items(max).into()
}

/// A reference to the component of `T`, registering it (and what it refers to).
pub fn reference<T: utoipa::ToSchema>(out: &mut Components) {
    out.push((T::name().into_owned(), T::schema()));
    T::schemas(out);
}

/// The `$ref` to the component named `name`.
pub fn ref_to(name: Cow<'static, str>) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// One property of an object schema, as the record macro describes it.
pub struct Property {
    /// The field's name.
    pub name: &'static str,
    /// The field's type's schema.
    pub schema: RefOr<Schema>,
    /// The field's doc comment lines.
    pub doc: &'static [&'static str],
    /// An example value.
    pub example: Option<Value>,
    /// Whether an object must carry the field.
    pub required: bool,
}

/// Joins doc comment lines (`/// text` arrives as ` text`) into one text.
pub fn doc_text(lines: &[&str]) -> Option<String> {
    let text = lines
        .iter()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string();
    (!text.is_empty()).then_some(text)
}

/// Gives a property schema its description and example. A reference
/// carries the description beside `$ref`; with an example it is wrapped in
/// `allOf`, which may carry both.
#[allow(deprecated)] // `example` (not `examples`), as utoipa's own derive writes it.
fn describe(schema: RefOr<Schema>, description: Option<String>, example: Option<Value>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object.description = description.or(object.description);
            if example.is_some() {
                object.example = example;
            }
            RefOr::T(Schema::Object(object))
        }
        RefOr::T(Schema::Array(mut array)) => {
            array.description = description.or(array.description);
            if example.is_some() {
                array.example = example;
            }
            RefOr::T(Schema::Array(array))
        }
        RefOr::T(Schema::OneOf(mut one_of)) => {
            one_of.description = description.or(one_of.description);
            if example.is_some() {
                one_of.example = example;
            }
            RefOr::T(Schema::OneOf(one_of))
        }
        RefOr::Ref(mut reference) if example.is_none() => {
            reference.description = description.unwrap_or_default();
            RefOr::Ref(reference)
        }
        other => utoipa::openapi::schema::AllOfBuilder::new()
            .item(other)
            .description(description)
            .example(example)
            .into(),
    }
}

/// A schema with this example (as [`describe`] gives a property one).
pub fn with_example(schema: RefOr<Schema>, example: Value) -> RefOr<Schema> {
    describe(schema, None, Some(example))
}

/// Whether an object schema admits keys it does not name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// A request body: a key it does not name is refused (422).
    Closed,
    /// A response: clients should ignore keys they do not know.
    Open,
}

/// An object schema from its properties, with a description and its
/// examples: the first is the `example`; several are all listed under
/// `examples`. A property without an example of its own takes the first
/// example's value (Swagger UI would otherwise make one up from its
/// pattern, such as `IVu#f?@gffoH;McL` for a name).
#[allow(deprecated)] // `example` (not only `examples`), as utoipa's own derive writes it.
pub fn object(properties: Vec<Property>, doc: &[&str], examples: Vec<Value>, keys: Keys) -> RefOr<Schema> {
    let first = examples.first().cloned();
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(doc_text(doc))
        .example(first.clone());
    if examples.len() > 1 {
        builder = builder.examples(examples);
    }
    if keys == Keys::Closed {
        builder = builder.additional_properties(Some(AdditionalProperties::FreeForm(false)));
    }
    for property in properties {
        if property.required {
            builder = builder.required(property.name);
        }
        // Only beside an inline schema: a reference with an example would
        // have to be wrapped in `allOf`.
        let shown = match &property.schema {
            RefOr::T(_) => first.as_ref().and_then(|example| example.get(property.name)).cloned(),
            RefOr::Ref(_) => None,
        };
        let example = property.example.or(shown).filter(|value| !value.is_null());
        let schema = describe(property.schema, doc_text(property.doc), example);
        builder = builder.property(property.name, schema);
    }
    builder.into()
}

impl FieldSchema for bool {
    fn field_schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Boolean).into()
    }
}

impl FieldSchema for i32 {
    fn field_schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .into()
    }
}

impl FieldSchema for i64 {
    fn field_schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .into()
    }
}

impl FieldSchema for u32 {
    fn field_schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(0))
            .into()
    }
}

impl FieldSchema for Uuid {
    fn field_schema() -> RefOr<Schema> {
        string(None, None, None, Some(KnownFormat::Uuid))
    }
}

impl FieldSchema for NaiveDate {
    fn field_schema() -> RefOr<Schema> {
        string(None, None, None, Some(KnownFormat::Date))
    }
}

impl FieldSchema for DateTime<Utc> {
    fn field_schema() -> RefOr<Schema> {
        string(None, None, None, Some(KnownFormat::DateTime))
    }
}

/// A query parameter's schema that also takes an empty value: every
/// filter, paging and sort parameter does, and means no filter (as a form
/// that leaves a field blank sends it). A free text says it takes no U+0000
/// and at most 500 characters (as the service reads every parameter).
pub fn or_empty(schema: RefOr<Schema>) -> RefOr<Schema> {
    let schema = match schema {
        RefOr::T(Schema::Object(mut object))
            if object.schema_type == Type::String.into() && object.pattern.is_none() && object.format.is_none() =>
        {
            object.pattern = Some(crate::model::field::NO_NUL_PATTERN.to_string());
            if object.max_length.is_none() {
                object.max_length = Some(crate::model::list::MAX_PARAMETER_CHARS);
            }
            RefOr::T(Schema::Object(object))
        }
        other => other,
    };
    AnyOfBuilder::new()
        .item(schema)
        .item(ObjectBuilder::new().schema_type(Type::String).max_length(Some(0)))
        .into()
}

/// The schema of a JSON merge patch of `T` (for the document): `T`'s
/// fields, none of them required.
pub fn patch_schema<T: utoipa::ToSchema>() -> RefOr<Schema> {
    match T::schema() {
        RefOr::T(Schema::Object(mut object)) => {
            object.required.clear();
            object.example = None;
            object.description = Some(format!(
                "Changes to one `{}`, as a JSON merge patch: only the fields to change, none required.",
                T::name()
            ));
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}
