//! The contract's types: request, response and filter structs, and the
//! field types that carry their own rule and schema. serde, validator and
//! utoipa only; no HTTP, no database.

pub mod apprenticeship;
pub mod audit;
pub mod auth;
pub mod base;
pub mod change;
pub mod check;
pub mod check_in;
pub mod competition;
pub mod compliance;
pub mod demand;
pub mod doc;
pub mod enterprise;
pub mod export;
pub mod field;
pub mod import;
pub mod incident;
pub mod journal;
pub mod list;
pub mod meeting;
pub mod record;
pub mod resource;
pub mod school;
pub mod stats;
pub mod user;
pub mod visit;
pub mod webhook;
