//! Skills competitions: their table and side table (the records each
//! names), the entries' server-made ids, and the filters on the side table.

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, QueryFilter, Select};
use uuid::Uuid;

use super::inserts::Inserts;
use super::list::{named_in, Keyset};
use super::resource::Stored;
use super::resource::{keep_server_ids, ServerMade};
use super::store;
use crate::auth::policy::{Policy, COMPETITIONS};
use crate::auth::Actor;
use crate::domain::search::search_text;
use crate::entity::{apprenticeship, base, competition, competition_party};
use crate::error::ApiError;
use crate::model::check::MergePatch;
use crate::model::competition::{Competition, CompetitionFields, CompetitionFilters, CompetitionSort, Entry};
use crate::model::field::TextRule;

impl Keyset for competition::Entity {
    type Sort = CompetitionSort;
}

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

impl Stored for CompetitionFields {
    type Table = competition::Entity;
    const POLICY: &'static Policy = &COMPETITIONS;

    fn complete_row(&self, row: &mut competition::ActiveModel) {
        row.search_text = Set(search_text([Some(self.name.as_str()), Some(self.skill.as_str())]));
    }

    /// The entries' server-made ids (an `id` sent must be one of this
    /// competition's entries, once).
    fn prepare(&mut self, before: Option<&Self>, _patch: Option<&MergePatch<Self>>) -> Result<(), ApiError> {
        let previous = before.map(|b| b.entries.as_slice()).unwrap_or_default();
        keep_server_ids(previous, self.entries.items_mut()).map(|_| ())
    }

    /// Every enterprise, school, placement and base it names must exist
    /// (422 naming each path that names none).
    async fn check_references(&self, db: &DatabaseTransaction) -> Result<(), ApiError> {
        let named = named(self);
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
        let bases = store::named_by("base_id", self.base_id);
        errors.extend(store::unknown_ids::<base::Entity>(db, base::Column::Id, &bases, "training base").await?);
        store::invalid_unless_empty(errors)
    }

    /// The `enterprise_id` and `school_id` filters: a competition the
    /// organisation hosted or has an entry in, through the parties side table.
    fn custom_filters(
        filters: &CompetitionFilters,
        mut select: Select<competition::Entity>,
    ) -> Select<competition::Entity> {
        use competition_party::Column as Party;
        let named = [
            (filters.enterprise_id, Party::EnterpriseId),
            (filters.school_id, Party::SchoolId),
        ];
        for (id, column) in named {
            if let Some(id) = id {
                select = select.filter(named_in::<competition_party::Entity>(
                    competition::Column::Id,
                    Party::CompetitionId,
                    column,
                    id,
                ));
            }
        }
        select
    }

    /// The records it names, as `competition_parties` rows.
    fn new_rows(record: &Competition, _actor: &Actor, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(party_rows(record));
        Ok(())
    }

    async fn sync(
        db: &DatabaseTransaction,
        _actor: &Actor,
        before: &Competition,
        after: &Competition,
    ) -> Result<(), ApiError> {
        if parties(&before.fields) == parties(&after.fields) {
            return Ok(());
        }
        let owner = competition_party::Column::CompetitionId.eq(after.id);
        store::replace_rows::<competition_party::Entity>(db, owner, party_rows(after)).await
    }
}

/// The records a competition names, each once, in order:
/// (enterprise, school, placement), one of the three set.
fn parties(fields: &CompetitionFields) -> Vec<(Option<Uuid>, Option<Uuid>, Option<Uuid>)> {
    let named = named(fields);
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
fn party_rows(record: &Competition) -> Vec<competition_party::ActiveModel> {
    parties(&record.fields)
        .into_iter()
        .enumerate()
        .map(|(position, (enterprise_id, school_id, apprenticeship_id))| {
            competition_party::ActiveModel::from(competition_party::Model {
                competition_id: record.id,
                position: position as i32,
                enterprise_id,
                school_id,
                apprenticeship_id,
            })
            .reset_all()
        })
        .collect()
}
