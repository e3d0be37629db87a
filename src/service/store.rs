//! The one road every record takes: created, read, merge-patched and
//! deleted in one transaction each, its audit row inside. A resource says
//! how its row and its record map onto each other ([`Stored`]); the rest is
//! here, once.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::inserts::Inserts;
use crate::entity::{enterprise, school};
use crate::error::{ApiError, FieldError};

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
