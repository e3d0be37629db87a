//! The closed vocabularies of the domain (`crate::domain::vocab`) as
//! fields: a value must be one of the vocabulary's names, and the OpenAPI
//! document refers to the vocabulary's component.

use serde_json::Value;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;

use crate::error::FieldError;
use crate::model::check::Check;
use crate::model::doc::{self, Components, FieldSchema};

/// Implements [`Check`] and [`FieldSchema`] (a reference to its component)
/// for the closed vocabularies of the domain.
macro_rules! vocabulary_fields {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl Check for $ty {
                fn check(value: &Value, path: &str, errors: &mut Vec<FieldError>) {
                    let known = value.as_str().and_then(<$ty>::parse);
                    if known.is_none() {
                        let all: Vec<String> = <$ty>::ALL.iter().map(|v| format!("`{}`", v.as_str())).collect();
                        errors.push(FieldError::new(path, "enum", format!("must be one of {}", all.join(", "))));
                    }
                }
            }

            impl FieldSchema for $ty {
                fn field_schema() -> RefOr<Schema> {
                    doc::ref_to(<$ty as utoipa::ToSchema>::name())
                }

                fn components(out: &mut Components) {
                    doc::reference::<$ty>(out);
                }
            }
        )+
    };
}

vocabulary_fields!(
    crate::domain::vocab::Scale,
    crate::domain::vocab::MembershipStatus,
    crate::domain::vocab::SchoolKind,
    crate::domain::vocab::Role,
    crate::domain::vocab::ApprenticeshipKind,
    crate::domain::vocab::ParticipantRole,
    crate::domain::vocab::ApprenticeshipStatus,
    crate::domain::vocab::EvaluationSide,
    crate::domain::vocab::MeetingKind,
    crate::domain::vocab::AttendeeRole,
    crate::domain::vocab::AgendaKind,
    crate::domain::vocab::ActionItemStatus,
    crate::domain::vocab::DemandKind,
    crate::domain::vocab::DemandStatus,
    crate::domain::vocab::DemandSource,
    crate::domain::vocab::BaseKind,
    crate::domain::vocab::BaseStatus,
    crate::domain::vocab::CompetitionLevel,
    crate::domain::vocab::Award,
);
