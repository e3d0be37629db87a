//! Training bases: their rows, the parties each kind needs, who changes
//! which, and the list's filters.

use super::Database;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::list::{date_or_last, fetch_page, keyset, search_condition};
use super::store::{self, row_record, Stored};
use crate::auth::{policy, Principal};
use crate::domain::search::search_text;
use crate::domain::vocab::ResourceType;
use crate::entity::base;
use crate::error::{ApiError, FieldError};
use crate::model::base::{Base, BaseCreate, BaseFields, BaseFilters, BaseSort};
use crate::model::check::MergePatch;
use crate::model::field::TextRule;
use crate::model::list::{ListRequest, PageOf};

keyset!(
    base,
    BaseSort {
        Name: name,
        EstablishedOn: established_on_key in EstablishedOnKey,
        CreatedAt: created_at,
        UpdatedAt: updated_at,
    }
);

impl Stored for base::Entity {
    type Record = Base;
    const TYPE: ResourceType = ResourceType::Base;
    const UNIQUE: &'static [&'static str] = &[];

    row_record!(base::Model, Base {
        id, name, kind, enterprise_id, school_id, status, established_on, capacity, majors, address,
        description, tags, version, created_at, updated_at,
    } row {
        established_on_key: date_or_last(established_on),
        search_text: search_text([Some(name.as_str())]),
    });

    /// What the host's and the partner's users may not change (403), then
    /// the parties the kind needs (422): a host unless it is a
    /// `school_factory`, a partner school for `factory_school` and `school_factory`.
    fn prepare(
        caller: &Principal,
        before: Option<&BaseFields>,
        fields: &mut BaseFields,
        _patch: Option<&MergePatch<BaseFields>>,
    ) -> Result<(), ApiError> {
        if let Some(before) = before {
            policy::base_change(caller, before, fields)?;
        }
        let mut errors = Vec::new();
        let kind = fields.kind.as_str();
        if fields.kind.needs_host() && fields.enterprise_id.is_none() {
            errors.push(FieldError::needed_for("enterprise_id", format_args!("kind `{kind}`")));
        }
        if fields.kind.needs_school() && fields.school_id.is_none() {
            errors.push(FieldError::needed_for("school_id", format_args!("kind `{kind}`")));
        }
        store::invalid_unless_empty(errors)
    }

    /// The host and the partner must exist (422 naming each that does not).
    async fn check_references(db: &DatabaseTransaction, fields: &BaseFields) -> Result<(), ApiError> {
        store::check_ids(
            db,
            &store::named_by("enterprise_id", fields.enterprise_id),
            &store::named_by("school_id", fields.school_id),
        )
        .await
    }

    fn check_write(caller: &Principal, row: &base::Model) -> Result<(), ApiError> {
        policy::changes_base(caller, row.enterprise_id, row.school_id)
    }
}

store::operations!(base, Base, BaseCreate, BaseFields, "a training base");

/// Lists training bases, one page at a time.
pub async fn list(
    db: &Database,
    _caller: &Principal,
    filters: &BaseFilters,
    request: &ListRequest<BaseSort>,
) -> Result<PageOf<Base>, ApiError> {
    use base::Column;
    let BaseFilters {
        kind,
        status,
        enterprise_id,
        school_id,
    } = filters;
    let mut select = base::Entity::find();
    if let Some(kind) = kind {
        select = select.filter(Column::Kind.eq(*kind));
    }
    if let Some(status) = status {
        select = select.filter(Column::Status.eq(*status));
    }
    if let Some(id) = enterprise_id {
        select = select.filter(Column::EnterpriseId.eq(*id));
    }
    if let Some(id) = school_id {
        select = select.filter(Column::SchoolId.eq(*id));
    }
    if let Some(since) = request.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    if let Some(q) = &request.q {
        select = select.filter(search_condition::<base::Entity>(db.backend(), Column::SearchText, q));
    }
    Ok(fetch_page(db.read(), select, request)
        .await?
        .map(<base::Entity as Stored>::to_record))
}
