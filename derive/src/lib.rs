//! The derives that let chanjiao declare a resource once.
//!
//! Each derive writes trait implementations only (never a new type or a
//! new name), so that everything a reader meets is written out in the
//! struct or enum it stands on, and go-to-definition leads to the traits:
//!
//! - [`Fields`](macro@Fields): a resource's fields (or a nested object's) as
//!   one table, `crate::model::resource::FieldSet`, from which the create,
//!   patch and record schemas, the field-by-field checks and the
//!   spreadsheet columns are made by plain generic code.
//! - [`Row`](macro@Row): the copy between an entity's row and the
//!   resource's fields, `crate::entity::Row`.
//! - [`Filters`](macro@Filters): a list's filters as `(column, test, value)`
//!   triples, `crate::model::list::ListFilters`.
//! - [`SortKey`](macro@SortKey): a list's sort table, `crate::model::list::SortKey`.
//! - [`Vocabulary`](macro@Vocabulary): a closed vocabulary's values as
//!   text, `crate::domain::vocab::Vocabulary`.
//! - [`TextField`](macro@TextField): what a text with a rule
//!   (`crate::model::field::TextRule`) is as a field: its serde, its check,
//!   its schema and its stored form.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Expr, Fields as SynFields, Ident, LitStr, Meta, Token};

/// The doc comment lines of an item, as string literals.
fn docs(attrs: &[Attribute]) -> Vec<LitStr> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                }) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The `key` or `key = value` items of every `#[name(...)]` attribute.
fn items(attrs: &[Attribute], name: &str) -> syn::Result<Vec<Meta>> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        let list = attr.meta.require_list()?;
        let parsed = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(list.tokens.clone())?;
        out.extend(parsed);
    }
    Ok(out)
}

/// Whether `#[serde(...)]` names `word` (`default`, `skip_serializing`).
fn serde_says(attrs: &[Attribute], word: &str) -> syn::Result<bool> {
    Ok(items(attrs, "serde")?.iter().any(|m| m.path().is_ident(word)))
}

fn value_of(meta: &Meta) -> syn::Result<&Expr> {
    Ok(&meta.require_name_value()?.value)
}

fn string_of(meta: &Meta) -> syn::Result<String> {
    match value_of(meta)? {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s), ..
        }) => Ok(s.value()),
        other => Err(syn::Error::new_spanned(other, "expected a string")),
    }
}

fn named_fields(input: &DeriveInput) -> syn::Result<Vec<&syn::Field>> {
    match &input.data {
        Data::Struct(data) => match &data.fields {
            SynFields::Named(named) => Ok(named.named.iter().collect()),
            _ => Err(syn::Error::new_spanned(input, "expected a struct with named fields")),
        },
        _ => Err(syn::Error::new_spanned(input, "expected a struct")),
    }
}

/// A closed vocabulary's values as text: `crate::domain::vocab::Vocabulary`
/// for a fieldless enum, each value the variant's name in snake case (as
/// `#[serde(rename_all = "snake_case")]` and sea-orm's
/// `rename_all = "snake_case"` write it), `ALL` in the order written.
///
/// The trait's three items are also given to the enum itself
/// (`Scale::ALL`, `Scale::as_str`, `Scale::parse`), forwarding to the
/// trait, so that a caller needs no `use` of the trait to name them.
/// `#[vocabulary(default = Variant)]` on the enum also implements `Default`.
#[proc_macro_derive(Vocabulary, attributes(vocabulary))]
pub fn derive_vocabulary(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    vocabulary_impl(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn vocabulary_impl(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "expected an enum"));
    };
    let mut default = None;
    for meta in items(&input.attrs, "vocabulary")? {
        match value_of(&meta)? {
            Expr::Path(path) if meta.path().is_ident("default") && path.path.get_ident().is_some() => {
                default = Some(path.path.clone());
            }
            _ => return Err(syn::Error::new_spanned(meta, "expected `default = Variant`")),
        }
    }
    let default = default.map(|variant| {
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    #name::#variant
                }
            }
        }
    });
    let mut variants = Vec::new();
    let mut texts = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, SynFields::Unit) {
            return Err(syn::Error::new_spanned(variant, "expected a variant without fields"));
        }
        texts.push(snake(&variant.ident));
        variants.push(&variant.ident);
    }
    Ok(quote! {
        impl crate::domain::vocab::Vocabulary for #name {
            const ALL: &'static [Self] = &[#(#name::#variants),*];

            fn as_str(self) -> &'static str {
                match self {
                    #(#name::#variants => #texts,)*
                }
            }

            fn parse(text: &str) -> Option<Self> {
                match text {
                    #(#texts => Some(#name::#variants),)*
                    _ => None,
                }
            }
        }

        impl #name {
            /// Every value, in the documented order.
            pub const ALL: &'static [#name] = <#name as crate::domain::vocab::Vocabulary>::ALL;

            /// The value as written in JSON and stored in the database.
            pub fn as_str(self) -> &'static str {
                <#name as crate::domain::vocab::Vocabulary>::as_str(self)
            }

            /// Reads a value written by [`Self::as_str`].
            pub fn parse(text: &str) -> Option<Self> {
                <#name as crate::domain::vocab::Vocabulary>::parse(text)
            }
        }

        #default
    })
}

/// What a text with a rule is as a field, for a struct `Name(String)` that
/// implements `crate::model::field::TextRule` by hand: serde (reading
/// checks the rule; writing writes the text), `crate::model::check::Check`
/// (the rule's error), `crate::model::doc::FieldSchema` (the rule's
/// schema), `crate::model::field::Stored<String>` (a stored text, not
/// checked again) and `From<Name> for String`.
#[proc_macro_derive(TextField)]
pub fn derive_text_field(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    text_field_impl(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn text_field_impl(input: &DeriveInput) -> syn::Result<Tokens> {
    match &input.data {
        Data::Struct(data) if matches!(&data.fields, SynFields::Unnamed(fields) if fields.unnamed.len() == 1) => {}
        _ => return Err(syn::Error::new_spanned(input, "expected a struct `Name(String)`")),
    }
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut de_generics = input.generics.clone();
    de_generics.params.insert(0, syn::parse_quote!('de));
    let (de_impl_generics, _, _) = de_generics.split_for_impl();
    let ty = quote!(#name #ty_generics);
    Ok(quote! {
        impl #de_impl_generics serde::Deserialize<'de> for #ty #where_clause {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                <#ty as crate::model::field::TextRule>::parse(text)
                    .map_err(|broken| <D::Error as serde::de::Error>::custom(broken.message))
            }
        }

        impl #impl_generics serde::Serialize for #ty #where_clause {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(crate::model::field::TextRule::as_str(self))
            }
        }

        impl #impl_generics crate::model::check::Check for #ty #where_clause {
            fn check(value: &serde_json::Value, path: &str, errors: &mut Vec<crate::error::FieldError>) {
                crate::model::field::check_text::<#ty>(value, path, errors);
            }
        }

        impl #impl_generics crate::model::doc::FieldSchema for #ty #where_clause {
            fn field_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <#ty as crate::model::field::TextRule>::schema()
            }
        }

        impl #impl_generics crate::model::field::Stored<String> for #ty #where_clause {
            fn from_stored(stored: String) -> Self {
                Self(stored)
            }
        }

        impl #impl_generics From<#ty> for String #where_clause {
            fn from(value: #ty) -> String {
                value.0
            }
        }
    })
}

/// Declares a struct's fields as `crate::model::resource::FieldSet`, with
/// its `Check` (every problem at once).
///
/// On each field: `#[field(label = "名称")]` (required: the Chinese half of
/// the spreadsheet header), `example = expr`, and one of `fixed` (set on
/// create, never patched) or `computed` (shown only, set by the service);
/// `#[serde(default)]` lets a create leave it out, `#[serde(skip_serializing)]`
/// makes it create-only and never shown (a password).
///
/// On the struct: `#[fields(object)]` for a nested object (a list item, an
/// embedded person), which also gets its component schema, with
/// `#[fields(object, example = expr)]` for its example.
#[proc_macro_derive(Fields, attributes(field, fields))]
pub fn derive_fields(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    fields_impl(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn fields_impl(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let doc = docs(&input.attrs);
    let mut object = false;
    let mut object_example = None;
    for meta in items(&input.attrs, "fields")? {
        if meta.path().is_ident("object") {
            object = true;
        } else if meta.path().is_ident("example") {
            object_example = Some(value_of(&meta)?.clone());
        } else {
            return Err(syn::Error::new_spanned(meta, "expected `object` or `example = …`"));
        }
    }
    let mut infos = Vec::new();
    for field in named_fields(input)? {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| syn::Error::new_spanned(field, "unnamed field"))?;
        let ty = &field.ty;
        let key = ident.to_string();
        let field_doc = docs(&field.attrs);
        let mut label = None;
        let mut example = None;
        let mut access = quote!(Patch);
        for meta in items(&field.attrs, "field")? {
            let path = meta.path();
            if path.is_ident("label") {
                label = Some(string_of(&meta)?);
            } else if path.is_ident("example") {
                example = Some(value_of(&meta)?.clone());
            } else if path.is_ident("fixed") {
                access = quote!(Fixed);
            } else if path.is_ident("computed") {
                access = quote!(Computed);
            } else {
                return Err(syn::Error::new_spanned(
                    meta,
                    "expected `label = \"…\"`, `example = …`, `fixed` or `computed`",
                ));
            }
        }
        if serde_says(&field.attrs, "skip_serializing")? {
            access = quote!(Secret);
        }
        let has_default = serde_says(&field.attrs, "default")?;
        let header = match label {
            Some(label) => format!("{label} {key}"),
            None if object => key.clone(),
            None => {
                return Err(syn::Error::new_spanned(
                    ident,
                    "a field needs `#[field(label = \"…\")]`",
                ))
            }
        };
        let example = match example {
            Some(example) => quote!(Some({
                fn example() -> Option<serde_json::Value> {
                    serde_json::to_value(#example).ok()
                }
                example
            })),
            None => quote!(None),
        };
        infos.push(quote! {
            crate::model::resource::FieldInfo {
                name: #key,
                header: #header,
                doc: &[#(#field_doc),*],
                access: crate::model::resource::FieldAccess::#access,
                has_default: #has_default,
                optional: <#ty as crate::model::check::Check>::OPTIONAL,
                check: <#ty as crate::model::check::Check>::check,
                schema: <#ty as crate::model::doc::FieldSchema>::field_schema,
                patch_schema: <#ty as crate::model::doc::FieldSchema>::patch_schema,
                components: <#ty as crate::model::doc::FieldSchema>::components,
                example: #example,
            }
        });
    }
    let check_patch = if object {
        quote!()
    } else {
        quote! {
            fn check_patch(value: &serde_json::Value, path: &str, errors: &mut Vec<crate::error::FieldError>) {
                crate::model::resource::check_fields::<#name>(
                    value, path, errors, crate::model::resource::Purpose::Patch,
                );
            }
        }
    };
    let mut out = quote! {
        impl crate::model::resource::FieldSet for #name {
            const DOC: &'static [&'static str] = &[#(#doc),*];
            const FIELDS: &'static [crate::model::resource::FieldInfo] = &[#(#infos),*];
        }

        impl crate::model::check::Check for #name {
            fn check(value: &serde_json::Value, path: &str, errors: &mut Vec<crate::error::FieldError>) {
                crate::model::resource::check_fields::<#name>(
                    value, path, errors, crate::model::resource::Purpose::Object,
                );
            }

            #check_patch
        }
    };
    if object {
        let key = name.to_string();
        let example = match object_example {
            Some(example) => quote!(serde_json::to_value(#example).ok()),
            None => quote!(None),
        };
        out.extend(quote! {
            impl utoipa::PartialSchema for #name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    crate::model::resource::object_schema::<#name>(#example)
                }
            }

            impl utoipa::ToSchema for #name {
                fn name() -> std::borrow::Cow<'static, str> {
                    std::borrow::Cow::Borrowed(#key)
                }

                fn schemas(out: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
                    crate::model::resource::field_components::<#name>(out);
                }
            }

            impl crate::model::doc::FieldSchema for #name {
                fn field_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    crate::model::doc::ref_to(<#name as utoipa::ToSchema>::name())
                }

                fn components(out: &mut crate::model::doc::Components) {
                    crate::model::doc::reference::<#name>(out);
                }
            }
        });
    }
    Ok(out)
}

/// Copies between an entity's row and its resource's fields:
/// `crate::entity::Row` for the entity's `Model`.
///
/// `#[row(fields = crate::model::base::BaseFields)]` on the struct names the
/// fields; `id`, `version`, `created_at` and `updated_at` are the record's
/// stamp; every other column is a field of the same name and type, except
/// those marked `#[row(derived)]` (a sort key, the folded search text),
/// which the service computes from the fields. `#[row(unstored(password))]`
/// on the struct names the fields the row does not keep as such (a
/// password, kept as its hash in a derived column): read back as their
/// type's default.
#[proc_macro_derive(Row, attributes(row))]
pub fn derive_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    row_impl(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

fn row_impl(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let mut fields_type = None;
    let mut unstored = Vec::new();
    for meta in items(&input.attrs, "row")? {
        if meta.path().is_ident("fields") {
            fields_type = Some(value_of(&meta)?.clone());
        } else if meta.path().is_ident("unstored") {
            let list = meta.require_list()?;
            unstored.extend(Punctuated::<Ident, Token![,]>::parse_terminated.parse2(list.tokens.clone())?);
        } else {
            return Err(syn::Error::new_spanned(
                meta,
                "expected `fields = Type` or `unstored(field, …)`",
            ));
        }
    }
    let fields_type =
        fields_type.ok_or_else(|| syn::Error::new(Span::call_site(), "expected `#[row(fields = Type)]`"))?;
    let mut copied = Vec::new();
    let mut derived = Vec::new();
    for field in named_fields(input)? {
        let ident = field
            .ident
            .clone()
            .ok_or_else(|| syn::Error::new_spanned(field, "unnamed field"))?;
        let is_derived = items(&field.attrs, "row")?.iter().any(|m| m.path().is_ident("derived"));
        if ["id", "version", "created_at", "updated_at"].contains(&ident.to_string().as_str()) {
            continue;
        }
        if is_derived {
            derived.push(ident);
        } else {
            copied.push(ident);
        }
    }
    Ok(quote! {
        impl crate::entity::Row for #name {
            type Fields = #fields_type;

            fn meta(&self) -> crate::model::record::Meta {
                crate::model::record::Meta {
                    id: self.id,
                    version: self.version,
                    created_at: self.created_at,
                    updated_at: self.updated_at,
                }
            }

            fn fields(&self) -> Self::Fields {
                #fields_type {
                    #(#copied: self.#copied.clone(),)*
                    #(#unstored: Default::default(),)*
                }
            }

            fn active(meta: &crate::model::record::Meta, fields: &Self::Fields) -> ActiveModel {
                use sea_orm::ActiveValue::{NotSet, Set};
                ActiveModel {
                    id: Set(meta.id),
                    version: Set(meta.version),
                    created_at: Set(meta.created_at),
                    updated_at: Set(meta.updated_at),
                    #(#copied: Set(fields.#copied.clone()),)*
                    #(#derived: NotSet,)*
                }
            }
        }
    })
}

/// A list's filters as `crate::model::list::ListFilters`: each field of
/// the query struct (an `Option`) is one filter, by default "the column of
/// the same name equals the value"; `#[filter(column = "start_date", test =
/// "at_least")]` names another column or test (`equals`, `at_least`,
/// `at_most`, `before`, `after`); `#[filter(custom)]` leaves the field to
/// the resource's own code (a filter on a side table).
#[proc_macro_derive(Filters, attributes(filter))]
pub fn derive_filters(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    filters_impl(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn filters_impl(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let mut pushes = Vec::new();
    for field in named_fields(input)? {
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| syn::Error::new_spanned(field, "unnamed field"))?;
        let mut column = ident.to_string();
        let mut test = Ident::new("Equals", Span::call_site());
        let mut custom = false;
        for meta in items(&field.attrs, "filter")? {
            let path = meta.path();
            if path.is_ident("column") {
                column = string_of(&meta)?;
            } else if path.is_ident("test") {
                let text = string_of(&meta)?;
                let variant = match text.as_str() {
                    "equals" => "Equals",
                    "at_least" => "AtLeast",
                    "at_most" => "AtMost",
                    "before" => "Before",
                    "after" => "After",
                    _ => return Err(syn::Error::new_spanned(meta, "unknown test")),
                };
                test = Ident::new(variant, Span::call_site());
            } else if path.is_ident("custom") {
                custom = true;
            } else {
                return Err(syn::Error::new_spanned(meta, "expected `column`, `test` or `custom`"));
            }
        }
        if custom {
            continue;
        }
        pushes.push(quote! {
            if let Some(value) = &self.#ident {
                filters.push(crate::model::list::Filter {
                    column: #column,
                    test: crate::model::list::Test::#test,
                    value: crate::model::list::FilterValue::from(value.clone()),
                });
            }
        });
    }
    Ok(quote! {
        impl crate::model::list::ListFilters for #name {
            fn filters(&self) -> Vec<crate::model::list::Filter> {
                let mut filters = Vec::new();
                #(#pushes)*
                filters
            }
        }
    })
}

/// A list's sort table as `crate::model::list::SortKey`:
/// `#[sort(list = "bases", default = CreatedAt)]` on the enum; on a
/// variant, `#[sort(name = "…")]` when the API's name is not the variant's
/// in snake case, and `#[sort(column = "…")]` when the column it sorts by is
/// not the one of that name (a nullable date sorts by a key column beside it).
#[proc_macro_derive(SortKey, attributes(sort))]
pub fn derive_sort_key(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    sort_impl(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

fn snake(ident: &Ident) -> String {
    let mut out = String::new();
    for (i, c) in ident.to_string().chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn sort_impl(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let mut list = None;
    let mut default = None;
    for meta in items(&input.attrs, "sort")? {
        if meta.path().is_ident("list") {
            list = Some(string_of(&meta)?);
        } else if meta.path().is_ident("default") {
            default = Some(value_of(&meta)?.clone());
        } else {
            return Err(syn::Error::new_spanned(
                meta,
                "expected `list = \"…\"` or `default = Variant`",
            ));
        }
    }
    let (Some(list), Some(default)) = (list, default) else {
        return Err(syn::Error::new_spanned(
            input,
            "expected `#[sort(list = \"…\", default = Variant)]`",
        ));
    };
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(input, "expected an enum"));
    };
    let mut variants = Vec::new();
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for variant in &data.variants {
        let ident = &variant.ident;
        let mut api = snake(ident);
        let mut column = None;
        for meta in items(&variant.attrs, "sort")? {
            if meta.path().is_ident("name") {
                api = string_of(&meta)?;
            } else if meta.path().is_ident("column") {
                column = Some(string_of(&meta)?);
            } else {
                return Err(syn::Error::new_spanned(
                    meta,
                    "expected `name = \"…\"` or `column = \"…\"`",
                ));
            }
        }
        columns.push(column.unwrap_or_else(|| api.clone()));
        names.push(api);
        variants.push(ident.clone());
    }
    Ok(quote! {
        impl crate::model::list::SortKey for #name {
            const LIST: &'static str = #list;
            const ALL: &'static [Self] = &[#(#name::#variants),*];
            const DEFAULT: Self = #name::#default;

            fn as_str(self) -> &'static str {
                match self {
                    #(#name::#variants => #names,)*
                }
            }

            fn column(self) -> &'static str {
                match self {
                    #(#name::#variants => #columns,)*
                }
            }
        }
    })
}
