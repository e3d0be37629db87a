//! Check-ins: made by a placement's participant while it is active and
//! today lies within its dates; one `in` and one `out` per placement and
//! day (the unique index decides between two sent at once); read by
//! whoever reads the placement, the coordinates only by the participant,
//! the owning school and admins; and the supervisor's view of the
//! placements without an `in` on a day.

use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::apprenticeships::sees_personal_data;
use super::list::Keyset;
use super::placement_records::{locked_state, moved_meanwhile};
use super::resource::{self, Stored};
use super::{now, store, Database};
use crate::auth::policy::{self, Access, CHECK_INS};
use crate::auth::Principal;
use crate::domain::clock;
use crate::domain::compliance::student_kinds;
use crate::domain::cursor::Cursor;
use crate::domain::vocab::{ApprenticeshipStatus, CheckInKind, Role};
use crate::entity::{apprenticeship, check_in};
use crate::error::{ApiError, FieldError};
use crate::model::apprenticeship::{ApprenticeshipFields, Participant};
use crate::model::check::{decode, parse_body};
use crate::model::check_in::{
    CheckIn, CheckInFields, CheckInSort, MissingCheckIn, MissingOrder, MissingPage, MissingQuery,
};
use crate::model::field::{Date, TextRule as _};
use crate::model::list::{bad_cursor, ListRequest, PageOf, SortValue};
use crate::model::record::Meta;
use crate::model::resource::{Create, Record};

impl Keyset for check_in::Entity {
    type Sort = CheckInSort;
}

impl Stored for CheckInFields {
    type Table = check_in::Entity;
    const POLICY: &'static policy::Policy = &CHECK_INS;
    const UNIQUE: &'static [&'static str] = &["kind"];

    /// `latitude` and `longitude` come together or not at all (422 naming the one missing).
    fn check(&self) -> Result<(), ApiError> {
        let missing = match (&self.latitude, &self.longitude) {
            (Some(_), None) => Some("longitude"),
            (None, Some(_)) => Some("latitude"),
            _ => None,
        };
        store::invalid_unless_empty(
            missing
                .map(|field| FieldError::new(field, "required", "latitude and longitude come together"))
                .into_iter()
                .collect(),
        )
    }

    /// In the write's transaction: the placement is still the
    /// participant's, active, with `on` within its dates, at the same
    /// organisations; an `out` has that day's `in` (409 otherwise).
    async fn check_references(&self, txn: &DatabaseTransaction) -> Result<(), ApiError> {
        let placement = locked_state(txn, self.apprenticeship_id).await?;
        checkable(placement.status, placement.start, placement.end, self.on)?;
        if (placement.school_id, placement.enterprise_id) != (self.school_id, self.enterprise_id) {
            return Err(moved_meanwhile());
        }
        if self.kind == CheckInKind::Out {
            let arrived = check_in::Entity::find()
                .filter(check_in::Column::ApprenticeshipId.eq(self.apprenticeship_id))
                .filter(check_in::Column::On.eq(self.on))
                .filter(check_in::Column::Kind.eq(CheckInKind::In))
                .count(txn)
                .await?;
            if arrived == 0 {
                return Err(ApiError::Conflict {
                    detail: format!("check in (`in`) on {} before checking out", self.on.naive()),
                    errors: vec![FieldError::new("kind", "state", "needs that day's `in` first")],
                });
            }
        }
        Ok(())
    }

    /// The coordinates only to the participant, the owning school and admins.
    fn shown(mut record: Record<Self>, caller: &Principal) -> Record<Self> {
        if !sees_coordinates(caller, record.fields.school_id) {
            record.fields.latitude = None;
            record.fields.longitude = None;
        }
        record
    }
}

/// Whether the caller sees a check-in's coordinates: the participant (who
/// reads only its own), those who change the placement (an admin, the
/// owning school).
fn sees_coordinates(caller: &Principal, school_id: Option<Uuid>) -> bool {
    caller.role == Role::Participant || sees_personal_data(caller, school_id, None)
}

fn conflict(detail: &str) -> ApiError {
    ApiError::Conflict {
        detail: detail.to_string(),
        errors: Vec::new(),
    }
}

/// The 409 of a placement that takes no check-in on `on`: not active, or
/// `on` outside its dates.
fn checkable(status: ApprenticeshipStatus, start: Date, end: Option<Date>, on: Date) -> Result<(), ApiError> {
    if status != ApprenticeshipStatus::Active {
        return Err(conflict(&format!(
            "the placement is {}: only an active placement takes check-ins",
            status.as_str()
        )));
    }
    if on < start || end.is_some_and(|end| on > end) {
        return Err(conflict(&format!(
            "today ({}) is outside the placement's dates",
            on.naive()
        )));
    }
    Ok(())
}

/// `POST /apprenticeships/{id}/check-ins`: the role's right (403; 404 for
/// a placement the caller does not read), the body (422), the placement
/// among the participant's own (404), its state (409), then one row with
/// its audit row; a second of the same kind that day is a 409.
pub async fn create(db: &Database, caller: &Principal, placement: Uuid, body: &[u8]) -> Result<CheckIn, ApiError> {
    if let Err(refusal) = CHECK_INS.scope(caller, Access::Create) {
        return Err(resource::refused::<ApprenticeshipFields>(db, caller, placement, refusal).await);
    }
    let Create(mut fields) = decode::<Create<CheckInFields>>(&parse_body(body)?)?;
    // The rules between fields are the body's: 422 before the placement is looked at.
    fields.check()?;
    let owned = resource::get::<ApprenticeshipFields>(db, caller, placement).await?;
    let at = now();
    let on = Date::new(clock::today()).ok_or_else(|| conflict("today is outside the years 1900–2100"))?;
    checkable(owned.fields.status, owned.fields.start_date, owned.fields.end_date, on)?;
    fields.apprenticeship_id = placement;
    fields.school_id = owned.fields.school_id;
    fields.enterprise_id = owned.fields.enterprise_id;
    fields.on = on;
    fields.at = at;
    let kind = fields.kind;
    resource::store_new(db, caller, Record::new(Meta::new(at), fields))
        .await
        .map_err(|e| match e {
            ApiError::Conflict { errors, .. } if errors.iter().any(|f| f.code == "duplicate") => ApiError::Conflict {
                detail: format!(
                    "the placement has its `{}` check-in for {} already",
                    kind.as_str(),
                    on.naive()
                ),
                errors: vec![FieldError::new("kind", "duplicate", "one of each kind a day")],
            },
            other => other,
        })
}

/// The checked request of `GET /check-ins/missing` (its one order; the day
/// and the scope bound to the cursor).
pub fn missing_request(
    page: &crate::model::list::PageQuery,
    query: &MissingQuery,
) -> Result<ListRequest<MissingOrder>, ApiError> {
    ListRequest::new(page, None, Default::default(), query)
}

/// `GET /check-ins/missing`: the active student-kind placements in the
/// caller's scope whose `on` lies within their dates and that have no `in`
/// on `on`, by placement id; the day a walk began travels in its cursor.
pub async fn missing(
    db: &Database,
    caller: &Principal,
    query: &MissingQuery,
    request: ListRequest<MissingOrder>,
) -> Result<MissingPage, ApiError> {
    let scope = policy::missing_check_ins(caller, query.school_id, query.enterprise_id)?;
    let (on, after) = match &request.after {
        None => (
            query
                .on
                .or_else(|| Date::new(clock::today()))
                .ok_or_else(|| conflict("today is outside the years 1900–2100"))?,
            None,
        ),
        Some((SortValue::Date(day), id)) => (Date::new(*day).ok_or_else(bad_cursor)?, Some(*id)),
        Some(_) => return Err(bad_cursor()),
    };
    use apprenticeship::Column as A;
    let arrived = Query::select()
        .expr(Expr::val(1))
        .from(check_in::Entity)
        .and_where(
            Expr::col((check_in::Entity, check_in::Column::ApprenticeshipId)).equals((apprenticeship::Entity, A::Id)),
        )
        .and_where(Expr::col((check_in::Entity, check_in::Column::On)).eq(on))
        .and_where(Expr::col((check_in::Entity, check_in::Column::Kind)).eq(CheckInKind::In.as_str()))
        .to_owned();
    let mut select: Select<apprenticeship::Entity> = apprenticeship::Entity::find()
        .filter(A::Status.eq(ApprenticeshipStatus::Active))
        .filter(A::Kind.is_in(student_kinds()))
        .filter(A::StartDate.lte(on))
        .filter(Condition::any().add(A::EndDate.is_null()).add(A::EndDate.gte(on)))
        .filter(Expr::exists(arrived).not());
    if scope.nothing {
        select = select.filter(Expr::val(false));
    }
    if let Some(school) = scope.school {
        select = select.filter(A::SchoolId.eq(school));
    }
    if let Some(enterprise) = scope.enterprise {
        select = select.filter(A::EnterpriseId.eq(enterprise));
    }
    let total = if request.with_total {
        select.clone().count(db.read()).await?
    } else {
        0
    };
    if let Some(after) = after {
        select = select.filter(A::Id.gt(after));
    }
    let mut rows: Vec<(Uuid, Participant, Uuid, Option<Uuid>)> = select
        .select_only()
        .columns([A::Id, A::Participant, A::EnterpriseId, A::SchoolId])
        .order_by_asc(A::Id)
        .limit(request.limit + 1)
        .into_tuple()
        .all(db.read())
        .await?;
    let next_cursor = if rows.len() as u64 > request.limit {
        rows.truncate(request.limit as usize);
        rows.last().map(|(id, ..)| {
            Cursor {
                key: serde_json::to_value(SortValue::Date(on.naive())).unwrap_or_default(),
                id: *id,
                binding: request.binding.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(
            |(apprenticeship_id, participant, enterprise_id, school_id)| MissingCheckIn {
                apprenticeship_id,
                participant_name: participant.name.as_str().to_string(),
                enterprise_id,
                school_id,
            },
        )
        .collect();
    Ok(MissingPage {
        on,
        page: PageOf {
            items,
            next_cursor,
            total,
        },
    })
}
