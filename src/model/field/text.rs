//! Free text: texts of a bounded length ([`Text`] and its names, such as
//! [`Name`] and [`LongText`]) and secret texts such as passwords
//! ([`Secret`]), which are checked but never printed or serialised.

use chanjiao_derive::TextField;
use secrecy::{ExposeSecret, SecretString};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::schema::{KnownFormat, Schema};
use utoipa::openapi::RefOr;

use super::{no_nul, Broken, TextRule, NO_NUL_PATTERN};
use crate::error::FieldError;
use crate::model::check::Check;
use crate::model::doc::{self, FieldSchema};

/// Text of `MIN` to `MAX` characters (a text that must not be empty must
/// not be only white space either); never U+0000, which PostgreSQL cannot store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, TextField)]
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

/// A name: 1–200 characters.
pub type Name = Text<1, 200>;
/// A short name: at most 50 characters.
pub type ShortName = Text<0, 50>;
/// A text field with no stated limit: at most 500 characters.
pub type PlainText = Text<0, 500>;
/// A description: at most 5000 characters.
pub type LongText = Text<0, 5000>;

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
