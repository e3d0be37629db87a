//! `/api/v1/apprenticeships`: placements, their transitions, history and evaluations.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::collection::{collection, imports, Docs};
use super::conditional::{created, with_etag, IfMatch};
use super::crud::{self, Call};
use crate::auth::policy;
use crate::error::{ApiError, Problem};
use crate::model::apprenticeship::{
    Apprenticeship, ApprenticeshipFields, Evaluation, EvaluationCreate, History, TransferRequest, TransitionRequest,
};
use crate::model::resource::Resource;
use crate::model::user::{ParticipantAccount, User, UserFields};
use crate::service::apprenticeships as service;
use crate::service::resource;
use crate::service::users;

/// The collection's texts in the document.
const DOCS: Docs = Docs {
    tag: "apprenticeships",
    singular: "apprenticeship",
    list: "List placements.",
    list_detail: "A school user sees its own school's placements, an enterprise user those it hosts, an officer all (personal data masked); a viewer none (403). Filters combine with AND; `q` searches the participant's name and the program.",
    page: "One page of placements",
    create: "Create a placement (it starts as `draft`). A school user creates its own school's only (403 naming `school_id`).",
    get: "Read a placement.",
    one: "The placement; `participant.national_id` and `participant.phone` are masked for all but admins and the owning school",
    update: "Change a placement (JSON merge patch).",
    update_detail: "`status`, `evaluations`, `transferred_from` and `transferred_to` are read-only here (422). Admins and the owning school change placements; another organisation's placement is a 404.",
    delete: "Delete a placement: only in `draft` or `cancelled` (409 otherwise).",
    id: "The placement's id",
    conflict: "The placement is not in a state that allows this",
};

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    let (records, record) = collection::<ApprenticeshipFields>(&DOCS);
    cfg.service(
        crud::scope::<ApprenticeshipFields>()
            .service(records)
            // Before `/{id}`, which would take `/imports` for an id.
            .service(imports::<ApprenticeshipFields>(&DOCS))
            .service(transition_apprenticeship)
            .service(transfer_apprenticeship)
            .service(create_participant_account)
            .service(apprenticeship_history)
            .service(evaluate_apprenticeship)
            .service(super::check_ins::create_check_in)
            .service(super::check_ins::list_check_ins)
            .service(super::journals::create_journal)
            .service(super::journals::list_placement_journals)
            .service(record),
    );
}

/// Move a placement's status.
///
/// `draft→submitted` and cancelling (`draft`/`submitted→cancelled`) and
/// `active→completed` are the owning school's moves; `submitted→active`
/// (accept) and `submitted→draft` (return) the host enterprise's; suspend,
/// resume and terminate either side's (for a placement without a school the
/// host enterprise makes the school's moves; an admin makes every move).
/// Returning, terminating and cancelling need a `reason`; returning,
/// suspending, terminating and cancelling take a `reason_code`, and
/// terminating needs one (another move with one is a 422). A student
/// placement becomes `active` only with `agreement_signed_on`,
/// `insurance_policy_no` and the participant 16 or older on `start_date`.
/// Checks, in order: a role with no moves (officer, viewer) 403; a
/// placement you may not see 404; a stale `If-Match` 412; no such move from
/// the current status 409; the other side's move 403; the move's data 422.
#[utoipa::path(
    tag = "apprenticeships",
    params(("id" = Uuid, Path, description = "The placement's id"), IfMatch),
    request_body(content = TransitionRequest, example = json!({"to": "active"})),
    responses(
        (status = 200, description = "The placement in its new status", body = Apprenticeship, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "No such move from the current status", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/transitions")]
pub async fn transition_apprenticeship(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if let Err(refusal) = policy::makes_moves(&caller) {
        return Err(resource::refused::<ApprenticeshipFields>(&state.db, &caller, id, refusal).await);
    }
    let request: TransitionRequest = body.decode()?;
    let record = service::transition(&state.db, &caller, id, if_match.0, request).await?;
    Ok(with_etag(HttpResponse::Ok(), record.version).json(record))
}

/// Transfer a placement to another host enterprise.
///
/// A participant who moves to another enterprise keeps one story in two
/// records: the placement at the old host ends as `transferred`, and a new
/// placement at the new host begins, linked both ways. The answer is the new
/// placement: `active`, `start_date` = `on`, `transferred_from` = this
/// placement's id, every other field copied from this one but `demand_id`
/// (a demand of the old host) and the evaluations, and but the fields the body
/// gives. A student placement needs a new `agreement_signed_on` and
/// `insurance_policy_no` (an agreement and an insurance are with one host).
/// In the same transaction this placement becomes `transferred`, its
/// `end_date` the day before `on`, `transferred_to` the new id, its version
/// one more; each gets a history row with the reason and its code (`to:
/// "transferred"` here, `from: null, to: "active"` on the new one). The old
/// host keeps reading this placement; only the new host reads the new one.
/// By an admin or the owning school. Checks, in order: a role that changes no
/// placements (officer, viewer, enterprise) 403; a placement you may not see
/// 404; a body that breaks its schema (a malformed id or date, an unknown
/// field or code) 422; a stale `If-Match` (this placement's ETag) 412; a
/// placement neither `active` nor `suspended` 409 (of two transfers at once,
/// one is a 409); the body's rules 422.
#[utoipa::path(
    tag = "apprenticeships",
    params(("id" = Uuid, Path, description = "The placement's id"), IfMatch),
    request_body(content = TransferRequest),
    responses(
        (status = 201, description = "The new placement at the new host", body = Apprenticeship, headers(
            ("ETag" = String, description = "The new placement's version in double quotes, `\"1\"`"),
            ("Location" = String, description = "The new placement's address"),
        )),
        (status = 409, description = "The placement is neither active nor suspended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/transfer")]
pub async fn transfer_apprenticeship(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let record = service::transfer(&state.db, &caller, id.into_inner(), if_match.0, body.bytes()).await?;
    Ok(created(ApprenticeshipFields::COLLECTION, record.id, record.version).json(record))
}

/// Give the placement's participant an account.
///
/// A login of role `participant` for the placement's resident ID
/// (`participant_national_id` = its `participant.national_id`), with
/// `must_change_password: true`: until the participant changes the password
/// (`POST /auth/password`) every operation but `GET /auth/me` answers 403
/// `password-change-required`. One person has one account: every placement
/// with that resident ID is theirs, whatever the school or host. By an admin
/// or the owning school. Checks, in order: a role that changes no placements
/// (officer, enterprise, viewer, participant) 403; a placement you may not
/// see 404; the body 422; a placement without `participant.national_id`
/// 422; an account for that resident ID already 409 (naming it); a taken
/// `username` 409.
#[utoipa::path(
    tag = "apprenticeships",
    params(("id" = Uuid, Path, description = "The placement's id")),
    request_body(content = ParticipantAccount, example = json!({"username": "li.ming.2024", "password": "a first passphrase 2024"})),
    responses(
        (status = 201, description = "The participant's new account", body = User, headers(
            ("ETag" = String, description = "The account's version in double quotes, `\"1\"`"),
            ("Location" = String, description = "The account's address (`/api/v1/users/{id}`, an admin's)"),
        )),
        (status = 409, description = "The participant has an account already, or the username is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/participant-account")]
pub async fn create_participant_account(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let user = users::create_participant_account(&state.db, &caller, id.into_inner(), body.bytes()).await?;
    Ok(created(UserFields::COLLECTION, user.id, user.version).json(user))
}

/// A placement's history: every transition, oldest first, its creation included.
///
/// Each entry names the status before and after, who made the change and
/// when, and the reason and reason code given (a transfer's on both
/// placements: `to: "transferred"` on the old one, `from: null, to:
/// "active"` on the new one); read by whoever may read the placement.
#[utoipa::path(
    tag = "apprenticeships",
    params(("id" = Uuid, Path, description = "The placement's id")),
    responses((status = 200, description = "The history", body = History))
)]
#[get("/{id}/history")]
pub async fn apprenticeship_history(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    resource::may_read::<ApprenticeshipFields>(&caller)?;
    Ok(HttpResponse::Ok().json(service::history(&state.db, &caller, id.into_inner()).await?))
}

/// Evaluate a placement: once per side, while `active` or once `completed`.
///
/// A school user evaluates for the school side, an enterprise user for the
/// enterprise side; an admin names `by`. A second evaluation from one side,
/// or one in another status, is a 409. The placement's `version` grows.
#[utoipa::path(
    tag = "apprenticeships",
    params(("id" = Uuid, Path, description = "The placement's id")),
    request_body(content = EvaluationCreate, example = json!({"score": 92, "comment": "焊接操作规范，安全意识强"})),
    responses(
        (status = 201, description = "The evaluation", body = Evaluation),
        (status = 409, description = "Not active or completed, or this side has evaluated already", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{id}/evaluations")]
pub async fn evaluate_apprenticeship(
    Call { state, caller }: Call,
    id: web::Path<Uuid>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if let Err(refusal) = policy::evaluates(&caller) {
        return Err(resource::refused::<ApprenticeshipFields>(&state.db, &caller, id, refusal).await);
    }
    let input: EvaluationCreate = body.decode()?;
    let evaluation = service::evaluate(&state.db, &caller, id, input).await?;
    Ok(HttpResponse::Created().json(evaluation))
}
