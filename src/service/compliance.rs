//! Compliance (实习合规): the county's settings of the internship rules, one
//! record that every role but a participant reads and an admin replaces.

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QuerySelect};

use super::{audit, check_precondition, now, Database, Precondition};
use crate::auth::policy::{Access, COMPLIANCE_SETTINGS};
use crate::auth::Principal;
use crate::domain::vocab::{Action, ResourceType};
use crate::entity::compliance_setting;
use crate::error::ApiError;
use crate::model::check::{decode, parse_body};
use crate::model::compliance::{ComplianceSettings, ComplianceSettingsValues};

/// The settings as they are stored.
fn settings_of(row: &compliance_setting::Model) -> ComplianceSettings {
    ComplianceSettings {
        values: ComplianceSettingsValues {
            intern_share_enterprise_pct: row.intern_share_enterprise_pct,
            intern_share_post_pct: row.intern_share_post_pct,
            pay_floor_pct: row.pay_floor_pct,
            minimum_monthly_fen: row.minimum_monthly_fen,
            visit_interval_days: row.visit_interval_days,
        },
        version: row.version,
        updated_at: row.updated_at,
    }
}

/// The one row (made by its migration), locked until the transaction ends when `lock`.
async fn settings_row(db: &impl ConnectionTrait, lock: bool) -> Result<compliance_setting::Model, ApiError> {
    let mut find = compliance_setting::Entity::find();
    if lock {
        find = find.lock_exclusive();
    }
    find.one(db)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the compliance settings row is missing")))
}

/// The settings the rules apply now.
pub(crate) async fn current(db: &impl ConnectionTrait) -> Result<ComplianceSettings, ApiError> {
    Ok(settings_of(&settings_row(db, false).await?))
}

/// `GET /compliance/settings`: every role reads them.
pub async fn settings(db: &Database, caller: &Principal) -> Result<ComplianceSettings, ApiError> {
    COMPLIANCE_SETTINGS.scope(caller, Access::Read)?;
    current(db.read()).await
}

/// `PUT /compliance/settings` (admin): every value checked at once (422
/// naming each), then `If-Match` (412); an unchanged body changes nothing
/// (the same `version`); a change is audited (and the feed records it) in
/// its transaction.
pub async fn replace_settings(
    db: &Database,
    caller: &Principal,
    precondition: Option<Precondition>,
    body: &[u8],
) -> Result<ComplianceSettings, ApiError> {
    COMPLIANCE_SETTINGS.scope(caller, Access::Update)?;
    let values = decode::<ComplianceSettingsValues>(&parse_body(body)?)?;
    let txn = db.begin().await?;
    let row = settings_row(&txn, true).await?;
    let before = settings_of(&row);
    check_precondition(precondition.as_ref(), before.version)?;
    if values == before.values {
        return Ok(before);
    }
    let after = ComplianceSettings {
        values,
        version: before.version + 1,
        updated_at: now(),
    };
    let id = row.id;
    let mut active = row.into_active_model();
    active.intern_share_enterprise_pct = Set(after.values.intern_share_enterprise_pct);
    active.intern_share_post_pct = Set(after.values.intern_share_post_pct);
    active.pay_floor_pct = Set(after.values.pay_floor_pct);
    active.minimum_monthly_fen = Set(after.values.minimum_monthly_fen);
    active.visit_interval_days = Set(after.values.visit_interval_days);
    active.version = Set(after.version);
    active.updated_at = Set(after.updated_at);
    active.update(&txn).await?;
    audit::record_change(
        &txn,
        &caller.actor(),
        Action::Update,
        ResourceType::ComplianceSettings,
        id,
        Some(&before.values),
        Some(&after.values),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
