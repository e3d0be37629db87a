//! The `enterprise_posts` table: one row per post an enterprise lists (its
//! `posts`), with the folded name, so that the compliance rules match a
//! placement's `position` with a post by a join on an index.

use sea_orm::entity::prelude::*;

/// One post of one enterprise.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enterprise_posts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enterprise_id: Uuid,
    /// Its place in the enterprise's list.
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub name: String,
    /// The folded name (case and script).
    #[sea_orm(column_type = "Text")]
    pub name_key: String,
    pub staff_count: Option<i64>,
    pub probation_monthly_fen: Option<i64>,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
