//! Teachers' enterprise practice: the rule that a vocational teacher spends
//! at least six months (counted as 180 days) in enterprise practice every
//! five years, and how the days are counted.

use chrono::{Days, Months, NaiveDate};

/// The days of practice the rule asks for within five years.
pub const REQUIRED_DAYS: u32 = 180;

/// The first day of the five years ending on `on`: `on` − 5 years + 1 day
/// (from a 29 February, 5 years back is the 28th).
pub fn window_start(on: NaiveDate) -> NaiveDate {
    on.checked_sub_months(Months::new(60))
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .unwrap_or(NaiveDate::MIN)
}

/// The days from `from` to `to` (both included) that one placement counts,
/// cut to the window `start..=on`; `None` when it lies outside.
pub fn clipped(from: NaiveDate, to: NaiveDate, start: NaiveDate, on: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let from = from.max(start);
    let to = to.min(on);
    (from <= to).then_some((from, to))
}

/// The number of calendar days the spans cover together, each day once
/// however many spans hold it (both ends included).
pub fn covered_days(mut spans: Vec<(NaiveDate, NaiveDate)>) -> u32 {
    spans.sort();
    let mut days: i64 = 0;
    let mut current: Option<(NaiveDate, NaiveDate)> = None;
    for (from, to) in spans {
        current = match current {
            Some((a, b)) if from <= b.succ_opt().unwrap_or(b) => Some((a, b.max(to))),
            Some((a, b)) => {
                days += (b - a).num_days() + 1;
                Some((from, to))
            }
            None => Some((from, to)),
        };
    }
    if let Some((a, b)) = current {
        days += (b - a).num_days() + 1;
    }
    u32::try_from(days).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_five_years_end_on_the_day_and_start_the_day_after_five_years_before() {
        assert_eq!(window_start(d("2025-06-30")), d("2020-07-01"));
        assert_eq!(window_start(d("2024-02-29")), d("2019-03-01"));
        assert_eq!(window_start(d("2025-01-01")), d("2020-01-02"));
    }

    #[test]
    fn overlapping_and_touching_spans_count_each_day_once() {
        assert_eq!(covered_days(vec![]), 0);
        assert_eq!(covered_days(vec![(d("2024-01-01"), d("2024-01-01"))]), 1);
        // Two placements overlapping by ten days: 31 + 29 − 10 … counted once.
        assert_eq!(
            covered_days(vec![
                (d("2024-02-01"), d("2024-02-29")),
                (d("2024-01-01"), d("2024-02-10"))
            ]),
            60
        );
        // Touching spans join; a gap does not.
        assert_eq!(
            covered_days(vec![
                (d("2024-01-01"), d("2024-01-10")),
                (d("2024-01-11"), d("2024-01-20"))
            ]),
            20
        );
        assert_eq!(
            covered_days(vec![
                (d("2024-01-01"), d("2024-01-10")),
                (d("2024-01-12"), d("2024-01-20"))
            ]),
            19
        );
        // One span inside another.
        assert_eq!(
            covered_days(vec![
                (d("2024-01-01"), d("2024-12-31")),
                (d("2024-03-01"), d("2024-03-31"))
            ]),
            366
        );
    }

    #[test]
    fn a_span_is_cut_to_the_window() {
        let (start, on) = (d("2020-07-01"), d("2025-06-30"));
        assert_eq!(
            clipped(d("2020-06-01"), d("2020-07-10"), start, on),
            Some((d("2020-07-01"), d("2020-07-10")))
        );
        assert_eq!(clipped(d("2020-01-01"), d("2020-06-30"), start, on), None);
        assert_eq!(clipped(d("2025-07-01"), d("2025-08-01"), start, on), None);
        assert_eq!(
            clipped(d("2025-06-01"), d("2025-12-31"), start, on),
            Some((d("2025-06-01"), d("2025-06-30")))
        );
    }
}
