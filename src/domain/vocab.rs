//! The closed vocabularies of the API (scales, membership statuses, school
//! kinds), serialised in `snake_case` and stored as the same strings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the documented order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in JSON and stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Reads a value written by [`Self::as_str`].
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

vocabulary! {
    /// The size of an enterprise.
    Scale {
        /// 微型
        Micro => "micro",
        /// 小型
        Small => "small",
        /// 中型
        Medium => "medium",
        /// 大型
        Large => "large",
    }
}

vocabulary! {
    /// Where a member unit stands with the alliance.
    MembershipStatus {
        /// Not a member (the default).
        None => "none",
        /// Has applied to join.
        Applicant => "applicant",
        /// A member unit.
        Member => "member",
        /// A member of the alliance council (理事单位).
        CouncilMember => "council_member",
        /// Membership suspended.
        Suspended => "suspended",
        /// Has left the alliance.
        Withdrawn => "withdrawn",
    }
}

vocabulary! {
    /// The kind of a school.
    SchoolKind {
        /// 中等职业学校
        SecondaryVocational => "secondary_vocational",
        /// 高等职业学校
        HigherVocational => "higher_vocational",
        /// 技工院校
        TechnicianCollege => "technician_college",
        /// 本科院校
        Undergraduate => "undergraduate",
        /// 培训中心
        TrainingCenter => "training_center",
        /// Anything else.
        Other => "other",
    }
}

vocabulary! {
    /// What a user may do; see the role table in the README.
    Role {
        /// The alliance secretariat: everything.
        Admin => "admin",
        /// County government: reads everything but users; writes enterprises, schools, meetings.
        Officer => "officer",
        /// Staff of one school (`school_id`).
        School => "school",
        /// Staff of one enterprise (`enterprise_id`).
        Enterprise => "enterprise",
        /// Read-only portals and integrations.
        Viewer => "viewer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_text_and_json() {
        for v in MembershipStatus::ALL {
            assert_eq!(MembershipStatus::parse(v.as_str()), Some(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in SchoolKind::ALL {
            assert_eq!(SchoolKind::parse(v.as_str()), Some(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        for v in Scale::ALL {
            assert_eq!(Scale::parse(v.as_str()), Some(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
    }
}
