//! Spreadsheet columns: for each record type, the columns an export writes
//! (and an import will read), in order, each headed in Chinese and English
//! (`名称 name`) and naming the record's field (`participant.name` for a
//! nested one). Values are written as the JSON list shows them: enums as
//! their API values, masked fields masked, lists and objects as compact JSON.

use serde_json::Value;

/// A record type's spreadsheet columns: `(header, field path)`.
pub trait Columns {
    /// The columns, in order.
    const COLUMNS: &'static [(&'static str, &'static str)];
}

/// The text of one cell: a string as it is, a number or boolean as JSON
/// writes it, nothing for null or an absent field, JSON for a list or an object.
pub fn cell(record: &Value, path: &str) -> String {
    let value = path.split('.').try_fold(record, |value, key| value.get(key));
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The cells of one record, in the columns' order.
pub fn row<R: Columns>(record: &Value) -> Vec<String> {
    R::COLUMNS.iter().map(|(_, path)| cell(record, path)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_the_json_values_as_text() {
        let record = serde_json::json!({
            "name": "辰泰重钢", "version": 3, "tags": ["焊接培训"], "website": null,
            "participant": {"name": "李明", "phone": "138****5678"}
        });
        assert_eq!(cell(&record, "name"), "辰泰重钢");
        assert_eq!(cell(&record, "version"), "3");
        assert_eq!(cell(&record, "tags"), r#"["焊接培训"]"#);
        assert_eq!(cell(&record, "website"), "");
        assert_eq!(cell(&record, "absent"), "");
        assert_eq!(cell(&record, "participant.phone"), "138****5678");
    }
}
