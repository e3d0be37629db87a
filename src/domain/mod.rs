//! Pure rules of the domain: identifier checks, vocabularies, search
//! folding, cursors.

pub mod cursor;
pub mod identifiers;
pub mod search;
pub mod vocab;
