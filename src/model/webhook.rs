//! Webhooks: the change feed pushed to an integrator's URL, signed.

use chanjiao_derive::{Fields, Filters, SortKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::change::Change;
use super::field::{EventName, Flag, List, PlainText, WebhookUrl};
use super::record::ShownOnce;
use super::resource::{Create, Patch, Record, Resource};
use crate::domain::vocab::{ChangeAction, DeliveryStatus, FeedType, ResourceType};

/// The events a webhook takes: 1–25 of `<resource_type>.<action>` or `*`.
pub type Events = List<EventName, 25, true, 1>;

/// A webhook as every answer but its creation shows it.
pub type Webhook = Record<WebhookFields>;
/// The body that creates a webhook.
pub type WebhookCreate = Create<WebhookFields>;
/// The body that changes a webhook, for the document.
pub type WebhookPatch = Patch<WebhookFields>;

/// A webhook: every change of the feed (`GET /changes`) whose event it
/// takes is POSTed to its `url`, signed with its secret. The secret is
/// shown only when it is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct WebhookFields {
    /// Where deliveries are POSTed: an `http` or `https` URL (at most 500
    /// characters, no user name or password, no `#fragment`). Only public
    /// addresses are delivered to, unless `CHANJIAO_WEBHOOK_ALLOW` lists the
    /// host or its network: a literal private, loopback or link-local
    /// address is refused here (422), a name is checked when it is resolved.
    #[field(label = "地址", example = "https://tongji.jyj.example.cn/chanjiao/events")]
    pub url: WebhookUrl,
    /// The events it takes, 1–25: `<resource_type>.<action>` of the feed
    /// (`apprenticeship.update`; a transition or an evaluation is an
    /// `update`), or `*` for every change.
    #[field(label = "事件", example = ["apprenticeship.create", "apprenticeship.update", "apprenticeship.delete"])]
    pub events: Events,
    /// What it is for, at most 500 characters.
    #[field(label = "说明", example = "县教体局统计系统: placements")]
    pub description: Option<PlainText>,
    /// Deliveries are made only while it is active (default `true`). Changes
    /// made while it is inactive are not delivered later.
    #[field(label = "启用")]
    #[serde(default)]
    pub active: Flag<true>,
}

impl Resource for WebhookFields {
    const NAME: &'static str = "Webhook";
    const COLLECTION: &'static str = "webhooks";
    const TYPE: ResourceType = ResourceType::Webhook;
    const CREATE_DOC: &'static str = "A new webhook. The answer carries its signing `secret`, shown this once.";
    const PATCH_DOC: &'static str = "Changes to a webhook, as a JSON merge patch.";
    type Sort = WebhookSort;
    type Filters = WebhookFilters;

    fn create_examples() -> Vec<serde_json::Value> {
        vec![serde_json::json!({
        "url": "https://tongji.jyj.example.cn/chanjiao/events",
        "events": ["apprenticeship.create", "apprenticeship.update", "apprenticeship.delete"],
        "description": "县教体局统计系统: placements"})]
    }

    fn patch_example() -> Option<serde_json::Value> {
        Some(serde_json::json!({"active": false}))
    }
}

/// A new webhook, with its signing secret: the only answer that shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "01937b6e-3d2a-7f00-8c1b-5a3f2e1d0c9b",
    "url": "https://tongji.jyj.example.cn/chanjiao/events",
    "events": ["apprenticeship.create", "apprenticeship.update", "apprenticeship.delete"],
    "description": "县教体局统计系统: placements", "active": true, "version": 1,
    "created_at": "2024-04-03T08:00:00Z", "updated_at": "2024-04-03T08:00:00Z",
    "secret": "whsec_3q2-7w8AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"}))]
pub struct WebhookCreated {
    /// The webhook.
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret: the key of the HMAC-SHA256 in `Chanjiao-Signature`
    /// (its UTF-8 bytes, `whsec_` included). Shown only now; keep it safe. An
    /// `Idempotency-Key` replay of this answer leaves it out: if you lost it,
    /// make a new one (`POST /webhooks/{id}/secret`).
    #[schema(required = false)]
    pub secret: String,
}

impl ShownOnce for WebhookCreated {
    const FIELDS: &'static [&'static str] = &["secret"];
}

impl ShownOnce for WebhookSecret {
    const FIELDS: &'static [&'static str] = &["secret"];
}

impl std::ops::Deref for WebhookCreated {
    type Target = Webhook;
    fn deref(&self) -> &Webhook {
        &self.webhook
    }
}

/// A webhook's new signing secret.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "secret": "whsec_9z8y7x6w5v4u3t2s1r0qPoNmLkJiHgFeDcBa_9876543",
    "previous_secret_expires_at": "2024-04-04T08:00:00Z"}))]
pub struct WebhookSecret {
    /// The new secret, shown only now (an `Idempotency-Key` replay leaves it
    /// out). Deliveries are signed with it from now on.
    #[schema(required = false)]
    pub secret: String,
    /// Until then the secret before it signs every delivery too (a second
    /// `v1=` in `Chanjiao-Signature`), so that receivers can switch over;
    /// 24 hours from now.
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// The fields the webhook list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "webhooks", default = CreatedAt)]
pub enum WebhookSort {
    /// `created_at`
    CreatedAt,
    /// `updated_at`
    UpdatedAt,
}

/// Filters of the webhook list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct WebhookFilters {
    /// Only active (`true`) or inactive (`false`) webhooks.
    pub active: Option<bool>,
}

/// One delivery of one change to one webhook, as its log shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    /// The delivery's id: `Chanjiao-Event-Id` and the body's `id`, the same
    /// on every attempt (deduplicate by it).
    pub event_id: Uuid,
    /// `<resource_type>.<action>`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "apprenticeship.update")]
    pub event_type: EventName,
    /// The change delivered, as the feed shows it.
    pub change: Change,
    /// `pending` (tried again at `next_attempt_at`), `delivered` or `failed`.
    pub status: DeliveryStatus,
    /// How many times it has been sent.
    pub attempts: i32,
    /// The HTTP status the receiver answered last, if it answered.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed without an answer (a timeout, a refused
    /// connection, an address that is not allowed), if it did.
    pub last_error: Option<String>,
    /// When it was last sent.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When it is sent next, while `pending`.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the change was queued for this webhook.
    pub created_at: DateTime<Utc>,
}

/// The delivery log sorts by time only, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SortKey)]
#[sort(list = "webhook_deliveries", default = CreatedAt)]
pub enum DeliverySort {
    /// `created_at`
    CreatedAt,
}

/// Filters of the delivery log.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Filters)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilters {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

/// What a delivery POSTs: the change as the feed shows it, named as an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryBody {
    /// The delivery's id, as in `Chanjiao-Event-Id`.
    pub id: Uuid,
    /// `<resource_type>.<action>`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub event_type: EventName,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The change: ids and versions only; read the record for its fields.
    pub data: Change,
}

impl DeliveryBody {
    /// The body of the delivery `id` of `change`.
    pub fn new(id: Uuid, change: Change) -> Self {
        DeliveryBody {
            id,
            event_type: EventName::of(change.resource_type, change.action),
            at: change.at,
            data: change,
        }
    }
}

/// Whether a webhook taking `events` takes a change of this kind and action.
pub fn takes(events: &Events, feed: FeedType, action: ChangeAction) -> bool {
    events.as_slice().iter().any(|event| event.matches(feed, action))
}
