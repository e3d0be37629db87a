//! The rules of a placement (apprenticeship): which kinds are for students,
//! which role a kind fixes, the weekly hours cap, the status machine as
//! data (every move, which side makes it, whether it needs a reason), and
//! the age a student must have reached on the first day.

use chrono::{Datelike, NaiveDate};

use super::vocab::{ApprenticeshipKind, ApprenticeshipStatus, ParticipantRole};

/// The youngest age at which a student may start a placement.
pub const MIN_STUDENT_AGE: u32 = 16;
/// The most hours a week a student may work (no overtime for interns).
pub const MAX_STUDENT_HOURS: i32 = 40;
/// The most hours a week anyone else may work.
pub const MAX_HOURS: i32 = 60;

impl ApprenticeshipKind {
    /// The participant role this kind fixes.
    pub fn role(self) -> ParticipantRole {
        match self {
            ApprenticeshipKind::StudentInternship
            | ApprenticeshipKind::ObservationInternship
            | ApprenticeshipKind::ModernApprenticeship
            | ApprenticeshipKind::OrderClass => ParticipantRole::Student,
            ApprenticeshipKind::TeacherPractice => ParticipantRole::Teacher,
            ApprenticeshipKind::WorkerTraining => ParticipantRole::Worker,
        }
    }

    /// Whether the participant is a student (the internship rules apply).
    pub fn is_student(self) -> bool {
        self.role() == ParticipantRole::Student
    }

    /// Whether a placement of this kind must name a school.
    pub fn needs_school(self) -> bool {
        self != ApprenticeshipKind::WorkerTraining
    }

    /// The most hours a week a placement of this kind may have.
    pub fn max_hours(self) -> i32 {
        if self.is_student() {
            MAX_STUDENT_HOURS
        } else {
            MAX_HOURS
        }
    }
}

/// Who makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The owning school (or, for a placement without a school, the host enterprise).
    School,
    /// The host enterprise.
    Enterprise,
    /// Either side.
    Either,
}

/// One legal move of the status machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// The status it leaves.
    pub from: ApprenticeshipStatus,
    /// The status it reaches.
    pub to: ApprenticeshipStatus,
    /// Who makes it (an admin makes every move).
    pub by: Side,
    /// Whether the move needs a `reason`.
    pub needs_reason: bool,
}

const fn step(from: ApprenticeshipStatus, to: ApprenticeshipStatus, by: Side, needs_reason: bool) -> Move {
    Move {
        from,
        to,
        by,
        needs_reason,
    }
}

/// Every legal move: submit, cancel, accept, return, suspend, resume,
/// terminate, complete.
pub const MOVES: &[Move] = {
    use ApprenticeshipStatus::*;
    &[
        step(Draft, Submitted, Side::School, false),
        step(Draft, Cancelled, Side::School, true),
        step(Submitted, Cancelled, Side::School, true),
        step(Submitted, Active, Side::Enterprise, false),
        step(Submitted, Draft, Side::Enterprise, true),
        step(Active, Suspended, Side::Either, false),
        step(Suspended, Active, Side::Either, false),
        step(Active, Terminated, Side::Either, true),
        step(Suspended, Terminated, Side::Either, true),
        step(Active, Completed, Side::School, false),
    ]
};

/// The move from `from` to `to`, if the machine has one.
pub fn find_move(from: ApprenticeshipStatus, to: ApprenticeshipStatus) -> Option<Move> {
    MOVES.iter().copied().find(|m| m.from == from && m.to == to)
}

/// The sides a caller acts for on one placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    /// Acts for the school side.
    pub school: bool,
    /// Acts for the enterprise side.
    pub enterprise: bool,
}

impl Sides {
    /// Whether these sides may make a move.
    pub fn may(self, m: Move) -> bool {
        match m.by {
            Side::School => self.school,
            Side::Enterprise => self.enterprise,
            Side::Either => self.school || self.enterprise,
        }
    }
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApprenticeshipStatus::*;

    #[test]
    fn the_machine_has_exactly_the_contracts_moves() {
        let legal: Vec<(ApprenticeshipStatus, ApprenticeshipStatus)> = MOVES.iter().map(|m| (m.from, m.to)).collect();
        for from in ApprenticeshipStatus::ALL {
            for to in ApprenticeshipStatus::ALL {
                assert_eq!(
                    find_move(*from, *to).is_some(),
                    legal.contains(&(*from, *to)),
                    "{from:?}→{to:?}"
                );
            }
        }
        assert_eq!(MOVES.len(), 10);
        for m in MOVES {
            assert_eq!(
                m.needs_reason,
                matches!((m.from, m.to), (Submitted, Draft) | (_, Terminated) | (_, Cancelled)),
                "{m:?}"
            );
        }
        assert_eq!(find_move(Submitted, Active).unwrap().by, Side::Enterprise);
        assert_eq!(find_move(Active, Completed).unwrap().by, Side::School);
        assert!(find_move(Completed, Active).is_none());
    }

    #[test]
    fn ages_count_whole_years() {
        let birth = NaiveDate::from_ymd_opt(2008, 9, 1).unwrap();
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2024, 8, 31).unwrap()), 15);
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2024, 9, 1).unwrap()), 16);
        let leap = NaiveDate::from_ymd_opt(2008, 2, 29).unwrap();
        assert_eq!(age_on(leap, NaiveDate::from_ymd_opt(2024, 2, 28).unwrap()), 15);
        assert_eq!(age_on(leap, NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()), 16);
    }

    #[test]
    fn kinds_fix_roles_school_and_hours() {
        assert_eq!(ApprenticeshipKind::OrderClass.role(), ParticipantRole::Student);
        assert_eq!(ApprenticeshipKind::TeacherPractice.max_hours(), 60);
        assert_eq!(ApprenticeshipKind::StudentInternship.max_hours(), 40);
        assert!(!ApprenticeshipKind::WorkerTraining.needs_school());
    }
}
