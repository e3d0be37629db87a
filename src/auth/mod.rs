//! Authentication and authorisation: passwords, tokens, the caller of a
//! request, and the one policy module that decides what a caller may do.

pub mod caller;
pub mod password;
pub mod policy;
pub mod tokens;

pub use caller::{client_ip, Caller};
