//! Placements (apprenticeships): their rules between fields, who sees which,
//! the masking of personal data, the status machine's transitions with
//! their history, and evaluations.

use std::sync::Arc;

use super::Database;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::inserts::Inserts;
use super::list::{cached_page, counted_rows, fetch_page_of, keyset, page_key, search_condition, table_changes};
use super::store::{self, row_record, Stored};
use super::{audit, check_precondition, now, Precondition};
use crate::auth::policy::{self, PlacementScope};
use crate::auth::{Actor, Principal};
use crate::domain::placement::{age_on, find_move, Side, MIN_STUDENT_AGE};
use crate::domain::search::search_text;
use crate::domain::vocab::{Action, ApprenticeshipStatus, ResourceType};
use crate::entity::{apprenticeship, apprenticeship_history, base, demand};
use crate::error::{ApiError, FieldError};
use crate::model::apprenticeship::{
    Apprenticeship, ApprenticeshipCreate, ApprenticeshipFields, ApprenticeshipFilters, ApprenticeshipSort, Evaluation,
    EvaluationCreate, Evaluations, History, HistoryActor, HistoryEntry, TransitionRequest,
};
use crate::model::check::MergePatch;
use crate::model::field::{Date, Stored as _, TextRule};
use crate::model::list::{ListRequest, SharedPage};
use crate::model::record::{Meta, Record};

keyset!(
    apprenticeship,
    ApprenticeshipSort {
        StartDate: start_date,
        CreatedAt: created_at,
        UpdatedAt: updated_at,
    }
);

impl Stored for apprenticeship::Entity {
    type Record = Apprenticeship;
    const TYPE: ResourceType = ResourceType::Apprenticeship;
    const UNIQUE: &'static [&'static str] = &[];

    row_record!(apprenticeship::Model, Apprenticeship {
        id, kind, enterprise_id, school_id, demand_id, base_id, participant, program, major, position, site, enterprise_mentor,
        school_supervisor, start_date, end_date, hours_per_week, monthly_stipend_fen, agreement_signed_on,
        insurance_policy_no, status, evaluations, version, created_at, updated_at,
    } row {
        search_text: search_text([Some(participant.name.as_str()), program.as_ref().map(|p| p.as_str())]),
    });

    /// The organisations a school user names (403), then the rules between
    /// fields (422): the kind fixes the participant's role (a role the
    /// client sent that disagrees is refused; one left out is filled in),
    /// every kind but `worker_training` names a school, a student kind has
    /// at most 40 hours a week, the end is not before the start.
    fn prepare(
        caller: &Principal,
        _before: Option<&ApprenticeshipFields>,
        fields: &mut ApprenticeshipFields,
        patch: Option<&MergePatch<ApprenticeshipFields>>,
    ) -> Result<(), ApiError> {
        policy::placement_owner(caller, fields)?;
        let kind = fields.kind;
        let role = kind.role();
        let sent_role = match patch {
            Some(patch) => patch.value_at("participant.role").and(fields.participant.role),
            None => fields.participant.role,
        };
        let mut errors = Vec::new();
        if sent_role.is_some_and(|sent| sent != role) {
            errors.push(FieldError::new(
                "participant.role",
                "invalid",
                format!("must be `{}` for kind `{}` (or left out)", role.as_str(), kind.as_str()),
            ));
        }
        fields.participant.role = Some(role);
        if kind.needs_school() && fields.school_id.is_none() {
            errors.push(FieldError::needed_for(
                "school_id",
                format_args!("kind `{}`", kind.as_str()),
            ));
        }
        if fields
            .hours_per_week
            .is_some_and(|h| h.get() > i64::from(kind.max_hours()))
        {
            errors.push(FieldError::new(
                "hours_per_week",
                "range",
                format!("must be at most {} for kind `{}`", kind.max_hours(), kind.as_str()),
            ));
        }
        if fields.end_date.is_some_and(|end| end < fields.start_date) {
            errors.push(FieldError::new("end_date", "range", "must not be before start_date"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// The enterprise, the school, the demand and the base must exist, and
    /// the demand be one of the placement's enterprise (422 naming each field
    /// that fails).
    async fn check_references(db: &DatabaseTransaction, fields: &ApprenticeshipFields) -> Result<(), ApiError> {
        let enterprises = store::named_by("enterprise_id", Some(fields.enterprise_id));
        let schools = store::named_by("school_id", fields.school_id);
        let mut errors = store::organisation_errors(db, &enterprises, &schools).await?;
        if let Some(id) = fields.demand_id {
            // Shared-locked: a demand PATCH moving it to another enterprise
            // waits for this placement, then sees it (409).
            let owner: Option<Uuid> = demand::Entity::find_by_id(id)
                .select_only()
                .column(demand::Column::EnterpriseId)
                .lock_shared()
                .into_tuple()
                .one(db)
                .await?;
            match owner {
                None => errors.push(FieldError::new("demand_id", "not_found", "names no demand")),
                Some(owner) if owner != fields.enterprise_id => errors.push(FieldError::new(
                    "demand_id",
                    "invalid",
                    "is a demand of another enterprise than enterprise_id",
                )),
                Some(_) => {}
            }
        }
        let bases = store::named_by("base_id", fields.base_id);
        errors.extend(store::unknown_ids::<base::Entity>(db, base::Column::Id, &bases, "training base").await?);
        store::invalid_unless_empty(errors)
    }

    fn visible(caller: &Principal, row: &apprenticeship::Model) -> bool {
        policy::sees_placement(caller, row.enterprise_id, row.school_id)
    }

    fn check_write(caller: &Principal, _row: &apprenticeship::Model) -> Result<(), ApiError> {
        policy::changes_placement(caller)
    }

    fn check_delete(row: &apprenticeship::Model) -> Result<(), ApiError> {
        match row.status {
            ApprenticeshipStatus::Draft | ApprenticeshipStatus::Cancelled => Ok(()),
            status => Err(ApiError::Conflict {
                detail: format!(
                    "only a draft or cancelled placement can be deleted; this one is `{}`",
                    status.as_str()
                ),
                errors: Vec::new(),
            }),
        }
    }

    /// A new placement's history starts with its creation (`from: null`, `to: draft`).
    fn new_rows(actor: &Actor, row: &apprenticeship::Model, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add([history_row(actor, row.id, None, row.status, None)]);
        Ok(())
    }
}

/// A row of a placement's history: a move from `from` (none at its creation) to `to`.
fn history_row(
    actor: &Actor,
    apprenticeship_id: Uuid,
    from: Option<ApprenticeshipStatus>,
    to: ApprenticeshipStatus,
    reason: Option<String>,
) -> apprenticeship_history::ActiveModel {
    apprenticeship_history::ActiveModel::from(apprenticeship_history::Model {
        id: Uuid::now_v7(),
        apprenticeship_id,
        from_status: from,
        to_status: to,
        reason,
        actor_user_id: actor.user_id,
        actor_username: actor.username.clone(),
        at: now(),
    })
    .reset_all()
}

/// A record as the caller may see it: the participant's resident ID and
/// phone masked unless the caller is an admin or the owning school.
fn shown(caller: &Principal, mut record: Apprenticeship) -> Apprenticeship {
    if !policy::sees_personal_data(caller, record.school_id) {
        let participant = &mut record.participant;
        participant.national_id = participant.national_id.as_ref().map(|id| id.masked());
        participant.phone = participant.phone.as_ref().map(|phone| phone.masked());
    }
    record
}

/// Creates a placement in `draft`, with its first history row and its audit row.
pub async fn create(
    db: &Database,
    caller: &Principal,
    input: ApprenticeshipCreate,
) -> Result<Apprenticeship, ApiError> {
    let record = Apprenticeship::from_input(input, Meta::new(now()));
    let created = store::create::<apprenticeship::Entity>(db, caller, record).await?;
    Ok(shown(caller, created))
}

super::imports::imports!(apprenticeship, Apprenticeship, ApprenticeshipCreate, "placements");

/// Reads a placement the caller may see.
pub async fn get(db: &Database, caller: &Principal, id: Uuid) -> Result<Apprenticeship, ApiError> {
    let record = store::get::<apprenticeship::Entity>(db.read(), caller, id).await?;
    Ok(shown(caller, record))
}

/// Applies a merge patch to a placement the caller may see, with its audit row.
pub async fn update(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    patch: &MergePatch<ApprenticeshipFields>,
) -> Result<Apprenticeship, ApiError> {
    let record = store::update::<apprenticeship::Entity>(db, caller, id, precondition, patch).await?;
    Ok(shown(caller, record))
}

/// Deletes a placement in `draft` or `cancelled` (409 otherwise), with its history and its audit row.
pub async fn delete(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
) -> Result<(), ApiError> {
    store::delete::<apprenticeship::Entity>(db, caller, id, precondition).await
}

/// Lists the placements the caller may see, one page at a time.
pub async fn list(
    db: &Database,
    caller: &Principal,
    filters: &ApprenticeshipFilters,
    request: &ListRequest<ApprenticeshipSort>,
) -> Result<Arc<SharedPage<Apprenticeship>>, ApiError> {
    use apprenticeship::Column;
    let ApprenticeshipFilters {
        status,
        kind,
        school_id,
        enterprise_id,
        demand_id,
        base_id,
        active_on,
        start_from,
        start_to,
    } = filters;
    let scope = policy::placement_scope(caller);
    // Only status and kind narrow the list (or nothing does): its total is
    // the kept tally, not a count over every matching row.
    let tallied = scope == PlacementScope::All
        && filters_are_empty(&ApprenticeshipFilters {
            status: None,
            kind: None,
            ..filters.clone()
        })
        && request.q.is_none()
        && request.updated_since.is_none();
    let mut select = apprenticeship::Entity::find();
    select = match scope {
        PlacementScope::All => select,
        PlacementScope::School(org) => select.filter(Column::SchoolId.eq(org)),
        PlacementScope::Enterprise(org) => select.filter(Column::EnterpriseId.eq(org)),
        PlacementScope::Nothing => return Err(ApiError::forbidden("your role may not see placements")),
    };
    if let Some(status) = status {
        select = select.filter(Column::Status.eq(*status));
    }
    if let Some(kind) = kind {
        select = select.filter(Column::Kind.eq(*kind));
    }
    if let Some(id) = school_id {
        select = select.filter(Column::SchoolId.eq(*id));
    }
    if let Some(id) = enterprise_id {
        select = select.filter(Column::EnterpriseId.eq(*id));
    }
    if let Some(id) = demand_id {
        select = select.filter(Column::DemandId.eq(*id));
    }
    if let Some(id) = base_id {
        select = select.filter(Column::BaseId.eq(*id));
    }
    if let Some(day) = active_on {
        select = select.filter(Column::StartDate.lte(*day)).filter(
            Condition::any()
                .add(Column::EndDate.is_null())
                .add(Column::EndDate.gte(*day)),
        );
    }
    if let Some(day) = start_from {
        select = select.filter(Column::StartDate.gte(*day));
    }
    if let Some(day) = start_to {
        select = select.filter(Column::StartDate.lte(*day));
    }
    if let Some(since) = request.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    if let Some(q) = &request.q {
        select = select.filter(search_condition::<apprenticeship::Entity>(
            db.backend(),
            Column::SearchText,
            q,
        ));
    }
    // The counter first: what is read after it is at least as new.
    let changes = table_changes(db.read(), "apprenticeships").await?;
    // Masking depends on the caller's role and organisation.
    let key = format!(
        "{:?}\u{0}{:?}\u{0}{}",
        caller.role,
        caller.org,
        page_key(db.backend(), &select, request)
    );
    cached_page(db, key, changes, request, || async {
        let total = match (tallied && request.with_total, status, kind) {
            (true, None, None) => Some(counted_rows(db.read(), "apprenticeships").await?),
            (true, _, _) => Some(super::stats::tallied_placements(db.read(), *status, *kind).await?),
            (false, _, _) => None,
        };
        let page = fetch_page_of(db.read(), select, request, total).await?;
        Ok(page.map(|row| shown(caller, <apprenticeship::Entity as Stored>::to_record(row))))
    })
    .await
}

fn filters_are_empty(filters: &ApprenticeshipFilters) -> bool {
    let ApprenticeshipFilters {
        status,
        kind,
        school_id,
        enterprise_id,
        demand_id,
        base_id,
        active_on,
        start_from,
        start_to,
    } = filters;
    status.is_none()
        && kind.is_none()
        && school_id.is_none()
        && enterprise_id.is_none()
        && demand_id.is_none()
        && base_id.is_none()
        && active_on.is_none()
        && start_from.is_none()
        && start_to.is_none()
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::School => "the owning school's",
        Side::Enterprise => "the host enterprise's",
        Side::Either => "either side's",
    }
}

/// What a move needs (422 naming each missing piece): a reason to return,
/// terminate or cancel; for a student placement to become `active`, the
/// tripartite agreement, the insurance and an age of at least 16 on
/// `start_date` (from `birth_date`, else from the resident ID).
fn check_move_data(
    row: &apprenticeship::Model,
    request: &TransitionRequest,
    needs_reason: bool,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if needs_reason && request.reason().is_none() {
        errors.push(FieldError::new("reason", "required", "this move needs a reason"));
    }
    if request.to == ApprenticeshipStatus::Active && row.kind.is_student() {
        if row.agreement_signed_on.is_none() {
            errors.push(FieldError::new(
                "agreement_signed_on",
                "required",
                "a student placement becomes active only with its tripartite agreement",
            ));
        }
        if row.insurance_policy_no.is_none() {
            errors.push(FieldError::new(
                "insurance_policy_no",
                "required",
                "a student placement becomes active only with its internship liability insurance",
            ));
        }
        let participant = &row.participant;
        let birth = participant
            .birth_date
            .map(Date::naive)
            .or_else(|| participant.national_id.as_ref().and_then(|id| id.birth_date()));
        match birth {
            None => errors.push(FieldError::new(
                "participant.birth_date",
                "required",
                "a student's birth date (or resident ID) is needed to check the age on start_date",
            )),
            Some(birth) if age_on(birth, row.start_date.naive()) < MIN_STUDENT_AGE => errors.push(FieldError::new(
                "participant.birth_date",
                "range",
                format!("a student must be at least {MIN_STUDENT_AGE} on start_date"),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Moves a placement's status, in the contract's order of checks: a role
/// with no moves (403), a placement the caller may not see (404), a stale
/// `If-Match` (412), no such move from the current status (409), the other
/// side's move (403), the data the move needs (422). The new status, the
/// history row and the audit row are written in one transaction, under the
/// row's lock: of two racing moves from one status, one wins.
pub async fn transition(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    request: TransitionRequest,
) -> Result<Apprenticeship, ApiError> {
    policy::makes_moves(caller)?;
    let txn = db.begin().await?;
    let row = store::find_visible::<apprenticeship::Entity>(&txn, caller, id).await?;
    check_precondition(precondition.as_ref(), row.version)?;
    let Some(found) = find_move(row.status, request.to) else {
        return Err(ApiError::Conflict {
            detail: format!(
                "a placement in `{}` cannot move to `{}`",
                row.status.as_str(),
                request.to.as_str()
            ),
            errors: vec![FieldError::new(
                "to",
                "transition",
                "no such move from the current status",
            )],
        });
    };
    if !policy::placement_sides(caller, row.enterprise_id, row.school_id).may(found) {
        return Err(ApiError::forbidden(format!(
            "this move is {} to make",
            side_name(found.by)
        )));
    }
    check_move_data(&row, &request, found.needs_reason)?;
    let before = <apprenticeship::Entity as Stored>::to_record(row.clone());
    let after = Apprenticeship {
        status: found.to,
        ..before.clone()
    }
    .touched(now());
    store::save_changed::<apprenticeship::Entity>(&txn, &caller.actor(), &row, &after).await?;
    let actor = caller.actor();
    let reason = request.reason().map(str::to_string);
    super::insert_only(&txn, history_row(&actor, id, Some(found.from), found.to, reason)).await?;
    audit::record_change(
        &txn,
        &actor,
        Action::Transition,
        ResourceType::Apprenticeship,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(shown(caller, after))
}

/// A placement's history, oldest first, its creation included.
pub async fn history(db: &Database, caller: &Principal, id: Uuid) -> Result<History, ApiError> {
    store::get::<apprenticeship::Entity>(db.read(), caller, id).await?;
    let rows = apprenticeship_history::Entity::find()
        .filter(apprenticeship_history::Column::ApprenticeshipId.eq(id))
        .order_by_asc(apprenticeship_history::Column::At)
        .order_by_asc(apprenticeship_history::Column::Id)
        .all(db.read())
        .await?;
    let items = rows
        .into_iter()
        .map(|row| HistoryEntry {
            from: row.from_status,
            to: row.to_status,
            reason: row.reason,
            actor: HistoryActor {
                id: row.actor_user_id,
                username: row.actor_username,
            },
            at: row.at,
        })
        .collect();
    Ok(History { items })
}

/// Adds one side's evaluation to a placement that is `active` or
/// `completed` (409 otherwise, and for a side that has evaluated already);
/// it bumps the placement's version.
pub async fn evaluate(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    input: EvaluationCreate,
) -> Result<Evaluation, ApiError> {
    let txn = db.begin().await?;
    let row = store::find_visible::<apprenticeship::Entity>(&txn, caller, id).await?;
    let side = policy::evaluation_side(caller, input.by)?;
    if !matches!(
        row.status,
        ApprenticeshipStatus::Active | ApprenticeshipStatus::Completed
    ) {
        return Err(ApiError::Conflict {
            detail: format!(
                "a placement is evaluated while active or once completed; this one is `{}`",
                row.status.as_str()
            ),
            errors: Vec::new(),
        });
    }
    if row.evaluations.as_slice().iter().any(|e| e.by == side) {
        return Err(ApiError::Conflict {
            detail: format!("the {} side has evaluated this placement already", side.as_str()),
            errors: vec![FieldError::new("by", "duplicate", "one evaluation per side")],
        });
    }
    let evaluation = Evaluation {
        by: side,
        score: input.score,
        comment: input.comment,
        at: now(),
    };
    let before = <apprenticeship::Entity as Stored>::to_record(row.clone());
    let mut evaluations = before.evaluations.as_slice().to_vec();
    evaluations.push(evaluation.clone());
    let after = Apprenticeship {
        evaluations: Evaluations::from_stored(evaluations),
        ..before.clone()
    }
    .touched(now());
    store::save_changed::<apprenticeship::Entity>(&txn, &caller.actor(), &row, &after).await?;
    audit::record_change(
        &txn,
        &caller.actor(),
        Action::Evaluate,
        ResourceType::Apprenticeship,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(evaluation)
}
