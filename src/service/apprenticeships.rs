//! Placements (apprenticeships): their table, the rules between their
//! fields, the masking of personal data, their list's tallied totals, the
//! status machine's transitions with their history, and evaluations.

use std::sync::Arc;

use sea_orm::sea_query::Condition;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::Serialize;
use uuid::Uuid;

use super::inserts::Inserts;
use super::list::{cached_page, counted_rows, fetch_page_of, page_key, table_changes, Keyset};
use super::placement_records::follow_placement;
use super::resource::{self, record_of, Stored};
use super::{audit, check_precondition, now, store, Database, Precondition};
use crate::auth::policy::{self, Access, Policy, Scope, APPRENTICESHIPS};
use crate::auth::{Actor, Principal};
use crate::domain::clock;
use crate::domain::compliance::first_year_until;
use crate::domain::placement::{age_on, find_move, find_transfer, Coded, Move, Side, MIN_STUDENT_AGE};
use crate::domain::search::{fold, search_text};
use crate::domain::vocab::{Action, ApprenticeshipStatus, ReasonCode, ResourceType};
use crate::entity::{apprenticeship, apprenticeship_history, base, demand};
use crate::error::{ApiError, FieldError};
use crate::model::apprenticeship::{
    Apprenticeship, ApprenticeshipFields, ApprenticeshipFilters, ApprenticeshipSort, Evaluation, EvaluationCreate,
    Evaluations, History, HistoryActor, HistoryEntry, TransferRequest, TransitionRequest,
};
use crate::model::check::{decode, parse_body, MergePatch};
use crate::model::field::{Date, ResidentId, Stored as _, TextRule};
use crate::model::list::{ListFilters, ListRequest, SharedPage};
use crate::model::record::{Meta, Record as _};

impl Keyset for apprenticeship::Entity {
    type Sort = ApprenticeshipSort;
}

impl Stored for ApprenticeshipFields {
    type Table = apprenticeship::Entity;
    const POLICY: &'static Policy = &APPRENTICESHIPS;

    /// The folded search text, and what the compliance rules read: the
    /// folded `position` (matched with a post's folded name), the birth date
    /// (the participant's, or the resident ID's), the enrolment and the end
    /// of the first year after it; and the participant's key (its resident
    /// ID), by which its participant user finds it.
    fn complete_row(&self, row: &mut apprenticeship::ActiveModel) {
        row.participant_key = Set(self.participant.national_id.as_ref().map(|id| id.as_str().to_string()));
        row.search_text = Set(search_text([
            Some(self.participant.name.as_str()),
            self.program.as_ref().map(|p| p.as_str()),
        ]));
        row.position_key = Set(self.position.as_ref().map(|p| fold(p.as_str())));
        row.birth_date = Set(self.participant.born_on().and_then(Date::new));
        row.enrolled_on = Set(self.participant.enrolled_on);
        row.first_year_until = Set(self
            .participant
            .enrolled_on
            .and_then(|day| Date::new(first_year_until(day.naive()))));
    }

    /// The kind fixes the participant's role: one the client left out (or
    /// did not send with a patch) is filled in; one it sent is checked.
    fn prepare(&mut self, _before: Option<&Self>, patch: Option<&MergePatch<Self>>) -> Result<(), ApiError> {
        let sent = match patch {
            Some(patch) => patch.value_at("participant.role").is_some() && self.participant.role.is_some(),
            None => self.participant.role.is_some(),
        };
        if !sent {
            self.participant.role = Some(self.kind.role());
        }
        Ok(())
    }

    /// The rules between fields (422): the kind fixes the participant's
    /// role (a role the client sent that disagrees is refused), every kind
    /// but `worker_training` names a school, a student kind has at most 40
    /// hours a week, the end is not before the start.
    fn check(&self) -> Result<(), ApiError> {
        let kind = self.kind;
        let role = kind.role();
        let mut errors = Vec::new();
        if self.participant.role != Some(role) {
            errors.push(FieldError::new(
                "participant.role",
                "invalid",
                format!("must be `{}` for kind `{}` (or left out)", role.as_str(), kind.as_str()),
            ));
        }
        if kind.needs_school() && self.school_id.is_none() {
            errors.push(FieldError::needed_for(
                "school_id",
                format_args!("kind `{}`", kind.as_str()),
            ));
        }
        if self
            .hours_per_week
            .is_some_and(|h| h.get() > i64::from(kind.max_hours()))
        {
            errors.push(FieldError::new(
                "hours_per_week",
                "range",
                format!("must be at most {} for kind `{}`", kind.max_hours(), kind.as_str()),
            ));
        }
        if self.end_date.is_some_and(|end| end < self.start_date) {
            errors.push(FieldError::new("end_date", "range", "must not be before start_date"));
        }
        store::invalid_unless_empty(errors)
    }

    /// The enterprise, the school, the demand and the base must exist, and
    /// the demand be one of the placement's enterprise (422 naming each field
    /// that fails).
    async fn check_references(&self, db: &DatabaseTransaction) -> Result<(), ApiError> {
        let enterprises = store::named_by("enterprise_id", Some(self.enterprise_id));
        let schools = store::named_by("school_id", self.school_id);
        let mut errors = store::organisation_errors(db, &enterprises, &schools).await?;
        if let Some(id) = self.demand_id {
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
                Some(owner) if owner != self.enterprise_id => errors.push(FieldError::new(
                    "demand_id",
                    "invalid",
                    "is a demand of another enterprise than enterprise_id",
                )),
                Some(_) => {}
            }
        }
        let bases = store::named_by("base_id", self.base_id);
        errors.extend(store::unknown_ids::<base::Entity>(db, base::Column::Id, &bases, "training base").await?);
        store::invalid_unless_empty(errors)
    }

    /// `active_on`: `start_date` ≤ it ≤ `end_date` (or no end).
    fn custom_filters(
        filters: &ApprenticeshipFilters,
        select: Select<apprenticeship::Entity>,
    ) -> Select<apprenticeship::Entity> {
        use apprenticeship::Column;
        match filters.active_on {
            Some(day) => select.filter(Column::StartDate.lte(day)).filter(
                Condition::any()
                    .add(Column::EndDate.is_null())
                    .add(Column::EndDate.gte(day)),
            ),
            None => select,
        }
    }

    /// A new placement's history starts with its creation (`from: null`, `to: draft`).
    fn new_rows(record: &Apprenticeship, actor: &Actor, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add([history_row(
            actor,
            record.id,
            None,
            record.fields.status,
            &Why::default(),
        )]);
        Ok(())
    }

    /// A placement moved to another school or enterprise takes its visits,
    /// incidents, check-ins and journals with it. Its participant's resident
    /// ID stays as it is once the participant has checked in or written a
    /// journal (409): those are that person's, and a participant reads them
    /// through the placement's resident ID.
    async fn sync(
        db: &DatabaseTransaction,
        _actor: &Actor,
        before: &Apprenticeship,
        after: &Apprenticeship,
    ) -> Result<(), ApiError> {
        if before.fields.participant.national_id != after.fields.participant.national_id
            && participant_wrote(db, after.id).await?
        {
            return Err(ApiError::Conflict {
                detail: "the participant has checked in or written journals on this placement: \
                         its resident ID stays (end the placement and enter the right person's)"
                    .into(),
                errors: vec![FieldError::new(
                    "participant.national_id",
                    "state",
                    "fixed once its participant has checked in or written a journal",
                )],
            });
        }
        let owners = |a: &Apprenticeship| (a.fields.school_id, a.fields.enterprise_id);
        if owners(before) != owners(after) {
            follow_placement(
                db,
                after.id,
                after.fields.school_id,
                after.fields.enterprise_id,
                after.updated_at,
            )
            .await?;
        }
        Ok(())
    }

    /// Only a draft or cancelled placement can be deleted (409 otherwise);
    /// one that visits or incidents name is kept too (409, by their keys).
    fn check_delete(record: &Apprenticeship) -> Result<(), ApiError> {
        match record.fields.status {
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

    /// The participant's resident ID and phone masked unless the caller
    /// sees personal data ([`sees_personal_data`]).
    fn shown(mut record: Apprenticeship, caller: &Principal) -> Apprenticeship {
        let fields = &record.fields;
        if !sees_personal_data(caller, fields.school_id, fields.participant.national_id.as_ref()) {
            let participant = &mut record.fields.participant;
            participant.national_id = participant.national_id.as_ref().map(|id| id.masked());
            participant.phone = participant.phone.as_ref().map(|phone| phone.masked());
        }
        record
    }

    /// Pages are kept in the page cache (per role and organisation, since
    /// masking depends on them); when only `status` and `kind` narrow an
    /// unscoped list (or nothing does), its total is the kept tally, not a
    /// count over every matching row.
    async fn read_page(
        db: &Database,
        caller: &Principal,
        filters: &ApprenticeshipFilters,
        scope: Scope,
        select: Select<apprenticeship::Entity>,
        request: &ListRequest<ApprenticeshipSort>,
    ) -> Result<Arc<SharedPage<Apprenticeship>>, ApiError> {
        let others = ApprenticeshipFilters {
            status: None,
            kind: None,
            active_on: None,
            ..filters.clone()
        };
        let tallied = scope == Scope::All
            && others.filters().is_empty()
            && filters.active_on.is_none()
            && request.q.is_none()
            && request.updated_since.is_none();
        // The counter first: what is read after it is at least as new.
        let changes = table_changes(db.read(), "apprenticeships").await?;
        let key = format!(
            "{:?}\u{0}{:?}\u{0}{:?}\u{0}{}",
            caller.role,
            caller.org,
            caller.participant,
            page_key(db.backend(), &select, request)
        );
        let (status, kind) = (filters.status, filters.kind);
        cached_page(db, key, changes, request, || async {
            let total = match (tallied && request.with_total, status, kind) {
                (true, None, None) => Some(counted_rows(db.read(), "apprenticeships").await?),
                (true, _, _) => Some(super::stats::tallied_placements(db.read(), status, kind).await?),
                (false, _, _) => None,
            };
            let page = fetch_page_of(db.read(), select, request, total).await?;
            Ok(page.map(|row| Self::shown(record_of(&row), caller)))
        })
        .await
    }
}

/// Whether the caller sees a participant's resident ID and phone whole: only
/// those who may change the placement (an admin, the owning school), and the
/// participant whose resident ID is `national_id` (a resident ID is kept
/// upper-cased, as a participant's key is).
pub(crate) fn sees_personal_data(
    caller: &Principal,
    school_id: Option<Uuid>,
    national_id: Option<&ResidentId>,
) -> bool {
    let themself = national_id.is_some_and(|id| caller.participant.as_deref() == Some(id.as_str()));
    themself
        || APPRENTICESHIPS.scope(caller, Access::Update).is_ok_and(|scope| {
            APPRENTICESHIPS
                .check_in(scope, |column| if column == "school_id" { school_id } else { None })
                .is_ok()
        })
}

/// Why a move was made: the reason given (none when it is blank) and its code.
#[derive(Debug, Clone, Default, Serialize)]
struct Why {
    #[serde(skip)]
    reason: Option<String>,
    reason_code: Option<ReasonCode>,
}

impl Why {
    fn new(reason: Option<&str>, reason_code: Option<ReasonCode>) -> Self {
        Why {
            reason: reason.map(str::to_string),
            reason_code,
        }
    }

    /// What `m` needs of the reason and its code (422 naming each fault):
    /// a reason for the moves that need one; a code for those that need
    /// one, and none for those that take none.
    fn errors(&self, m: Move) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if m.needs_reason && self.reason.is_none() {
            errors.push(FieldError::new("reason", "required", "this move needs a reason"));
        }
        match (m.coded, self.reason_code) {
            (Coded::No, Some(_)) => errors.push(FieldError::new(
                "reason_code",
                "invalid",
                "only returns, suspensions, terminations, cancellations and transfers take a reason code",
            )),
            (Coded::Must, None) => errors.push(FieldError::new(
                "reason_code",
                "required",
                "this move needs a reason code",
            )),
            _ => {}
        }
        errors
    }
}

/// A record as a move's audit row compares it: with the move's reason
/// code after the move (none before), so that `changes` carries it.
#[derive(Serialize)]
struct Moved<'a> {
    #[serde(flatten)]
    record: &'a Apprenticeship,
    #[serde(flatten)]
    why: Why,
}

/// Records a move (`transition`, `transfer`) of a placement from `before`
/// to `after`: the fields that changed and the move's `reason_code`.
async fn record_move(
    txn: &DatabaseTransaction,
    actor: &Actor,
    action: Action,
    before: &Apprenticeship,
    after: &Apprenticeship,
    why: &Why,
) -> Result<(), ApiError> {
    let before = Moved {
        record: before,
        why: Why::default(),
    };
    let after = Moved {
        record: after,
        why: why.clone(),
    };
    audit::record_change(
        txn,
        actor,
        action,
        ResourceType::Apprenticeship,
        after.record.id,
        Some(&before),
        Some(&after),
    )
    .await
}

/// A row of a placement's history: a move from `from` (none at its creation) to `to`.
fn history_row(
    actor: &Actor,
    apprenticeship_id: Uuid,
    from: Option<ApprenticeshipStatus>,
    to: ApprenticeshipStatus,
    why: &Why,
) -> apprenticeship_history::ActiveModel {
    apprenticeship_history::ActiveModel::from(apprenticeship_history::Model {
        id: Uuid::now_v7(),
        apprenticeship_id,
        from_status: from,
        to_status: to,
        reason: why.reason.clone(),
        reason_code: why.reason_code,
        actor_user_id: actor.user_id,
        actor_username: actor.username.clone(),
        at: now(),
    })
    .reset_all()
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::School => "the owning school's",
        Side::Enterprise => "the host enterprise's",
        Side::Either => "either side's",
    }
}

/// The 422s of a student placement's missing papers: the tripartite
/// agreement and the internship liability insurance, each named with what
/// `needs` them.
fn paperwork_errors(has_agreement: bool, has_insurance: bool, needs: &str, errors: &mut Vec<FieldError>) {
    if !has_agreement {
        errors.push(FieldError::new(
            "agreement_signed_on",
            "required",
            format!("{needs} the tripartite agreement"),
        ));
    }
    if !has_insurance {
        errors.push(FieldError::new(
            "insurance_policy_no",
            "required",
            format!("{needs} the internship liability insurance"),
        ));
    }
}

/// What a move needs (422 naming each fault): a reason to return,
/// terminate or cancel; a reason code to terminate, and none but on a
/// return, a suspension, a termination or a cancellation; for a student
/// placement to become `active`, the tripartite agreement, the insurance
/// and an age of at least 16 on `start_date` (from `birth_date`, else from
/// the resident ID).
fn check_move_data(
    row: &ApprenticeshipFields,
    request: &TransitionRequest,
    found: Move,
    why: &Why,
) -> Result<(), ApiError> {
    let mut errors = why.errors(found);
    if request.to == ApprenticeshipStatus::Active && row.kind.is_student() {
        paperwork_errors(
            row.agreement_signed_on.is_some(),
            row.insurance_policy_no.is_some(),
            "a student placement becomes active only with",
            &mut errors,
        );
        let participant = &row.participant;
        let birth = participant.born_on();
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
    let before =
        record_of::<ApprenticeshipFields>(&resource::row_read_locked::<ApprenticeshipFields>(&txn, caller, id).await?);
    check_precondition(precondition.as_ref(), before.version)?;
    let row = &before.fields;
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
    let why = Why::new(request.reason(), request.reason_code);
    check_move_data(row, &request, found, &why)?;
    let fields = ApprenticeshipFields {
        status: found.to,
        ..row.clone()
    };
    let after = before.clone().with_fields(fields).touched(now());
    let actor = caller.actor();
    resource::save_changed(&txn, &actor, &before, &after).await?;
    super::insert_only(&txn, history_row(&actor, id, Some(found.from), found.to, &why)).await?;
    record_move(&txn, &actor, Action::Transition, &before, &after, &why).await?;
    txn.commit().await?;
    Ok(ApprenticeshipFields::shown(after, caller))
}

/// Transfers a placement to another host enterprise, in the order of
/// checks of a transition: the role's right to change placements (403, or
/// 404 for a placement the caller does not read), a placement it reads but
/// may not change (403), a stale `If-Match` (412), a placement neither
/// `active` nor `suspended` (409), then the body (400, 422). In one
/// transaction, under the old row's lock (of two racing transfers one
/// wins, the other finds it `transferred`: 409): the new `active`
/// placement with its history row and its `create` audit row, and the old
/// one `transferred` (its `end_date` the day before `on`, `transferred_to`
/// the new one) with its history row and its `transfer` audit row.
/// Returns the new placement.
pub async fn transfer(
    db: &Database,
    caller: &Principal,
    id: Uuid,
    precondition: Option<Precondition>,
    body: &[u8],
) -> Result<Apprenticeship, ApiError> {
    let scope = resource::scope_for::<ApprenticeshipFields>(db, caller, id, Access::Update).await?;
    let txn = db.begin().await?;
    let before = record_of::<ApprenticeshipFields>(
        &resource::row_to_change::<ApprenticeshipFields>(&txn, caller, id, scope).await?,
    );
    // The body's shape (types, formats, codes) is checked before `If-Match`:
    // a request that could never succeed is a 422 whatever version it names.
    let request: TransferRequest = decode(&parse_body(body)?)?;
    check_precondition(precondition.as_ref(), before.version)?;
    let old = &before.fields;
    let Some(found) = find_transfer(old.status) else {
        return Err(ApiError::Conflict {
            detail: format!(
                "only an active or suspended placement can be transferred; this one is `{}`",
                old.status.as_str()
            ),
            errors: Vec::new(),
        });
    };
    let why = Why::new(request.reason(), Some(request.reason_code));
    check_transfer(old, &request, found, &why)?;
    let on = request.on;
    let fields = ApprenticeshipFields {
        enterprise_id: request.enterprise_id,
        demand_id: request.demand_id,
        base_id: request.base_id.or(old.base_id),
        position: request.position.or_else(|| old.position.clone()),
        site: request.site.or_else(|| old.site.clone()),
        enterprise_mentor: request.enterprise_mentor.or_else(|| old.enterprise_mentor.clone()),
        monthly_stipend_fen: request.monthly_stipend_fen.or(old.monthly_stipend_fen),
        hours_per_week: request.hours_per_week.or(old.hours_per_week),
        night_shift: request.night_shift.unwrap_or(old.night_shift),
        hazardous: request.hazardous.unwrap_or(old.hazardous),
        insurance_expires_on: request.insurance_expires_on.or(old.insurance_expires_on),
        agreement_signed_on: request.agreement_signed_on.or(old.agreement_signed_on),
        insurance_policy_no: request.insurance_policy_no.or_else(|| old.insurance_policy_no.clone()),
        start_date: on,
        status: ApprenticeshipStatus::Active,
        evaluations: Evaluations::default(),
        transferred_from: Some(id),
        transferred_to: None,
        ..old.clone()
    };
    fields.check()?;
    fields.check_references(&txn).await?;
    let at = now();
    let new = Apprenticeship::new(Meta::new(at), fields);
    let ended = ApprenticeshipFields {
        status: found.to,
        // `on` is after `start_date`: the day before is a date of the placement.
        end_date: Some(on.pred_opt().and_then(Date::new).unwrap_or(old.start_date)),
        transferred_to: Some(new.id),
        ..old.clone()
    };
    let after = before.clone().with_fields(ended).touched(at);
    let actor = caller.actor();
    let mut rows = Inserts::new();
    resource::new_rows_with(&actor, &new, &mut rows, |record, actor, rows| {
        rows.add([history_row(actor, record.id, None, record.fields.status, &why)]);
        Ok(())
    })?;
    rows.execute(&txn).await.map_err(|e| ApiError::from_db(e, &[]))?;
    resource::save_changed(&txn, &actor, &before, &after).await?;
    super::insert_only(&txn, history_row(&actor, id, Some(found.from), found.to, &why)).await?;
    record_move(&txn, &actor, Action::Transfer, &before, &after, &why).await?;
    txn.commit().await?;
    Ok(ApprenticeshipFields::shown(new, caller))
}

/// What a transfer needs of its body (422 naming each fault): a reason
/// that is not blank; `on` after the placement's `start_date`, not after
/// its `end_date` nor after today; another host than the current one; for
/// a student placement, the agreement and the insurance with the new host.
fn check_transfer(
    old: &ApprenticeshipFields,
    request: &TransferRequest,
    found: Move,
    why: &Why,
) -> Result<(), ApiError> {
    let mut errors = why.errors(found);
    let on = request.on;
    let too_late = old.end_date.is_some_and(|end| on > end);
    if on <= old.start_date || too_late || on.naive() > clock::today() {
        errors.push(FieldError::new(
            "on",
            "range",
            "must be after start_date, not after end_date and not after today",
        ));
    }
    if request.enterprise_id == old.enterprise_id {
        errors.push(FieldError::new(
            "enterprise_id",
            "invalid",
            "is the current host: a transfer moves to another enterprise",
        ));
    }
    if old.kind.is_student() {
        paperwork_errors(
            request.agreement_signed_on.is_some(),
            request.insurance_policy_no.is_some(),
            "a student's transfer needs, with the new host,",
            &mut errors,
        );
    }
    store::invalid_unless_empty(errors)
}

/// A placement's history, oldest first, its creation included.
pub async fn history(db: &Database, caller: &Principal, id: Uuid) -> Result<History, ApiError> {
    resource::get::<ApprenticeshipFields>(db, caller, id).await?;
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
            reason_code: row.reason_code,
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
    let before =
        record_of::<ApprenticeshipFields>(&resource::row_read_locked::<ApprenticeshipFields>(&txn, caller, id).await?);
    let row = &before.fields;
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
    let mut evaluations = row.evaluations.as_slice().to_vec();
    evaluations.push(evaluation.clone());
    let fields = ApprenticeshipFields {
        evaluations: Evaluations::from_stored(evaluations),
        ..row.clone()
    };
    let after = before.clone().with_fields(fields).touched(now());
    let actor = caller.actor();
    resource::save_changed(&txn, &actor, &before, &after).await?;
    audit::record_change(
        &txn,
        &actor,
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

/// Whether placement `id`'s participant has checked in or written a journal on it.
async fn participant_wrote(db: &DatabaseTransaction, id: Uuid) -> Result<bool, ApiError> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let check_ins = crate::entity::check_in::Entity::find()
        .filter(crate::entity::check_in::Column::ApprenticeshipId.eq(id))
        .count(db)
        .await?;
    if check_ins > 0 {
        return Ok(true);
    }
    let journals = crate::entity::journal::Entity::find()
        .filter(crate::entity::journal::Column::ApprenticeshipId.eq(id))
        .count(db)
        .await?;
    Ok(journals > 0)
}
