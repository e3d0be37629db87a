//! Checks for the identifiers the alliance records: Unified Social Credit
//! Codes, resident ID numbers, school identification codes, phone numbers
//! and region codes. "Digit" means an ASCII digit everywhere here.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

/// The 31 characters a Unified Social Credit Code is written in; a
/// character's value is its index (no I, O, S, V, Z).
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17 of a credit code: 3^(i−1) mod 31.
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/// Weights of the first 17 digits of a resident ID number.
const RESIDENT_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check characters of a resident ID number, indexed by the weighted sum mod 11.
const RESIDENT_CHECKS: &[u8; 11] = b"10X98765432";

/// Upper-cases a credit code and checks its length, alphabet and check
/// character (GB 32100-2015). Returns the stored form, or `None` when invalid.
pub fn normalize_credit_code(input: &str) -> Option<String> {
    let code = input.to_ascii_uppercase();
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return None;
    }
    let mut values = [0u32; 18];
    for (slot, byte) in values.iter_mut().zip(bytes) {
        *slot = CREDIT_ALPHABET.iter().position(|c| c == byte)? as u32;
    }
    let sum: u32 = values[..17].iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    (values[17] == check).then_some(code)
}

/// Upper-cases a resident ID number (a trailing `x`) and checks its digits,
/// birth date and check character (GB 11643-1999). Returns the stored form,
/// or `None` when invalid.
pub fn normalize_resident_id(input: &str) -> Option<String> {
    let id = input.to_ascii_uppercase();
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    resident_id_birth_date(&id)?;
    let sum: u32 = bytes[..17]
        .iter()
        .zip(RESIDENT_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    (bytes[17] == RESIDENT_CHECKS[(sum % 11) as usize]).then_some(id)
}

/// The birth date in digits 7–14 of a resident ID number, if it is a real date.
pub fn resident_id_birth_date(id: &str) -> Option<NaiveDate> {
    let digits = id.get(6..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// A school identification code (学校标识码): exactly 10 ASCII digits.
pub fn is_school_code(input: &str) -> bool {
    input.len() == 10 && input.bytes().all(|b| b.is_ascii_digit())
}

/// A login name: 3–64 characters of `a-z`, `0-9`, `_`, `.`, `-`.
pub fn is_username(input: &str) -> bool {
    (3..=64).contains(&input.len())
        && input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-'))
}

/// A region (administrative division) code: exactly 6 ASCII digits.
pub fn is_region_code(input: &str) -> bool {
    input.len() == 6 && input.bytes().all(|b| b.is_ascii_digit())
}

/// What a contact phone must match: a mainland mobile number (with or
/// without `+86`/`86`), or a landline such as `0536-1234567` (area code 0 +
/// 2–3 digits, an optional `-`, 7–8 digits not starting with 0, an optional
/// `-` extension). ASCII digits only. The OpenAPI document states the same pattern.
pub const PHONE_PATTERN: &str = r"^(\+?86)?1[3-9][0-9]{9}$|^0[0-9]{2,3}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$";

static PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(PHONE_PATTERN).ok());

/// Whether `input` is a mainland mobile or landline number ([`PHONE_PATTERN`]).
pub fn is_phone(input: &str) -> bool {
    PHONE.as_ref().is_some_and(|re| re.is_match(input))
}

/// Masks a resident ID number: the first 6 and last 4 characters kept, `*`
/// between (`370101********9973`).
pub fn mask_resident_id(id: &str) -> String {
    mask_chars(id, 6, 4)
}

/// Masks a phone number: its digits without separators and without a
/// leading `+86`, the first 3 and last 4 kept, `*` between
/// (`0536-1234567` → `053****4567`, `13812345678` → `138****5678`).
pub fn mask_phone(phone: &str) -> String {
    let without_prefix = phone.strip_prefix("+86").unwrap_or(phone);
    let digits: String = without_prefix.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = if digits.len() == 13 && digits.starts_with("86") {
        digits[2..].to_string()
    } else {
        digits
    };
    mask_chars(&digits, 3, 4)
}

fn mask_chars(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_credit_codes_from_the_domain_notes_pass() {
        for code in ["91350100M000100Y43", "91440101MA5CJQ4N59", "91512081MA62K0260E"] {
            assert_eq!(normalize_credit_code(code).as_deref(), Some(code), "{code}");
        }
    }

    #[test]
    fn an_invalid_credit_code_from_the_domain_notes_fails() {
        assert_eq!(normalize_credit_code("91350100M000100Y4Z"), None);
    }

    #[test]
    fn a_lower_case_credit_code_is_accepted_and_upper_cased() {
        assert_eq!(
            normalize_credit_code("91440101ma5cjq4n59").as_deref(),
            Some("91440101MA5CJQ4N59")
        );
    }

    #[test]
    fn credit_codes_of_wrong_length_or_alphabet_fail() {
        assert_eq!(normalize_credit_code(""), None);
        assert_eq!(normalize_credit_code("91350100M000100Y4"), None);
        assert_eq!(normalize_credit_code("91350100M000100Y433"), None);
        // I, O, S, V, Z are not in the alphabet.
        assert_eq!(normalize_credit_code("91350100M000100YI3"), None);
        // A full-width digit is not a digit.
        assert_eq!(normalize_credit_code("９1350100M000100Y43"), None);
    }

    #[test]
    fn valid_resident_ids_from_the_domain_notes_pass() {
        for id in ["11010519491231002X", "440524188001010014", "370101190102039973"] {
            assert_eq!(normalize_resident_id(id).as_deref(), Some(id), "{id}");
        }
    }

    #[test]
    fn an_invalid_resident_id_from_the_domain_notes_fails() {
        assert_eq!(normalize_resident_id("110105194912310021"), None);
    }

    #[test]
    fn a_lower_case_x_in_a_resident_id_is_accepted_and_upper_cased() {
        assert_eq!(
            normalize_resident_id("11010519491231002x").as_deref(),
            Some("11010519491231002X")
        );
    }

    #[test]
    fn a_resident_id_with_an_impossible_birth_date_fails() {
        // 1949-02-30 does not exist; the check digit is irrelevant.
        for check in "0123456789X".chars() {
            let id = format!("11010519490230002{check}");
            assert_eq!(normalize_resident_id(&id), None, "{id}");
        }
    }

    #[test]
    fn the_birth_date_is_read_from_a_resident_id() {
        assert_eq!(
            resident_id_birth_date("370101190102039973"),
            NaiveDate::from_ymd_opt(1901, 2, 3)
        );
    }

    #[test]
    fn school_and_region_codes_are_ascii_digits_of_fixed_length() {
        assert!(is_school_code("4137012345"));
        assert!(!is_school_code("413701234"));
        assert!(!is_school_code("413701234５"));
        assert!(is_region_code("370101"));
        assert!(!is_region_code("37010"));
        assert!(!is_region_code("３70101"));
    }

    #[test]
    fn mobile_and_landline_numbers_are_phones() {
        for ok in [
            "13812345678",
            "+8613812345678",
            "8613812345678",
            "0536-1234567",
            "010-12345678",
            "0536-1234567-123",
            "05361234567",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "12812345678",
            "1381234567",
            "138123456789",
            "１3812345678",
            "536-1234567",
            "0536-0234567",
            "phone",
            "",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn resident_ids_and_phones_are_masked_as_the_contract_shows() {
        assert_eq!(mask_resident_id("370101190102039973"), "370101********9973");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("+8613812345678"), "138****5678");
        assert_eq!(mask_phone("0536-1234567"), "053****4567");
    }
}
