//! Field types that carry their own rule: parsing (serde), checking
//! ([`Check`], every problem named), and their schema in the OpenAPI
//! document ([`FieldSchema`]). A request type declares a field once, with
//! its type, and every operation and the document take the rule from here.
//!
//! Values read back from the database were checked when they were written,
//! so the types are built from stored values without checking again
//! ([`Stored::from_stored`]).

use std::borrow::Cow;

use secrecy::{ExposeSecret, SecretString};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use utoipa::openapi::schema::{KnownFormat, Schema};
use utoipa::openapi::RefOr;
use validator::ValidateEmail;

use super::check::{self, Check};
use super::doc::{self, Components, FieldSchema};
use crate::domain::identifiers;
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

/// Implements serde, [`Check`], [`FieldSchema`] and [`Stored`] for a
/// [`TextRule`] type.
macro_rules! text_field {
    ($(@[$($generics:tt)*])? $ty:ty) => {
        impl<'de $(, $($generics)*)?> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                <$ty as TextRule>::parse(text).map_err(|broken| D::Error::custom(broken.message))
            }
        }

        impl$(<$($generics)*>)? Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl$(<$($generics)*>)? Check for $ty {
            fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
                check_text::<$ty>(value, path, errors);
            }
        }

        impl$(<$($generics)*>)? FieldSchema for $ty {
            fn field_schema() -> RefOr<Schema> {
                <$ty as TextRule>::schema()
            }
        }

        impl$(<$($generics)*>)? Stored<String> for $ty {
            fn from_stored(stored: String) -> Self {
                Self(stored)
            }
        }

        impl$(<$($generics)*>)? From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
    };
}

/// Text of `MIN` to `MAX` characters (a text that must not be empty must
/// not be only white space either); never U+0000, which PostgreSQL cannot store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> TextRule for Text<MIN, MAX> {
    fn parse(text: String) -> Result<Self, Broken> {
        no_nul(&text)?;
        let count = text.chars().count();
        if count < MIN || count > MAX {
            let message = if MIN == 0 {
                format!("must be at most {MAX} characters long")
            } else {
                format!("must be {MIN} to {MAX} characters long")
            };
            return Err(Broken::new("length", message));
        }
        if MIN > 0 && text.trim().is_empty() {
            return Err(Broken::new("length", "must not be empty"));
        }
        Ok(Text(text))
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string((MIN > 0).then_some(MIN), Some(MAX), Some(NO_NUL_PATTERN), None)
    }
}

text_field!(@[const MIN: usize, const MAX: usize] Text<MIN, MAX>);

/// A name: 1–200 characters.
pub type Name = Text<1, 200>;
/// A short name: at most 50 characters.
pub type ShortName = Text<0, 50>;
/// A text field with no stated limit: at most 500 characters.
pub type PlainText = Text<0, 500>;
/// A description: at most 5000 characters.
pub type LongText = Text<0, 5000>;

/// Declares a text field type with a fixed rule: a check that returns the
/// stored form, an error code and message, and its schema.
macro_rules! rule_type {
    ($(#[$meta:meta])* $name:ident, $code:literal, $message:literal, |$text:ident| $parse:expr, $schema:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl TextRule for $name {
            fn parse($text: String) -> Result<Self, Broken> {
                no_nul(&$text)?;
                let parsed: Option<String> = $parse;
                parsed.map($name).ok_or_else(|| Broken::new($code, $message))
            }

            fn as_str(&self) -> &str {
                &self.0
            }

            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        text_field!($name);
    };
}

rule_type!(
    /// A mainland mobile number (`13812345678`, optionally with `+86`) or a
    /// landline (`0536-1234567`), ASCII digits only.
    Phone,
    "phone",
    "must be a mainland mobile number (13812345678) or a landline (0536-1234567)",
    |text| identifiers::is_phone(&text).then_some(text),
    doc::string(None, None, Some(identifiers::PHONE_PATTERN), None)
);

rule_type!(
    /// An email address of at most 500 characters.
    Email,
    "email",
    "must be an email address of at most 500 characters",
    |text| (text.chars().count() <= 500 && text.validate_email()).then_some(text),
    doc::string(None, Some(500), None, Some(KnownFormat::Email))
);

rule_type!(
    /// An administrative region code (行政区划代码): 6 ASCII digits.
    RegionCode,
    "format",
    "must be a 6-digit region code",
    |text| identifiers::is_region_code(&text).then_some(text),
    doc::string(None, None, Some("^[0-9]{6}$"), None)
);

rule_type!(
    /// A Unified Social Credit Code (统一社会信用代码): 18 characters with a
    /// correct check character; lower case is accepted and stored upper-cased.
    CreditCode,
    "checksum",
    "must be an 18-character Unified Social Credit Code with a correct check character",
    |text| identifiers::normalize_credit_code(&text),
    doc::string(None, None, Some("^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$"), None)
);

rule_type!(
    /// A school identification code (学校标识码): 10 ASCII digits.
    SchoolCode,
    "format",
    "must be a 10-digit school identification code",
    |text| identifiers::is_school_code(&text).then_some(text),
    doc::string(None, None, Some("^[0-9]{10}$"), None)
);

rule_type!(
    /// A resident ID number (居民身份证号码): 18 characters with a valid birth
    /// date and check character; a lower-case `x` is stored upper-cased.
    ResidentId,
    "checksum",
    "must be an 18-character resident ID number with a valid birth date and check character",
    |text| identifiers::normalize_resident_id(&text),
    doc::string(None, None, Some("^[0-9]{17}[0-9Xx]$"), None)
);

impl ResidentId {
    /// The number as everyone but an admin and the owning school sees it
    /// (`370101********0021`); for responses only.
    pub fn masked(&self) -> ResidentId {
        ResidentId(identifiers::mask_resident_id(&self.0))
    }

    /// The birth date it records.
    pub fn birth_date(&self) -> Option<chrono::NaiveDate> {
        identifiers::resident_id_birth_date(&self.0)
    }
}

impl Phone {
    /// The number as everyone but an admin and the owning school sees it
    /// (`138****5678`, `053****4567`); for responses only.
    pub fn masked(&self) -> Phone {
        Phone(identifiers::mask_phone(&self.0))
    }
}

rule_type!(
    /// A login name: 3–64 characters of `a-z`, `0-9`, `_`, `.`, `-`.
    Username,
    "format",
    "must be 3 to 64 characters of a-z, 0-9, `_`, `.` and `-`",
    |text| identifiers::is_username(&text).then_some(text),
    doc::string(None, None, Some("^[a-z0-9_.-]{3,64}$"), None)
);

rule_type!(
    /// Where a webhook's deliveries go: an absolute `http` or `https` URL of
    /// at most 500 characters, with a host, without a user name or password
    /// (the signature authenticates a delivery) and without a `#fragment`.
    WebhookUrl,
    "format",
    "must be an http or https URL of at most 500 characters, with a host and without credentials or a #fragment",
    |text| webhook_url(&text).map(|_| text),
    doc::string(None, Some(500), Some("^[Hh][Tt][Tt][Pp][Ss]?://"), None)
);

/// The parsed URL of a webhook, if `text` is one ([`WebhookUrl`]'s rule).
pub fn webhook_url(text: &str) -> Option<url::Url> {
    if text.chars().count() > 500 || text.trim() != text {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let fine = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none();
    fine.then_some(url)
}

impl WebhookUrl {
    /// The parsed URL (checked when the value was made or stored).
    pub fn url(&self) -> Option<url::Url> {
        webhook_url(&self.0)
    }
}

rule_type!(
    /// An event a webhook takes: `<resource_type>.<action>` of the change
    /// feed (`apprenticeship.update`), or `*` for every change.
    EventName,
    "enum",
    "must be `*` or `<resource_type>.<action>`, such as `apprenticeship.update`",
    |text| EventName::read(&text).ok().map(|_| text),
    {
        let mut names = vec![serde_json::Value::from("*")];
        for feed in crate::domain::vocab::FeedType::ALL {
            for action in crate::domain::vocab::ChangeAction::ALL {
                names.push(format!("{}.{}", feed.as_str(), action.as_str()).into());
            }
        }
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(names))
            .into()
    }
);

impl EventName {
    /// `None` for `*`, else the kind of record and the action it names; `Err` when it names none.
    fn read(text: &str) -> Result<Option<(crate::domain::vocab::FeedType, crate::domain::vocab::ChangeAction)>, ()> {
        if text == "*" {
            return Ok(None);
        }
        let (feed, action) = text.split_once('.').ok_or(())?;
        match (
            crate::domain::vocab::FeedType::parse(feed),
            crate::domain::vocab::ChangeAction::parse(action),
        ) {
            (Some(feed), Some(action)) => Ok(Some((feed, action))),
            _ => Err(()),
        }
    }

    /// Whether a change of this kind of record and action is this event.
    pub fn matches(&self, feed: crate::domain::vocab::FeedType, action: crate::domain::vocab::ChangeAction) -> bool {
        match EventName::read(&self.0) {
            Ok(None) => true,
            Ok(Some(named)) => named == (feed, action),
            Err(()) => false,
        }
    }

    /// The event of a change: `<resource_type>.<action>`.
    pub fn of(feed: crate::domain::vocab::FeedType, action: crate::domain::vocab::ChangeAction) -> EventName {
        EventName(format!("{}.{}", feed.as_str(), action.as_str()))
    }
}

/// A yes/no field that is `DEFAULT` when a create leaves it out (`Flag<true>`:
/// on unless turned off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Flag<const DEFAULT: bool>(bool);

impl<const DEFAULT: bool> Flag<DEFAULT> {
    /// The value.
    pub fn get(self) -> bool {
        self.0
    }
}

impl<const DEFAULT: bool> Default for Flag<DEFAULT> {
    fn default() -> Self {
        Flag(DEFAULT)
    }
}

impl<const DEFAULT: bool> Check for Flag<DEFAULT> {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        check::leaf::<bool>(value, path, errors);
    }
}

impl<const DEFAULT: bool> FieldSchema for Flag<DEFAULT> {
    fn field_schema() -> RefOr<Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Boolean)
            .default(Some(Value::Bool(DEFAULT)))
            .into()
    }
}

impl<const DEFAULT: bool> Stored<bool> for Flag<DEFAULT> {
    fn from_stored(stored: bool) -> Self {
        Flag(stored)
    }
}

/// A secret text such as a password, of `MIN` to 1000 characters. It
/// cannot be printed and is never serialised; only hashing sees it.
#[derive(Clone)]
pub struct Secret<const MIN: usize>(SecretString);

/// The fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// A new password: 12–1000 characters.
pub type Password = Secret<MIN_PASSWORD_CHARS>;
/// A password given to prove who one is: 1–1000 characters.
pub type CurrentPassword = Secret<1>;

impl<const MIN: usize> Secret<MIN> {
    const MAX_CHARS: usize = 1000;

    /// Checks a secret text.
    pub fn parse(text: String) -> Result<Self, Broken> {
        no_nul(&text)?;
        if (MIN..=Self::MAX_CHARS).contains(&text.chars().count()) {
            Ok(Secret(SecretString::from(text)))
        } else {
            Err(Broken::new(
                "length",
                format!("must be {MIN} to {} characters long", Self::MAX_CHARS),
            ))
        }
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl<const MIN: usize> std::fmt::Debug for Secret<MIN> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl<const MIN: usize> PartialEq for Secret<MIN> {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl<'de, const MIN: usize> Deserialize<'de> for Secret<MIN> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Secret::parse(text).map_err(|broken| D::Error::custom(broken.message))
    }
}

impl<const MIN: usize> Check for Secret<MIN> {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        match value {
            Value::String(text) => {
                if let Err(broken) = Secret::<MIN>::parse(text.clone()) {
                    errors.push(FieldError::new(path, broken.code, broken.message));
                }
            }
            _ => errors.push(FieldError::new(path, "type", "must be a string")),
        }
    }
}

impl<const MIN: usize> FieldSchema for Secret<MIN> {
    fn field_schema() -> RefOr<Schema> {
        doc::string(Some(MIN), Some(Self::MAX_CHARS), None, Some(KnownFormat::Password))
    }
}

/// A whole number from `MIN` to `MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Int<const MIN: i64, const MAX: i64>(i64);

/// Hours a week: 1–60 (a student kind allows at most 40; that is the placement's rule).
pub type Hours = Int<1, 60>;
/// An amount of money in fen (CNY cents): 0–100,000,000.
pub type Fen = Int<0, 100_000_000>;
/// A score: 0–100.
pub type Score = Int<0, 100>;

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    /// Checks a number.
    pub fn parse(n: i64) -> Result<Self, Broken> {
        if (MIN..=MAX).contains(&n) {
            Ok(Int(n))
        } else {
            Err(Broken::new(
                "range",
                format!("must be a whole number from {MIN} to {MAX}"),
            ))
        }
    }

    /// The number.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(deserializer)?;
        Int::parse(n).map_err(|broken| D::Error::custom(broken.message))
    }
}

impl<const MIN: i64, const MAX: i64> Check for Int<MIN, MAX> {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let broken = match value.as_i64() {
            Some(n) => Int::<MIN, MAX>::parse(n).err(),
            None if value.is_number() => Some(Broken::new(
                "range",
                format!("must be a whole number from {MIN} to {MAX}"),
            )),
            None => Some(Broken::new("type", "must be a whole number")),
        };
        if let Some(broken) = broken {
            errors.push(FieldError::new(path, broken.code, broken.message));
        }
    }
}

impl<const MIN: i64, const MAX: i64> FieldSchema for Int<MIN, MAX> {
    fn field_schema() -> RefOr<Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                KnownFormat::Int64,
            )))
            .minimum(Some(MIN as f64))
            .maximum(Some(MAX as f64))
            .into()
    }
}

impl<const MIN: i64, const MAX: i64> Stored<i64> for Int<MIN, MAX> {
    fn from_stored(stored: i64) -> Self {
        Int(stored)
    }
}

/// A competition score: 0–100 with at most two decimals (`92.5`, `88.25`),
/// kept as hundredths so that it compares and sums exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(i64);

impl Points {
    const RULE: &'static str = "must be a number from 0 to 100 with at most two decimals";

    /// Checks a number.
    pub fn parse(n: f64) -> Result<Self, Broken> {
        let hundredths = (n * 100.0).round();
        let exact = (n * 100.0 - hundredths).abs() < 1e-6;
        if n.is_finite() && exact && (0.0..=10_000.0).contains(&hundredths) {
            Ok(Points(hundredths as i64))
        } else {
            Err(Broken::new("range", Points::RULE))
        }
    }

    /// The score in hundredths (`92.5` is 9250).
    pub fn hundredths(self) -> i64 {
        self.0
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            serializer.serialize_i64(self.0 / 100)
        } else {
            serializer.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = f64::deserialize(deserializer)?;
        Points::parse(n).map_err(|broken| D::Error::custom(broken.message))
    }
}

impl Check for Points {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let broken = match value.as_f64() {
            Some(n) => Points::parse(n).err(),
            None => Some(Broken::new("type", "must be a number")),
        };
        if let Some(broken) = broken {
            errors.push(FieldError::new(path, broken.code, broken.message));
        }
    }
}

impl FieldSchema for Points {
    fn field_schema() -> RefOr<Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .minimum(Some(0.0))
            .maximum(Some(100.0))
            .description(Some("0–100, at most two decimals (92.5, 88.25)"))
            .into()
    }
}

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

/// Implements [`Check`] and [`FieldSchema`] (a reference to its component)
/// for the closed vocabularies of the domain.
macro_rules! vocabulary_fields {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl Check for $ty {
                fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
                    let known = value.as_str().and_then(<$ty>::parse);
                    if known.is_none() {
                        let all: Vec<String> = <$ty>::ALL.iter().map(|v| format!("`{}`", v.as_str())).collect();
                        errors.push(FieldError::new(path, "enum", format!("must be one of {}", all.join(", "))));
                    }
                }
            }

            impl FieldSchema for $ty {
                fn field_schema() -> RefOr<Schema> {
                    doc::ref_to(<$ty as utoipa::ToSchema>::name())
                }

                fn components(out: &mut Components) {
                    doc::reference::<$ty>(out);
                }
            }
        )+
    };
}

vocabulary_fields!(
    crate::domain::vocab::Scale,
    crate::domain::vocab::MembershipStatus,
    crate::domain::vocab::SchoolKind,
    crate::domain::vocab::Role,
    crate::domain::vocab::ApprenticeshipKind,
    crate::domain::vocab::ParticipantRole,
    crate::domain::vocab::ApprenticeshipStatus,
    crate::domain::vocab::EvaluationSide,
    crate::domain::vocab::MeetingKind,
    crate::domain::vocab::AttendeeRole,
    crate::domain::vocab::AgendaKind,
    crate::domain::vocab::ActionItemStatus,
    crate::domain::vocab::DemandKind,
    crate::domain::vocab::DemandStatus,
    crate::domain::vocab::DemandSource,
    crate::domain::vocab::BaseKind,
    crate::domain::vocab::BaseStatus,
    crate::domain::vocab::CompetitionLevel,
    crate::domain::vocab::Award,
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems<T: Check>(value: Value) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        T::check(&value, "f", &mut errors);
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn texts_are_bounded_in_characters_and_names_are_not_blank() {
        assert!(Name::parse("辰".repeat(200)).is_ok());
        assert_eq!(Name::parse("辰".repeat(201)).unwrap_err().code, "length");
        assert_eq!(Name::parse(" ".into()).unwrap_err().code, "length");
        assert_eq!(Name::parse(String::new()).unwrap_err().code, "length");
        assert!(ShortName::parse(String::new()).is_ok());
        assert_eq!(PlainText::parse("a\0b".into()).unwrap_err().code, "invalid");
    }

    #[test]
    fn identifiers_keep_their_codes_and_stored_forms() {
        assert_eq!(
            CreditCode::parse("91440101ma5cjq4n59".into()).unwrap().as_str(),
            "91440101MA5CJQ4N59"
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y4Z".into()).unwrap_err().code,
            "checksum"
        );
        assert_eq!(Phone::parse("１3812345678".into()).unwrap_err().code, "phone");
        assert!(Phone::parse("0536-1234567".into()).is_ok());
        assert_eq!(Email::parse("not-an-email".into()).unwrap_err().code, "email");
        assert_eq!(RegionCode::parse("37010".into()).unwrap_err().code, "format");
        assert_eq!(SchoolCode::parse("413701234５".into()).unwrap_err().code, "format");
        assert_eq!(Username::parse("Zhang".into()).unwrap_err().code, "format");
        assert_eq!(
            ResidentId::parse("11010519491231002x".into()).unwrap().as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn checks_name_wrong_types_and_broken_rules() {
        assert_eq!(problems::<Phone>(json!(12)), vec![("f".into(), "type".into())]);
        assert_eq!(problems::<Phone>(json!("12345")), vec![("f".into(), "phone".into())]);
        assert_eq!(
            problems::<Tags>(json!(["ok", "x".repeat(31)])),
            vec![("f".into(), "length".into())]
        );
        assert_eq!(problems::<Tags>(json!("a")), vec![("f".into(), "type".into())]);
        assert_eq!(
            problems::<List<Name, 2>>(json!(["a", 5, "b"])),
            vec![("f".into(), "length".into()), ("f[1]".into(), "type".into())]
        );
        assert_eq!(
            problems::<crate::domain::vocab::Scale>(json!("huge")),
            vec![("f".into(), "enum".into())]
        );
    }

    #[test]
    fn tags_and_lists_drop_repeats() {
        let tags: Tags = serde_json::from_value(json!(["a", "b", "a"])).unwrap();
        assert_eq!(tags.as_slice(), ["a", "b"]);
        let list: List<Name, 5> = serde_json::from_value(json!(["x", "x"])).unwrap();
        assert_eq!(list.as_slice().len(), 1);
    }

    #[test]
    fn a_score_takes_at_most_two_decimals_and_shows_a_whole_one_as_an_integer() {
        for (n, hundredths) in [
            (0.0, 0),
            (92.5, 9250),
            (88.25, 8825),
            (100.0, 10_000),
            (0.07, 7),
            (33.33, 3333),
        ] {
            assert_eq!(Points::parse(n).map(Points::hundredths), Ok(hundredths), "{n}");
        }
        for n in [-0.01, 100.01, 12.345, f64::NAN, f64::INFINITY] {
            assert_eq!(Points::parse(n).unwrap_err().code, "range", "{n}");
        }
        assert_eq!(serde_json::to_value(Points::parse(92.0).unwrap()).unwrap(), json!(92));
        assert_eq!(
            serde_json::to_value(Points::parse(88.25).unwrap()).unwrap(),
            json!(88.25)
        );
        assert_eq!(problems::<Points>(json!("90")), vec![("f".into(), "type".into())]);
    }

    #[test]
    fn a_password_is_never_printed() {
        let password = Password::parse("correct horse battery".into()).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
        assert_eq!(Password::parse("short".into()).unwrap_err().code, "length");
    }
}

/// The years a calendar date may lie in.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// The pattern of a calendar date in the years 1900–2100, as the OpenAPI
/// document states it beside `format: date`.
pub const DATE_PATTERN: &str = "^(19[0-9]{2}|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$";

/// A calendar date, `YYYY-MM-DD`, in the years 1900–2100 (a date outside
/// them is a typing mistake, and some databases cannot store it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(chrono::NaiveDate);

impl Date {
    /// The date, if it lies in the years 1900–2100.
    pub fn new(date: chrono::NaiveDate) -> Option<Date> {
        use chrono::Datelike;
        DATE_YEARS.contains(&date.year()).then_some(Date(date))
    }

    /// The date as chrono has it.
    pub fn naive(self) -> chrono::NaiveDate {
        self.0
    }

    const OUT_OF_RANGE: &'static str = "must be a date in the years 1900 to 2100";

    /// Reads `YYYY-MM-DD` in the years 1900–2100.
    pub fn parse(text: &str) -> Result<Date, Broken> {
        let date = text
            .parse::<chrono::NaiveDate>()
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or_else(|| Broken::new("format", "must be a date such as 2024-04-03"))?;
        Date::new(date).ok_or_else(|| Broken::new("range", Date::OUT_OF_RANGE))
    }
}

impl std::ops::Deref for Date {
    type Target = chrono::NaiveDate;
    fn deref(&self) -> &chrono::NaiveDate {
        &self.0
    }
}

impl From<Date> for chrono::NaiveDate {
    fn from(date: Date) -> chrono::NaiveDate {
        date.0
    }
}

impl Stored<chrono::NaiveDate> for Date {
    fn from_stored(stored: chrono::NaiveDate) -> Self {
        Date(stored)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        Date::parse(&text).map_err(|broken| D::Error::custom(broken.message))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl Check for Date {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        match value {
            Value::String(text) => {
                if let Err(broken) = Date::parse(text) {
                    errors.push(FieldError::new(path, broken.code, broken.message));
                }
            }
            _ => errors.push(FieldError::new(
                path,
                "type",
                "must be a date string such as 2024-04-03",
            )),
        }
    }
}

/// The example of a date field that states none of its own (the day of the
/// alliance's meeting in the April 2024 report).
pub const DATE_EXAMPLE: &str = "2024-04-03";

impl FieldSchema for Date {
    fn field_schema() -> RefOr<Schema> {
        doc::with_example(
            doc::string(None, None, Some(DATE_PATTERN), Some(KnownFormat::Date)),
            Value::from(DATE_EXAMPLE),
        )
    }
}
