//! Pure rules of the domain: identifier checks, vocabularies, the placement
//! status machine, search folding, cursors.

pub mod clock;
pub mod compliance;
pub mod cursor;
pub mod identifiers;
pub mod network;
pub mod placement;
pub mod practice;
pub mod search;
pub mod vocab;
