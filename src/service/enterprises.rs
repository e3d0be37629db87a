//! Enterprises: queries and writes.

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use super::audit::{self, Actor};
use super::list::{fetch_page, search_condition, Keyset, ListRequest, SortValue};
use super::{cannot_clear, check_precondition, find_for_update, forbidden_changes, now, Precondition};
use crate::api::enterprises::{Enterprise, EnterpriseCreate, EnterpriseFilter, EnterprisePatch};
use crate::api::list::PageOf;
use crate::api::rules::dedup;
use crate::domain::identifiers::normalize_credit_code;
use crate::domain::search::search_text;
use crate::domain::vocab::{MembershipStatus, Scale};
use crate::entity::{enterprise, enterprise_tag};
use crate::error::ApiError;

/// Columns whose values are unique, for mapping constraint violations to 409.
const UNIQUE: &[&str] = &["credit_code"];

impl Keyset for enterprise::Entity {
    fn id_column() -> enterprise::Column {
        enterprise::Column::Id
    }

    fn sort_column(field: &str) -> enterprise::Column {
        match field {
            "name" => enterprise::Column::Name,
            "updated_at" => enterprise::Column::UpdatedAt,
            _ => enterprise::Column::CreatedAt,
        }
    }

    fn sort_value(model: &enterprise::Model, field: &str) -> SortValue {
        match field {
            "name" => SortValue::Text(model.name.clone()),
            "updated_at" => SortValue::Time(model.updated_at),
            _ => SortValue::Time(model.created_at),
        }
    }

    fn id_of(model: &enterprise::Model) -> Uuid {
        model.id
    }
}

fn tags_of(model: &enterprise::Model) -> Vec<String> {
    serde_json::from_value(model.tags.clone()).unwrap_or_default()
}

fn to_response(model: enterprise::Model) -> Enterprise {
    let tags = tags_of(&model);
    Enterprise {
        id: model.id,
        name: model.name,
        short_name: model.short_name,
        credit_code: model.credit_code,
        industry: model.industry,
        scale: model.scale.as_deref().and_then(Scale::parse),
        address: model.address,
        region_code: model.region_code,
        contact_name: model.contact_name,
        contact_phone: model.contact_phone,
        contact_email: model.contact_email,
        website: model.website,
        description: model.description,
        membership_status: MembershipStatus::parse(&model.membership_status).unwrap_or(MembershipStatus::None),
        joined_on: model.joined_on,
        tags,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

fn refresh_search_text(model: &mut enterprise::Model) {
    model.search_text = search_text([Some(model.name.as_str()), model.short_name.as_deref()]);
}

async fn write_tags(db: &impl ConnectionTrait, id: Uuid, tags: &[String], replace: bool) -> Result<(), ApiError> {
    if replace {
        enterprise_tag::Entity::delete_many()
            .filter(enterprise_tag::Column::EnterpriseId.eq(id))
            .exec(db)
            .await?;
    }
    if !tags.is_empty() {
        let rows = tags.iter().map(|tag| {
            enterprise_tag::ActiveModel::from(enterprise_tag::Model {
                enterprise_id: id,
                tag: tag.clone(),
            })
            .reset_all()
        });
        enterprise_tag::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// A new row (and its tags) from a create request.
fn new_model(input: EnterpriseCreate) -> (enterprise::Model, Vec<String>) {
    let at = now();
    let tags = dedup(&input.tags.unwrap_or_default());
    let mut model = enterprise::Model {
        id: Uuid::now_v7(),
        name: input.name,
        short_name: input.short_name,
        credit_code: input.credit_code.as_deref().and_then(normalize_credit_code),
        industry: input.industry,
        scale: input.scale.map(|s| s.as_str().to_string()),
        address: input.address,
        region_code: input.region_code,
        contact_name: input.contact_name,
        contact_phone: input.contact_phone,
        contact_email: input.contact_email,
        website: input.website,
        description: input.description,
        membership_status: input
            .membership_status
            .unwrap_or(MembershipStatus::None)
            .as_str()
            .to_string(),
        joined_on: input.joined_on,
        tags: serde_json::json!(tags),
        search_text: String::new(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    refresh_search_text(&mut model);
    (model, tags)
}

/// Creates an enterprise, with its audit row.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: EnterpriseCreate) -> Result<Enterprise, ApiError> {
    let (model, tags) = new_model(input);
    let txn = db.begin().await?;
    enterprise::ActiveModel::from(model.clone())
        .reset_all()
        .insert(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, UNIQUE))?;
    write_tags(&txn, model.id, &tags, false).await?;
    let created = to_response(model);
    audit::record_change(&txn, actor, "create", "enterprise", created.id, None, Some(&created)).await?;
    txn.commit().await?;
    Ok(created)
}

/// Reads one enterprise.
pub async fn get(db: &DatabaseConnection, id: Uuid) -> Result<Enterprise, ApiError> {
    enterprise::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_response)
        .ok_or(ApiError::NotFound)
}

/// Lists enterprises, one page at a time.
pub async fn list(
    db: &DatabaseConnection,
    filter: &EnterpriseFilter,
    request: &ListRequest,
) -> Result<PageOf<Enterprise>, ApiError> {
    let mut select = enterprise::Entity::find();
    if let Some(status) = filter.membership_status {
        select = select.filter(enterprise::Column::MembershipStatus.eq(status.as_str()));
    }
    if let Some(scale) = filter.scale {
        select = select.filter(enterprise::Column::Scale.eq(scale.as_str()));
    }
    if let Some(industry) = &filter.industry {
        select = select.filter(enterprise::Column::Industry.eq(industry.as_str()));
    }
    if let Some(tag) = &filter.tag {
        select = select.filter(
            enterprise::Column::Id.in_subquery(
                Query::select()
                    .column(enterprise_tag::Column::EnterpriseId)
                    .from(enterprise_tag::Entity)
                    .and_where(enterprise_tag::Column::Tag.eq(tag.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(since) = request.updated_since {
        select = select.filter(enterprise::Column::UpdatedAt.gte(since));
    }
    if let Some(q) = &request.q {
        select = select.filter(search_condition::<enterprise::Entity>(
            db.get_database_backend(),
            enterprise::Column::SearchText,
            q,
        ));
    }
    let page = fetch_page(db, select, request).await?;
    Ok(PageOf::from_page(page, to_response))
}

/// Applies a merge patch to a row; fails with 422 when it clears a required field.
fn apply(model: &mut enterprise::Model, patch: EnterprisePatch) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    match patch.name {
        Some(Some(name)) => model.name = name,
        Some(None) => cannot_clear("name", &mut errors),
        None => {}
    }
    match patch.membership_status {
        Some(Some(status)) => model.membership_status = status.as_str().to_string(),
        Some(None) => cannot_clear("membership_status", &mut errors),
        None => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    merge_fields!(model, patch; short_name, industry, address, region_code, contact_name, contact_phone, contact_email, website, description, joined_on);
    if let Some(v) = patch.credit_code {
        model.credit_code = v.as_deref().and_then(normalize_credit_code);
    }
    if let Some(v) = patch.scale {
        model.scale = v.map(|s| s.as_str().to_string());
    }
    if let Some(v) = patch.tags {
        model.tags = serde_json::json!(dedup(&v.unwrap_or_default()));
    }
    refresh_search_text(model);
    Ok(())
}

/// Applies a merge patch, with its audit row. The version grows only when
/// something changed; changing one of `fixed` (fields the caller's role may
/// not set) to a new value is a 403 naming them.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: Option<Precondition>,
    patch: EnterprisePatch,
    fixed: &[&str],
) -> Result<Enterprise, ApiError> {
    let txn = db.begin().await?;
    let current = find_for_update::<enterprise::Entity>(&txn, id).await?;
    check_precondition(precondition.as_ref(), current.version)?;
    let mut next = current.clone();
    apply(&mut next, patch)?;
    let (before, after) = (to_response(current.clone()), to_response(next.clone()));
    forbidden_changes(&before, &after, fixed)?;
    if next == current {
        return Ok(before);
    }
    next.version += 1;
    next.updated_at = now();
    enterprise::ActiveModel::from(next.clone())
        .reset_all()
        .update(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, UNIQUE))?;
    if next.tags != current.tags {
        write_tags(&txn, id, &tags_of(&next), true).await?;
    }
    audit::record_change(&txn, actor, "update", "enterprise", id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(to_response(next))
}

/// Deletes an enterprise with its audit row; one that users or other records reference is a 409 (its tags go with it).
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    super::delete_audited::<enterprise::Entity, _>(
        db,
        actor,
        id,
        precondition,
        "enterprise",
        |m| m.version,
        to_response,
    )
    .await
}

/// Creates many enterprises at once, in one transaction (bulk import and
/// benchmarks). Returns how many were created.
pub async fn create_many(db: &DatabaseConnection, inputs: Vec<EnterpriseCreate>) -> Result<u64, ApiError> {
    let txn = db.begin().await?;
    let mut created = 0;
    let mut rows = Vec::with_capacity(inputs.len());
    let mut tag_rows = Vec::new();
    for input in inputs {
        let (model, tags) = new_model(input);
        tag_rows.extend(tags.into_iter().map(|tag| (model.id, tag)));
        rows.push(model);
    }
    // Stay below SQLite's limit on bound parameters per statement.
    for chunk in rows.chunks(500) {
        let models = chunk
            .iter()
            .map(|m| enterprise::ActiveModel::from(m.clone()).reset_all());
        enterprise::Entity::insert_many(models)
            .exec_without_returning(&txn)
            .await
            .map_err(|e| ApiError::from_db(e, UNIQUE))?;
        created += chunk.len() as u64;
    }
    for chunk in tag_rows.chunks(1000) {
        let models = chunk.iter().map(|(id, tag)| {
            enterprise_tag::ActiveModel::from(enterprise_tag::Model {
                enterprise_id: *id,
                tag: tag.clone(),
            })
            .reset_all()
        });
        enterprise_tag::Entity::insert_many(models)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(created)
}
