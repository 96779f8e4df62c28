//! A convention's life: one year from its start date, renewed tacitly by periods of
//! one year, until notice ends it. How notice works depends on the branch's contract:
//!
//! - MSA conventions (seeds 000 to 002, art. 9): notice must reach the other party at least
//!   three months before the end of a yearly period; the convention then ends with that
//!   period.
//! - CAF conventions (seed 003, art. 17.2): notice takes effect on the date the party asks
//!   for, never less than three months after it was received.
//!
//! Termination for breach (art. 9-2 / 17.2) is not notice: the caisse terminates, at once
//! and for good, and every session ends (the service's `terminate`).

use chrono::{Months, NaiveDate};

/// The minimum delay between notice and its effect, in both contracts.
pub const NOTICE_MONTHS: u32 = 3;

/// Whose contract rules the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeRule {
    /// Ends with the first yearly period ending three months or more after notice.
    AtTermEnd,
    /// Ends on the date asked, at least three months after notice.
    OnDateAsked,
}

/// Why a notice cannot be recorded as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("un préavis ne peut précéder le début de la convention")]
    BeforeStart,
    #[error("la résiliation ne peut prendre effet moins de trois mois après réception du préavis")]
    TooSoon,
    #[error(
        "une convention MSA prend fin à l'échéance annuelle ; aucune date d'effet n'est à choisir"
    )]
    DateNotChosen,
}

fn add_years(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day of the yearly period in force on `day` (the period starting on or before
/// `day`); the first period's when `day` precedes the start.
pub fn term_end(starts_on: NaiveDate, day: NaiveDate) -> NaiveDate {
    let mut years = 1;
    loop {
        let next_start = add_years(starts_on, years);
        if next_start > day || next_start == NaiveDate::MAX {
            return next_start.pred_opt().unwrap_or(next_start);
        }
        years += 1;
    }
}

/// the last day of a convention given notice on `received_on`.
pub fn notice_end(
    rule: NoticeRule,
    starts_on: NaiveDate,
    received_on: NaiveDate,
    asked: Option<NaiveDate>,
) -> Result<NaiveDate, NoticeError> {
    if received_on < starts_on {
        return Err(NoticeError::BeforeStart);
    }
    let earliest = received_on
        .checked_add_months(Months::new(NOTICE_MONTHS))
        .unwrap_or(NaiveDate::MAX);
    match rule {
        NoticeRule::AtTermEnd => {
            if asked.is_some() {
                return Err(NoticeError::DateNotChosen);
            }
            // The period that ends three months or more after notice: the one holding the
            // day before `earliest` (notice on 1 October ends the year on 31 December).
            Ok(term_end(starts_on, earliest.pred_opt().unwrap_or(earliest)))
        }
        NoticeRule::OnDateAsked => {
            let day = asked.unwrap_or(earliest);
            if day < earliest {
                return Err(NoticeError::TooSoon);
            }
            Ok(day)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testing::d;
    use proptest::prelude::*;

    #[test]
    fn r28_one_year_renewed_tacitly() {
        let start = d(2025, 3, 15);
        assert_eq!(term_end(start, d(2025, 3, 15)), d(2026, 3, 14));
        assert_eq!(term_end(start, d(2026, 3, 14)), d(2026, 3, 14));
        assert_eq!(term_end(start, d(2026, 3, 15)), d(2027, 3, 14), "renewed");
        assert_eq!(
            term_end(start, d(2025, 1, 1)),
            d(2026, 3, 14),
            "not started yet"
        );
        // A 29 February start: periods end on the 28th.
        assert_eq!(term_end(d(2024, 2, 29), d(2025, 6, 1)), d(2026, 2, 27));
    }

    /// MSA: notice three months or more before the end of the period ends it with that
    /// period; later notice, with the next one.
    #[test]
    fn r28_msa_notice_ends_at_a_term_end() {
        let start = d(2025, 1, 1); // periods end each 31 December
        let end = |received| notice_end(NoticeRule::AtTermEnd, start, received, None).unwrap();
        assert_eq!(end(d(2025, 9, 30)), d(2025, 12, 31));
        assert_eq!(
            end(d(2025, 10, 1)),
            d(2025, 12, 31),
            "three months to the day"
        );
        assert_eq!(
            end(d(2025, 10, 2)),
            d(2026, 12, 31),
            "less than three months before"
        );
        assert_eq!(end(d(2025, 1, 1)), d(2025, 12, 31));
        assert_eq!(
            notice_end(
                NoticeRule::AtTermEnd,
                start,
                d(2025, 5, 1),
                Some(d(2025, 8, 1))
            ),
            Err(NoticeError::DateNotChosen)
        );
        assert_eq!(
            notice_end(NoticeRule::AtTermEnd, start, d(2024, 5, 1), None),
            Err(NoticeError::BeforeStart)
        );
    }

    /// CAF: on the date asked, never less than three months after notice.
    #[test]
    fn r28_caf_notice_ends_on_the_date_asked() {
        let start = d(2025, 1, 1);
        let end = |asked| notice_end(NoticeRule::OnDateAsked, start, d(2026, 2, 10), asked);
        assert_eq!(end(None), Ok(d(2026, 5, 10)));
        assert_eq!(end(Some(d(2026, 5, 10))), Ok(d(2026, 5, 10)));
        assert_eq!(end(Some(d(2026, 9, 1))), Ok(d(2026, 9, 1)));
        assert_eq!(end(Some(d(2026, 5, 9))), Err(NoticeError::TooSoon));
    }

    proptest! {
        /// Whatever the dates, the end is a term end at least three months after notice
        /// (MSA), and no period is skipped.
        #[test]
        fn msa_end_is_the_first_term_end_three_months_away(
            start_off in 0i64..3000, received_off in 0i64..3000,
        ) {
            let start = d(2020, 1, 1) + chrono::Duration::days(start_off);
            let received = start + chrono::Duration::days(received_off);
            let end = notice_end(NoticeRule::AtTermEnd, start, received, None).unwrap();
            let last_day = received.checked_add_months(Months::new(3)).unwrap().pred_opt().unwrap();
            prop_assert!(end >= last_day, "three months of notice");
            prop_assert_eq!(term_end(start, end), end, "a term end");
            // The term end before it (if any) came too soon.
            let previous_end = add_years(start, 0).max(end.checked_sub_months(Months::new(12)).unwrap());
            if previous_end >= start && term_end(start, previous_end) == previous_end {
                prop_assert!(previous_end < last_day, "no period is skipped");
            }
        }
    }
}
