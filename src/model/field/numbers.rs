//! The fields that are not text: yes/no flags ([`Flag`]), whole numbers in
//! a range ([`Int`] and its names, such as [`Hours`] and [`Fen`]),
//! competition scores with two decimals ([`Points`]), and calendar dates
//! ([`Date`]).

use std::borrow::Cow;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use utoipa::openapi::schema::{KnownFormat, Schema};
use utoipa::openapi::RefOr;

use super::{Broken, Stored};
use crate::error::FieldError;
use crate::model::check::{self, Check};
use crate::model::doc::{self, FieldSchema};

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

/// A JSON number that is a whole number, `234` or `234.0` alike (JSON
/// Schema's `integer` takes both).
fn whole(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (i64::MIN as f64..=i64::MAX as f64).contains(f))
            .map(|f| f as i64)
    })
}

/// Reads a whole number written as an integer or as a float without a fraction.
struct WholeNumber;

impl serde::de::Visitor<'_> for WholeNumber {
    type Value = i64;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a whole number")
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<i64, E> {
        Ok(n)
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<i64, E> {
        i64::try_from(n).map_err(|_| E::custom("must be a whole number"))
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<i64, E> {
        whole(&Value::from(n)).ok_or_else(|| E::custom("must be a whole number"))
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = deserializer.deserialize_i64(WholeNumber)?;
        Int::parse(n).map_err(|broken| D::Error::custom(broken.message))
    }
}

impl<const MIN: i64, const MAX: i64> Check for Int<MIN, MAX> {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let broken = match whole(value) {
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

/// A number from `MIN` to `MAX` with at most `PLACES` decimals (a
/// coordinate, an accuracy in metres), kept as a whole number of its
/// smallest unit (`39.912345` with 6 places is 39 912 345) so that it is
/// stored and compared exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal<const MIN: i64, const MAX: i64, const PLACES: u32>(i64);

/// A latitude in degrees (WGS-84): −90 to 90, at most 6 decimals.
pub type Latitude = Decimal<-90, 90, 6>;
/// A longitude in degrees (WGS-84): −180 to 180, at most 6 decimals.
pub type Longitude = Decimal<-180, 180, 6>;
/// A position's accuracy in metres: 0 to 10 000, at most 2 decimals.
pub type Metres = Decimal<0, 10_000, 2>;

impl<const MIN: i64, const MAX: i64, const PLACES: u32> Decimal<MIN, MAX, PLACES> {
    /// How many units make one.
    const SCALE: i64 = 10_i64.pow(PLACES);

    fn rule() -> String {
        format!("must be a number from {MIN} to {MAX} with at most {PLACES} decimals")
    }

    /// Checks a number.
    pub fn parse(n: f64) -> Result<Self, Broken> {
        let scaled = n * Self::SCALE as f64;
        let units = scaled.round();
        // The binary form of a number with `PLACES` decimals, scaled, lies
        // within a few ulps (< 1e-7 up to 10^9 units) of a whole number.
        let exact = (scaled - units).abs() < 1e-6;
        let bounds = (MIN * Self::SCALE) as f64..=(MAX * Self::SCALE) as f64;
        if n.is_finite() && exact && bounds.contains(&units) {
            Ok(Decimal(units as i64))
        } else {
            Err(Broken::new("range", Self::rule()))
        }
    }

    /// The value in its smallest unit (`39.912345` with 6 places is 39 912 345).
    pub fn units(self) -> i64 {
        self.0
    }

    /// The value as a float (for JSON).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

impl<const MIN: i64, const MAX: i64, const PLACES: u32> Serialize for Decimal<MIN, MAX, PLACES> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % Self::SCALE == 0 {
            serializer.serialize_i64(self.0 / Self::SCALE)
        } else {
            serializer.serialize_f64(self.as_f64())
        }
    }
}

impl<'de, const MIN: i64, const MAX: i64, const PLACES: u32> Deserialize<'de> for Decimal<MIN, MAX, PLACES> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = f64::deserialize(deserializer)?;
        Decimal::parse(n).map_err(|broken| D::Error::custom(broken.message))
    }
}

impl<const MIN: i64, const MAX: i64, const PLACES: u32> Check for Decimal<MIN, MAX, PLACES> {
    fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
        let broken = match value.as_f64() {
            Some(n) => Self::parse(n).err(),
            None => Some(Broken::new("type", "must be a number")),
        };
        if let Some(broken) = broken {
            errors.push(FieldError::new(path, broken.code, broken.message));
        }
    }
}

impl<const MIN: i64, const MAX: i64, const PLACES: u32> FieldSchema for Decimal<MIN, MAX, PLACES> {
    fn field_schema() -> RefOr<Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .minimum(Some(MIN as f64))
            .maximum(Some(MAX as f64))
            .description(Some(format!("{MIN} to {MAX}, at most {PLACES} decimals")))
            .into()
    }
}

impl<const MIN: i64, const MAX: i64, const PLACES: u32> Stored<i64> for Decimal<MIN, MAX, PLACES> {
    fn from_stored(stored: i64) -> Self {
        Decimal(stored)
    }
}
