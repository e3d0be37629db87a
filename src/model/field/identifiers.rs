//! Identifiers and contact details, each a text with a fixed rule: phone
//! numbers and email addresses, region, credit and school codes, resident
//! ID numbers, and login names. Some are stored in a normal form (upper
//! case), and phones and resident IDs can be shown masked.

use chanjiao_derive::TextField;
use utoipa::openapi::schema::{KnownFormat, Schema};
use utoipa::openapi::RefOr;
use validator::ValidateEmail;

use super::{fixed_rule, Broken, TextRule};
use crate::domain::identifiers;
use crate::model::doc;

/// A mainland mobile number (`13812345678`, optionally with `+86`) or a
/// landline (`0536-1234567`), ASCII digits only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct Phone(String);

impl TextRule for Phone {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(
            text,
            "phone",
            "must be a mainland mobile number (13812345678) or a landline (0536-1234567)",
            |text| identifiers::is_phone(&text).then_some(text),
        )
        .map(Phone)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, None, Some(identifiers::PHONE_PATTERN), None)
    }
}

/// An email address of at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct Email(String);

impl TextRule for Email {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(
            text,
            "email",
            "must be an email address of at most 500 characters",
            |text| (text.chars().count() <= 500 && text.validate_email()).then_some(text),
        )
        .map(Email)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, Some(500), None, Some(KnownFormat::Email))
    }
}

/// An administrative region code (行政区划代码): 6 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct RegionCode(String);

impl TextRule for RegionCode {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(text, "format", "must be a 6-digit region code", |text| {
            identifiers::is_region_code(&text).then_some(text)
        })
        .map(RegionCode)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, None, Some("^[0-9]{6}$"), None)
    }
}

/// A Unified Social Credit Code (统一社会信用代码): 18 characters with a
/// correct check character; lower case is accepted and stored upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct CreditCode(String);

impl TextRule for CreditCode {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(
            text,
            "checksum",
            "must be an 18-character Unified Social Credit Code with a correct check character",
            |text| identifiers::normalize_credit_code(&text),
        )
        .map(CreditCode)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, None, Some("^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$"), None)
    }
}

/// A school identification code (学校标识码): 10 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct SchoolCode(String);

impl TextRule for SchoolCode {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(
            text,
            "format",
            "must be a 10-digit school identification code",
            |text| identifiers::is_school_code(&text).then_some(text),
        )
        .map(SchoolCode)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, None, Some("^[0-9]{10}$"), None)
    }
}

/// A resident ID number (居民身份证号码): 18 characters with a valid birth
/// date and check character; a lower-case `x` is stored upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct ResidentId(String);

impl TextRule for ResidentId {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(
            text,
            "checksum",
            "must be an 18-character resident ID number with a valid birth date and check character",
            |text| identifiers::normalize_resident_id(&text),
        )
        .map(ResidentId)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, None, Some("^[0-9]{17}[0-9Xx]$"), None)
    }
}

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

/// A login name: 3–64 characters of `a-z`, `0-9`, `_`, `.`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, TextField)]
pub struct Username(String);

impl TextRule for Username {
    fn parse(text: String) -> Result<Self, Broken> {
        fixed_rule(
            text,
            "format",
            "must be 3 to 64 characters of a-z, 0-9, `_`, `.` and `-`",
            |text| identifiers::is_username(&text).then_some(text),
        )
        .map(Username)
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn schema() -> RefOr<Schema> {
        doc::string(None, None, Some("^[a-z0-9_.-]{3,64}$"), None)
    }
}
