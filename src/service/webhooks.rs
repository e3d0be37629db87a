//! Webhooks (admin): the record, its signing secrets, and its delivery log.
//! The deliveries themselves are made by [`super::delivery`].

use chrono::Duration;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::audit;
use super::inserts::Inserts;
use super::list::{fetch_page, Keyset};
use super::resource::{self, Search, Stored};
use super::{find_for_update, now, Database};
use crate::auth::policy::{Access, Policy, WEBHOOKS};
use crate::auth::{Actor, Principal};
use crate::domain::network::AllowList;
use crate::domain::search::search_text;
use crate::domain::vocab::{DeliveryStatus, ResourceType};
use crate::entity::{webhook, webhook_delivery, webhook_state};
use crate::error::ApiError;
use crate::model::change::Change;
use crate::model::field::{EventName, TextRule, WebhookUrl};
use crate::model::list::{ListRequest, PageOf};
use crate::model::record::Meta;
use crate::model::resource::{Create, Record};
use crate::model::webhook::{
    Delivery, DeliveryFilters, DeliverySort, Webhook, WebhookCreate, WebhookCreated, WebhookFields, WebhookSecret,
    WebhookSort,
};

/// How long a secret signs beside the one that replaced it.
pub const PREVIOUS_SECRET_SIGNS_FOR: Duration = Duration::hours(24);

impl Keyset for webhook::Entity {
    type Sort = WebhookSort;
}

impl Keyset for webhook_delivery::Entity {
    type Sort = DeliverySort;
}

impl Stored for WebhookFields {
    type Table = webhook::Entity;
    const POLICY: &'static Policy = &WEBHOOKS;
    const SEARCH: Search = Search::Scan;

    fn complete_row(&self, row: &mut webhook::ActiveModel) {
        row.search_text = Set(search_text([
            Some(self.url.as_str()),
            self.description.as_ref().map(|d| d.as_str()),
        ]));
    }

    /// The URL may not name a literal address webhooks may not reach (422).
    fn check_settings(&self, db: &Database) -> Result<(), ApiError> {
        check_url(&db.webhooks().allow, &self.url)
    }

    /// A webhook turned on again starts from the feed's newest position:
    /// what changed while it was off is not delivered.
    async fn sync(db: &DatabaseTransaction, _actor: &Actor, before: &Webhook, after: &Webhook) -> Result<(), ApiError> {
        if !before.fields.active.get() && after.fields.active.get() {
            let newest = super::changes::newest_position(db).await?;
            webhook_state::Entity::update_many()
                .col_expr(webhook_state::Column::Position, newest.into())
                .filter(webhook_state::Column::WebhookId.eq(after.id))
                .exec(db)
                .await?;
        }
        Ok(())
    }
}

/// Refuses a URL whose host is a literal address that webhooks may not
/// reach (422 naming `url`); a name is checked each time it is resolved
/// for a delivery.
fn check_url(allow: &AllowList, url: &WebhookUrl) -> Result<(), ApiError> {
    match url.url().and_then(|url| allow.refuses_url(&url)) {
        Some(why) => Err(ApiError::invalid_field("url", "forbidden", why)),
        None => Ok(()),
    }
}

/// A new signing secret: `whsec_` and 256 random bits.
fn new_secret() -> String {
    format!("whsec_{}", crate::auth::tokens::random_secret())
}

/// Creates a webhook, with its audit row; it takes the changes committed
/// after it. The answer shows its secret, this once. Its own road: its
/// state row starts at the feed's newest position, read in the
/// transaction that stores it, and the secret is made here and answered.
pub async fn create(db: &Database, caller: &Principal, body: &[u8]) -> Result<WebhookCreated, ApiError> {
    WEBHOOKS.scope(caller, Access::Create)?;
    let Create(fields) = crate::model::check::decode::<WebhookCreate>(&crate::model::check::parse_body(body)?)?;
    fields.check_settings(db)?;
    let record = Record::new(Meta::new(now()), fields);
    let secret = new_secret();
    let txn = db.begin().await?;
    let position = super::changes::newest_position(&txn).await?;
    let mut rows = Inserts::new();
    resource::new_rows(&caller.actor(), &record, &mut rows)?;
    rows.add([webhook_state::ActiveModel::from(webhook_state::Model {
        webhook_id: record.id,
        secret: secret.clone(),
        previous_secret: None,
        previous_secret_expires_at: None,
        position,
    })
    .reset_all()]);
    rows.execute(&txn).await?;
    txn.commit().await?;
    Ok(WebhookCreated {
        webhook: record,
        secret,
    })
}

/// Gives a webhook a new secret; the one it replaces signs beside it for
/// 24 hours (one made before that stops at once). Audited without either.
pub async fn rotate_secret(db: &Database, actor: &Actor, id: Uuid) -> Result<WebhookSecret, ApiError> {
    let secret = new_secret();
    let at = now();
    let expires = at + PREVIOUS_SECRET_SIGNS_FOR;
    let txn = db.begin().await?;
    let state = find_for_update::<webhook_state::Entity>(&txn, id).await?;
    webhook_state::ActiveModel {
        webhook_id: Set(id),
        secret: Set(secret.clone()),
        previous_secret: Set(Some(state.secret)),
        previous_secret_expires_at: Set(Some(expires)),
        position: Set(state.position),
    }
    .update(&txn)
    .await?;
    audit::record_secret_change(&txn, actor, ResourceType::Webhook, id, "secret").await?;
    txn.commit().await?;
    Ok(WebhookSecret {
        secret,
        previous_secret_expires_at: expires,
    })
}

/// The change a delivery row carries, as the feed shows it.
pub(crate) fn change_of(row: &webhook_delivery::Model) -> Change {
    Change {
        position: row.position,
        at: row.change_at,
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        action: row.action,
        version: row.version,
    }
}

fn to_delivery(row: webhook_delivery::Model) -> Delivery {
    let change = change_of(&row);
    Delivery {
        event_id: row.id,
        event_type: EventName::of(change.resource_type, change.action),
        change,
        status: row.status,
        attempts: row.attempts,
        last_status_code: row.last_status_code,
        last_error: row.last_error,
        last_attempt_at: row.last_attempt_at,
        next_attempt_at: match row.status {
            DeliveryStatus::Pending => row.next_attempt_at,
            _ => None,
        },
        created_at: row.created_at,
    }
}

/// A webhook's delivery log, newest first (404 for no webhook).
pub async fn deliveries(
    db: &Database,
    id: Uuid,
    filters: &DeliveryFilters,
    request: &ListRequest<DeliverySort>,
) -> Result<PageOf<Delivery>, ApiError> {
    let reader = db.read();
    if webhook::Entity::find_by_id(id).one(reader).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let mut select = webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(id));
    if let Some(status) = filters.status {
        select = select.filter(webhook_delivery::Column::Status.eq(status));
    }
    Ok(fetch_page(reader, select, request).await?.map(to_delivery))
}

/// Removes the deliveries that were settled (delivered or failed) and
/// queued before `cutoff`; how many.
pub(crate) async fn clean_up_deliveries(db: &Database, cutoff: chrono::DateTime<chrono::Utc>) -> Result<u64, ApiError> {
    let removed = webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::Status.ne(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::CreatedAt.lt(cutoff))
        .exec(db.write())
        .await?;
    Ok(removed.rows_affected)
}
