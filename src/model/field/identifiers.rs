//! Identifiers and contact details, each a text with a fixed rule: phone
//! numbers and email addresses, region, credit and school codes, resident
//! ID numbers, and login names. Some are stored in a normal form (upper
//! case), and phones and resident IDs can be shown masked.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use utoipa::openapi::schema::{KnownFormat, Schema};
use utoipa::openapi::RefOr;
use validator::ValidateEmail;

use super::{check_text, no_nul, Broken, Stored, TextRule};
use crate::domain::identifiers;
use crate::error::FieldError;
use crate::model::check::Check;
use crate::model::doc::{self, FieldSchema};

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
