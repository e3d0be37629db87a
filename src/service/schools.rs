//! Schools: queries and writes.

use sea_orm::sea_query::{Condition, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use super::audit::{self, Actor};
use super::list::{fetch_page, search_condition, Keyset, ListRequest, SortValue};
use super::{cannot_clear, check_precondition, find_for_update, forbidden_changes, now, Precondition};
use crate::api::list::PageOf;
use crate::api::rules::dedup;
use crate::api::schools::{Major, School, SchoolCreate, SchoolFilter, SchoolPatch};
use crate::domain::search::search_text;
use crate::domain::vocab::{MembershipStatus, SchoolKind};
use crate::entity::{school, school_major};
use crate::error::ApiError;

/// Columns whose values are unique, for mapping constraint violations to 409.
const UNIQUE: &[&str] = &["code"];

impl Keyset for school::Entity {
    fn id_column() -> school::Column {
        school::Column::Id
    }

    fn sort_column(field: &str) -> school::Column {
        match field {
            "name" => school::Column::Name,
            "updated_at" => school::Column::UpdatedAt,
            _ => school::Column::CreatedAt,
        }
    }

    fn sort_value(model: &school::Model, field: &str) -> SortValue {
        match field {
            "name" => SortValue::Text(model.name.clone()),
            "updated_at" => SortValue::Time(model.updated_at),
            _ => SortValue::Time(model.created_at),
        }
    }

    fn id_of(model: &school::Model) -> Uuid {
        model.id
    }
}

fn majors_of(model: &school::Model) -> Vec<Major> {
    serde_json::from_value(model.majors.clone()).unwrap_or_default()
}

fn to_response(model: school::Model) -> School {
    let majors = majors_of(&model);
    School {
        id: model.id,
        name: model.name,
        short_name: model.short_name,
        code: model.code,
        kind: model.kind.as_deref().and_then(SchoolKind::parse),
        address: model.address,
        region_code: model.region_code,
        contact_name: model.contact_name,
        contact_phone: model.contact_phone,
        contact_email: model.contact_email,
        website: model.website,
        membership_status: MembershipStatus::parse(&model.membership_status).unwrap_or(MembershipStatus::None),
        joined_on: model.joined_on,
        majors,
        version: model.version,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

fn refresh_search_text(model: &mut school::Model) {
    model.search_text = search_text([Some(model.name.as_str()), model.short_name.as_deref()]);
}

async fn write_majors(db: &impl ConnectionTrait, id: Uuid, majors: &[Major], replace: bool) -> Result<(), ApiError> {
    if replace {
        school_major::Entity::delete_many()
            .filter(school_major::Column::SchoolId.eq(id))
            .exec(db)
            .await?;
    }
    if !majors.is_empty() {
        let rows = majors.iter().enumerate().map(|(position, major)| {
            school_major::ActiveModel::from(school_major::Model {
                school_id: id,
                position: position as i32,
                code: major.code.clone(),
                name: major.name.clone(),
            })
            .reset_all()
        });
        school_major::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Creates a school, with its audit row.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: SchoolCreate) -> Result<School, ApiError> {
    let at = now();
    let majors = dedup(&input.majors.unwrap_or_default());
    let mut model = school::Model {
        id: Uuid::now_v7(),
        name: input.name,
        short_name: input.short_name,
        code: input.code,
        kind: input.kind.map(|k| k.as_str().to_string()),
        address: input.address,
        region_code: input.region_code,
        contact_name: input.contact_name,
        contact_phone: input.contact_phone,
        contact_email: input.contact_email,
        website: input.website,
        membership_status: input
            .membership_status
            .unwrap_or(MembershipStatus::None)
            .as_str()
            .to_string(),
        joined_on: input.joined_on,
        majors: serde_json::json!(majors),
        search_text: String::new(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    refresh_search_text(&mut model);
    let txn = db.begin().await?;
    school::ActiveModel::from(model.clone())
        .reset_all()
        .insert(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, UNIQUE))?;
    write_majors(&txn, model.id, &majors, false).await?;
    let created = to_response(model);
    audit::record_change(&txn, actor, "create", "school", created.id, None, Some(&created)).await?;
    txn.commit().await?;
    Ok(created)
}

/// Reads one school.
pub async fn get(db: &DatabaseConnection, id: Uuid) -> Result<School, ApiError> {
    school::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_response)
        .ok_or(ApiError::NotFound)
}

/// Lists schools, one page at a time.
pub async fn list(
    db: &DatabaseConnection,
    filter: &SchoolFilter,
    request: &ListRequest,
) -> Result<PageOf<School>, ApiError> {
    let mut select = school::Entity::find();
    if let Some(kind) = filter.kind {
        select = select.filter(school::Column::Kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.membership_status {
        select = select.filter(school::Column::MembershipStatus.eq(status.as_str()));
    }
    if let Some(major) = &filter.major {
        select = select.filter(
            school::Column::Id.in_subquery(
                Query::select()
                    .column(school_major::Column::SchoolId)
                    .from(school_major::Entity)
                    .cond_where(
                        Condition::any()
                            .add(school_major::Column::Code.eq(major.as_str()))
                            .add(school_major::Column::Name.eq(major.as_str())),
                    )
                    .to_owned(),
            ),
        );
    }
    if let Some(since) = request.updated_since {
        select = select.filter(school::Column::UpdatedAt.gte(since));
    }
    if let Some(q) = &request.q {
        select = select.filter(search_condition::<school::Entity>(
            db.get_database_backend(),
            school::Column::SearchText,
            q,
        ));
    }
    let page = fetch_page(db, select, request).await?;
    Ok(PageOf::from_page(page, to_response))
}

/// Applies a merge patch to a row; fails with 422 when it clears a required field.
fn apply(model: &mut school::Model, patch: SchoolPatch) -> Result<(), ApiError> {
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
    merge_fields!(model, patch; short_name, code, address, region_code, contact_name, contact_phone, contact_email, website, joined_on);
    if let Some(v) = patch.kind {
        model.kind = v.map(|k| k.as_str().to_string());
    }
    if let Some(v) = patch.majors {
        model.majors = serde_json::json!(dedup(&v.unwrap_or_default()));
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
    patch: SchoolPatch,
    fixed: &[&str],
) -> Result<School, ApiError> {
    let txn = db.begin().await?;
    let current = find_for_update::<school::Entity>(&txn, id).await?;
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
    school::ActiveModel::from(next.clone())
        .reset_all()
        .update(&txn)
        .await
        .map_err(|e| ApiError::from_db(e, UNIQUE))?;
    if next.majors != current.majors {
        write_majors(&txn, id, &majors_of(&next), true).await?;
    }
    audit::record_change(&txn, actor, "update", "school", id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(to_response(next))
}

/// Deletes a school with its audit row; one that users or other records reference is a 409 (its majors go with it).
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    super::delete_audited::<school::Entity, _>(db, actor, id, precondition, "school", |m| m.version, to_response).await
}
