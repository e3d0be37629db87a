//! The rules of the field types, one family after another.

use super::*;
use crate::model::check::Check;
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

#[test]
fn a_whole_number_written_as_a_float_is_a_whole_number_and_a_fraction_is_not() {
    type Days = super::Int<1, 365>;
    let read = |value: serde_json::Value| serde_json::from_value::<Days>(value).map(|d| d.get());
    assert_eq!(read(json!(234.0)).unwrap(), 234);
    assert_eq!(read(json!(234)).unwrap(), 234);
    assert!(read(json!(234.5)).is_err());
    assert!(read(json!(366.0)).is_err());
    assert!(problems::<Days>(json!(30.0)).is_empty());
    assert_eq!(problems::<Days>(json!(30.5)), vec![("f".into(), "range".into())]);
}
