//! chanjiao (产教): the HTTP API of a county's industry–education
//! integration alliance. See the README for the tour and the contract.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod entity;
pub mod error;
pub mod model;
pub mod service;
pub mod startup;
