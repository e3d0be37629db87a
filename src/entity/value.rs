//! The contract's field types as column values: a checked text is stored as
//! its text, a list as JSON. Values read back were checked when they were
//! written, so they are not checked again; a stored list that is not valid
//! JSON of its type is an error, never an empty list.

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, StringLen, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};

use crate::model::apprenticeship::Participant;
use crate::model::field::{
    CreditCode, Date, Decimal, Email, EventName, Flag, Int, List, Phone, RegionCode, ResidentId, SchoolCode, Stored,
    Tags, Text, Username, WebhookUrl,
};
use crate::model::meeting::Chair;

/// Stores a text field type as its text.
macro_rules! stored_as_text {
    ($(@[$($generics:tt)*])? $ty:ty) => {
        impl$(<$($generics)*>)? From<$ty> for Value {
            fn from(value: $ty) -> Value {
                Value::String(Some(String::from(value)))
            }
        }

        impl$(<$($generics)*>)? TryGetable for $ty {
            fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
                String::try_get_by(res, index).map(<$ty>::from_stored)
            }
        }

        impl$(<$($generics)*>)? ValueType for $ty {
            fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
                <String as ValueType>::try_from(value).map(<$ty>::from_stored)
            }

            fn type_name() -> String {
                stringify!($ty).to_string()
            }

            fn array_type() -> ArrayType {
                ArrayType::String
            }

            fn column_type() -> ColumnType {
                ColumnType::String(StringLen::None)
            }
        }

        impl$(<$($generics)*>)? Nullable for $ty {
            fn null() -> Value {
                Value::String(None)
            }
        }
    };
}

stored_as_text!(@[const MIN: usize, const MAX: usize] Text<MIN, MAX>);
stored_as_text!(Phone);
stored_as_text!(Email);
stored_as_text!(RegionCode);
stored_as_text!(CreditCode);
stored_as_text!(SchoolCode);
stored_as_text!(ResidentId);
stored_as_text!(Username);
stored_as_text!(WebhookUrl);
stored_as_text!(EventName);

fn json_error(err: serde_json::Error) -> TryGetError {
    TryGetError::DbErr(DbErr::Type(format!("a stored JSON value does not read back: {err}")))
}

/// Stores a list field type as a JSON array.
macro_rules! stored_as_json {
    ([$($generics:tt)*] $ty:ty, $item:ty) => {
        impl<$($generics)*> From<$ty> for Value {
            fn from(value: $ty) -> Value {
                let json = serde_json::to_value(&value).unwrap_or(serde_json::Value::Array(Vec::new()));
                Value::Json(Some(Box::new(json)))
            }
        }

        impl<$($generics)*> TryGetable for $ty {
            fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
                let json = serde_json::Value::try_get_by(res, index)?;
                let items: Vec<$item> = serde_json::from_value(json).map_err(json_error)?;
                Ok(<$ty>::from_stored(items))
            }
        }

        impl<$($generics)*> ValueType for $ty {
            fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
                let json = <serde_json::Value as ValueType>::try_from(value)?;
                let items: Vec<$item> = serde_json::from_value(json).map_err(|_| ValueTypeErr)?;
                Ok(<$ty>::from_stored(items))
            }

            fn type_name() -> String {
                stringify!($ty).to_string()
            }

            fn array_type() -> ArrayType {
                ArrayType::Json
            }

            fn column_type() -> ColumnType {
                ColumnType::JsonBinary
            }
        }

        impl<$($generics)*> Nullable for $ty {
            fn null() -> Value {
                Value::Json(None)
            }
        }
    };
}

stored_as_json!([] Tags, String);
stored_as_json!([T: serde::Serialize + serde::de::DeserializeOwned, const MAX: usize, const UNIQUE: bool, const MIN: usize] List<T, MAX, UNIQUE, MIN>, T);

impl<const MIN: i64, const MAX: i64> From<Int<MIN, MAX>> for Value {
    fn from(value: Int<MIN, MAX>) -> Value {
        Value::BigInt(Some(value.get()))
    }
}

impl<const MIN: i64, const MAX: i64> TryGetable for Int<MIN, MAX> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        i64::try_get_by(res, index).map(Int::from_stored)
    }
}

impl<const MIN: i64, const MAX: i64> ValueType for Int<MIN, MAX> {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        <i64 as ValueType>::try_from(value).map(Int::from_stored)
    }

    fn type_name() -> String {
        "Int".to_string()
    }

    fn array_type() -> ArrayType {
        ArrayType::BigInt
    }

    fn column_type() -> ColumnType {
        ColumnType::BigInteger
    }
}

impl<const MIN: i64, const MAX: i64> Nullable for Int<MIN, MAX> {
    fn null() -> Value {
        Value::BigInt(None)
    }
}

impl<const MIN: i64, const MAX: i64, const PLACES: u32> From<Decimal<MIN, MAX, PLACES>> for Value {
    fn from(value: Decimal<MIN, MAX, PLACES>) -> Value {
        Value::BigInt(Some(value.units()))
    }
}

impl<const MIN: i64, const MAX: i64, const PLACES: u32> TryGetable for Decimal<MIN, MAX, PLACES> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        i64::try_get_by(res, index).map(Decimal::from_stored)
    }
}

/// A decimal is stored as a whole number of its smallest unit.
impl<const MIN: i64, const MAX: i64, const PLACES: u32> ValueType for Decimal<MIN, MAX, PLACES> {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        <i64 as ValueType>::try_from(value).map(Decimal::from_stored)
    }

    fn type_name() -> String {
        "Decimal".to_string()
    }

    fn array_type() -> ArrayType {
        ArrayType::BigInt
    }

    fn column_type() -> ColumnType {
        ColumnType::BigInteger
    }
}

impl<const MIN: i64, const MAX: i64, const PLACES: u32> Nullable for Decimal<MIN, MAX, PLACES> {
    fn null() -> Value {
        Value::BigInt(None)
    }
}

/// Stores an object field type (a placement's participant) as a JSON object.
macro_rules! stored_as_json_object {
    ($ty:ty) => {
        impl From<$ty> for Value {
            fn from(value: $ty) -> Value {
                let json = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
                Value::Json(Some(Box::new(json)))
            }
        }

        impl TryGetable for $ty {
            fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
                let json = serde_json::Value::try_get_by(res, index)?;
                serde_json::from_value(json).map_err(json_error)
            }
        }

        impl ValueType for $ty {
            fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
                let json = <serde_json::Value as ValueType>::try_from(value)?;
                serde_json::from_value(json).map_err(|_| ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($ty).to_string()
            }

            fn array_type() -> ArrayType {
                ArrayType::Json
            }

            fn column_type() -> ColumnType {
                ColumnType::JsonBinary
            }
        }

        impl Nullable for $ty {
            fn null() -> Value {
                Value::Json(None)
            }
        }
    };
}

stored_as_json_object!(Participant);
stored_as_json_object!(Chair);

/// A calendar date is stored as a date.
impl From<Date> for Value {
    fn from(date: Date) -> Value {
        Value::from(date.naive())
    }
}

impl TryGetable for Date {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        chrono::NaiveDate::try_get_by(res, index).map(Date::from_stored)
    }
}

impl ValueType for Date {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        <chrono::NaiveDate as ValueType>::try_from(value).map(Date::from_stored)
    }

    fn type_name() -> String {
        "Date".to_string()
    }

    fn array_type() -> ArrayType {
        <chrono::NaiveDate as ValueType>::array_type()
    }

    fn column_type() -> ColumnType {
        <chrono::NaiveDate as ValueType>::column_type()
    }
}

impl Nullable for Date {
    fn null() -> Value {
        <chrono::NaiveDate as Nullable>::null()
    }
}

/// A flag is stored as a boolean.
impl<const DEFAULT: bool> From<Flag<DEFAULT>> for Value {
    fn from(flag: Flag<DEFAULT>) -> Value {
        Value::Bool(Some(flag.get()))
    }
}

impl<const DEFAULT: bool> TryGetable for Flag<DEFAULT> {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        bool::try_get_by(res, index).map(Flag::from_stored)
    }
}

impl<const DEFAULT: bool> ValueType for Flag<DEFAULT> {
    fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
        <bool as ValueType>::try_from(value).map(Flag::from_stored)
    }

    fn type_name() -> String {
        "Flag".to_string()
    }

    fn array_type() -> ArrayType {
        ArrayType::Bool
    }

    fn column_type() -> ColumnType {
        ColumnType::Boolean
    }
}

impl<const DEFAULT: bool> Nullable for Flag<DEFAULT> {
    fn null() -> Value {
        Value::Bool(None)
    }
}
