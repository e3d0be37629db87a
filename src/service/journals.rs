//! Journals: written by a placement's participant while it is active or
//! suspended, one a week (the unique index decides between two at once);
//! changed by it until approved (a change submits it again and clears the
//! reviews); reviewed once per submission by each side (the host
//! enterprise's users, the owning school's; an admin names the side).

use chrono::{Datelike, Weekday};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::list::Keyset;
use super::placement_records::{locked_state, moved_meanwhile};
use super::resource::{self, record_of, Stored};
use super::{audit, check_precondition, now, store, Database, Precondition};
use crate::auth::policy::{self, Access, JOURNALS};
use crate::auth::Principal;
use crate::domain::clock;
use crate::domain::compliance::monday_of;
use crate::domain::vocab::{Action, ApprenticeshipStatus, EvaluationSide, JournalStatus, ReviewDecision};
use crate::entity::journal;
use crate::error::{ApiError, FieldError};
use crate::model::apprenticeship::ApprenticeshipFields;
use crate::model::check::{decode, parse_body, MergePatch};
use crate::model::field::{Date, Stored as _, TextRule as _, Username};
use crate::model::journal::{Journal, JournalFields, JournalReview, JournalSort, ReviewCreate, Reviewer, Reviews};
use crate::model::record::{Meta, Record as _};
use crate::model::resource::{Create, Record};

impl Keyset for journal::Entity {
    type Sort = JournalSort;
}

impl Stored for JournalFields {
    type Table = journal::Entity;
    const POLICY: &'static policy::Policy = &JOURNALS;
    const UNIQUE: &'static [&'static str] = &["week"];

    /// A change of what the participant wrote submits the journal again and
    /// clears both sides' reviews; an approved journal is final (409).
    fn prepare(&mut self, before: Option<&Self>, _patch: Option<&MergePatch<Self>>) -> Result<(), ApiError> {
        let Some(before) = before else {
            self.status = JournalStatus::Submitted;
            self.reviews = Reviews::default();
            return Ok(());
        };
        if before.status == JournalStatus::Approved {
            return Err(ApiError::Conflict {
                detail: "an approved journal is final".into(),
                errors: Vec::new(),
            });
        }
        let written = |j: &Self| (j.content.clone(), j.hours_worked, j.night_hours);
        if written(self) != written(before) {
            self.status = JournalStatus::Submitted;
            self.reviews = Reviews::default();
        }
        Ok(())
    }

    /// `week_of` is a Monday not after this week's (422 naming it).
    fn check(&self) -> Result<(), ApiError> {
        let week = self.week_of.naive();
        let error = if week.weekday() != Weekday::Mon {
            Some("must be a Monday (the week's first day)")
        } else if week > monday_of(clock::today()) {
            Some("must not be after this week's Monday")
        } else {
            None
        };
        store::invalid_unless_empty(
            error
                .map(|message| FieldError::new("week_of", "range", message))
                .into_iter()
                .collect(),
        )
    }

    /// In the write's transaction: the placement still belongs to the
    /// organisations copied (409 when it moved meanwhile); and for a new
    /// week's journal (none stored for the week yet: a create, not a
    /// change), the placement is still active or suspended (409) and the
    /// week still within its dates (422), whatever changed since they were
    /// first checked.
    async fn check_references(&self, txn: &DatabaseTransaction) -> Result<(), ApiError> {
        let placement = locked_state(txn, self.apprenticeship_id).await?;
        if (placement.school_id, placement.enterprise_id) != (self.school_id, self.enterprise_id) {
            return Err(moved_meanwhile());
        }
        let stored = journal::Entity::find()
            .filter(journal::Column::ApprenticeshipId.eq(self.apprenticeship_id))
            .filter(journal::Column::WeekOf.eq(self.week_of))
            .count(txn)
            .await?;
        if stored == 0 {
            writable(placement.status)?;
            within(self.week_of, placement.start, placement.end)?;
        }
        Ok(())
    }
}

/// The 409 of a placement that takes no new journal: not active or suspended.
fn writable(status: ApprenticeshipStatus) -> Result<(), ApiError> {
    if matches!(status, ApprenticeshipStatus::Active | ApprenticeshipStatus::Suspended) {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            detail: format!(
                "the placement is {}: journals are written while it is active or suspended",
                status.as_str()
            ),
            errors: Vec::new(),
        })
    }
}

/// The 422 of a week outside the placement's dates.
fn within(week: Date, start: Date, end: Option<Date>) -> Result<(), ApiError> {
    if week < start || end.is_some_and(|end| week > end) {
        Err(ApiError::invalid_field(
            "week_of",
            "range",
            "must be a Monday within the placement's dates",
        ))
    } else {
        Ok(())
    }
}

/// `POST /apprenticeships/{id}/journals`: the role's right (403; 404 for a
/// placement the caller does not read), the body (422), the placement among
/// the participant's own (404), its status (409: active or suspended), the
/// week within its dates (422), then the row with its audit row; a second
/// journal of the week is a 409 naming `week_of`.
pub async fn create(db: &Database, caller: &Principal, placement: Uuid, body: &[u8]) -> Result<Journal, ApiError> {
    if let Err(refusal) = JOURNALS.scope(caller, Access::Create) {
        return Err(resource::refused::<ApprenticeshipFields>(db, caller, placement, refusal).await);
    }
    let Create(mut fields) = decode::<Create<JournalFields>>(&parse_body(body)?)?;
    fields.check()?;
    let owned = resource::get::<ApprenticeshipFields>(db, caller, placement)
        .await?
        .fields;
    writable(owned.status)?;
    let week = fields.week_of;
    within(week, owned.start_date, owned.end_date)?;
    fields.apprenticeship_id = placement;
    fields.school_id = owned.school_id;
    fields.enterprise_id = owned.enterprise_id;
    resource::store_new(db, caller, Record::new(Meta::new(now()), fields))
        .await
        .map_err(|e| match e {
            ApiError::Conflict { errors, .. } if errors.iter().any(|f| f.code == "duplicate") => ApiError::Conflict {
                detail: format!("the placement has a journal for the week of {} already", week.naive()),
                errors: vec![FieldError::new("week_of", "duplicate", "one journal a week")],
            },
            other => other,
        })
}

/// `POST /journals/{id}/reviews`: the role's right (403; 404 for a journal
/// the caller does not read), the body (422), the journal among those the
/// caller reads (404), `If-Match` (412), the side (403 naming `side` for the
/// other side's; an admin names it, 422 without), its status (409 unless
/// `submitted`), the side's review of this submission (409), then the
/// review with its audit row (action `review`).
pub async fn review(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    body: &[u8],
) -> Result<Journal, ApiError> {
    if let Err(refusal) = policy::reviews_journals(caller) {
        return Err(resource::refused::<JournalFields>(db, caller, id, refusal).await);
    }
    let input: ReviewCreate = decode(&parse_body(body)?)?;
    if input.decision == ReviewDecision::Returned && input.comment.as_ref().is_none_or(|c| c.as_str().trim().is_empty())
    {
        return Err(ApiError::invalid_field(
            "comment",
            "required",
            "say what to change when returning a journal",
        ));
    }
    // An admin's missing `side` is the body's (422 now); naming the other
    // side is a field the role may not set (403 after `If-Match`).
    let side = policy::review_side(caller, input.side);
    if let Err(ApiError::Validation(errors)) = side {
        return Err(ApiError::Validation(errors));
    }
    let txn = db.begin().await?;
    let before = record_of::<JournalFields>(&resource::row_read_locked::<JournalFields>(&txn, caller, id).await?);
    check_precondition(precondition.as_ref(), before.version)?;
    let side = side?;
    let journal = &before.fields;
    if side == EvaluationSide::School && journal.school_id.is_none() {
        return Err(ApiError::invalid_field(
            "side",
            "invalid",
            "the placement has no school: its host enterprise reviews alone",
        ));
    }
    if journal.status != JournalStatus::Submitted {
        return Err(ApiError::Conflict {
            detail: format!(
                "the journal is {}: only a submitted journal is reviewed",
                journal.status.as_str()
            ),
            errors: Vec::new(),
        });
    }
    if journal.reviews.as_slice().iter().any(|r| r.side == side) {
        return Err(ApiError::Conflict {
            detail: format!("the {} side has reviewed this submission already", side.as_str()),
            errors: vec![FieldError::new(
                "side",
                "duplicate",
                "one review per side and submission",
            )],
        });
    }
    let at = now();
    let mut reviews = journal.reviews.as_slice().to_vec();
    reviews.push(JournalReview {
        side,
        decision: input.decision,
        comment: input.comment,
        by: Reviewer {
            id: caller.user_id,
            username: Username::from_stored(caller.username.to_string()),
        },
        at,
    });
    let approved_by = |side: EvaluationSide| {
        reviews
            .iter()
            .any(|r| r.side == side && r.decision == ReviewDecision::Approved)
    };
    // Every side the placement has: its host, and its school when it has one.
    let status = if reviews.iter().any(|r| r.decision == ReviewDecision::Returned) {
        JournalStatus::Returned
    } else if approved_by(EvaluationSide::Enterprise)
        && (journal.school_id.is_none() || approved_by(EvaluationSide::School))
    {
        JournalStatus::Approved
    } else {
        JournalStatus::Submitted
    };
    let fields = JournalFields {
        status,
        reviews: Reviews::from_stored(reviews),
        ..journal.clone()
    };
    let after = before.clone().with_fields(fields).touched(at);
    let actor = caller.actor();
    resource::save_changed(&txn, &actor, &before, &after).await?;
    audit::record_change(
        &txn,
        &actor,
        Action::Review,
        crate::domain::vocab::ResourceType::Journal,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
