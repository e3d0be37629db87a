//! Spreadsheet columns: for each record type, the columns an export writes
//! and an import reads, in order, each headed in Chinese and English
//! (`名称 name`) and naming the record's field (`participant.name` for a
//! nested one). Values are written as the JSON list shows them: enums as
//! their API values, masked fields masked, lists and objects as compact JSON.

use serde_json::Value;

/// How a column's cells are written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text (identifiers, codes, dates and enum values included).
    Text,
    /// A number: a number cell in XLSX.
    Number,
    /// A list or an object, as compact JSON (or `true`/`false`).
    Json,
}

/// One spreadsheet column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The header, `名称 name`: Chinese, a space, the field path.
    pub header: &'static str,
    /// The record's field (`participant.name` for a nested one).
    pub path: &'static str,
    /// How its cells are written and read.
    pub kind: CellKind,
    /// Whether an import reads it (`false`: set by the service, shown only).
    pub imported: bool,
}

impl Column {
    /// A text column.
    pub const fn text(header: &'static str, path: &'static str) -> Self {
        Column {
            header,
            path,
            kind: CellKind::Text,
            imported: true,
        }
    }

    /// A number column.
    pub const fn number(header: &'static str, path: &'static str) -> Self {
        Column {
            kind: CellKind::Number,
            ..Column::text(header, path)
        }
    }

    /// A column of lists, objects or booleans, as JSON.
    pub const fn json(header: &'static str, path: &'static str) -> Self {
        Column {
            kind: CellKind::Json,
            ..Column::text(header, path)
        }
    }

    /// The same column, set by the service: exported, not imported.
    pub const fn shown(self) -> Self {
        Column {
            imported: false,
            ..self
        }
    }
}

/// A record type's spreadsheet columns.
pub trait Columns {
    /// The columns, in order, of a type that lists them by hand.
    const COLUMNS: &'static [Column] = &[];

    /// The columns, in order.
    fn columns() -> std::borrow::Cow<'static, [Column]> {
        std::borrow::Cow::Borrowed(Self::COLUMNS)
    }
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
    R::columns().iter().map(|column| cell(record, column.path)).collect()
}

/// Whether a spreadsheet program would take `text` for a formula (its first
/// character `=`, `+`, `-`, `@`, a tab or a carriage return), or `text` is
/// such a guarded text itself (`'` before one: so that guarding is undone exactly).
fn needs_guard(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => needs_guard(chars.as_str()),
        _ => false,
    }
}

/// A text cell as a CSV file carries it: a text that a spreadsheet would
/// run as a formula (`=HYPERLINK(…)` in a name, `+86…`) gets a leading `'`,
/// which Excel and LibreOffice show as text; [`csv_text_read`] undoes it.
pub fn csv_text(text: String) -> String {
    match needs_guard(&text) {
        true => format!("'{text}"),
        false => text,
    }
}

/// A text cell read from a CSV file: the guard of [`csv_text`] taken off.
pub fn csv_text_read(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => text,
    }
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

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_guarded_and_read_back_as_it_was() {
        for (text, written) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+8613812345678", "'+8613812345678"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("'plain", "'plain"),
            ("辰泰重钢", "辰泰重钢"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_text(text.to_string()), written, "{text:?}");
            assert_eq!(csv_text_read(written), text, "{written:?}");
        }
    }
}
