//! Enterprises: how their rows map to records, their list filters, and
//! their tags side table.

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::list::{fetch_page, search_condition, Keyset};
use super::store::{self, Stored};
use super::{now, Precondition};
use crate::auth::{policy, Actor, Principal};
use crate::domain::search::search_text;
use crate::domain::vocab::ResourceType;
use crate::entity::{enterprise, enterprise_tag};
use crate::error::ApiError;
use crate::model::check::MergePatch;
use crate::model::enterprise::{Enterprise, EnterpriseCreate, EnterpriseFields, EnterpriseFilters, EnterpriseSort};
use crate::model::field::TextRule;
use crate::model::list::{ListRequest, PageOf, SortValue};
use crate::model::record::Meta;

impl Keyset for enterprise::Entity {
    type Sort = EnterpriseSort;

    fn id_column() -> enterprise::Column {
        enterprise::Column::Id
    }

    fn sort_column(key: EnterpriseSort) -> enterprise::Column {
        match key {
            EnterpriseSort::Name => enterprise::Column::Name,
            EnterpriseSort::CreatedAt => enterprise::Column::CreatedAt,
            EnterpriseSort::UpdatedAt => enterprise::Column::UpdatedAt,
        }
    }

    fn sort_value(model: &enterprise::Model, key: EnterpriseSort) -> SortValue {
        match key {
            EnterpriseSort::Name => SortValue::Text(model.name.as_str().to_string()),
            EnterpriseSort::CreatedAt => SortValue::Time(model.created_at),
            EnterpriseSort::UpdatedAt => SortValue::Time(model.updated_at),
        }
    }

    fn id_of(model: &enterprise::Model) -> Uuid {
        model.id
    }
}

impl Stored for enterprise::Entity {
    type Record = Enterprise;
    const TYPE: ResourceType = ResourceType::Enterprise;
    const UNIQUE: &'static [&'static str] = &["credit_code"];

    fn to_record(row: enterprise::Model) -> Enterprise {
        let enterprise::Model {
            id,
            name,
            short_name,
            credit_code,
            industry,
            scale,
            address,
            region_code,
            contact_name,
            contact_phone,
            contact_email,
            website,
            description,
            membership_status,
            joined_on,
            tags,
            search_text: _,
            version,
            created_at,
            updated_at,
        } = row;
        Enterprise {
            id,
            name,
            short_name,
            credit_code,
            industry,
            scale,
            address,
            region_code,
            contact_name,
            contact_phone,
            contact_email,
            website,
            description,
            membership_status,
            joined_on,
            tags,
            version,
            created_at,
            updated_at,
        }
    }

    fn to_row(record: &Enterprise) -> enterprise::Model {
        let Enterprise {
            id,
            name,
            short_name,
            credit_code,
            industry,
            scale,
            address,
            region_code,
            contact_name,
            contact_phone,
            contact_email,
            website,
            description,
            membership_status,
            joined_on,
            tags,
            version,
            created_at,
            updated_at,
        } = record.clone();
        let search_text = search_text([Some(name.as_str()), short_name.as_ref().map(|s| s.as_str())]);
        enterprise::Model {
            id,
            name,
            short_name,
            credit_code,
            industry,
            scale,
            address,
            region_code,
            contact_name,
            contact_phone,
            contact_email,
            website,
            description,
            membership_status,
            joined_on,
            tags,
            search_text,
            version,
            created_at,
            updated_at,
        }
    }

    /// One `enterprise_tags` row per tag, so that the `tag` filter is an index lookup.
    async fn sync(
        db: &DatabaseTransaction,
        before: Option<&enterprise::Model>,
        after: &enterprise::Model,
    ) -> Result<(), ApiError> {
        if before.is_some_and(|b| b.tags == after.tags) {
            return Ok(());
        }
        if before.is_some() {
            enterprise_tag::Entity::delete_many()
                .filter(enterprise_tag::Column::EnterpriseId.eq(after.id))
                .exec(db)
                .await?;
        }
        insert_tags(db, after).await
    }
}

async fn insert_tags(db: &impl ConnectionTrait, row: &enterprise::Model) -> Result<(), ApiError> {
    let rows = row.tags.as_slice().iter().map(|tag| {
        enterprise_tag::ActiveModel::from(enterprise_tag::Model {
            enterprise_id: row.id,
            tag: tag.clone(),
        })
        .reset_all()
    });
    if !row.tags.as_slice().is_empty() {
        enterprise_tag::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Creates an enterprise, with its audit row.
pub async fn create(
    db: &DatabaseConnection,
    caller: &Principal,
    input: EnterpriseCreate,
) -> Result<Enterprise, ApiError> {
    let record = Enterprise::from_input(input, Meta::new(now()));
    store::create::<enterprise::Entity>(db, &caller.actor(), record).await
}

/// Creates many enterprises in one transaction, each audited (imports and
/// seeding). Either all are created or none. Returns how many.
pub async fn create_many(
    db: &DatabaseConnection,
    actor: &Actor,
    inputs: Vec<EnterpriseCreate>,
) -> Result<u64, ApiError> {
    let at = now();
    let records = inputs
        .into_iter()
        .map(|input| Enterprise::from_input(input, Meta::new(at)))
        .collect();
    store::create_many::<enterprise::Entity>(db, actor, records).await
}

/// Reads one enterprise.
pub async fn get(db: &DatabaseConnection, _caller: &Principal, id: Uuid) -> Result<Enterprise, ApiError> {
    store::get::<enterprise::Entity>(db, id).await
}

/// Lists enterprises, one page at a time.
pub async fn list(
    db: &DatabaseConnection,
    _caller: &Principal,
    filters: &EnterpriseFilters,
    request: &ListRequest<EnterpriseSort>,
) -> Result<PageOf<Enterprise>, ApiError> {
    let EnterpriseFilters {
        membership_status,
        scale,
        industry,
        tag,
    } = filters;
    let mut select = enterprise::Entity::find();
    if let Some(status) = membership_status {
        select = select.filter(enterprise::Column::MembershipStatus.eq(*status));
    }
    if let Some(scale) = scale {
        select = select.filter(enterprise::Column::Scale.eq(*scale));
    }
    if let Some(industry) = industry {
        select = select.filter(enterprise::Column::Industry.eq(industry.as_str()));
    }
    if let Some(tag) = tag {
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
    Ok(fetch_page(db, select, request)
        .await?
        .map(<enterprise::Entity as Stored>::to_record))
}

/// Applies a merge patch, with its audit row; the caller's role decides
/// which fields it may change (`policy::enterprise_change`).
pub async fn update(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    patch: &MergePatch<EnterpriseFields>,
) -> Result<Enterprise, ApiError> {
    store::update::<enterprise::Entity>(db, &caller.actor(), id, precondition, patch, |before, after| {
        policy::enterprise_change(caller, before, after)
    })
    .await
}

/// Deletes an enterprise with its audit row (its tags go with it); one that
/// users or other records reference is a 409.
pub async fn delete(
    db: &DatabaseConnection,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    store::delete::<enterprise::Entity>(db, &caller.actor(), id, precondition).await
}
