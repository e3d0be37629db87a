//! SeaORM entities: table shapes only, no logic. They never leave the
//! service layer.

pub mod enterprise;
pub mod enterprise_tag;
pub mod school;
pub mod school_major;
