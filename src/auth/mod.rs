//! Authentication and authorisation, free of HTTP: passwords, tokens, the
//! principal a verified token stands for, and the one policy module that
//! decides what a principal may do.

pub mod password;
pub mod policy;
pub mod principal;
pub mod tokens;

pub use principal::{Actor, Principal};
