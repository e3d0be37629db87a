//! `/api/v1/webhooks`: the change feed pushed to integrators (admin only).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::body::JsonBody;
use super::conditional::{created, IfMatch, IfNoneMatch};
use super::crud::{self, Call, ListParams, ListQuery, CREATE_TEXT, DELETE_TEXT, GET_TEXT};
use super::query::Query;
use crate::auth::policy::{Access, WEBHOOKS};
use crate::error::{ApiError, Problem};
use crate::model::list::{ListRequest, PageOf, PageQuery, Sort};
use crate::model::webhook::{
    Delivery, DeliveryFilters, DeliverySort, Webhook, WebhookCreate, WebhookCreated, WebhookFields, WebhookPatch,
    WebhookSecret,
};
use crate::service::webhooks;

/// Registers the collection's routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        crud::scope::<WebhookFields>()
            .service(list_webhooks)
            .service(create_webhook)
            .service(rotate_secret)
            .service(list_deliveries)
            .service(get_webhook)
            .service(update_webhook)
            .service(delete_webhook),
    );
}

/// List webhooks.
///
/// Admins only. `q` searches the URL and description. A webhook's secret is never listed.
#[utoipa::path(tag = "webhooks", params(ListParams<WebhookFields>),
    responses((status = 200, description = "One page of webhooks", body = PageOf<Webhook>)))]
#[get("")]
pub async fn list_webhooks(call: Call, query: ListQuery<WebhookFields>) -> Result<HttpResponse, ApiError> {
    crud::list(call, query).await
}

/// Create a webhook (admin). The answer carries its signing `secret`, shown this once; every change of the feed committed from now on whose event it takes is delivered to its `url`.
#[utoipa::path(tag = "webhooks", description = CREATE_TEXT, request_body = WebhookCreate,
    responses(
        (status = 201, description = "Created; `Location` names the new record", body = WebhookCreated,
            headers(("Location" = String, description = "The new record's path"), ("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "A conflict with the stored webhook", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("")]
pub async fn create_webhook(call: Call, body: JsonBody) -> Result<HttpResponse, ApiError> {
    let record = webhooks::create(&call.state.db, &call.caller, body.bytes()).await?;
    let mut response = created("webhooks", record.id, record.version).json(record);
    crate::api::idempotency::shown_once::<WebhookCreated>(&mut response);
    Ok(response)
}

/// Read a webhook (without its secret).
#[utoipa::path(tag = "webhooks", description = GET_TEXT, params(("id" = Uuid, Path, description = "The webhook's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The webhook", body = Webhook, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 304, description = "Not modified since the ETag in If-None-Match"),
    ))]
#[get("/{id}")]
pub async fn get_webhook(
    call: Call,
    id: web::Path<Uuid>,
    if_none_match: IfNoneMatch,
) -> Result<HttpResponse, ApiError> {
    crud::get::<WebhookFields>(call, *id, if_none_match).await
}

/// Change a webhook (JSON merge patch).
///
/// A new `url` is used from the next attempt on, pending deliveries included. Turned off (`active: false`), it is sent nothing; turned on again, it takes the changes committed from then on (what changed meanwhile is not delivered). `version` grows only when something changed.
#[utoipa::path(tag = "webhooks", params(("id" = Uuid, Path, description = "The webhook's id"), IfMatch),
    request_body(content((WebhookPatch = "application/merge-patch+json"), (WebhookPatch = "application/json"))),
    responses(
        (status = 200, description = "The changed record", body = Webhook, headers(("ETag" = String, description = "The version in double quotes, e.g. `\"3\"`; send it back in If-Match or If-None-Match"))),
        (status = 409, description = "A conflict with the stored webhook", body = Problem, content_type = "application/problem+json"),
    ))]
#[patch("/{id}")]
pub async fn update_webhook(
    call: Call,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    crud::update::<WebhookFields>(call, *id, if_match, body).await
}

/// Delete a webhook, with its secret and delivery log.
#[utoipa::path(tag = "webhooks", description = DELETE_TEXT, params(("id" = Uuid, Path, description = "The webhook's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records still reference it", body = Problem, content_type = "application/problem+json"),
    ))]
#[delete("/{id}")]
pub async fn delete_webhook(call: Call, id: web::Path<Uuid>, if_match: IfMatch) -> Result<HttpResponse, ApiError> {
    crud::delete::<WebhookFields>(call, *id, if_match).await
}

/// Give a webhook a new signing secret.
///
/// The answer shows the new secret, this once (an `Idempotency-Key` replay
/// leaves it out); deliveries are signed with it from now on. The secret it replaces signs beside it for 24 hours (a
/// second `v1=` in `Chanjiao-Signature`), so that receivers can switch over;
/// a secret replaced before then stops signing at once. Audited, without
/// either secret.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id")),
    responses((status = 200, description = "The new secret", body = WebhookSecret))
)]
#[post("/{id}/secret")]
pub async fn rotate_secret(call: Call, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    WEBHOOKS.scope(&call.caller, Access::Update)?;
    let secret = webhooks::rotate_secret(&call.state.db, &call.caller.actor(), *id).await?;
    let mut response = HttpResponse::Ok().json(secret);
    crate::api::idempotency::shown_once::<WebhookSecret>(&mut response);
    Ok(response)
}

/// A webhook's delivery log, newest first.
///
/// One item per change queued for the webhook: its `event_id` (the
/// `Chanjiao-Event-Id` of every attempt), the change, `status` (`pending`,
/// `delivered`, `failed`), `attempts`, the receiver's `last_status_code` or
/// the `last_error` of an attempt that got no answer, and `next_attempt_at`
/// while pending. A delivery without a 2xx is retried after about a minute,
/// then at doubling intervals up to an hour apart, for 24 hours; then it is
/// `failed`.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The webhook's id"), PageQuery, DeliveryFilters),
    responses((status = 200, description = "One page of the delivery log", body = PageOf<Delivery>))
)]
#[get("/{id}/deliveries")]
pub async fn list_deliveries(
    call: Call,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
    filters: Query<DeliveryFilters>,
) -> Result<HttpResponse, ApiError> {
    WEBHOOKS.scope(&call.caller, Access::Read)?;
    let request = ListRequest::new(&page, None, Sort::<DeliverySort>::default(), &(*id, &*filters))?;
    Ok(HttpResponse::Ok().json(webhooks::deliveries(&call.state.db, *id, &filters, &request).await?))
}
