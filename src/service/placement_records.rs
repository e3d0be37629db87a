//! What visits and incidents share: each names a placement, carries a copy
//! of its `school_id` and `enterprise_id` (who reads it, and the
//! organisation filters, are plain indexed columns), and records a day that
//! is not after today.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::resource::Stored;
use crate::domain::clock;
use crate::entity::{apprenticeship, check_in, incident, journal, visit};
use crate::error::{ApiError, FieldError};
use crate::model::field::Date;
use crate::model::incident::IncidentFields;
use crate::model::visit::VisitFields;

/// A record naming a placement whose organisations it copies.
pub(crate) trait OfPlacement: Stored {
    /// The placement it names.
    fn placement(&self) -> Uuid;
    /// Its copy of the placement's school and enterprise.
    fn owners(&self) -> (Option<Uuid>, Uuid);
    /// Sets its copy of the placement's school and enterprise.
    fn set_owners(&mut self, school_id: Option<Uuid>, enterprise_id: Uuid);
}

/// The field that names the placement.
pub(crate) const PLACEMENT_FIELD: &str = "apprenticeship_id";

/// The placement's school and enterprise, or the 422 naming
/// `apprenticeship_id` when it names none; shared-locked inside a write
/// transaction when `lock`, so that a change of the placement's
/// organisations waits for the record being written (and then moves it too).
async fn placement_owners(db: &impl ConnectionTrait, id: Uuid, lock: bool) -> Result<(Option<Uuid>, Uuid), ApiError> {
    let mut select = apprenticeship::Entity::find_by_id(id)
        .select_only()
        .column(apprenticeship::Column::SchoolId)
        .column(apprenticeship::Column::EnterpriseId);
    if lock {
        select = select.lock_shared();
    }
    select
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| ApiError::invalid_field(PLACEMENT_FIELD, "not_found", "names no placement"))
}

/// Copies the placement's organisations into a new record's fields (422 when it names none).
pub(crate) async fn copy_owners<F: OfPlacement>(fields: &mut F, db: &impl ConnectionTrait) -> Result<(), ApiError> {
    let (school_id, enterprise_id) = placement_owners(db, fields.placement(), false).await?;
    fields.set_owners(school_id, enterprise_id);
    Ok(())
}

/// Checks, in the write's transaction, that the placement still exists
/// (422) and that its organisations are still those copied (409 when a
/// change of the placement came between: the client sends it again).
pub(crate) async fn check_placement<F: OfPlacement>(fields: &F, db: &impl ConnectionTrait) -> Result<(), ApiError> {
    if placement_owners(db, fields.placement(), true).await? == fields.owners() {
        Ok(())
    } else {
        Err(moved_meanwhile())
    }
}

/// The 422 of a day after today (in `CHANJIAO_TIMEZONE`), naming `field`.
pub(crate) fn not_after_today(field: &str, day: Date) -> Option<FieldError> {
    (day.naive() > clock::today()).then(|| FieldError::new(field, "range", "must not be after today"))
}

/// Moves the visits, incidents and check-ins of a placement to its new school and
/// enterprise, in the transaction of the placement's change: each moved
/// record's `version` grows and its `updated_at` is `at` (so the change
/// feed and `updated_since` show it).
pub(crate) async fn follow_placement(
    db: &impl ConnectionTrait,
    placement: Uuid,
    school_id: Option<Uuid>,
    enterprise_id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    macro_rules! follow {
        ($table:ident) => {
            $table::Entity::update_many()
                .col_expr($table::Column::SchoolId, Expr::value(school_id))
                .col_expr($table::Column::EnterpriseId, Expr::value(enterprise_id))
                .col_expr($table::Column::Version, Expr::col($table::Column::Version).add(1))
                .col_expr($table::Column::UpdatedAt, Expr::value(at))
                .filter($table::Column::ApprenticeshipId.eq(placement))
                .exec(db)
                .await?;
        };
    }
    follow!(visit);
    follow!(incident);
    follow!(check_in);
    follow!(journal);
    Ok(())
}

/// The hooks of [`Stored`] that a record naming a placement shares, in its
/// `impl Stored`: the placement's organisations copied on create
/// ([`copy_owners`]), checked in the write's transaction ([`check_placement`]),
/// and a refusal of another's placement naming `apprenticeship_id`.
macro_rules! placement_hooks {
    () => {
        const OWNERS_NAMED_BY: Option<&'static str> = Some(super::placement_records::PLACEMENT_FIELD);

        /// The placement's school and enterprise (422 when it names none).
        async fn derive(&mut self, db: &sea_orm::DatabaseConnection) -> Result<(), crate::error::ApiError> {
            super::placement_records::copy_owners(self, db).await
        }

        /// The placement exists and still belongs to the organisations copied.
        async fn check_references(&self, db: &sea_orm::DatabaseTransaction) -> Result<(), crate::error::ApiError> {
            super::placement_records::check_placement(self, db).await
        }
    };
}
pub(crate) use placement_hooks;

/// The records that name a placement by `apprenticeship_id` and copy its
/// organisations into `school_id` and `enterprise_id`.
macro_rules! of_placement {
    ($($fields:ty),*) => {$(
        impl OfPlacement for $fields {
            fn placement(&self) -> Uuid {
                self.apprenticeship_id
            }

            fn owners(&self) -> (Option<Uuid>, Uuid) {
                (self.school_id, self.enterprise_id)
            }

            fn set_owners(&mut self, school_id: Option<Uuid>, enterprise_id: Uuid) {
                (self.school_id, self.enterprise_id) = (school_id, enterprise_id);
            }
        }
    )*};
}

of_placement!(VisitFields, IncidentFields);

/// What a record a participant makes on its placement (a check-in, a
/// journal) is judged against: the placement's status, dates and
/// organisations.
pub(crate) struct PlacementState {
    pub status: crate::domain::vocab::ApprenticeshipStatus,
    pub start: Date,
    pub end: Option<Date>,
    pub school_id: Option<Uuid>,
    pub enterprise_id: Uuid,
}

/// Placement `id`'s [`PlacementState`], shared-locked until the write's
/// transaction ends (so that a move of the placement waits for the record
/// being written); 404 when there is none.
pub(crate) async fn locked_state(db: &impl ConnectionTrait, id: Uuid) -> Result<PlacementState, ApiError> {
    type Columns = (
        crate::domain::vocab::ApprenticeshipStatus,
        Date,
        Option<Date>,
        Option<Uuid>,
        Uuid,
    );
    let row: Option<Columns> = apprenticeship::Entity::find_by_id(id)
        .select_only()
        .columns([
            apprenticeship::Column::Status,
            apprenticeship::Column::StartDate,
            apprenticeship::Column::EndDate,
            apprenticeship::Column::SchoolId,
            apprenticeship::Column::EnterpriseId,
        ])
        .lock_shared()
        .into_tuple()
        .one(db)
        .await?;
    let (status, start, end, school_id, enterprise_id) = row.ok_or(ApiError::NotFound)?;
    Ok(PlacementState {
        status,
        start,
        end,
        school_id,
        enterprise_id,
    })
}

/// The 409 of a placement that moved to another school or enterprise
/// while a record of it was written (the client sends it again).
pub(crate) fn moved_meanwhile() -> ApiError {
    ApiError::Conflict {
        detail: "the placement moved to another school or enterprise meanwhile; send the request again".into(),
        errors: Vec::new(),
    }
}
