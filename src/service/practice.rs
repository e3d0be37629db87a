//! Teachers' enterprise practice: the days each teacher spent in
//! `teacher_practice` placements within the five years ending on a day.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::Database;
use crate::auth::Principal;
use crate::domain::clock;
use crate::domain::practice::{clipped, covered_days, window_start, REQUIRED_DAYS};
use crate::domain::vocab::{ApprenticeshipKind, ApprenticeshipStatus};
use crate::entity::apprenticeship;
use crate::error::ApiError;
use crate::model::field::{Date, ResidentId, Stored as _, TextRule};
use crate::model::stats::{Teacher, TeacherDays, TeacherPractice, TeacherPracticeQuery};

/// Who a teacher is: the resident ID when a placement gives it (or when
/// the placements of the same school and name give exactly one), else the
/// school and the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Identity {
    ResidentId(String),
    SchoolAndName(Option<Uuid>, String),
}

/// One teacher's placements, as they are read.
struct Practice {
    latest: apprenticeship::Model,
    /// The resident ID, from any of the teacher's placements.
    national_id: Option<ResidentId>,
    counted: u32,
    spans: Vec<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// Every teacher of the caller's scope who has a `teacher_practice`
/// placement, with the days of practice within the five years ending on
/// `on` (today when left out): each calendar day once, from the placements
/// `active` (to their end, or to `on` without one), `completed` or
/// `transferred` (to their end; without one, their first day only). Fewest
/// days first, then by name. `school` is the school the caller's role reads
/// ([`crate::auth::policy::teacher_practice`]), if only one.
pub async fn teacher_practice(
    db: &Database,
    caller: &Principal,
    school: Option<Uuid>,
    query: &TeacherPracticeQuery,
) -> Result<TeacherPractice, ApiError> {
    use apprenticeship::Column;
    let on = query.on.map(Date::naive).unwrap_or_else(clock::today);
    let start = window_start(on);
    let mut select = apprenticeship::Entity::find().filter(Column::Kind.eq(ApprenticeshipKind::TeacherPractice));
    if let Some(school) = school {
        select = select.filter(Column::SchoolId.eq(school));
    }
    let rows = select
        .order_by_asc(Column::StartDate)
        .order_by_asc(Column::Id)
        .all(db.read())
        .await?;
    // A placement without a resident ID belongs to the teacher that the
    // placements of the same school and name identify by one, if by exactly one.
    let mut ids_of: HashMap<(Option<Uuid>, &str), Vec<&str>> = HashMap::new();
    for row in &rows {
        if let Some(id) = &row.participant.national_id {
            let ids = ids_of
                .entry((row.school_id, row.participant.name.as_str()))
                .or_default();
            if !ids.contains(&id.as_str()) {
                ids.push(id.as_str());
            }
        }
    }
    let identities: Vec<Identity> = rows
        .iter()
        .map(|row| {
            let name = row.participant.name.as_str();
            match (
                &row.participant.national_id,
                ids_of.get(&(row.school_id, name)).map(Vec::as_slice),
            ) {
                (Some(id), _) => Identity::ResidentId(id.as_str().to_string()),
                (None, Some([only])) => Identity::ResidentId(only.to_string()),
                (None, _) => Identity::SchoolAndName(row.school_id, name.to_string()),
            }
        })
        .collect();
    let mut teachers: HashMap<Identity, Practice> = HashMap::new();
    for (row, identity) in rows.into_iter().zip(identities) {
        let span = match row.status {
            ApprenticeshipStatus::Active => Some(row.end_date.map_or(on, Date::naive)),
            // A transferred placement ended the day before its successor began.
            ApprenticeshipStatus::Completed | ApprenticeshipStatus::Transferred => {
                Some(row.end_date.map_or(row.start_date.naive(), Date::naive))
            }
            _ => None,
        }
        .and_then(|to| clipped(row.start_date.naive(), to, start, on));
        let practice = teachers.entry(identity).or_insert_with(|| Practice {
            latest: row.clone(),
            national_id: None,
            counted: 0,
            spans: Vec::new(),
        });
        if let Some(id) = &row.participant.national_id {
            practice.national_id = Some(id.clone());
        }
        if let Some(span) = span {
            practice.counted += 1;
            practice.spans.push(span);
        }
        practice.latest = row;
    }
    let below = query.below == Some(true);
    let mut items: Vec<TeacherDays> = teachers
        .into_values()
        .map(|practice| {
            let latest = practice.latest;
            let national_id = practice.national_id.map(|id| {
                if super::apprenticeships::sees_personal_data(caller, latest.school_id, Some(&id)) {
                    id.as_str().to_string()
                } else {
                    id.masked().as_str().to_string()
                }
            });
            let days = covered_days(practice.spans);
            TeacherDays {
                teacher: Teacher {
                    name: latest.participant.name.as_str().to_string(),
                    national_id,
                    school_id: latest.school_id,
                },
                placements: practice.counted,
                days,
                meets_requirement: days >= REQUIRED_DAYS,
            }
        })
        .filter(|t| !below || !t.meets_requirement)
        .collect();
    items.sort_by(|a, b| {
        a.days
            .cmp(&b.days)
            .then_with(|| a.teacher.name.cmp(&b.teacher.name))
            .then_with(|| a.teacher.school_id.cmp(&b.teacher.school_id))
            .then_with(|| a.teacher.national_id.cmp(&b.teacher.national_id))
    });
    Ok(TeacherPractice {
        on: Date::from_stored(on),
        required_days: REQUIRED_DAYS,
        total: items.len() as u64,
        items,
    })
}
