//! Imports: many new records of one type from a spreadsheet, each judged as
//! a create through the JSON API would be (field rules, the caller's role,
//! references, unique values, also between the rows of the file), written
//! in one transaction with an audit row each: every row, the good rows, or
//! (in a dry run) none. With `partial`, a row that a concurrent writer's
//! commit makes fail is that row's problem, and every other good row still
//! goes in.
//!
//! What an import needs of a record type is [`Importable`]: every resource
//! of the one road is ([`resource::import`](super::resource::import)); a
//! resource of the older road takes it through [`imports!`].

use std::collections::HashMap;
use std::str::FromStr;

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use super::inserts::Inserts;
use super::Database;
use crate::auth::{Actor, Principal};
use crate::error::{ApiError, FieldError};
use crate::model::export::Columns;
use crate::model::import::{column_of, DecodedRows, ImportErrors, ImportOptions, ImportReport, ImportedRow};

/// What an import needs of a record type: how it judges a row by itself,
/// how it checks the records a row names, its unique columns and the rows
/// that store a record.
#[allow(async_fn_in_trait)] // Used in this crate only, on one thread per request.
pub(crate) trait Importable {
    /// A row of the file, made a new record (with its id and its stamp).
    type Record;
    /// A record's fields, as the checks of its references judge them and
    /// its unique values are read (serialised, by field name).
    type Fields: Serialize;
    /// The spreadsheet columns, which place each problem in its column.
    type Columns: Columns;
    /// The table the records go in.
    type Table: EntityTrait;
    /// Columns whose values are unique (text), for 409 and for the rows that repeat one.
    const UNIQUE: &'static [&'static str];

    /// Judges a row as a create would, before anything is read: the
    /// organisations the caller's role may name (403) and the rules between
    /// fields (422). Returns the record as it will be stored.
    fn admit(caller: &Principal, record: Self::Record) -> Result<Self::Record, ApiError>;
    /// A record's fields.
    fn fields_of(record: &Self::Record) -> Self::Fields;
    /// Checks that the records the fields name exist (422 naming each field that names none).
    async fn check_named(db: &DatabaseTransaction, fields: &Self::Fields) -> Result<(), ApiError>;
    /// Adds the rows that store a record (its row, its side-table rows, its audit row).
    fn add_rows(actor: &Actor, record: &Self::Record, rows: &mut Inserts) -> Result<(), ApiError>;
    /// A record's id.
    fn id_of(record: &Self::Record) -> Uuid;
}

/// Values looked up per statement when checking unique columns.
const LOOKUP_CHUNK: usize = 500;

/// An error of one row, placed in its row and column.
fn row_errors<R: Columns>(err: ApiError, row: u64) -> Vec<FieldError> {
    let (errors, detail, code) = match err {
        ApiError::Validation(errors) => (errors, String::new(), "invalid"),
        ApiError::Forbidden { detail, errors } => (errors, detail, "forbidden"),
        ApiError::Conflict { detail, errors } => (errors, detail, "duplicate"),
        ApiError::BadRequest { detail, errors } => (errors, detail, "invalid"),
        other => (Vec::new(), other.to_string(), "invalid"),
    };
    if errors.is_empty() {
        return vec![FieldError::new("", code, detail).at(row, None)];
    }
    errors
        .into_iter()
        .map(|error| {
            let column = column_of::<R>(&error.field);
            error.at(row, column)
        })
        .collect()
}

/// Imports `rows` (decoded by the HTTP layer) for `caller` as `options` say.
/// A run that writes nothing because of bad rows is a 422 listing them.
pub(crate) async fn import<S: Importable>(
    db: &Database,
    caller: &Principal,
    rows: DecodedRows<S::Record>,
    options: ImportOptions,
) -> Result<ImportReport, ApiError> {
    let DecodedRows {
        read,
        good: decoded,
        mut errors,
    } = rows;
    let mut good: Vec<(u64, S::Record)> = Vec::with_capacity(decoded.len());
    for (row, record) in decoded {
        match S::admit(caller, record) {
            Ok(record) => good.push((row, record)),
            Err(err) => errors.extend(row_errors::<S::Columns>(err, row)),
        }
    }
    // References and unique values are read outside the write transaction,
    // so that other writers are not held up while every row is checked;
    // the database's own keys still guard the insert.
    // Rows that name the same records get the same answer: each set of
    // references is checked once (a file's placements name a few enterprises).
    let reading = db.read().begin().await?;
    let mut checked = Vec::with_capacity(good.len());
    let mut judged: HashMap<String, Vec<FieldError>> = HashMap::new();
    for (row, record) in good {
        let fields = S::fields_of(&record);
        let key = references_key(&fields)?;
        let problems = match judged.get(&key) {
            Some(problems) => problems.clone(),
            None => {
                let problems = match S::check_named(&reading, &fields).await {
                    Ok(()) => Vec::new(),
                    // A fault or an outage is the import's, not the row's.
                    Err(err) if err.status() >= 500 => return Err(err),
                    Err(err) => row_errors::<S::Columns>(err, row),
                };
                judged.insert(key, problems.clone());
                problems
            }
        };
        match problems.is_empty() {
            true => checked.push((row, record)),
            false => errors.extend(problems.into_iter().map(|problem| FieldError {
                row: Some(row),
                ..problem
            })),
        }
    }
    let taken = taken::<S>(&reading, &checked).await?;
    reading.rollback().await?;
    let good: Vec<(u64, S::Record)> = checked
        .into_iter()
        .filter(|(row, _)| match taken.get(row) {
            Some(problems) => {
                errors.extend(problems.iter().cloned());
                false
            }
            None => true,
        })
        .collect();
    let valid = good.len() as u64;
    let refused = good.is_empty() || (!options.partial && !errors.is_empty());
    if refused && !options.dry_run {
        return Err(errors.refusal());
    }
    if options.dry_run {
        let (errors, error_counts) = errors.into_parts();
        return Ok(ImportReport {
            dry_run: true,
            rows: read,
            valid,
            imported: 0,
            created: Vec::new(),
            errors,
            error_counts,
        });
    }
    let actor = caller.actor();
    let txn = db.begin().await?;
    let written = match options.partial {
        true => insert_each::<S>(&txn, &actor, &good, &mut errors).await?,
        false => {
            rows_of::<S>(&actor, &good)?
                .execute(&txn)
                .await
                .map_err(|e| ApiError::from_db(e, S::UNIQUE))?;
            vec![true; good.len()]
        }
    };
    let created: Vec<ImportedRow> = good
        .iter()
        .zip(written)
        .filter(|(_, written)| *written)
        .map(|((row, record), _)| ImportedRow {
            row: *row,
            id: S::id_of(record),
        })
        .collect();
    if created.is_empty() {
        txn.rollback().await?;
        return Err(errors.refusal());
    }
    txn.commit().await?;
    let (errors, error_counts) = errors.into_parts();
    Ok(ImportReport {
        dry_run: false,
        rows: read,
        valid,
        imported: created.len() as u64,
        created,
        errors,
        error_counts,
    })
}

/// The rows that store `records`, each with its audit row.
fn rows_of<S: Importable>(actor: &Actor, records: &[(u64, S::Record)]) -> Result<Inserts, ApiError> {
    let mut inserts = Inserts::new();
    for (_, record) in records {
        S::add_rows(actor, record, &mut inserts)?;
    }
    Ok(inserts)
}

/// Inserts every row of `good` that can go in, and says which did: the
/// rows go in together, and a batch that a concurrent writer's commit
/// makes fail (a unique value it took meanwhile, a record it deleted that
/// a row references) is rolled back to its savepoint and tried again in
/// halves, down to the rows that fail alone, which become their rows'
/// problems. Rows with no conflict cost one statement per table and batch.
async fn insert_each<S: Importable>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    good: &[(u64, S::Record)],
    errors: &mut ImportErrors,
) -> Result<Vec<bool>, ApiError> {
    let mut written = vec![true; good.len()];
    // The batches still to write (each its first row and its end), the
    // next on top, so that rows go in in order.
    let mut batches = Vec::new();
    batches.push(0..good.len());
    while let Some(batch) = batches.pop() {
        let rows = rows_of::<S>(actor, &good[batch.clone()])?;
        let savepoint = txn.begin().await?;
        let Err(failed) = rows.execute(&savepoint).await else {
            savepoint.commit().await?;
            continue;
        };
        savepoint.rollback().await?;
        let failed = ApiError::from_db(failed, S::UNIQUE);
        if !matches!(failed, ApiError::Conflict { .. }) {
            return Err(failed);
        }
        match batch.len() {
            0 => {}
            1 => {
                written[batch.start] = false;
                errors.extend(row_errors::<S::Columns>(failed, good[batch.start].0));
            }
            n => {
                let middle = batch.start + n / 2;
                batches.push(middle..batch.end);
                batches.push(batch.start..middle);
            }
        }
    }
    Ok(written)
}

/// What [`Importable::check_named`] judges of some fields: every field
/// named `…_id`, at any depth, with its value (references are ids so named).
fn references_key(fields: &impl serde::Serialize) -> Result<String, ApiError> {
    fn walk(value: &serde_json::Value, path: &str, out: &mut String) {
        match value {
            serde_json::Value::Object(object) => {
                for (name, inner) in object {
                    let path = format!("{path}.{name}");
                    if name.ends_with("_id") {
                        out.push_str(&format!("{path}={inner}\u{0}"));
                    }
                    walk(inner, &path, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (index, inner) in items.iter().enumerate() {
                    walk(inner, &format!("{path}[{index}]"), out);
                }
            }
            _ => {}
        }
    }
    let value = serde_json::to_value(fields).map_err(|e| ApiError::Internal(e.into()))?;
    let mut key = String::new();
    walk(&value, "", &mut key);
    Ok(key)
}

/// The rows whose value of a unique column is taken, by a stored record or
/// by an earlier row of the file, with their problems. Unique columns hold text.
async fn taken<S: Importable>(
    txn: &DatabaseTransaction,
    rows: &[(u64, S::Record)],
) -> Result<HashMap<u64, Vec<FieldError>>, ApiError> {
    let mut taken: HashMap<u64, Vec<FieldError>> = HashMap::new();
    for field in S::UNIQUE {
        let column = <S::Table as EntityTrait>::Column::from_str(field)
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("`{field}` is not a column")))?;
        let header = column_of::<S::Columns>(field);
        let mut first_row: HashMap<String, u64> = HashMap::new();
        let mut values: Vec<(u64, String)> = Vec::new();
        for (row, record) in rows {
            let fields = serde_json::to_value(S::fields_of(record)).map_err(|e| ApiError::Internal(e.into()))?;
            let Some(value) = fields.get(*field).and_then(|v| v.as_str()) else {
                continue;
            };
            match first_row.get(value) {
                Some(first) => taken.entry(*row).or_default().push(
                    FieldError::new(*field, "duplicate", format!("row {first} has the same value"))
                        .at(*row, header.clone()),
                ),
                None => {
                    first_row.insert(value.to_string(), *row);
                    values.push((*row, value.to_string()));
                }
            }
        }
        for chunk in values.chunks(LOOKUP_CHUNK) {
            let stored: Vec<Option<String>> = S::Table::find()
                .select_only()
                .column(column)
                .filter(column.is_in(chunk.iter().map(|(_, value)| value.clone())))
                .into_tuple()
                .all(txn)
                .await?;
            for value in stored.iter().flatten() {
                if let Some(row) = first_row.get(value) {
                    taken.entry(*row).or_default().push(
                        FieldError::new(*field, "duplicate", "already taken by another record")
                            .at(*row, header.clone()),
                    );
                }
            }
        }
    }
    Ok(taken)
}
