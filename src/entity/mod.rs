//! SeaORM entities: table shapes only, no logic. Columns are the contract's
//! field types and vocabularies (`value` stores them). Entities never leave
//! the service layer.

pub mod action_item;
pub mod app_setting;
pub mod apprenticeship;
pub mod apprenticeship_history;
pub mod audit_event;
pub mod base;
pub mod change;
pub mod check_in;
pub mod competition;
pub mod competition_party;
pub mod compliance_setting;
pub mod demand;
pub mod demand_major;
pub mod directory_total;
pub mod enterprise;
pub mod enterprise_post;
pub mod enterprise_tag;
pub mod idempotency_key;
pub mod incident;
pub mod journal;
pub mod login_failure;
pub mod meeting;
pub mod meeting_party;
pub mod placement_total;
pub mod refresh_token;
pub mod school;
pub mod school_major;
pub mod user;
pub mod value;
pub mod visit;
pub mod webhook;
pub mod webhook_delivery;
pub mod webhook_state;

/// A table row that stores a resource's fields (`#[derive(Row)]`): its
/// stamp, its fields, and the row to insert or update for them. The
/// columns computed from the fields (a sort key, the folded search text)
/// are left unset here, for the service to set.
pub trait Row: sea_orm::ModelTrait {
    /// The resource's fields.
    type Fields;
    /// The record's id, version and times.
    fn meta(&self) -> crate::model::record::Meta;
    /// A copy of the resource's fields.
    fn fields(&self) -> Self::Fields;
    /// The row of a record with this stamp and these fields.
    fn active(
        meta: &crate::model::record::Meta,
        fields: &Self::Fields,
    ) -> <<Self as sea_orm::ModelTrait>::Entity as sea_orm::EntityTrait>::ActiveModel;
}
