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

/// Whether a field has the `default` option.
#[doc(hidden)]
#[macro_export]
macro_rules! __has_default {
    () => {
        false
    };
    (default) => {
        true
    };
}

/// A field's example, if it has one.
#[doc(hidden)]
#[macro_export]
macro_rules! __example {
    () => {
        None
    };
    ($example:expr) => {
        serde_json::to_value($example).ok()
    };
}

/// The [`Check`](super::check::Check) of a struct: its known keys and each
/// field checked by its type.
#[doc(hidden)]
#[macro_export]
macro_rules! __check_struct {
    ($Name:ident { $($field:ident : $ty:ty [$($default:ident)?]),* }) => {
        impl $crate::model::check::Check for $Name {
            fn check(value: &serde_json::Value, path: &str, errors: &mut Vec<$crate::error::FieldError>) {
                let Some(map) = $crate::model::check::object(value, path, errors) else {
                    return;
                };
                $crate::model::check::unknown_keys(map, &[$(stringify!($field)),*], path, errors);
                $(
                    $crate::model::check::field::<$ty>(map, stringify!($field), $crate::__has_default!($($default)?), path, errors);
                )*
            }
        }
    };
}

/// The schema of a struct for the document: `schema` builds it; the
/// components its fields refer to are registered.
#[doc(hidden)]
#[macro_export]
macro_rules! __schema_of {
    ($Name:ident [$($ty:ty),* $(,)?] $schema:block) => {
        impl utoipa::PartialSchema for $Name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                #[allow(unused_imports)]
                use $crate::model::check::Check as _;
                #[allow(unused_imports)]
                use $crate::model::doc::{FieldSchema as _, Property};
                $schema
            }
        }

        impl utoipa::ToSchema for $Name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($Name))
            }

            fn schemas(out: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
                $(<$ty as $crate::model::doc::FieldSchema>::components(out);)*
            }
        }
    };
}

/// One property of a struct's schema.
#[doc(hidden)]
#[macro_export]
macro_rules! __property {
    ($field:ident : $schema:expr, [$($doc:literal),*], [$($example:expr)?], $required:expr) => {
        $crate::model::doc::Property {
            name: stringify!($field),
            schema: $schema,
            doc: &[$($doc),*],
            example: $crate::__example!($($example)?),
            required: $required,
        }
    };
}

/// Declares a resource's fields once; see the [module documentation](self).
#[macro_export]
macro_rules! record {
    (
        $(#[doc = $rdoc:literal])*
        pub struct $Record:ident;
        $(#[doc = $idoc:literal])*
        $(example = $iex:expr;)*
        pub struct $Input:ident;
        $(#[doc = $pdoc:literal])*
        $(example = $pex:expr;)?
        pub struct $Patch:ident;
        $(#[doc = $fdoc:literal])*
        pub struct $Fields:ident;
        { $($body:tt)* }
    ) => {
        $crate::record!(@munch
            [
                [$($rdoc),*] $Record
                [$($idoc),*] [$($iex),*] $Input
                [$($pdoc),*] [$($pex)?] $Patch
                [$($fdoc),*] $Fields
            ]
            [] [] [] []
            $($body)*
        );
    };

    // A field with options: normalise the options, then file the field.
    (@munch $head:tt $input:tt $fields:tt $record:tt $computed:tt
        $(#[doc = $doc:literal])* $name:ident : $ty:ty [$($opt:tt)*], $($rest:tt)*
    ) => {
        $crate::record!(@opts $head $input $fields $record $computed
            {[$($doc),*] $name [$ty]} [] patch [] ($($opt)*) $($rest)*);
    };
    // A field without options.
    (@munch $head:tt $input:tt $fields:tt $record:tt $computed:tt
        $(#[doc = $doc:literal])* $name:ident : $ty:ty, $($rest:tt)*
    ) => {
        $crate::record!(@file $head $input $fields $record $computed
            {[$($doc),*] $name [$ty]} [] patch [] $($rest)*);
    };
    // Every field is filed: emit.
    (@munch $head:tt $input:tt $fields:tt $record:tt $computed:tt) => {
        $crate::record!(@emit $head $input $fields $record $computed);
    };

    // Options: `default`, `fixed`, `secret`, `example = …`, separated by commas.
    (@opts $head:tt $input:tt $fields:tt $record:tt $computed:tt $field:tt [$($d:ident)?] $kind:ident [$($ex:expr)?]
        (default $(, $($more:tt)*)?) $($rest:tt)*
    ) => {
        $crate::record!(@opts $head $input $fields $record $computed $field [default] $kind [$($ex)?] ($($($more)*)?) $($rest)*);
    };
    (@opts $head:tt $input:tt $fields:tt $record:tt $computed:tt $field:tt [$($d:ident)?] $kind:ident [$($ex:expr)?]
        (fixed $(, $($more:tt)*)?) $($rest:tt)*
    ) => {
        $crate::record!(@opts $head $input $fields $record $computed $field [$($d)?] fixed [$($ex)?] ($($($more)*)?) $($rest)*);
    };
    (@opts $head:tt $input:tt $fields:tt $record:tt $computed:tt $field:tt [$($d:ident)?] $kind:ident [$($ex:expr)?]
        (secret $(, $($more:tt)*)?) $($rest:tt)*
    ) => {
        $crate::record!(@opts $head $input $fields $record $computed $field [$($d)?] secret [$($ex)?] ($($($more)*)?) $($rest)*);
    };
    (@opts $head:tt $input:tt $fields:tt $record:tt $computed:tt $field:tt [$($d:ident)?] $kind:ident [$($ex:expr)?]
        (computed $(, $($more:tt)*)?) $($rest:tt)*
    ) => {
        $crate::record!(@opts $head $input $fields $record $computed $field [$($d)?] computed [$($ex)?] ($($($more)*)?) $($rest)*);
    };
    (@opts $head:tt $input:tt $fields:tt $record:tt $computed:tt $field:tt [$($d:ident)?] $kind:ident [$($ex:expr)?]
        (example = $example:expr $(, $($more:tt)*)?) $($rest:tt)*
    ) => {
        $crate::record!(@opts $head $input $fields $record $computed $field [$($d)?] $kind [$example] ($($($more)*)?) $($rest)*);
    };
    (@opts $head:tt $input:tt $fields:tt $record:tt $computed:tt $field:tt $default:tt $kind:ident $example:tt () $($rest:tt)*) => {
        $crate::record!(@file $head $input $fields $record $computed $field $default $kind $example $($rest)*);
    };

    // Filing: a patchable field goes everywhere; a fixed one into the create
    // type and the record; a secret one into the create type only.
    (@file $head:tt [$($input:tt)*] [$($fields:tt)*] [$($record:tt)*] $computed:tt $field:tt $default:tt patch $example:tt $($rest:tt)*) => {
        $crate::record!(@munch $head
            [$($input)* {$field $default $example}]
            [$($fields)* {$field $default $example}]
            [$($record)* {$field $default $example}]
            $computed
            $($rest)*);
    };
    (@file $head:tt [$($input:tt)*] $fields:tt [$($record:tt)*] $computed:tt $field:tt $default:tt fixed $example:tt $($rest:tt)*) => {
        $crate::record!(@munch $head
            [$($input)* {$field $default $example}]
            $fields
            [$($record)* {$field $default $example}]
            $computed
            $($rest)*);
    };
    (@file $head:tt [$($input:tt)*] $fields:tt $record:tt $computed:tt $field:tt $default:tt secret $example:tt $($rest:tt)*) => {
        $crate::record!(@munch $head
            [$($input)* {$field $default $example}]
            $fields
            $record
            $computed
            $($rest)*);
    };
    (@file $head:tt $input:tt $fields:tt $record:tt [$($computed:tt)*] $field:tt $default:tt computed $example:tt $($rest:tt)*) => {
        $crate::record!(@munch $head
            $input
            $fields
            $record
            [$($computed)* {$field $default $example}]
            $($rest)*);
    };

    (@emit
        [
            [$($rdoc:literal),*] $Record:ident
            [$($idoc:literal),*] [$($iex:expr),*] $Input:ident
            [$($pdoc:literal),*] [$($pex:expr)?] $Patch:ident
            [$($fdoc:literal),*] $Fields:ident
        ]
        [$({{[$($idocs:literal),*] $iname:ident [$ity:ty]} [$($idef:ident)?] [$($iexample:expr)?]})*]
        [$({{[$($fdocs:literal),*] $fname:ident [$fty:ty]} [$($fdef:ident)?] [$($fexample:expr)?]})*]
        [$({{[$($rdocs:literal),*] $rname:ident [$rty:ty]} [$($rdef:ident)?] [$($rexample:expr)?]})*]
        [$({{[$($cdocs:literal),*] $cname:ident [$cty:ty]} [$($cdef:ident)?] [$($cexample:expr)?]})*]
    ) => {
        $(#[doc = $idoc])*
        #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $Input {
            $(
                $(#[doc = $idocs])*
                $(#[serde($idef)])?
                pub $iname: $ity,
            )*
        }

        $(#[doc = $fdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $Fields {
            $(
                $(#[doc = $fdocs])*
                $(#[serde($fdef)])?
                pub $fname: $fty,
            )*
        }

        $(#[doc = $rdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        pub struct $Record {
            /// Server-made id (UUIDv7).
            pub id: uuid::Uuid,
            $(
                $(#[doc = $rdocs])*
                pub $rname: $rty,
            )*
            $(
                $(#[doc = $cdocs])*
                pub $cname: $cty,
            )*
            /// Starts at 1 and grows by 1 with every change; the `ETag` is this number in double quotes (`"3"`).
            pub version: i32,
            /// When the record was created (RFC 3339, UTC).
            pub created_at: chrono::DateTime<chrono::Utc>,
            /// When the record last changed (RFC 3339, UTC).
            pub updated_at: chrono::DateTime<chrono::Utc>,
        }

        $(#[doc = $pdoc])*
        ///
        /// (The schema of a `PATCH` body: every field optional, `null` clears it.)
        pub struct $Patch;

        $crate::__check_struct!($Input { $($iname: $ity [$($idef)?]),* });
        $crate::__check_struct!($Fields { $($fname: $fty [$($fdef)?]),* });

        impl $Record {
            /// The new record made from a create request, with its stamp
            /// (read-only fields start at their defaults).
            pub fn from_input(input: $Input, meta: $crate::model::record::Meta) -> Self {
                let $Input { $($rname,)* .. } = input;
                $Record {
                    id: meta.id,
                    $($rname,)*
                    $($cname: Default::default(),)*
                    version: meta.version,
                    created_at: meta.created_at,
                    updated_at: meta.updated_at,
                }
            }
        }

        impl $crate::model::record::ShownOnce for $Record {}

        impl $crate::model::record::Record for $Record {
            type Fields = $Fields;

            fn meta(&self) -> $crate::model::record::Meta {
                $crate::model::record::Meta {
                    id: self.id,
                    version: self.version,
                    created_at: self.created_at,
                    updated_at: self.updated_at,
                }
            }

            fn fields(&self) -> $Fields {
                $Fields {
                    $($fname: self.$fname.clone(),)*
                }
            }

            fn with_fields(self, fields: $Fields) -> Self {
                let $Fields { $($fname,)* } = fields;
                $Record {
                    $($fname,)*
                    ..self
                }
            }

            fn touched(self, at: chrono::DateTime<chrono::Utc>) -> Self {
                $Record {
                    version: self.version + 1,
                    updated_at: at,
                    ..self
                }
            }
        }

        $crate::__schema_of!($Input [$($ity),*] {
            $crate::model::doc::object(
                vec![$(
                    $crate::__property!($iname: <$ity>::field_schema(), [$($idocs),*], [$($iexample)?],
                        !(<$ity>::OPTIONAL || $crate::__has_default!($($idef)?))),
                )*],
                &[$($idoc),*],
                {
                    let all: Vec<Option<serde_json::Value>> = vec![$($crate::__example!($iex)),*];
                    all.into_iter().flatten().collect()
                },
                $crate::model::doc::Keys::Closed,
            )
        });

        $crate::__schema_of!($Patch [$($fty),*] {
            $crate::model::doc::object(
                vec![$(
                    $crate::__property!($fname: <$fty as $crate::model::doc::FieldSchema>::patch_schema(),
                        [$($fdocs),*], [$($fexample)?], false),
                )*],
                &[$($pdoc),*],
                $crate::__example!($($pex)?).into_iter().collect(),
                $crate::model::doc::Keys::Closed,
            )
        });

        $crate::__schema_of!($Record [$($rty,)* $($cty),*] {
            let mut properties = vec![Property {
                name: "id",
                schema: <uuid::Uuid>::field_schema(),
                doc: &[" Server-made id (UUIDv7)."],
                example: None,
                required: true,
            }];
            properties.extend([$(
                $crate::__property!($rname: <$rty>::field_schema(), [$($rdocs),*], [$($rexample)?], !<$rty>::OPTIONAL),
            )*]);
            properties.extend([$(
                $crate::__property!($cname: <$cty>::field_schema(), [$($cdocs),*], [$($cexample)?], !<$cty>::OPTIONAL),
            )*]);
            properties.extend($crate::model::record::meta_properties());
            $crate::model::doc::object(properties, &[$($rdoc),*], Vec::new(), $crate::model::doc::Keys::Open)
        });
    };
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

/// Declares a nested object type (a list item, an embedded person) once:
/// the struct with serde, [`Check`](super::check::Check), its component
/// schema and its [`FieldSchema`](super::doc::FieldSchema) (a reference).
#[macro_export]
macro_rules! object {
    // A request body only: read, never written.
    (
        $(#[doc = $doc:literal])*
        $(example = $ex:expr;)?
        input struct $Name:ident {
            $(
                $(#[doc = $fdoc:literal])*
                $fname:ident : $fty:ty $([$fdef:ident])?,
            )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $Name {
            $(
                $(#[doc = $fdoc])*
                $(#[serde($fdef)])?
                pub $fname: $fty,
            )*
        }

        $crate::object!(@impls [$($doc),*] [$($ex)?] $Name { $([$($fdoc),*] $fname: $fty [$($fdef)?],)* });
    };
    (
        $(#[doc = $doc:literal])*
        $(example = $ex:expr;)?
        pub struct $Name:ident {
            $(
                $(#[doc = $fdoc:literal])*
                $fname:ident : $fty:ty $([$fdef:ident])?,
            )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $Name {
            $(
                $(#[doc = $fdoc])*
                $(#[serde($fdef)])?
                pub $fname: $fty,
            )*
        }

        $crate::object!(@impls [$($doc),*] [$($ex)?] $Name { $([$($fdoc),*] $fname: $fty [$($fdef)?],)* });
    };
    (@impls [$($doc:literal),*] [$($ex:expr)?] $Name:ident {
        $([$($fdoc:literal),*] $fname:ident : $fty:ty [$($fdef:ident)?],)*
    }) => {
        $crate::__check_struct!($Name { $($fname: $fty [$($fdef)?]),* });

        $crate::__schema_of!($Name [$($fty),*] {
            $crate::model::doc::object(
                vec![$(
                    $crate::__property!($fname: <$fty>::field_schema(), [$($fdoc),*], [],
                        !(<$fty>::OPTIONAL || $crate::__has_default!($($fdef)?))),
                )*],
                &[$($doc),*],
                $crate::__example!($($ex)?).into_iter().collect(),
                $crate::model::doc::Keys::Closed,
            )
        });

        impl $crate::model::doc::FieldSchema for $Name {
            fn field_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::model::doc::ref_to(<$Name as utoipa::ToSchema>::name())
            }

            fn components(out: &mut $crate::model::doc::Components) {
                $crate::model::doc::reference::<$Name>(out);
            }
        }
    };
}
