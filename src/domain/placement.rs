//! The rules of a placement (apprenticeship): which kinds are for students,
//! which role a kind fixes, the weekly hours cap, the status machine as
//! data (every move, which side makes it, whether it needs a reason and
//! takes a reason code), the transfer's place in it, and the age a student
//! must have reached on the first day.

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

/// Whether a move takes a `reason_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coded {
    /// A code is refused (422 naming `reason_code`).
    No,
    /// A code may be given.
    May,
    /// A code must be given (422 naming `reason_code` without one).
    Must,
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
    /// Whether the move takes a `reason_code`.
    pub coded: Coded,
}

const fn step(
    from: ApprenticeshipStatus,
    to: ApprenticeshipStatus,
    by: Side,
    needs_reason: bool,
    coded: Coded,
) -> Move {
    Move {
        from,
        to,
        by,
        needs_reason,
        coded,
    }
}

/// Every legal move of `POST /transitions`: submit, cancel, accept, return,
/// suspend, resume, terminate, complete. Returns, suspensions, terminations
/// and cancellations take a reason code; terminations need one.
pub const MOVES: &[Move] = {
    use ApprenticeshipStatus::*;
    &[
        step(Draft, Submitted, Side::School, false, Coded::No),
        step(Draft, Cancelled, Side::School, true, Coded::May),
        step(Submitted, Cancelled, Side::School, true, Coded::May),
        step(Submitted, Active, Side::Enterprise, false, Coded::No),
        step(Submitted, Draft, Side::Enterprise, true, Coded::May),
        step(Active, Suspended, Side::Either, false, Coded::May),
        step(Suspended, Active, Side::Either, false, Coded::No),
        step(Active, Terminated, Side::Either, true, Coded::Must),
        step(Suspended, Terminated, Side::Either, true, Coded::Must),
        step(Active, Completed, Side::School, false, Coded::No),
    ]
};

/// The statuses a placement is transferred from (`POST /transfer`, made by
/// the owning school), to the final `transferred`; a transfer needs a reason
/// and a reason code.
pub const TRANSFERS: &[Move] = {
    use ApprenticeshipStatus::*;
    &[
        step(Active, Transferred, Side::School, true, Coded::Must),
        step(Suspended, Transferred, Side::School, true, Coded::Must),
    ]
};

/// The transfer out of `from`, if a placement in it can be transferred.
pub fn find_transfer(from: ApprenticeshipStatus) -> Option<Move> {
    TRANSFERS.iter().copied().find(|m| m.from == from)
}

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
        for m in MOVES {
            let coded = match (m.from, m.to) {
                (_, Terminated) => Coded::Must,
                (Submitted, Draft) | (_, Suspended) | (_, Cancelled) => Coded::May,
                _ => Coded::No,
            };
            assert_eq!(m.coded, coded, "{m:?}");
        }
        assert!(ApprenticeshipStatus::ALL
            .iter()
            .all(|s| find_move(Transferred, *s).is_none()));
        assert!(ApprenticeshipStatus::ALL
            .iter()
            .all(|s| find_move(*s, Transferred).is_none()));
        let from: Vec<_> = TRANSFERS.iter().map(|m| m.from).collect();
        assert_eq!(from, vec![Active, Suspended]);
        assert!(TRANSFERS.iter().all(|m| m.coded == Coded::Must && m.needs_reason));
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
