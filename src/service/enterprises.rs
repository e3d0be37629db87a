//! Enterprises: their table, their folded search text, their posts' names
//! (unique after folding), their `tag` filter and their tags side table.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, QueryFilter, Select};

use super::inserts::Inserts;
use super::list::Keyset;
use super::resource::{Search, Stored};
use super::store;
use crate::auth::policy::{Policy, ENTERPRISES};
use crate::auth::Actor;
use crate::domain::search::search_text;
use crate::entity::{enterprise, enterprise_post, enterprise_tag};
use crate::error::{ApiError, FieldError};
use crate::model::enterprise::{Enterprise, EnterpriseFields, EnterpriseFilters, EnterpriseSort};
use crate::model::field::TextRule;

impl Keyset for enterprise::Entity {
    type Sort = EnterpriseSort;
}

impl Stored for EnterpriseFields {
    type Table = enterprise::Entity;
    const POLICY: &'static Policy = &ENTERPRISES;
    const UNIQUE: &'static [&'static str] = &["credit_code"];
    const SEARCH: Search = Search::Directory;

    /// `q` searches the name and the short name.
    fn complete_row(&self, row: &mut enterprise::ActiveModel) {
        row.search_text = Set(search_text([
            Some(self.name.as_str()),
            self.short_name.as_ref().map(|s| s.as_str()),
        ]));
    }

    /// The rules between fields (422): no two posts whose names fold alike
    /// (case and script), each repeat named (`posts[1].name`).
    fn check(&self) -> Result<(), ApiError> {
        let mut seen = HashMap::new();
        let mut errors = Vec::new();
        for (i, post) in self.posts.as_slice().iter().enumerate() {
            let first = *seen.entry(post.key()).or_insert(i);
            if first != i {
                errors.push(FieldError::new(
                    format!("posts[{i}].name"),
                    "duplicate",
                    format!("names the same post as posts[{first}].name (case and traditional vs simplified Chinese do not count)"),
                ));
            }
        }
        store::invalid_unless_empty(errors)
    }

    /// `tag`: an index lookup in `enterprise_tags`.
    fn custom_filters(filters: &EnterpriseFilters, select: Select<enterprise::Entity>) -> Select<enterprise::Entity> {
        match &filters.tag {
            Some(tag) => select.filter(
                enterprise::Column::Id.in_subquery(
                    Query::select()
                        .column(enterprise_tag::Column::EnterpriseId)
                        .from(enterprise_tag::Entity)
                        .and_where(enterprise_tag::Column::Tag.eq(tag.as_str()))
                        .to_owned(),
                ),
            ),
            None => select,
        }
    }

    /// One `enterprise_tags` row per tag, so that the `tag` filter is an
    /// index lookup, and one `enterprise_posts` row per post, so that the
    /// compliance rules match positions with posts by a join.
    fn new_rows(record: &Enterprise, _actor: &Actor, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(tag_rows(record));
        rows.add(post_rows(record));
        Ok(())
    }

    async fn sync(
        db: &DatabaseTransaction,
        _actor: &Actor,
        before: &Enterprise,
        after: &Enterprise,
    ) -> Result<(), ApiError> {
        if before.fields.tags != after.fields.tags {
            let owner = enterprise_tag::Column::EnterpriseId.eq(after.id);
            store::replace_rows::<enterprise_tag::Entity>(db, owner, tag_rows(after)).await?;
        }
        if before.fields.posts != after.fields.posts {
            let owner = enterprise_post::Column::EnterpriseId.eq(after.id);
            store::replace_rows::<enterprise_post::Entity>(db, owner, post_rows(after)).await?;
        }
        Ok(())
    }
}

/// The `enterprise_tags` rows of an enterprise.
fn tag_rows(record: &Enterprise) -> Vec<enterprise_tag::ActiveModel> {
    record
        .fields
        .tags
        .as_slice()
        .iter()
        .map(|tag| {
            enterprise_tag::ActiveModel::from(enterprise_tag::Model {
                enterprise_id: record.id,
                tag: tag.clone(),
            })
            .reset_all()
        })
        .collect()
}

/// The `enterprise_posts` rows of an enterprise, in its order.
fn post_rows(record: &Enterprise) -> Vec<enterprise_post::ActiveModel> {
    record
        .fields
        .posts
        .as_slice()
        .iter()
        .zip(0..)
        .map(|(post, position)| {
            enterprise_post::ActiveModel::from(enterprise_post::Model {
                enterprise_id: record.id,
                position,
                name: post.name.as_str().to_string(),
                name_key: post.key(),
                staff_count: post.staff_count.map(|n| n.get()),
                probation_monthly_fen: post.probation_monthly_fen.map(|n| n.get()),
            })
            .reset_all()
        })
        .collect()
}
