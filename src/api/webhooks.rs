//! `/api/v1/webhooks`: the change feed pushed to integrators (admin only).

use crate::model::webhook::{
    Delivery, DeliveryFilters, DeliverySort, Webhook, WebhookCreate, WebhookCreated, WebhookFields, WebhookFilters,
    WebhookPatch, WebhookSecret, WebhookSort,
};

crate::crud_api! {
    collection: "webhooks",
    tag: "webhooks",
    resource: crate::domain::vocab::ResourceType::Webhook,
    policy: crate::auth::policy::webhooks,
    service: crate::service::webhooks,
    types: { record: Webhook, created: WebhookCreated, create: WebhookCreate, patch: WebhookPatch, fields: WebhookFields, filters: WebhookFilters, sort: WebhookSort },
    handlers: { list: list_webhooks, create: create_webhook, get: get_webhook, update: update_webhook, delete: delete_webhook },
    more: [rotate_secret, list_deliveries],
    docs: {
        list: "List webhooks.",
        list_detail: "Admins only. `q` searches the URL and description. A webhook's secret is never listed.",
        page: "One page of webhooks",
        create: "Create a webhook (admin). The answer carries its signing `secret`, shown this once; every change of the feed committed from now on whose event it takes is delivered to its `url`.",
        get: "Read a webhook (without its secret).",
        one: "The webhook",
        update: "Change a webhook (JSON merge patch).",
        update_detail: "A new `url` is used from the next attempt on, pending deliveries included. Turned off (`active: false`), it is sent nothing; turned on again, it takes the changes committed from then on (what changed meanwhile is not delivered). `version` grows only when something changed.",
        delete: "Delete a webhook, with its secret and delivery log.",
        id: "The webhook's id",
        conflict: "A conflict with the stored webhook",
    }
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
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crate::auth::policy::webhooks(&caller, Access::Update, Some(id))?;
    let secret = crate::service::webhooks::rotate_secret(&state.db, &caller.actor(), id).await?;
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
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
    filters: Query<DeliveryFilters>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    crate::auth::policy::webhooks(&caller, Access::Read, Some(id))?;
    let sort: crate::model::list::Sort<DeliverySort> = Default::default();
    let request = ListRequest::new(&page, None, sort, &(id, &*filters))?;
    Ok(HttpResponse::Ok().json(crate::service::webhooks::deliveries(&state.db, id, &filters, &request).await?))
}
