//! Schools: their table, their folded search text, their `major` filter
//! and their majors side table.

use sea_orm::sea_query::Query;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, QueryFilter, Select};

use super::inserts::Inserts;
use super::list::{major_condition, Keyset};
use super::resource::{Search, Stored};
use super::store;
use crate::auth::policy::{Policy, SCHOOLS};
use crate::auth::Actor;
use crate::domain::search::{fold, search_text};
use crate::entity::{school, school_major};
use crate::error::ApiError;
use crate::model::field::TextRule;
use crate::model::school::{School, SchoolFields, SchoolFilters, SchoolSort};

impl Keyset for school::Entity {
    type Sort = SchoolSort;
}

impl Stored for SchoolFields {
    type Table = school::Entity;
    const POLICY: &'static Policy = &SCHOOLS;
    const UNIQUE: &'static [&'static str] = &["code"];
    const SEARCH: Search = Search::Directory;

    /// `q` searches the name and the short name.
    fn complete_row(&self, row: &mut school::ActiveModel) {
        row.search_text = Set(search_text([
            Some(self.name.as_str()),
            self.short_name.as_ref().map(|s| s.as_str()),
        ]));
    }

    /// `major`: an index lookup in `school_majors`.
    fn custom_filters(filters: &SchoolFilters, select: Select<school::Entity>) -> Select<school::Entity> {
        match &filters.major {
            Some(major) => select.filter(
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
            ),
            None => select,
        }
    }

    /// One `school_majors` row per major, so that the `major` filter is an index lookup.
    fn new_rows(record: &School, _actor: &Actor, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(major_rows(record));
        Ok(())
    }

    async fn sync(db: &DatabaseTransaction, _actor: &Actor, before: &School, after: &School) -> Result<(), ApiError> {
        if before.fields.majors == after.fields.majors {
            return Ok(());
        }
        let owner = school_major::Column::SchoolId.eq(after.id);
        store::replace_rows::<school_major::Entity>(db, owner, major_rows(after)).await
    }
}

/// The `school_majors` rows of a school.
fn major_rows(record: &School) -> Vec<school_major::ActiveModel> {
    record
        .fields
        .majors
        .as_slice()
        .iter()
        .enumerate()
        .map(|(position, major)| {
            school_major::ActiveModel::from(school_major::Model {
                school_id: record.id,
                position: position as i32,
                code: major.code.as_ref().map(|c| c.as_str().to_string()),
                name: major.name.as_str().to_string(),
                name_folded: fold(major.name.as_str()),
            })
            .reset_all()
        })
        .collect()
}
