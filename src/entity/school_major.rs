//! The `school_majors` table: one row per major of a school, so that the
//! `major` filter is an indexed lookup.

use sea_orm::entity::prelude::*;

/// One major of one school, at its position in the school's list.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "school_majors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub school_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub code: Option<String>,
    pub name: String,
    /// `name` folded as a `q` search folds text, for the `major` filter.
    pub name_folded: String,
}

/// Relations are expressed in queries, not here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
