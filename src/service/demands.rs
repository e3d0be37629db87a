//! Demands: their table and majors side table, their final statuses, the
//! headcount each kind needs, the `major` filter, and the schools that could
//! answer one (matching).

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    Select, Statement, Value,
};
use uuid::Uuid;

use super::inserts::Inserts;
use super::list::{date_or_last, major_condition, Keyset};
use super::resource::{self, Stored};
use super::{store, Database};
use crate::auth::policy::{Policy, DEMANDS};
use crate::auth::{Actor, Principal};
use crate::domain::search::{fold, search_text};
use crate::domain::vocab::ApprenticeshipStatus;
use crate::entity::{apprenticeship, demand, demand_major, meeting};
use crate::error::{ApiError, FieldError};
use crate::model::check::MergePatch;
use crate::model::demand::{
    CityOnly, Demand, DemandFields, DemandFilters, DemandSort, Matches, SameRegion, SchoolMatch,
};
use crate::model::field::TextRule;
use crate::model::school::Major;

impl Keyset for demand::Entity {
    type Sort = DemandSort;
}

/// The statuses in which a placement fulfils its demand (the triggers of
/// `demands.fulfilled_headcount` count the same) and counts for matching.
const FULFILLING: [ApprenticeshipStatus; 2] = [ApprenticeshipStatus::Active, ApprenticeshipStatus::Completed];

impl Stored for DemandFields {
    type Table = demand::Entity;
    const POLICY: &'static Policy = &DEMANDS;

    fn complete_row(&self, row: &mut demand::ActiveModel) {
        row.needed_by_key = Set(date_or_last(self.needed_by));
        row.search_text = Set(search_text([
            Some(self.title.as_str()),
            self.description.as_ref().map(|d| d.as_str()),
        ]));
    }

    /// A final status is kept (409).
    fn prepare(&mut self, before: Option<&Self>, _patch: Option<&MergePatch<Self>>) -> Result<(), ApiError> {
        match before {
            Some(before) if before.status.is_final() && self.status != before.status => Err(ApiError::Conflict {
                detail: format!(
                    "a `{}` demand stays `{}`: the status is final",
                    before.status.as_str(),
                    before.status.as_str()
                ),
                errors: vec![FieldError::new(
                    "status",
                    "invalid",
                    "is final: a fulfilled or withdrawn demand stays so",
                )],
            }),
            _ => Ok(()),
        }
    }

    /// The headcount its kind needs (422).
    fn check(&self) -> Result<(), ApiError> {
        if self.kind.needs_headcount() && self.headcount.is_none() {
            return Err(ApiError::Validation(vec![FieldError::needed_for(
                "headcount",
                format_args!("kind `{}`", self.kind.as_str()),
            )]));
        }
        Ok(())
    }

    /// The enterprise and the meeting must exist (422 naming each that does not).
    async fn check_references(&self, db: &DatabaseTransaction) -> Result<(), ApiError> {
        let enterprises = store::named_by("enterprise_id", Some(self.enterprise_id));
        let mut errors = store::organisation_errors(db, &enterprises, &[]).await?;
        let meetings = store::named_by("meeting_id", self.meeting_id);
        errors.extend(store::unknown_ids::<meeting::Entity>(db, meeting::Column::Id, &meetings, "meeting").await?);
        store::invalid_unless_empty(errors)
    }

    /// The `major` filter, through the majors side table.
    fn custom_filters(filters: &DemandFilters, select: Select<demand::Entity>) -> Select<demand::Entity> {
        let Some(major) = &filters.major else {
            return select;
        };
        select.filter(
            demand::Column::Id.in_subquery(
                Query::select()
                    .column(demand_major::Column::DemandId)
                    .from(demand_major::Entity)
                    .cond_where(major_condition(
                        demand_major::Column::Code,
                        demand_major::Column::NameFolded,
                        major,
                    ))
                    .to_owned(),
            ),
        )
    }

    /// One `demand_majors` row per major, for the `major` filter and matching.
    fn new_rows(record: &Demand, _actor: &Actor, rows: &mut Inserts) -> Result<(), ApiError> {
        rows.add(major_rows(record));
        Ok(())
    }

    /// Keeps the majors side table in step; a demand that placements answer
    /// stays with their enterprise (409).
    async fn sync(db: &DatabaseTransaction, _actor: &Actor, before: &Demand, after: &Demand) -> Result<(), ApiError> {
        if before.fields.enterprise_id != after.fields.enterprise_id {
            let answered = apprenticeship::Entity::find()
                .filter(apprenticeship::Column::DemandId.eq(after.id))
                .count(db)
                .await?;
            if answered > 0 {
                return Err(ApiError::Conflict {
                    detail: format!(
                        "{answered} placement(s) at its enterprise answer this demand; it cannot move to another"
                    ),
                    errors: vec![FieldError::new(
                        "enterprise_id",
                        "invalid",
                        "placements at the current enterprise name this demand",
                    )],
                });
            }
        }
        if before.fields.majors == after.fields.majors {
            return Ok(());
        }
        let owner = demand_major::Column::DemandId.eq(after.id);
        store::replace_rows::<demand_major::Entity>(db, owner, major_rows(after)).await
    }
}

/// The `demand_majors` rows of a demand.
fn major_rows(demand: &Demand) -> Vec<demand_major::ActiveModel> {
    demand
        .fields
        .majors
        .as_slice()
        .iter()
        .enumerate()
        .map(|(position, major)| {
            demand_major::ActiveModel::from(demand_major::Model {
                demand_id: demand.id,
                position: position as i32,
                code: major_code(major).map(str::to_string),
                name_folded: fold(major.name.as_str()),
            })
            .reset_all()
        })
        .collect()
}

/// A major's code, if it has a non-empty one.
fn major_code(major: &Major) -> Option<&str> {
    major.code.as_ref().map(|c| c.as_str()).filter(|c| !c.is_empty())
}

/// One school row of the matching query: the school, its placements at the
/// demand's enterprise, one of its majors that matches (or none), and the
/// enterprise's region code.
#[derive(Debug, FromQueryResult)]
struct Candidate {
    id: Uuid,
    name: String,
    region_code: Option<String>,
    placements: Option<i64>,
    major_code: Option<String>,
    major_folded: Option<String>,
    enterprise_region: Option<String>,
}

/// The schools that could answer a demand the caller may see, ranked as the
/// contract scores them: 10 per demand major the school teaches (by code,
/// or by name folded as `q` folds), + its `active`/`completed` placements at
/// the enterprise (at most 10), + 3 in the enterprise's region (+1 in its
/// city only). Score 0 is left out; ties by name. One query after the demand.
pub async fn matches(db: &Database, caller: &Principal, id: Uuid, limit: usize) -> Result<Matches, ApiError> {
    let demand = resource::get::<DemandFields>(db, caller, id).await?.fields;
    let wanted: Vec<(Option<&str>, String)> = demand
        .majors
        .as_slice()
        .iter()
        .map(|major| (major_code(major), fold(major.name.as_str())))
        .collect();
    let backend = db.backend();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        match backend {
            sea_orm::DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_string(),
        }
    };
    let counted = FULFILLING
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // Each placeholder once in the text, in the order bound: SQLite numbers `?` by position.
    let enterprise = format!(
        "SELECT region_code, substr(region_code, 1, 4) AS city FROM enterprises WHERE id = {}",
        bind(demand.enterprise_id.into())
    );
    let placements = format!(
        "SELECT school_id, count(*) AS n FROM apprenticeships WHERE enterprise_id = {} \
         AND status IN ({counted}) AND school_id IS NOT NULL GROUP BY school_id",
        bind(demand.enterprise_id.into())
    );
    // The school majors that match, found by the `code` and `name_folded` indexes.
    let codes: Vec<String> = wanted
        .iter()
        .filter_map(|(code, _)| code.map(|c| bind(c.to_string().into())))
        .collect();
    let names: Vec<String> = wanted.iter().map(|(_, name)| bind(name.clone().into())).collect();
    let mut matching = Vec::new();
    if !codes.is_empty() {
        matching.push(format!("code IN ({})", codes.join(", ")));
    }
    if !names.is_empty() {
        matching.push(format!("name_folded IN ({})", names.join(", ")));
    }
    if matching.is_empty() {
        matching.push("1 = 0".to_string());
    }
    // Each index answers its own term: PostgreSQL ORs two bitmap index scans;
    // SQLite's planner scans the table for the OR, so it gets a UNION ALL
    // (measured at 500 schools × 200 majors: 33 → 5.7 ms; a major matching
    // by code and by name then comes twice, which the ranking ignores).
    let matching = match backend {
        sea_orm::DatabaseBackend::Postgres => format!(
            "SELECT school_id, code, name_folded FROM school_majors WHERE {}",
            matching.join(" OR ")
        ),
        _ => matching
            .iter()
            .map(|term| format!("SELECT school_id, code, name_folded FROM school_majors WHERE {term}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL "),
    };
    let sql = format!(
        "WITH e AS ({enterprise}), p AS ({placements}), m AS ({matching}) \
         SELECT s.id, s.name, s.region_code, p.n AS placements, m.code AS major_code, \
           m.name_folded AS major_folded, e.region_code AS enterprise_region \
         FROM schools s CROSS JOIN e \
         LEFT JOIN p ON p.school_id = s.id \
         LEFT JOIN m ON m.school_id = s.id \
         WHERE p.n IS NOT NULL OR m.school_id IS NOT NULL \
           OR (s.region_code >= (e.city || '00') AND s.region_code <= (e.city || '99'))"
    );
    let rows = Candidate::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db.read())
        .await?;

    struct School {
        name: String,
        region_code: Option<String>,
        placements: i64,
        majors: Vec<(Option<String>, String)>,
    }
    let mut schools: HashMap<Uuid, School> = HashMap::new();
    let mut enterprise_region = None;
    for row in rows {
        enterprise_region = enterprise_region.or(row.enterprise_region);
        let school = schools.entry(row.id).or_insert_with(|| School {
            name: row.name,
            region_code: row.region_code,
            placements: row.placements.unwrap_or(0),
            majors: Vec::new(),
        });
        if let Some(folded) = row.major_folded {
            school.majors.push((row.major_code, folded));
        }
    }
    let mut items: Vec<SchoolMatch> = schools
        .into_iter()
        .map(|(school_id, school)| {
            let matched_majors: Vec<Major> = demand
                .majors
                .as_slice()
                .iter()
                .zip(&wanted)
                .filter(|(_, (code, name))| {
                    school
                        .majors
                        .iter()
                        .any(|(c, n)| n == name || (code.is_some() && c.as_deref() == *code))
                })
                .map(|(major, _)| major.clone())
                .collect();
            let same_region = region_match(school.region_code.as_deref(), enterprise_region.as_deref());
            let active_placements = u32::try_from(school.placements).unwrap_or(u32::MAX);
            let score = 10 * matched_majors.len() as u32
                + active_placements.min(10)
                + match same_region {
                    SameRegion::Exact(true) => 3,
                    SameRegion::City(_) => 1,
                    SameRegion::Exact(false) => 0,
                };
            SchoolMatch {
                school_id,
                name: school.name,
                score,
                matched_majors,
                active_placements,
                same_region,
            }
        })
        .filter(|m| m.score > 0)
        .collect();
    items.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.school_id.cmp(&b.school_id))
    });
    items.truncate(limit);
    Ok(Matches { items })
}

/// Whether a school's region code is the enterprise's (`true`), shares only
/// its first four digits (`"city"`), or neither (`false`, also when either has none).
fn region_match(school: Option<&str>, enterprise: Option<&str>) -> SameRegion {
    match (school, enterprise) {
        (Some(s), Some(e)) if s == e => SameRegion::Exact(true),
        (Some(s), Some(e)) if s.get(..4).is_some() && s.get(..4) == e.get(..4) => SameRegion::City(CityOnly::City),
        _ => SameRegion::Exact(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_the_same_the_same_city_or_neither() {
        assert_eq!(region_match(Some("370101"), Some("370101")), SameRegion::Exact(true));
        assert_eq!(
            region_match(Some("370102"), Some("370101")),
            SameRegion::City(CityOnly::City)
        );
        assert_eq!(region_match(Some("370201"), Some("370101")), SameRegion::Exact(false));
        assert_eq!(region_match(None, Some("370101")), SameRegion::Exact(false));
        assert_eq!(region_match(Some("370101"), None), SameRegion::Exact(false));
        assert_eq!(serde_json::to_value(SameRegion::City(CityOnly::City)).unwrap(), "city");
        assert_eq!(serde_json::to_value(SameRegion::Exact(true)).unwrap(), true);
    }
}
