//! Skills competitions: their rows and side table (the records each names),
//! the entries' server-made ids, and the list's filters.

use super::Database;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::inserts::Inserts;
use super::list::{fetch_page, keyset, named_in, search_condition};
use super::store::{self, row_record, ServerMade, Stored};
use crate::auth::{Actor, Principal};
use crate::domain::search::search_text;
use crate::domain::vocab::ResourceType;
use crate::entity::{apprenticeship, base, competition, competition_party};
use crate::error::ApiError;
use crate::model::check::MergePatch;
use crate::model::competition::{
    Competition, CompetitionCreate, CompetitionFields, CompetitionFilters, CompetitionSort, Entry,
};
use crate::model::field::TextRule;
use crate::model::list::{ListRequest, PageOf};
use crate::model::record::Record;

keyset!(
    competition,
    CompetitionSort {
        HeldOn: held_on,
        CreatedAt: created_at,
        UpdatedAt: updated_at,
    }
);

impl ServerMade for Entry {
    const LIST: &'static str = "entries";
    const WHAT: &'static str = "entry of this competition";

    fn id(&self) -> Option<Uuid> {
        self.id
    }

    fn set_id(&mut self, id: Uuid) {
        self.id = Some(id);
    }
}

/// The records a competition names, each with the path of the field that names it.
struct Named {
    enterprises: store::Named,
    schools: store::Named,
    placements: store::Named,
}

fn named(fields: &CompetitionFields) -> Named {
    let mut out = Named {
        enterprises: Vec::new(),
        schools: Vec::new(),
        placements: Vec::new(),
    };
    let add = |list: &mut store::Named, path: String, id: Option<Uuid>| {
        if let Some(id) = id {
            list.push((path, id));
        }
    };
    add(
        &mut out.enterprises,
        "host_enterprise_id".into(),
        fields.host_enterprise_id,
    );
    add(&mut out.schools, "host_school_id".into(), fields.host_school_id);
    for (i, entry) in fields.entries.as_slice().iter().enumerate() {
        add(
            &mut out.enterprises,
            format!("entries[{i}].enterprise_id"),
            entry.enterprise_id,
        );
        add(&mut out.schools, format!("entries[{i}].school_id"), entry.school_id);
        add(
            &mut out.placements,
            format!("entries[{i}].apprenticeship_id"),
            entry.apprenticeship_id,
        );
    }
    out
}

impl Stored for competition::Entity {
    type Record = Competition;
    const TYPE: ResourceType = ResourceType::Competition;
    const UNIQUE: &'static [&'static str] = &[];

    row_record!(competition::Model, Competition {
        id, name, skill, level, held_on, host_enterprise_id, host_school_id, base_id, description, entries,
        version, created_at, updated_at,
    } row {
        search_text: search_text([Some(name.as_str()), Some(skill.as_str())]),
    });

    /// The entries' server-made ids (an `id` sent must be one of this
    /// competition's entries, once).
    fn prepare(
        _caller: &Principal,
        before: Option<&CompetitionFields>,
        fields: &mut CompetitionFields,
        _patch: Option<&MergePatch<CompetitionFields>>,
    ) -> Result<(), ApiError> {
        let previous = before.map(|b| b.entries.as_slice()).unwrap_or_default();
        store::keep_server_ids(previous, fields.entries.items_mut()).map(|_| ())
    }

    /// Every enterprise, school, placement and base it names must exist
    /// (422 naming each path that names none).
    async fn check_references(db: &DatabaseTransaction, fields: &CompetitionFields) -> Result<(), ApiError> {
        let named = named(fields);
        let mut errors = store::organisation_errors(db, &named.enterprises, &named.schools).await?;
        errors.extend(
            store::unknown_ids::<apprenticeship::Entity>(
                db,
                apprenticeship::Column::Id,
                &named.placements,
                "placement",
            )
            .await?,
        );
        let bases = store::named_by("base_id", fields.base_id);
        errors.extend(store::unknown_ids::<base::Entity>(db, base::Column::Id, &bases, "training base").await?);
        store::invalid_unless_empty(errors)
    }

    /// The records it names, as `competition_parties` rows.
    fn new_rows(_actor: &Actor, row: &competition::Model, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(party_rows(row));
        Ok(())
    }

    async fn sync(
        db: &DatabaseTransaction,
        _actor: &Actor,
        before: &competition::Model,
        after: &competition::Model,
    ) -> Result<(), ApiError> {
        if parties(before) == parties(after) {
            return Ok(());
        }
        let owner = competition_party::Column::CompetitionId.eq(after.id);
        store::replace_rows::<competition_party::Entity>(db, owner, party_rows(after)).await
    }
}

/// The records a competition's row names, each once, in order:
/// (enterprise, school, placement), one of the three set.
fn parties(row: &competition::Model) -> Vec<(Option<Uuid>, Option<Uuid>, Option<Uuid>)> {
    let fields = <competition::Entity as Stored>::to_record(row.clone()).fields();
    let named = named(&fields);
    let mut out = Vec::new();
    let all = named
        .enterprises
        .into_iter()
        .map(|(_, id)| (Some(id), None, None))
        .chain(named.schools.into_iter().map(|(_, id)| (None, Some(id), None)))
        .chain(named.placements.into_iter().map(|(_, id)| (None, None, Some(id))));
    for party in all {
        if !out.contains(&party) {
            out.push(party);
        }
    }
    out
}

/// One `competition_parties` row per record the competition names.
fn party_rows(row: &competition::Model) -> Vec<competition_party::ActiveModel> {
    parties(row)
        .into_iter()
        .enumerate()
        .map(|(position, (enterprise_id, school_id, apprenticeship_id))| {
            competition_party::ActiveModel::from(competition_party::Model {
                competition_id: row.id,
                position: position as i32,
                enterprise_id,
                school_id,
                apprenticeship_id,
            })
            .reset_all()
        })
        .collect()
}

store::operations!(
    competition,
    Competition,
    CompetitionCreate,
    CompetitionFields,
    "a competition"
);

/// Lists competitions, one page at a time.
pub async fn list(
    db: &Database,
    _caller: &Principal,
    filters: &CompetitionFilters,
    request: &ListRequest<CompetitionSort>,
) -> Result<PageOf<Competition>, ApiError> {
    use competition::Column;
    let CompetitionFilters {
        skill,
        level,
        held_from,
        held_to,
        enterprise_id,
        school_id,
    } = filters;
    let mut select = competition::Entity::find();
    if let Some(skill) = skill {
        select = select.filter(Column::Skill.eq(skill.as_str()));
    }
    if let Some(level) = level {
        select = select.filter(Column::Level.eq(*level));
    }
    if let Some(day) = held_from {
        select = select.filter(Column::HeldOn.gte(*day));
    }
    if let Some(day) = held_to {
        select = select.filter(Column::HeldOn.lte(*day));
    }
    if let Some(id) = enterprise_id {
        select = select.filter(named_in::<competition_party::Entity>(
            Column::Id,
            competition_party::Column::CompetitionId,
            competition_party::Column::EnterpriseId,
            *id,
        ));
    }
    if let Some(id) = school_id {
        select = select.filter(named_in::<competition_party::Entity>(
            Column::Id,
            competition_party::Column::CompetitionId,
            competition_party::Column::SchoolId,
            *id,
        ));
    }
    if let Some(since) = request.updated_since {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    if let Some(q) = &request.q {
        select = select.filter(search_condition::<competition::Entity>(
            db.backend(),
            Column::SearchText,
            q,
        ));
    }
    Ok(fetch_page(db.read(), select, request)
        .await?
        .map(<competition::Entity as Stored>::to_record))
}
