//! The one road of every resource: listed, created, read, merge-patched
//! and deleted, each write in one transaction with its audit row inside,
//! and every access decided by the resource's [`Policy`] in one order
//! (see [`Policy`]'s documentation).
//!
//! A resource says only what is its own ([`Stored`]): its table, its
//! policy, the columns it computes from its fields, the rules between its
//! fields and the records it names. Its spreadsheet imports take the same
//! road ([`import`]).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use sea_orm::sea_query::{Condition, Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, ModelTrait,
    PaginatorTrait, PrimaryKeyTrait, QueryFilter, Select, Value,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::audit;
use super::database::{CreateCheck, GroupedCreate};
use super::imports::{self, Importable};
use super::inserts::Inserts;
use super::list::{fetch_directory_page, fetch_page, scan_search_condition, search_condition, Keyset};
use super::{check_precondition, find_for_update, now, Database, Precondition};
use crate::auth::policy::{Access, ParticipantColumn, Policy, Scope};
use crate::auth::{Actor, Principal};
use crate::domain::vocab::Action;
use crate::entity::{apprenticeship, Row};
use crate::error::{ApiError, FieldError};
use crate::model::check::{decode, parse_body, MergePatch};
use crate::model::import::{DecodedRows, ImportOptions, ImportReport};
use crate::model::list::{Filter, FilterValue, ListFilters, ListRequest, SharedPage, Test};
use crate::model::record::Meta;
use crate::model::resource::{Create, Record, Resource};

/// How a list's `q` searches its folded `search_text` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Through the trigram index (PostgreSQL) or the FTS table (SQLite).
    Indexed,
    /// By scanning the column: a small table that keeps no index.
    Scan,
    /// A directory everyone lists and searches (`enterprises`, `schools`:
    /// tables with a change counter and counted totals): through the index,
    /// or by walking the sort's index when the search matches many rows; a
    /// search's total is counted once per change of the table, and a page is
    /// read once per change and shared by every caller who asks for it
    /// ([`fetch_directory_page`]). So a directory's records are shown alike
    /// to every caller whose scope is the same: its [`Stored::shown`] is not applied.
    Directory,
}

/// What a resource says of its storage and its rules; everything else of
/// its road is the generic code of this module.
#[allow(async_fn_in_trait)] // Used in this crate only, on one thread per request.
pub trait Stored: Resource {
    /// Its table.
    type Table: Keyset<Sort = Self::Sort>
        + EntityTrait<
            Model: Row<Fields = Self> + IntoActiveModel<<Self::Table as EntityTrait>::ActiveModel> + Sync,
            ActiveModel: ActiveModelTrait<Entity = Self::Table> + Clone + Send + Sync + 'static,
            PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>,
        >;
    /// Who may do what.
    const POLICY: &'static Policy;
    /// Columns whose values are unique, for mapping a violation to 409.
    const UNIQUE: &'static [&'static str] = &[];
    /// How `q` searches.
    const SEARCH: Search = Search::Indexed;

    /// Turns a new record's fields, as its body gave them, into those it is
    /// stored with (a password into its hash): first of all on every new
    /// record's road ([`store_new`]).
    async fn stored(self) -> Result<Self, ApiError> {
        Ok(self)
    }

    /// Sets the columns computed from the fields (a sort key, the folded search text).
    fn complete_row(&self, _row: &mut <Self::Table as EntityTrait>::ActiveModel) {}

    /// Completes the fields of a new record (`before` and `patch` are
    /// `None`) or of a changed one before they are checked, and refuses a
    /// change the record's state forbids: the server-made ids of a list's
    /// items ([`keep_server_ids`]), a final status left (409), what the
    /// service derives from other fields (a placement's participant role,
    /// from its kind; `patch` is an update's merge patch). Runs before
    /// [`Stored::check`].
    fn prepare(&mut self, _before: Option<&Self>, _patch: Option<&MergePatch<Self>>) -> Result<(), ApiError> {
        Ok(())
    }

    /// The rules between fields (422 naming each field that breaks one).
    fn check(&self) -> Result<(), ApiError> {
        Ok(())
    }

    /// The rules that depend on the service's settings (a webhook's URL
    /// against the networks it may reach) (422), after [`Stored::check`].
    fn check_settings(&self, _db: &Database) -> Result<(), ApiError> {
        Ok(())
    }

    /// Copies into a new record's fields what they take from a record they
    /// name (a visit's `school_id` and `enterprise_id`, from its placement;
    /// 422 naming the field that names none): first of all on a new
    /// record's road, before the organisations it names are judged.
    async fn derive(&mut self, _db: &DatabaseConnection) -> Result<(), ApiError> {
        Ok(())
    }

    /// The field that names the record a new record's organisations are
    /// copied from ([`Stored::derive`]): the 403 of naming another
    /// organisation names it rather than the copied column.
    const OWNERS_NAMED_BY: Option<&'static str> = None;

    /// Checks that the records the fields name exist (422 naming each field that names none).
    async fn check_references(&self, _db: &DatabaseTransaction) -> Result<(), ApiError> {
        Ok(())
    }

    /// The filters the list's query struct leaves to the resource (`#[filter(custom)]`).
    fn custom_filters(_filters: &Self::Filters, select: Select<Self::Table>) -> Select<Self::Table> {
        select
    }

    /// The side-table rows a new record brings (its tags, its majors, its
    /// first history row), added to `rows` after its own row: inserted with
    /// it, in the same statements as those of other new records.
    fn new_rows(_record: &Record<Self>, _actor: &Actor, _rows: &mut Inserts) -> Result<(), ApiError> {
        Ok(())
    }

    /// Keeps the side tables in step after `actor` changed a record from `before` to `after`.
    async fn sync(
        _db: &DatabaseTransaction,
        _actor: &Actor,
        _before: &Record<Self>,
        _after: &Record<Self>,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// Refuses to delete a record in a state that keeps it (409).
    fn check_delete(_record: &Record<Self>) -> Result<(), ApiError> {
        Ok(())
    }

    /// The record as the caller may see it (personal data masked by role;
    /// not for a [`Search::Directory`], whose pages every caller shares).
    fn shown(record: Record<Self>, _caller: &Principal) -> Record<Self> {
        record
    }

    /// Reads the list's page of `select` (the rows of `scope`, filtered and
    /// searched) as the caller sees it: by default fetched, its total
    /// counted. A list that keeps its totals or its pages (placements:
    /// tallied totals, the page cache) reads it its own way.
    async fn read_page(
        db: &Database,
        caller: &Principal,
        _filters: &Self::Filters,
        _scope: Scope,
        select: Select<Self::Table>,
        request: &ListRequest<Self::Sort>,
    ) -> Result<Arc<SharedPage<Record<Self>>>, ApiError> {
        let page = fetch_page(db.read(), select, request).await?;
        Ok(Arc::new(SharedPage::new(
            page.map(|row| Self::shown(record_of(&row), caller)),
        )))
    }
}

/// An item of a list whose ids the server makes (a meeting's action items,
/// a competition's entries): a new item comes without one; a PATCH that
/// replaces the list keeps an item by sending its id back.
pub trait ServerMade: Clone {
    /// The list's field name, for the problems' paths (`action_items`).
    const LIST: &'static str;
    /// What an id names, for the problems' messages.
    const WHAT: &'static str;
    /// The item's id, if it has one.
    fn id(&self) -> Option<Uuid>;
    /// Gives the item its id.
    fn set_id(&mut self, id: Uuid);
}

/// Gives each new item of a replaced list a server-made id, and checks the
/// ids sent: each must name an item of `previous`, once (422 naming
/// `<list>[i].id` otherwise). Returns, for each item, the one it keeps.
pub fn keep_server_ids<T: ServerMade>(previous: &[T], items: &mut [T]) -> Result<Vec<Option<T>>, ApiError> {
    let known: HashMap<Uuid, &T> = previous
        .iter()
        .filter_map(|item| item.id().map(|id| (id, item)))
        .collect();
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    let mut befores = Vec::with_capacity(items.len());
    for (i, item) in items.iter_mut().enumerate() {
        let path = || format!("{}[{i}].id", T::LIST);
        befores.push(match item.id() {
            None => {
                item.set_id(Uuid::now_v7());
                None
            }
            Some(id) => match known.get(&id) {
                None => {
                    errors.push(FieldError::new(
                        path(),
                        "not_found",
                        format!("names no {} (leave `id` out for a new one)", T::WHAT),
                    ));
                    None
                }
                Some(_) if !seen.insert(id) => {
                    errors.push(FieldError::new(path(), "duplicate", "names an item listed before"));
                    None
                }
                Some(before) => Some((*before).clone()),
            },
        });
    }
    super::store::invalid_unless_empty(errors)?;
    Ok(befores)
}

/// The column of `E` named `name`, or the 500 of a policy or a filter
/// that names a column the table lacks.
fn column<E: EntityTrait>(name: &str) -> Result<E::Column, ApiError> {
    E::Column::from_str(name).map_err(|_| ApiError::Internal(anyhow::anyhow!("the table has no column `{name}`")))
}

/// The rows of `scope`, as a condition.
fn scope_condition<E: EntityTrait>(scope: &Scope) -> Result<Condition, ApiError> {
    Ok(match scope {
        Scope::All => Condition::all(),
        Scope::Owned { column: name, org } => Condition::all().add(column::<E>(name)?.eq(*org)),
        Scope::Participant {
            column: ParticipantColumn::Key(name),
            key,
        } => Condition::all().add(column::<E>(name)?.eq(key.as_ref())),
        Scope::Participant {
            column: ParticipantColumn::Placement(name),
            key,
        } => Condition::all().add(
            column::<E>(name)?.in_subquery(
                Query::select()
                    .column(apprenticeship::Column::Id)
                    .from(apprenticeship::Entity)
                    .and_where(apprenticeship::Column::ParticipantKey.eq(key.as_ref()))
                    .to_owned(),
            ),
        ),
        Scope::Nothing => Condition::any().add(Expr::val(false)),
    })
}

/// The organisation a row's column names.
fn named_in<M: ModelTrait>(row: &M, name: &str) -> Option<Uuid> {
    let column = <M::Entity as EntityTrait>::Column::from_str(name).ok()?;
    match row.get(column) {
        Value::Uuid(Some(id)) => Some(id),
        _ => None,
    }
}

/// The id a field of `fields` (as JSON) names.
fn named_by(fields: &Json, name: &str) -> Option<Uuid> {
    fields.get(name)?.as_str()?.parse().ok()
}

/// The condition of one declared filter.
fn filter_condition<E: EntityTrait>(filter: Filter) -> Result<Condition, ApiError> {
    let column = column::<E>(filter.column)?;
    let value: Value = match filter.value {
        FilterValue::Id(id) => id.into(),
        FilterValue::Text(text) => text.into(),
        FilterValue::Date(day) => day.into(),
        FilterValue::Time(at) => at.into(),
        FilterValue::Int(number) => number.into(),
        FilterValue::Bool(flag) => flag.into(),
    };
    let test = match filter.test {
        Test::Equals => column.eq(value),
        Test::AtLeast => column.gte(value),
        Test::AtMost => column.lte(value),
        Test::Before => column.lt(value),
        Test::After => column.gt(value),
    };
    Ok(Condition::all().add(test))
}

/// `select` narrowed by the declared filters of a list's query struct.
pub fn filtered<E: EntityTrait>(mut select: Select<E>, filters: &impl ListFilters) -> Result<Select<E>, ApiError> {
    for filter in filters.filters() {
        select = select.filter(filter_condition::<E>(filter)?);
    }
    Ok(select)
}

/// The record a row shows.
pub fn record_of<F: Stored>(row: &<F::Table as EntityTrait>::Model) -> Record<F> {
    Record::new(row.meta(), row.fields())
}

/// Lists the records the caller reads, one page at a time: its scope, the
/// declared filters, the resource's own, `updated_since` and `q`, as its
/// [`Search`] says.
pub async fn list<F: Stored>(
    db: &Database,
    caller: &Principal,
    filters: &F::Filters,
    request: &ListRequest<F::Sort>,
) -> Result<Arc<SharedPage<Record<F>>>, ApiError> {
    let scope = F::POLICY.scope(caller, Access::Read)?;
    let select = F::Table::find().filter(scope_condition::<F::Table>(&scope)?);
    let mut select = F::custom_filters(filters, filtered(select, filters)?);
    if let Some(since) = request.updated_since {
        select = select.filter(column::<F::Table>("updated_at")?.gte(since));
    }
    let search = || column::<F::Table>("search_text");
    match (F::SEARCH, &request.q) {
        (Search::Directory, _) => {
            return fetch_directory_page(db, select, search()?, request, |row| record_of::<F>(&row)).await;
        }
        (Search::Indexed, Some(q)) => select = select.filter(search_condition::<F::Table>(db.backend(), search()?, q)),
        (Search::Scan, Some(q)) => select = select.filter(scan_search_condition::<F::Table>(search()?, q)),
        (_, None) => {}
    }
    F::read_page(db, caller, filters, scope, select, request).await
}

/// The 403 of a role that reads none of the collection.
pub fn may_read<F: Stored>(caller: &Principal) -> Result<(), ApiError> {
    F::POLICY.scope(caller, Access::Read).map(|_| ())
}

/// Reads one record the caller reads (404 otherwise).
pub async fn get<F: Stored>(db: &Database, caller: &Principal, id: Uuid) -> Result<Record<F>, ApiError> {
    let scope = F::POLICY.scope(caller, Access::Read)?;
    F::Table::find_by_id(id)
        .filter(scope_condition::<F::Table>(&scope)?)
        .one(db.read())
        .await?
        .map(|row| F::shown(record_of(&row), caller))
        .ok_or(ApiError::NotFound)
}

/// Adds the rows a new record is stored in: its row, its side-table rows
/// ([`Stored::new_rows`]) and its audit row (also for a resource that
/// stores a new record its own way).
pub fn new_rows<F: Stored>(actor: &Actor, record: &Record<F>, rows: &mut Inserts) -> Result<(), ApiError> {
    new_rows_with(actor, record, rows, F::new_rows)
}

/// [`new_rows`] with `side` adding the side-table rows in place of
/// [`Stored::new_rows`] (a placement begun by a transfer, whose first
/// history row carries the transfer's reason).
pub fn new_rows_with<F: Stored>(
    actor: &Actor,
    record: &Record<F>,
    rows: &mut Inserts,
    side: impl FnOnce(&Record<F>, &Actor, &mut Inserts) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut row = <F::Table as EntityTrait>::Model::active(&meta_of(record), &record.fields);
    record.fields.complete_row(&mut row);
    rows.add([row]);
    side(record, actor, rows)?;
    let event = audit::change_row(actor, Action::Create, F::TYPE, record.id, None, Some(record))?;
    rows.add([crate::entity::audit_event::ActiveModel::from(event).reset_all()]);
    Ok(())
}

/// Creates a record from a request body: the role's right (403), the body
/// (400, 422), what it copies from the records it names ([`Stored::derive`],
/// 422), the organisations it names (403 naming each the role may not name), the rules between fields (422), the records it names (422);
/// stored with its audit row in a grouped transaction.
pub async fn create<F: Stored>(db: &Database, caller: &Principal, body: &[u8]) -> Result<Record<F>, ApiError> {
    let scope = F::POLICY.scope(caller, Access::Create)?;
    let Create(mut fields) = decode::<Create<F>>(&parse_body(body)?)?;
    fields.derive(db.read()).await?;
    check_owners(scope, &fields)?;
    store_new(db, caller, Record::new(Meta::new(now()), fields)).await
}

/// The 403 naming each organisation the fields of a new record name that
/// a caller with `scope` may not name.
fn check_owners<F: Stored>(scope: Scope, fields: &F) -> Result<(), ApiError> {
    let named = json_of(fields)?;
    F::POLICY
        .check_new(scope, |name| named_by(&named, name))
        .map_err(|refusal| match (F::OWNERS_NAMED_BY, refusal) {
            (Some(field), ApiError::Forbidden { errors, .. }) if !errors.is_empty() => ApiError::Forbidden {
                detail: format!("your role may not name another organisation's record in `{field}`"),
                errors: vec![FieldError::new(
                    field,
                    "forbidden",
                    "names another organisation's record",
                )],
            },
            (_, refusal) => refusal,
        })
}

/// Stores a new record whose caller's rights are judged: its completion
/// ([`Stored::prepare`]), the rules between its fields (422) and the
/// records it names (422), then its rows and its
/// audit row in a grouped transaction.
pub async fn store_new<F: Stored>(db: &Database, caller: &Principal, record: Record<F>) -> Result<Record<F>, ApiError> {
    let mut record = Record {
        fields: record.fields.stored().await?,
        ..record
    };
    record.fields.prepare(None, None)?;
    record.fields.check()?;
    record.fields.check_settings(db)?;
    let mut rows = Inserts::new();
    new_rows(&caller.actor(), &record, &mut rows)?;
    let checked = record.fields.clone();
    let check: CreateCheck = Box::new(move |txn| {
        let fields = checked.clone();
        Box::pin(async move { fields.check_references(txn).await })
    });
    db.create_in_group(GroupedCreate {
        check,
        rows,
        unique: F::UNIQUE,
    })
    .await?;
    Ok(F::shown(record, caller))
}

/// Stores many new records in one transaction, each with its audit row
/// (seeding, benchmarks): the rules between each one's fields are checked
/// (422), the records they name are left to the database's keys. Either
/// all are stored or none. Returns how many.
pub async fn create_many<F: Stored>(db: &Database, actor: &Actor, inputs: Vec<Create<F>>) -> Result<u64, ApiError> {
    let (at, created) = (now(), inputs.len() as u64);
    let mut rows = Inserts::new();
    for Create(fields) in inputs {
        fields.check()?;
        new_rows(actor, &Record::new(Meta::new(at), fields), &mut rows)?;
    }
    let txn = db.begin().await?;
    rows.execute(&txn).await.map_err(|e| ApiError::from_db(e, F::UNIQUE))?;
    txn.commit().await?;
    Ok(created)
}

/// The 403 of a role that may not create the collection's records (an
/// import asks before its file is read).
pub fn may_create<F: Stored>(caller: &Principal) -> Result<(), ApiError> {
    F::POLICY.scope(caller, Access::Create).map(|_| ())
}

/// Imports the rows of a spreadsheet (decoded by the HTTP layer) as new
/// records, as `options` say, each row judged as [`create`] judges a body
/// (see [`imports::import`]).
pub async fn import<F: Stored>(
    db: &Database,
    caller: &Principal,
    rows: DecodedRows<Create<F>>,
    options: ImportOptions,
) -> Result<ImportReport, ApiError> {
    may_create::<F>(caller)?;
    let at = now();
    let rows = rows.map(|Create(fields)| Record::new(Meta::new(at), fields));
    imports::import::<F>(db, caller, rows, options).await
}

/// A resource's rows, as an import judges and stores them: as [`create`] does.
impl<F: Stored> Importable for F {
    type Record = Record<F>;
    type Fields = F;
    type Columns = Record<F>;
    type Table = F::Table;
    const UNIQUE: &'static [&'static str] = F::UNIQUE;

    fn admit(caller: &Principal, mut record: Record<F>) -> Result<Record<F>, ApiError> {
        check_owners(F::POLICY.scope(caller, Access::Create)?, &record.fields)?;
        record.fields.prepare(None, None)?;
        record.fields.check()?;
        Ok(record)
    }

    fn fields_of(record: &Record<F>) -> F {
        record.fields.clone()
    }

    async fn check_named(db: &DatabaseTransaction, fields: &F) -> Result<(), ApiError> {
        fields.check_references(db).await
    }

    fn add_rows(actor: &Actor, record: &Record<F>, rows: &mut Inserts) -> Result<(), ApiError> {
        new_rows(actor, record, rows)
    }

    fn id_of(record: &Record<F>) -> Uuid {
        record.id
    }
}

/// The 403 of a role that may not `access` the collection (or make one of
/// its own moves), or 404 when it reads the collection but not this record
/// (404 before 403).
pub async fn refused<F: Stored>(db: &Database, caller: &Principal, id: Uuid, refusal: ApiError) -> ApiError {
    if F::POLICY.scope(caller, Access::Read).is_ok() {
        if let Err(ApiError::NotFound) = get::<F>(db, caller, id).await {
            return ApiError::NotFound;
        }
    }
    refusal
}

/// Loads a row for a change, locked until the transaction ends: 404 when
/// the caller does not read it, 403 when it reads it but not in `scope`.
pub async fn row_to_change<F: Stored>(
    txn: &DatabaseTransaction,
    caller: &Principal,
    id: Uuid,
    scope: Scope,
) -> Result<<F::Table as EntityTrait>::Model, ApiError> {
    let read = F::POLICY.scope(caller, Access::Read)?;
    let row = find_for_update::<F::Table>(txn, id).await?;
    if !in_scope::<F>(txn, &row, id, &read).await? {
        return Err(ApiError::NotFound);
    }
    if !in_scope::<F>(txn, &row, id, &scope).await? {
        // The policy's refusal of a record the caller reads but may not change.
        F::POLICY.check_in(Scope::Nothing, |_| None)?;
    }
    Ok(row)
}

/// Whether a row is in `scope`: by the organisation columns it names, or,
/// for a participant (whose records are named through their placement), by
/// asking the database.
async fn in_scope<F: Stored>(
    txn: &DatabaseTransaction,
    row: &<F::Table as EntityTrait>::Model,
    id: Uuid,
    scope: &Scope,
) -> Result<bool, ApiError> {
    match scope {
        Scope::Participant { .. } => Ok(F::Table::find_by_id(id)
            .filter(scope_condition::<F::Table>(scope)?)
            .count(txn)
            .await?
            > 0),
        _ => Ok(F::POLICY.check_in(scope.clone(), |name| named_in(row, name)).is_ok()),
    }
}

/// Loads a row the caller reads, locked until the transaction ends (404
/// otherwise): for a resource's own changes beyond CRUD (a placement's moves).
pub async fn row_read_locked<F: Stored>(
    txn: &DatabaseTransaction,
    caller: &Principal,
    id: Uuid,
) -> Result<<F::Table as EntityTrait>::Model, ApiError> {
    let read = F::POLICY.scope(caller, Access::Read)?;
    row_to_change::<F>(txn, caller, id, read).await
}

/// The scope in which the caller may `access` the collection's records:
/// the role's right (403, or 404 when it reads the collection but not
/// record `id`).
pub async fn scope_for<F: Stored>(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    access: Access,
) -> Result<Scope, ApiError> {
    match F::POLICY.scope(caller, access) {
        Ok(scope) => Ok(scope),
        Err(refusal) => Err(refused::<F>(db, caller, id, refusal).await),
    }
}

/// Writes a changed record over its row and keeps its side tables in step
/// ([`Stored::sync`]); the caller has locked the row, checked the change and
/// bumped the version, and writes the audit row.
pub async fn save_changed<F: Stored>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    before: &Record<F>,
    after: &Record<F>,
) -> Result<(), ApiError> {
    let mut changed = <F::Table as EntityTrait>::Model::active(&meta_of(after), &after.fields);
    after.fields.complete_row(&mut changed);
    changed
        .reset_all()
        .update(txn)
        .await
        .map_err(|e| ApiError::from_db(e, F::UNIQUE))?;
    F::sync(txn, actor, before, after).await
}

/// Applies a merge patch under the record's `If-Match`, with its audit
/// row, in the order [`Policy`] documents. The version grows only when
/// something changed.
pub async fn update<F: Stored>(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    body: &[u8],
) -> Result<Record<F>, ApiError> {
    let scope = scope_for::<F>(db, caller, id, Access::Update).await?;
    let patch = MergePatch::<F>::new(parse_body(body)?)?;
    let txn = db.begin().await?;
    let row = row_to_change::<F>(&txn, caller, id, scope).await?;
    let before = record_of::<F>(&row);
    // A body that is wrong is wrong whatever the version: 422 before 412.
    let mut fields = patch.apply(&before.fields)?;
    check_precondition(precondition.as_ref(), before.version)?;
    let (old, new) = (json_of(&before.fields)?, json_of(&fields)?);
    F::POLICY.check_fixed(caller, |name| old.get(name) != new.get(name))?;
    fields.prepare(Some(&before.fields), Some(&patch))?;
    fields.check()?;
    fields.check_settings(db)?;
    if fields == before.fields {
        return Ok(F::shown(before, caller));
    }
    fields.check_references(&txn).await?;
    let after = Record {
        fields,
        version: before.version + 1,
        updated_at: now(),
        ..before.clone()
    };
    let actor = caller.actor();
    save_changed(&txn, &actor, &before, &after).await?;
    audit::record_change(&txn, &actor, Action::Update, F::TYPE, id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(F::shown(after, caller))
}

/// Deletes a record under its `If-Match` and records the deletion, with the
/// record's last state, in the same transaction. A record others still
/// reference is a 409 and stays.
pub async fn delete<F: Stored>(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    let scope = scope_for::<F>(db, caller, id, Access::Delete).await?;
    let txn = db.begin().await?;
    let row = row_to_change::<F>(&txn, caller, id, scope).await?;
    let before = record_of::<F>(&row);
    check_precondition(precondition.as_ref(), before.version)?;
    F::check_delete(&before)?;
    F::Table::delete_by_id(id)
        .exec(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, &[]))?;
    audit::record_change(&txn, &caller.actor(), Action::Delete, F::TYPE, id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

/// A value as JSON, for comparing fields by name.
pub fn json_of<T: serde::Serialize>(value: &T) -> Result<Json, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.into()))
}

fn meta_of<F>(record: &Record<F>) -> Meta {
    Meta {
        id: record.id,
        version: record.version,
        created_at: record.created_at,
        updated_at: record.updated_at,
    }
}
