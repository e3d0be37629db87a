//! Spreadsheet imports: a table read from a file (its header row and its
//! data rows) is matched to a record type's [`Columns`], and each row becomes
//! the JSON object the JSON API would have received, judged by the same rules.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::check::{decode, Check};
use super::export::{csv_text_read, CellKind, Column, Columns};
use crate::error::{ApiError, ErrorCount, FieldError};

/// The most data rows one import takes.
/// The most bytes of JSON one cell may hold (a school's list of majors is a
/// few KiB): a larger cell is refused before it is parsed, since a JSON
/// value takes many times its text in memory.
pub const MAX_JSON_CELL_BYTES: usize = 256 * 1024;

pub const MAX_IMPORT_ROWS: usize = 50_000;

/// The most problems an import's answer lists (the first, by row); every
/// problem is counted per column and code.
pub const MAX_LISTED_ERRORS: usize = 1_000;

/// A table read from a file: its header row and its data rows, each cell as text.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The header row's number in the file (1 unless rows before it are empty).
    pub header_row: u64,
    /// The header row's cells.
    pub header: Vec<String>,
    /// The data rows, each with its number in the file, numbered as a
    /// spreadsheet numbers them (the header is row 1).
    pub rows: Vec<(u64, Vec<String>)>,
    /// Whether text cells carry the formula guard of a CSV export (see
    /// [`csv_text`](super::export::csv_text)).
    pub guarded: bool,
}

/// An import's data rows, decoded: the good ones as `C`, each with its row
/// number, and the problems of the bad ones.
#[derive(Debug)]
pub struct DecodedRows<C> {
    /// The data rows read (rows with every cell empty are skipped).
    pub read: u64,
    /// The rows that decoded, in the file's order.
    pub good: Vec<(u64, C)>,
    /// The problems of the others.
    pub errors: ImportErrors,
}

impl<C> DecodedRows<C> {
    /// The same rows, each good one made a `D`.
    pub fn map<D>(self, mut make: impl FnMut(C) -> D) -> DecodedRows<D> {
        DecodedRows {
            read: self.read,
            good: self.good.into_iter().map(|(row, input)| (row, make(input))).collect(),
            errors: self.errors,
        }
    }
}

/// The problems of an import's rows, as an answer shows them: the first
/// [`MAX_LISTED_ERRORS`] by row (in the order they were found within a
/// row), and every one counted per column and code. The rest are not kept,
/// so that a file of 50,000 bad rows costs no more than one of 1,000.
#[derive(Debug, Default)]
pub struct ImportErrors {
    /// The first problems by (row, arrival), at most [`MAX_LISTED_ERRORS`]:
    /// a max-heap, so that a problem of an earlier row pushes out the last.
    first: std::collections::BinaryHeap<Ranked>,
    /// Every problem's count, by column and code.
    counts: std::collections::BTreeMap<(Option<String>, String), u64>,
    /// Problems seen, the arrival order of the next.
    seen: u64,
}

/// A problem with its place among the others.
#[derive(Debug)]
struct Ranked {
    key: (u64, u64),
    error: FieldError,
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl ImportErrors {
    /// Takes one problem.
    pub fn push(&mut self, error: FieldError) {
        *self
            .counts
            .entry((error.column.clone(), error.code.clone()))
            .or_default() += 1;
        let key = (error.row.unwrap_or(0), self.seen);
        self.seen += 1;
        if self.first.len() >= MAX_LISTED_ERRORS {
            match self.first.peek() {
                Some(last) if last.key > key => {
                    self.first.pop();
                }
                _ => return,
            }
        }
        self.first.push(Ranked { key, error });
    }

    /// Whether there is no problem.
    pub fn is_empty(&self) -> bool {
        self.seen == 0
    }

    /// The listed problems, in the order of their rows, and every problem's
    /// count per column and code.
    pub fn into_parts(self) -> (Vec<FieldError>, Vec<ErrorCount>) {
        let listed = self.first.into_sorted_vec().into_iter().map(|r| r.error).collect();
        let counts = self
            .counts
            .into_iter()
            .map(|((column, code), count)| ErrorCount { column, code, count })
            .collect();
        (listed, counts)
    }

    /// The 422 of an import that wrote nothing because of these problems.
    pub fn refusal(self) -> ApiError {
        let (errors, counts) = self.into_parts();
        ApiError::InvalidRows { errors, counts }
    }
}

impl Extend<FieldError> for ImportErrors {
    fn extend<I: IntoIterator<Item = FieldError>>(&mut self, errors: I) {
        for error in errors {
            self.push(error);
        }
    }
}

/// What an import is asked to do.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check every row as an import would, and report; nothing is
    /// written (200). Default `false`.
    pub dry_run: Option<bool>,
    /// `true`: import every good row in one transaction and report the bad
    /// ones (201; 422 when no row is good). `false` (default): import every
    /// row or, when any row is bad, nothing (422 listing the problems).
    pub partial: Option<bool>,
}

/// What an import does, checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Check and report only.
    pub dry_run: bool,
    /// Import the good rows even when some are bad.
    pub partial: bool,
}

impl ImportQuery {
    /// The options this query asks for.
    pub fn options(&self) -> ImportOptions {
        ImportOptions {
            dry_run: self.dry_run.unwrap_or(false),
            partial: self.partial.unwrap_or(false),
        }
    }
}

/// A record an import created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedRow {
    /// The row of the file, numbered as a spreadsheet does (the header is row 1).
    pub row: u64,
    /// The new record's id.
    pub id: Uuid,
}

/// The outcome of an import (or of a dry run).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "dry_run": false, "rows": 3, "valid": 2, "imported": 2,
    "created": [{"row": 2, "id": "01a2383d-6f18-7168-8aed-d7e2ce2c7536"}, {"row": 4, "id": "01a2383d-6f18-7168-8aed-d7e2ce2c7537"}],
    "errors": [{"field": "credit_code", "code": "checksum", "message": "the check character does not match", "row": 3, "column": "统一社会信用代码 credit_code"}],
    "error_counts": [{"column": "统一社会信用代码 credit_code", "code": "checksum", "count": 1}]
}))]
pub struct ImportReport {
    /// Whether this was a dry run (nothing was written).
    pub dry_run: bool,
    /// The data rows read (rows with every cell empty are skipped).
    pub rows: u64,
    /// The rows that passed every check.
    pub valid: u64,
    /// The rows written: every valid row, or none in a dry run.
    pub imported: u64,
    /// The records created, with their rows.
    pub created: Vec<ImportedRow>,
    /// The problems of the bad rows, at most the first 1,000 by row: each
    /// with its row, column, field and the same codes as a JSON request's `errors[]`.
    pub errors: Vec<FieldError>,
    /// Every problem, counted per column and code.
    pub error_counts: Vec<ErrorCount>,
}

/// The column a header names: its whole header (`名称 name`), its field
/// path (`name`) or its Chinese (`名称`).
fn column_named<'a>(columns: &'a [Column], header: &str) -> Option<&'a Column> {
    columns.iter().find(|column| {
        column.header == header
            || column.path == header
            || column
                .header
                .split_once(' ')
                .is_some_and(|(chinese, _)| chinese == header)
    })
}

/// The header of the column that holds `field` (a path such as
/// `participant.national_id` or `tags[0]`), if a column does.
pub fn column_of<R: Columns>(field: &str) -> Option<String> {
    R::columns()
        .iter()
        .filter(|column| {
            field == column.path
                || field
                    .strip_prefix(column.path)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .max_by_key(|column| column.path.len())
        .map(|column| column.header.to_string())
}

/// A problem of the file as a whole (422 naming the field `file`).
fn file_error(code: &str, message: String, row: u64, column: Option<String>) -> FieldError {
    FieldError::new("file", code, message).at(row, column)
}

/// Decodes every data row of `table` as a `C`, by `R`'s columns. A file
/// whose header names a column `R` does not have, or names one twice, or
/// that has no data rows or too many, is a 422 naming `file`; a bad row's
/// problems are reported with its row.
pub fn decode_rows<R: Columns, C: DeserializeOwned + Check>(table: &Table) -> Result<DecodedRows<C>, ApiError> {
    let mut errors = Vec::new();
    let all = R::columns();
    let mut columns: Vec<Option<&Column>> = Vec::with_capacity(table.header.len());
    for (index, header) in table.header.iter().enumerate() {
        let header = header.trim_start_matches('\u{feff}').trim();
        if header.is_empty() {
            columns.push(None);
            continue;
        }
        match column_named(&all, header) {
            Some(column) if columns.iter().flatten().any(|seen| seen.path == column.path) => {
                errors.push(file_error(
                    "duplicate",
                    format!("the column `{}` appears twice", column.header),
                    table.header_row,
                    Some(header.to_string()),
                ));
                columns.push(None);
            }
            Some(column) => columns.push(Some(column)),
            None => {
                let known: Vec<&str> = all.iter().map(|c| c.header).collect();
                errors.push(file_error(
                    "unknown_column",
                    format!(
                        "column {} is headed `{header}`, which is none of: {}",
                        index + 1,
                        known.join(", ")
                    ),
                    table.header_row,
                    Some(header.to_string()),
                ));
                columns.push(None);
            }
        }
    }
    let rows: Vec<(u64, &Vec<String>)> = table
        .rows
        .iter()
        .filter(|(_, cells)| cells.iter().any(|cell| !cell.is_empty()))
        .map(|(row, cells)| (*row, cells))
        .collect();
    if table.header.iter().all(|cell| cell.trim().is_empty()) {
        errors.push(file_error(
            "required",
            "the file has no header row: export a list to see the columns".into(),
            table.header_row,
            None,
        ));
    } else if rows.is_empty() {
        errors.push(file_error(
            "required",
            "the file has no data rows".into(),
            table.header_row,
            None,
        ));
    }
    if rows.len() > MAX_IMPORT_ROWS {
        errors.push(file_error(
            "range",
            format!(
                "the file has {} data rows; one import takes at most {MAX_IMPORT_ROWS}",
                rows.len()
            ),
            table.header_row,
            None,
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut decoded = DecodedRows {
        read: rows.len() as u64,
        good: Vec::with_capacity(rows.len()),
        errors: ImportErrors::default(),
    };
    for (row, cells) in rows {
        match decode_row::<R, C>(&columns, cells, table.guarded, row) {
            Ok(input) => decoded.good.push((row, input)),
            Err(problems) => decoded.errors.extend(problems),
        }
    }
    Ok(decoded)
}

/// One row as a `C`, or every problem it has.
fn decode_row<R: Columns, C: DeserializeOwned + Check>(
    columns: &[Option<&Column>],
    cells: &[String],
    guarded: bool,
    row: u64,
) -> Result<C, Vec<FieldError>> {
    let mut object = Map::new();
    let mut errors = Vec::new();
    for (index, text) in cells.iter().enumerate() {
        if text.is_empty() {
            continue;
        }
        // A value under no header would be lost without a word.
        let Some(column) = columns.get(index).copied().flatten() else {
            errors.push(
                FieldError::new(
                    "file",
                    "unknown_column",
                    format!("column {} holds a value but has no header", index + 1),
                )
                .at(row, None),
            );
            continue;
        };
        if !column.imported {
            continue;
        }
        let value = match column.kind {
            CellKind::Text => Value::String(match guarded {
                true => csv_text_read(text).to_string(),
                false => text.clone(),
            }),
            CellKind::Number => number(text),
            CellKind::Json if text.len() > MAX_JSON_CELL_BYTES => {
                errors.push(
                    FieldError::new(
                        column.path,
                        "length",
                        format!("must be at most {} KiB of JSON", MAX_JSON_CELL_BYTES / 1024),
                    )
                    .at(row, Some(column.header.to_string())),
                );
                continue;
            }
            CellKind::Json => match serde_json::from_str::<Value>(text) {
                Ok(value) => value,
                Err(_) => {
                    errors.push(
                        FieldError::new(
                            column.path,
                            "format",
                            "must be JSON, as an export writes it (e.g. [\"焊接培训\"])",
                        )
                        .at(row, Some(column.header.to_string())),
                    );
                    continue;
                }
            },
        };
        insert_at(&mut object, column.path, value);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    decode::<C>(&Value::Object(object)).map_err(|err| match err {
        ApiError::Validation(errors) => errors
            .into_iter()
            .map(|error| {
                let column = column_of::<R>(&error.field);
                error.at(row, column)
            })
            .collect(),
        other => vec![FieldError::new("", "invalid", other.to_string()).at(row, None)],
    })
}

/// A number cell's value: an integer, a decimal, or (when it is neither)
/// the text, for the field's rule to refuse by its type.
fn number(text: &str) -> Value {
    let trimmed = text.trim();
    if let Ok(n) = trimmed.parse::<i64>() {
        return Value::from(n);
    }
    match trimmed.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        // A spreadsheet writes whole numbers as decimals (`36.0`).
        Some(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15) => {
            Value::from(n.as_f64().unwrap_or_default() as i64)
        }
        Some(n) => Value::Number(n),
        None => Value::String(text.to_string()),
    }
}

/// Sets `path` (`participant.name`) in `object`, making the objects on the way.
fn insert_at(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let inner = object
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                insert_at(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_cells_read_whole_numbers_as_integers() {
        assert_eq!(number("36"), Value::from(36));
        assert_eq!(number("36.0"), Value::from(36));
        assert_eq!(number("2.5"), serde_json::json!(2.5));
        assert_eq!(number("三十"), Value::from("三十"));
    }

    #[test]
    fn an_import_lists_the_first_problems_by_row_and_counts_them_all() {
        let mut errors = ImportErrors::default();
        let problem = |row: u64, code: &str| FieldError::new("name", code, "bad").at(row, Some("名称 name".into()));
        for row in (2..=3_001).rev() {
            errors.push(problem(row, "required"));
        }
        errors.push(problem(2, "length"));
        let (listed, counts) = errors.into_parts();
        assert_eq!(listed.len(), MAX_LISTED_ERRORS);
        assert_eq!((listed[0].row, listed[0].code.as_str()), (Some(2), "required"));
        assert_eq!((listed[1].row, listed[1].code.as_str()), (Some(2), "length"));
        assert_eq!(listed.last().unwrap().row, Some(1_000));
        let count = |code: &str| counts.iter().find(|c| c.code == code).map(|c| c.count);
        assert_eq!((count("required"), count("length")), (Some(3_000), Some(1)));
    }

    #[test]
    fn nested_paths_make_their_objects() {
        let mut object = Map::new();
        insert_at(&mut object, "participant.name", Value::from("李明"));
        insert_at(&mut object, "participant.phone", Value::from("13812345678"));
        insert_at(&mut object, "kind", Value::from("order_class"));
        assert_eq!(
            Value::Object(object),
            serde_json::json!({"participant": {"name": "李明", "phone": "13812345678"}, "kind": "order_class"})
        );
    }
}
