//! The one road every record takes: created, read, merge-patched and
//! deleted in one transaction each, its audit row inside. A resource says
//! how its row and its record map onto each other ([`Stored`]); the rest is
//! here, once.

use super::Database;
use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, PrimaryKeyTrait,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::audit;
use super::database::{CreateCheck, GroupedCreate};
use super::inserts::Inserts;
use super::list::Keyset;
use super::{check_precondition, find_for_update, now, Precondition};
use crate::auth::{Actor, Principal};
use crate::domain::vocab::{Action, ResourceType};
use crate::entity::{audit_event, enterprise, school};
use crate::error::{ApiError, FieldError};
use crate::model::check::MergePatch;
use crate::model::record::Record;

/// A resource kept in one table (and perhaps side tables) and shown as one record.
pub(crate) trait Stored:
    Keyset
    + EntityTrait<
        Model: Clone + PartialEq + Send + Sync + IntoActiveModel<<Self as EntityTrait>::ActiveModel>,
        ActiveModel: From<<Self as EntityTrait>::Model> + ActiveModelTrait<Entity = Self> + Send + Sync,
        PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>,
    >
{
    /// The contract's record.
    type Record: Record;
    /// How the audit trail names the resource.
    const TYPE: ResourceType;
    /// Columns whose values are unique, for mapping constraint violations to 409.
    const UNIQUE: &'static [&'static str];

    /// The record a row shows.
    fn to_record(row: Self::Model) -> Self::Record;
    /// The row that stores a record (with its folded search text).
    fn to_row(record: &Self::Record) -> Self::Model;

    /// Checks and completes the fields of a new record (`before` is `None`)
    /// or of a patched one: rules between fields and derived values (422),
    /// and what the caller's role may set (403 naming the fields; the role
    /// table decides, `auth::policy`). `patch` is the merge patch the client
    /// sent, for a change.
    fn prepare(
        _caller: &Principal,
        _before: Option<&<Self::Record as Record>::Fields>,
        _fields: &mut <Self::Record as Record>::Fields,
        _patch: Option<&MergePatch<<Self::Record as Record>::Fields>>,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// Checks that the records the fields name exist (422 naming each field that names none).
    async fn check_references(
        _db: &DatabaseTransaction,
        _fields: &<Self::Record as Record>::Fields,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// Whether the caller may see the row at all (a row it may not see is a 404 to every method).
    fn visible(_caller: &Principal, _row: &Self::Model) -> bool {
        true
    }

    /// Refuses a change or a deletion of a row the caller sees but its role
    /// may not write (403); checked after [`Stored::visible`].
    fn check_write(_caller: &Principal, _row: &Self::Model) -> Result<(), ApiError> {
        Ok(())
    }

    /// Refuses to delete a row in a state that keeps it (409).
    fn check_delete(_row: &Self::Model) -> Result<(), ApiError> {
        Ok(())
    }

    /// The side-table rows a new row brings (its tags, its majors, its first
    /// history row), added to `rows` after the row itself: they are
    /// inserted with it, in the same statements as those of other new rows.
    fn new_rows(_actor: &Actor, _row: &Self::Model, _rows: &mut Inserts) -> Result<(), ApiError> {
        Ok(())
    }

    /// Keeps side tables in step after `actor` changed a row from `before`
    /// to `after`.
    async fn sync(
        _db: &DatabaseTransaction,
        _actor: &Actor,
        _before: &Self::Model,
        _after: &Self::Model,
    ) -> Result<(), ApiError> {
        Ok(())
    }
}

/// Moves the fields two structs share from one to the other, destructuring
/// exhaustively (a field added to one and not the other is a compile error):
/// `same_fields!(model: audit_event::Model => AuditEvent { id, at, … })`.
/// Fields only the source has are named after `ignoring`.
macro_rules! same_fields {
    ($value:ident : $From:path => $To:ident { $($field:ident),+ $(,)? } $(ignoring { $($skip:ident),* })?) => {{
        let $From { $($field,)+ $($($skip: _,)*)? } = $value;
        $To { $($field,)+ }
    }};
}
pub(crate) use same_fields;

/// The two conversions of [`Stored`], from one list of the fields a row and
/// its record share (each destructured exhaustively both ways, so that a
/// field added to one and not the other is a compile error) and the
/// row-only columns, each computed from the record's fields:
///
/// `row_record!(enterprise::Model, Enterprise { id, name, … } row { search_text: search_text([…]) });`
macro_rules! row_record {
    ($Row:path, $Record:ident { $($field:ident),+ $(,)? } row { $($extra:ident : $value:expr),* $(,)? }) => {
        fn to_record(row: $Row) -> $Record {
            $crate::service::store::same_fields!(row: $Row => $Record { $($field),+ } ignoring { $($extra),* })
        }

        fn to_row(record: &$Record) -> $Row {
            let $Record { $($field,)+ } = record.clone();
            $(let $extra = $value;)*
            $Row { $($field,)+ $($extra,)* }
        }
    };
}
pub(crate) use row_record;

/// Ids a record names, each with the path of the field that names it.
pub(crate) type Named = Vec<(String, Uuid)>;

/// Checks that the enterprises and the schools a record names exist, each
/// given with the path of the field that names it: one query per table, and
/// a 422 naming every path whose id names no record.
pub(crate) async fn check_ids(
    db: &impl ConnectionTrait,
    enterprises: &[(String, Uuid)],
    schools: &[(String, Uuid)],
) -> Result<(), ApiError> {
    invalid_unless_empty(organisation_errors(db, enterprises, schools).await?)
}

/// The problems [`check_ids`] answers, for a caller that adds its own.
pub(crate) async fn organisation_errors(
    db: &impl ConnectionTrait,
    enterprises: &[(String, Uuid)],
    schools: &[(String, Uuid)],
) -> Result<Vec<FieldError>, ApiError> {
    let mut errors = unknown_ids::<enterprise::Entity>(db, enterprise::Column::Id, enterprises, "enterprise").await?;
    errors.extend(unknown_ids::<school::Entity>(db, school::Column::Id, schools, "school").await?);
    Ok(errors)
}

/// The id an optional field names, with the field's path, as [`Named`].
pub(crate) fn named_by(path: &str, id: Option<Uuid>) -> Named {
    id.map(|id| (path.to_string(), id)).into_iter().collect()
}

/// The problems of the ids that name no row of `E` (whose id column is
/// `column`), each given with the path of the field that names it: one query.
pub(crate) async fn unknown_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    named: &[(String, Uuid)],
    what: &str,
) -> Result<Vec<FieldError>, ApiError> {
    if named.is_empty() {
        return Ok(Vec::new());
    }
    let ids: HashSet<Uuid> = named.iter().map(|(_, id)| *id).collect();
    let found: Vec<Uuid> = E::find()
        .select_only()
        .column(column)
        .filter(column.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let known: HashSet<Uuid> = found.into_iter().collect();
    Ok(named
        .iter()
        .filter(|(_, id)| !known.contains(id))
        .map(|(path, _)| FieldError::new(path, "not_found", format!("names no {what}")))
        .collect())
}

/// `Ok` when there are no problems, else the 422 naming each.
pub(crate) fn invalid_unless_empty(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Replaces the side-table rows of a changed record (its tags, its majors)
/// with `rows`.
pub(crate) async fn replace_rows<E: EntityTrait>(
    db: &impl ConnectionTrait,
    owner: impl sea_orm::sea_query::IntoCondition,
    rows: Vec<E::ActiveModel>,
) -> Result<(), ApiError>
where
    E::ActiveModel: Clone + Send + Sync + 'static,
{
    E::delete_many().filter(owner).exec(db).await?;
    let mut inserts = Inserts::new();
    inserts.add(rows);
    inserts.execute(db).await?;
    Ok(())
}

/// The rows a new record is stored in: its row, the side-table rows
/// ([`Stored::new_rows`]) and its audit row.
pub(crate) fn record_rows<S: Stored>(actor: &Actor, record: &S::Record, rows: &mut Inserts) -> Result<(), ApiError> {
    let row = S::to_row(record);
    rows.add([S::ActiveModel::from(row.clone()).reset_all()]);
    S::new_rows(actor, &row, rows)?;
    let event = audit::change_row(actor, Action::Create, S::TYPE, record.meta().id, None, Some(record))?;
    rows.add([audit_event::ActiveModel::from(event).reset_all()]);
    Ok(())
}

/// Stores a new record for the caller, with its audit row, after
/// [`Stored::prepare`] and [`Stored::check_references`].
pub(crate) async fn create<S: Stored>(
    db: &Database,
    caller: &Principal,
    record: S::Record,
) -> Result<S::Record, ApiError> {
    let mut fields = record.fields();
    S::prepare(caller, None, &mut fields, None)?;
    let record = record.with_fields(fields);
    let mut rows = Inserts::new();
    record_rows::<S>(&caller.actor(), &record, &mut rows)?;
    let fields = record.fields();
    let check: CreateCheck = Box::new(move |txn| {
        let fields = fields.clone();
        Box::pin(async move { S::check_references(txn, &fields).await })
    });
    db.create_in_group(GroupedCreate {
        check,
        rows,
        unique: S::UNIQUE,
    })
    .await?;
    Ok(record)
}

/// Reads one record the caller may see (404 otherwise).
pub(crate) async fn get<S: Stored>(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<S::Record, ApiError> {
    S::find_by_id(id)
        .one(db)
        .await?
        .filter(|row| S::visible(caller, row))
        .map(S::to_record)
        .ok_or(ApiError::NotFound)
}

/// Loads a row the caller may see, locked until the transaction ends (404 otherwise).
pub(crate) async fn find_visible<S: Stored>(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: Uuid,
) -> Result<S::Model, ApiError> {
    let row = find_for_update::<S>(db, id).await?;
    if S::visible(caller, &row) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Applies a merge patch under the record's `If-Match`, with its audit
/// row; [`Stored::prepare`] and [`Stored::check_references`] judge the
/// result. The version grows only when something changed.
pub(crate) async fn update<S: Stored>(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    patch: &MergePatch<<S::Record as Record>::Fields>,
) -> Result<S::Record, ApiError> {
    update_checked::<S>(db, caller, id, precondition, patch, |_| Ok(())).await
}

/// [`update`], with one more check of the changed fields (422 or 403)
/// that needs what the service is configured with, after
/// [`Stored::prepare`] and before anything is written.
pub(crate) async fn update_checked<S: Stored>(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    patch: &MergePatch<<S::Record as Record>::Fields>,
    check: impl FnOnce(&<S::Record as Record>::Fields) -> Result<(), ApiError>,
) -> Result<S::Record, ApiError> {
    let txn = db.begin().await?;
    let row = find_visible::<S>(&txn, caller, id).await?;
    S::check_write(caller, &row)?;
    let before = S::to_record(row.clone());
    let current = before.fields();
    // A body that is wrong is wrong whatever the version: 422 before 412.
    let mut fields = patch.apply(&current)?;
    check_precondition(precondition.as_ref(), before.meta().version)?;
    S::prepare(caller, Some(&current), &mut fields, Some(patch))?;
    check(&fields)?;
    let after = before.clone().with_fields(fields);
    if S::to_row(&after) == row {
        return Ok(before);
    }
    S::check_references(&txn, &after.fields()).await?;
    let after = after.touched(now());
    save_changed::<S>(&txn, &caller.actor(), &row, &after).await?;
    audit::record_change(
        &txn,
        &caller.actor(),
        Action::Update,
        S::TYPE,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Writes a changed record over its row and keeps its side tables in step
/// ([`Stored::sync`]); the caller has locked the row, checked the change and
/// bumped the version, and writes the audit row.
pub(crate) async fn save_changed<S: Stored>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    before: &S::Model,
    after: &S::Record,
) -> Result<(), ApiError> {
    let after_row = S::to_row(after);
    S::ActiveModel::from(after_row.clone())
        .reset_all()
        .update(txn)
        .await
        .map_err(|e| ApiError::from_db(e, S::UNIQUE))?;
    S::sync(txn, actor, before, &after_row).await
}

/// Deletes a record under its `If-Match` and records the deletion, with the
/// record's last state, in the same transaction. A record others still
/// reference is a 409 and stays.
pub(crate) async fn delete<S: Stored>(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    let txn = db.begin().await?;
    delete_in::<S>(&txn, caller, id, precondition).await?;
    txn.commit().await?;
    Ok(())
}

/// [`delete`] in a transaction the caller began (and commits), after
/// checks of its own.
pub(crate) async fn delete_in<S: Stored>(
    txn: &DatabaseTransaction,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    let row = find_visible::<S>(txn, caller, id).await?;
    S::check_write(caller, &row)?;
    let before = S::to_record(row.clone());
    check_precondition(precondition.as_ref(), before.meta().version)?;
    S::check_delete(&row)?;
    S::delete_by_id(id)
        .exec(txn)
        .await
        .map_err(|e| ApiError::from_db(e, &[]))?;
    audit::record_change(txn, &caller.actor(), Action::Delete, S::TYPE, id, Some(&before), None).await?;
    Ok(())
}
