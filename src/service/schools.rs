//! Schools: how their rows map to records, their list filters, and their
//! majors side table.

use std::sync::Arc;

use super::Database;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::inserts::Inserts;
use super::list::{fetch_directory_page, keyset, major_condition};
use super::store::{self, row_record, Stored};
use crate::auth::{policy, Actor, Principal};
use crate::domain::search::{fold, search_text};
use crate::domain::vocab::ResourceType;
use crate::entity::{school, school_major};
use crate::error::ApiError;
use crate::model::check::MergePatch;
use crate::model::field::TextRule;
use crate::model::list::{ListRequest, SharedPage};
use crate::model::school::{School, SchoolCreate, SchoolFields, SchoolFilters, SchoolSort};

keyset!(
    school,
    SchoolSort {
        Name: name,
        CreatedAt: created_at,
        UpdatedAt: updated_at,
    }
);

impl Stored for school::Entity {
    type Record = School;
    const TYPE: ResourceType = ResourceType::School;
    const UNIQUE: &'static [&'static str] = &["code"];

    row_record!(school::Model, School {
        id, name, short_name, code, kind, address, region_code, contact_name, contact_phone, contact_email,
        website, membership_status, joined_on, majors, version, created_at, updated_at,
    } row {
        search_text: search_text([Some(name.as_str()), short_name.as_ref().map(|s| s.as_str())]),
    });

    fn prepare(
        caller: &Principal,
        before: Option<&SchoolFields>,
        fields: &mut SchoolFields,
        _patch: Option<&MergePatch<SchoolFields>>,
    ) -> Result<(), ApiError> {
        match before {
            Some(before) => policy::school_change(caller, before, fields),
            None => Ok(()),
        }
    }

    /// One `school_majors` row per major, so that the `major` filter is an index lookup.
    fn new_rows(_actor: &Actor, row: &school::Model, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(major_rows(row));
        Ok(())
    }

    async fn sync(
        db: &DatabaseTransaction,
        _actor: &Actor,
        before: &school::Model,
        after: &school::Model,
    ) -> Result<(), ApiError> {
        if before.majors == after.majors {
            return Ok(());
        }
        let owner = school_major::Column::SchoolId.eq(after.id);
        store::replace_rows::<school_major::Entity>(db, owner, major_rows(after)).await
    }
}

/// The `school_majors` rows of a school's row.
fn major_rows(row: &school::Model) -> Vec<school_major::ActiveModel> {
    row.majors
        .as_slice()
        .iter()
        .enumerate()
        .map(|(position, major)| {
            school_major::ActiveModel::from(school_major::Model {
                school_id: row.id,
                position: position as i32,
                code: major.code.as_ref().map(|c| c.as_str().to_string()),
                name: major.name.as_str().to_string(),
                name_folded: fold(major.name.as_str()),
            })
            .reset_all()
        })
        .collect()
}

store::operations!(school, School, SchoolCreate, SchoolFields, "a school");

super::imports::imports!(school, School, SchoolCreate, "schools");

/// Lists schools, one page at a time.
pub async fn list(
    db: &Database,
    _caller: &Principal,
    filters: &SchoolFilters,
    request: &ListRequest<SchoolSort>,
) -> Result<Arc<SharedPage<School>>, ApiError> {
    let SchoolFilters {
        kind,
        membership_status,
        major,
    } = filters;
    let mut select = school::Entity::find();
    if let Some(kind) = kind {
        select = select.filter(school::Column::Kind.eq(*kind));
    }
    if let Some(status) = membership_status {
        select = select.filter(school::Column::MembershipStatus.eq(*status));
    }
    if let Some(major) = major {
        select = select.filter(
            school::Column::Id.in_subquery(
                Query::select()
                    .column(school_major::Column::SchoolId)
                    .from(school_major::Entity)
                    .cond_where(major_condition(
                        school_major::Column::Code,
                        school_major::Column::NameFolded,
                        major,
                    ))
                    .to_owned(),
            ),
        );
    }
    if let Some(since) = request.updated_since {
        select = select.filter(school::Column::UpdatedAt.gte(since));
    }
    fetch_directory_page(
        db,
        select,
        school::Column::SearchText,
        request,
        <school::Entity as Stored>::to_record,
    )
    .await
}
