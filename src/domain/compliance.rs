//! The internship rules as data: each rule's severity and what it is
//! about (a placement, an enterprise, a post, an incident), their fixed
//! order, and the calendar arithmetic they share. The rules themselves are
//! queries (`service::compliance`), one per rule, over the whole scope.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::vocab::{ApprenticeshipKind, ApprenticeshipStatus, ComplianceRule, Severity};

/// Hours a student may work in a week (journals reporting more are a finding).
pub const MAX_STUDENT_WEEK_HOURS: i64 = 40;

/// The age below which hazardous work is forbidden.
pub const ADULT_AGE: u32 = 18;

/// Active placements: the ones most rules judge, and whose interns count
/// against an enterprise's staff.
pub const ACTIVE: &[ApprenticeshipStatus] = &[ApprenticeshipStatus::Active];

/// Every status a rule judges a placement in on a day.
pub const JUDGED_AT_ALL: &[ApprenticeshipStatus] = &[ApprenticeshipStatus::Active, ApprenticeshipStatus::Suspended];

/// What one finding of a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// One placement.
    Placement,
    /// One enterprise (its interns against its staff).
    Enterprise,
    /// One post of an enterprise.
    Post,
    /// One incident (of a placement).
    Incident,
    /// One week of a placement's journal.
    Week,
}

impl ComplianceRule {
    /// How grave its findings are.
    pub fn severity(self) -> Severity {
        use ComplianceRule::*;
        match self {
            StaffCountUnknown | PastEndDate | NoRecentVisit | JournalMissing | IncidentUnreported => Severity::Warning,
            FirstYearStudent
            | MinorHazardousWork
            | StudentNightShift
            | PayBelowFloor
            | InternShareEnterprise
            | InternSharePost
            | InsuranceExpired
            | HoursOverLimit => Severity::Breach,
        }
    }

    /// What each of its findings is about.
    pub fn subject(self) -> Subject {
        use ComplianceRule::*;
        match self {
            InternShareEnterprise | StaffCountUnknown => Subject::Enterprise,
            InternSharePost => Subject::Post,
            IncidentUnreported => Subject::Incident,
            HoursOverLimit => Subject::Week,
            _ => Subject::Placement,
        }
    }

    /// The statuses in which a rule about one placement judges it on a day
    /// (the placement within its dates on that day): active only, or
    /// suspended too for the insurance. `None` for `past_end_date`, which
    /// reads placements past their dates, and for the rules about
    /// enterprises, posts, weeks and incidents.
    pub fn judged_statuses(self) -> Option<&'static [ApprenticeshipStatus]> {
        use ComplianceRule::*;
        match self {
            InsuranceExpired => Some(JUDGED_AT_ALL),
            FirstYearStudent | MinorHazardousWork | StudentNightShift | PayBelowFloor | NoRecentVisit
            | JournalMissing => Some(ACTIVE),
            PastEndDate
            | InternShareEnterprise
            | InternSharePost
            | StaffCountUnknown
            | HoursOverLimit
            | IncidentUnreported => None,
        }
    }

    /// Whether its findings are about an enterprise's (or a post's) interns
    /// as a whole rather than about one placement: a school reads those of
    /// the enterprises hosting its active students.
    pub fn about_an_enterprise(self) -> bool {
        matches!(self.subject(), Subject::Enterprise | Subject::Post)
    }
}

/// Every rule in the findings' fixed order: breaches first, then by name.
pub fn rules_in_order() -> Vec<ComplianceRule> {
    let mut rules = ComplianceRule::ALL.to_vec();
    rules.sort_by_key(|rule| (rule.severity(), rule.as_str()));
    rules
}

/// The kinds whose participants are students (the rules for students apply).
pub fn student_kinds() -> Vec<ApprenticeshipKind> {
    ApprenticeshipKind::ALL
        .iter()
        .copied()
        .filter(|k| k.is_student())
        .collect()
}

/// The first day on which a student who enrolled on `enrolled_on` is past
/// the first year: a `student_internship` starting before it breaks the rule.
pub fn first_year_until(enrolled_on: NaiveDate) -> NaiveDate {
    enrolled_on
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX)
}

/// The latest birth date of someone who is 18 on `on`: anyone born after
/// it is a minor that day.
pub fn adult_born_by(on: NaiveDate) -> NaiveDate {
    on.checked_sub_months(Months::new(12 * ADULT_AGE))
        .unwrap_or(NaiveDate::MIN)
}

/// `on` less `days` days (the first day of a window of `days` days ending on `on` is one later).
pub fn days_before(on: NaiveDate, days: i64) -> NaiveDate {
    u64::try_from(days)
        .ok()
        .and_then(|days| on.checked_sub_days(Days::new(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// The Monday of the week (Monday–Sunday) that holds `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    days_before(day, i64::from(day.weekday().num_days_from_monday()))
}

/// The Mondays of the weeks a placement from `start` to `end` (or open)
/// should have a journal for on `on`: every week wholly within its dates
/// that ended at least 7 days before `on`.
pub fn journal_weeks(start: NaiveDate, end: Option<NaiveDate>, on: NaiveDate) -> Vec<NaiveDate> {
    let first = if start.weekday() == Weekday::Mon {
        start
    } else {
        monday_of(start) + Days::new(7)
    };
    let last_sunday = match end {
        Some(end) => end.min(days_before(on, 7)),
        None => days_before(on, 7),
    };
    let mut weeks = Vec::new();
    let mut monday = first;
    while monday + Days::new(6) <= last_sunday {
        weeks.push(monday);
        monday = monday + Days::new(7);
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn breaches_come_first_then_the_rules_by_name() {
        let order = rules_in_order();
        assert_eq!(order.len(), ComplianceRule::ALL.len());
        let breaches = order.iter().take_while(|r| r.severity() == Severity::Breach).count();
        assert_eq!(breaches, 8);
        assert!(order[breaches..].iter().all(|r| r.severity() == Severity::Warning));
        assert_eq!(order[0], ComplianceRule::FirstYearStudent);
        assert_eq!(order[breaches], ComplianceRule::IncidentUnreported);
    }

    #[test]
    fn a_minor_is_born_after_the_day_eighteen_years_before() {
        use crate::domain::placement::age_on;
        for (on, born) in [
            ("2026-02-28", "2008-02-29"),
            ("2026-03-01", "2008-02-29"),
            ("2024-02-29", "2006-03-01"),
            ("2024-02-29", "2006-02-28"),
            ("2025-06-30", "2007-06-30"),
            ("2025-06-30", "2007-07-01"),
        ] {
            let (on, born) = (day(on), day(born));
            assert_eq!(born > adult_born_by(on), age_on(born, on) < ADULT_AGE, "{born} on {on}");
        }
    }

    #[test]
    fn a_journal_is_due_for_each_whole_week_ended_a_week_ago() {
        // 2024-09-02 is a Monday; on 2024-09-23 (a Monday) the weeks of
        // 09-02 and 09-09 ended at least 7 days before; 09-16's did not.
        assert_eq!(
            journal_weeks(day("2024-09-02"), None, day("2024-09-23")),
            [day("2024-09-02"), day("2024-09-09")]
        );
        // Starting on a Wednesday: that week is not whole.
        assert_eq!(
            journal_weeks(day("2024-09-04"), None, day("2024-09-23")),
            [day("2024-09-09")]
        );
        // Ending on a Saturday: that week is not whole either.
        assert_eq!(
            journal_weeks(day("2024-09-02"), Some(day("2024-09-14")), day("2024-12-01")),
            [day("2024-09-02")]
        );
        assert!(journal_weeks(day("2024-09-02"), None, day("2024-09-10")).is_empty());
    }

    #[test]
    fn a_student_enrolled_on_the_29th_of_february_is_past_the_first_year_on_the_28th() {
        assert_eq!(first_year_until(day("2020-02-29")), day("2021-02-28"));
        assert_eq!(first_year_until(day("2023-09-01")), day("2024-09-01"));
    }
}
