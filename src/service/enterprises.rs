//! Enterprises: how their rows map to records, their list filters, and
//! their tags side table.

use std::sync::Arc;

use super::Database;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::inserts::Inserts;
use super::list::{fetch_directory_page, keyset};
use super::now;
use super::store::{self, row_record, Stored};
use crate::auth::{policy, Actor, Principal};
use crate::domain::search::search_text;
use crate::domain::vocab::ResourceType;
use crate::entity::{enterprise, enterprise_tag};
use crate::error::ApiError;
use crate::model::check::MergePatch;
use crate::model::enterprise::{Enterprise, EnterpriseCreate, EnterpriseFields, EnterpriseFilters, EnterpriseSort};
use crate::model::field::TextRule;
use crate::model::list::{ListRequest, SharedPage};
use crate::model::record::Meta;

keyset!(
    enterprise,
    EnterpriseSort {
        Name: name,
        CreatedAt: created_at,
        UpdatedAt: updated_at,
    }
);

impl Stored for enterprise::Entity {
    type Record = Enterprise;
    const TYPE: ResourceType = ResourceType::Enterprise;
    const UNIQUE: &'static [&'static str] = &["credit_code"];

    row_record!(enterprise::Model, Enterprise {
        id, name, short_name, credit_code, industry, scale, address, region_code, contact_name, contact_phone,
        contact_email, website, description, membership_status, joined_on, tags, version, created_at, updated_at,
    } row {
        search_text: search_text([Some(name.as_str()), short_name.as_ref().map(|s| s.as_str())]),
    });

    fn prepare(
        caller: &Principal,
        before: Option<&EnterpriseFields>,
        fields: &mut EnterpriseFields,
        _patch: Option<&MergePatch<EnterpriseFields>>,
    ) -> Result<(), ApiError> {
        match before {
            Some(before) => policy::enterprise_change(caller, before, fields),
            None => Ok(()),
        }
    }

    /// One `enterprise_tags` row per tag, so that the `tag` filter is an index lookup.
    fn new_rows(_actor: &Actor, row: &enterprise::Model, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(tag_rows(row));
        Ok(())
    }

    async fn sync(
        db: &DatabaseTransaction,
        _actor: &Actor,
        before: &enterprise::Model,
        after: &enterprise::Model,
    ) -> Result<(), ApiError> {
        if before.tags == after.tags {
            return Ok(());
        }
        let owner = enterprise_tag::Column::EnterpriseId.eq(after.id);
        store::replace_rows::<enterprise_tag::Entity>(db, owner, tag_rows(after)).await
    }
}

/// The `enterprise_tags` rows of an enterprise's row.
fn tag_rows(row: &enterprise::Model) -> Vec<enterprise_tag::ActiveModel> {
    row.tags
        .as_slice()
        .iter()
        .map(|tag| {
            enterprise_tag::ActiveModel::from(enterprise_tag::Model {
                enterprise_id: row.id,
                tag: tag.clone(),
            })
            .reset_all()
        })
        .collect()
}

/// Creates many enterprises in one transaction, each audited (imports and
/// seeding). Either all are created or none. Returns how many.
pub async fn create_many(db: &Database, actor: &Actor, inputs: Vec<EnterpriseCreate>) -> Result<u64, ApiError> {
    let at = now();
    let records = inputs
        .into_iter()
        .map(|input| Enterprise::from_input(input, Meta::new(at)))
        .collect();
    store::create_many::<enterprise::Entity>(db, actor, records).await
}

store::operations!(
    enterprise,
    Enterprise,
    EnterpriseCreate,
    EnterpriseFields,
    "an enterprise"
);

super::imports::imports!(enterprise, Enterprise, EnterpriseCreate, "enterprises");

/// Lists enterprises, one page at a time.
pub async fn list(
    db: &Database,
    _caller: &Principal,
    filters: &EnterpriseFilters,
    request: &ListRequest<EnterpriseSort>,
) -> Result<Arc<SharedPage<Enterprise>>, ApiError> {
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
    fetch_directory_page(
        db,
        select,
        enterprise::Column::SearchText,
        request,
        <enterprise::Entity as Stored>::to_record,
    )
    .await
}
