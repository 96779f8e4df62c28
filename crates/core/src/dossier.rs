//! The allocataire's file (dossier) with every part that some service shows, and the
//! "Recherche": what was in force at a given date.
//!
//! Amounts are in euro cents (`i64`), dates are calendar dates; a [`Period`] is inclusive at
//! both ends and open-ended when `end` is `None`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::nir::Nir;
use crate::psu::{NoParticipation, Participation};

/// An inclusive validity period; `end: None` means "until further notice".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Period {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl Period {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }
}

/// A whole file as the caisse holds it. Never sent as is: a service sees its projection
/// ([`crate::service_def::DossierView`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dossier {
    pub nir: Nir,
    pub caisse: String,
    pub departement: String,
    /// the allocataire opposed the consultation of their file.
    pub opposition: bool,
    pub contact: ContactDetails,
    pub address: Address,
    pub family: FamilySituation,
    /// Resources excluding family benefits, one entry per reference year (N-2).
    pub resources: Vec<YearlyResources>,
    /// Quotient familial per validity period.
    pub quotients: Vec<QuotientFamilial>,
    pub rsa: Option<RsaRight>,
    /// Benefits (droits) with their periods, requests included (e.g. a CMG request).
    pub benefits: Vec<Benefit>,
}

/// "Coordonnées du dossier".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactDetails {
    pub allocataire_number: String,
    pub civility: Civility,
    pub first_name: String,
    pub birth_name: String,
    pub usage_name: Option<String>,
    pub birth_date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Civility {
    Madame,
    Monsieur,
}

/// "Adresse".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Address {
    pub line1: String,
    pub line2: Option<String>,
    pub postcode: String,
    pub city: String,
}

/// "Situation familiale" (PSU) or "Famille" (RSACG).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FamilySituation {
    pub status: FamilyStatus,
    pub partner: Option<Person>,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FamilyStatus {
    Couple,
    Single,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Child {
    pub first_name: String,
    pub birth_date: NaiveDate,
    /// The child receives the AEEH (disabled child): R-31 takes the PSU rate one row
    /// further down the table.
    pub disabled: bool,
}

/// "Ressources hors prestations familiales" of one reference year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct YearlyResources {
    pub reference_year: i32,
    pub validity: Period,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub allocataire_cents: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub partner_cents: i64,
}

impl YearlyResources {
    pub fn total_cents(&self) -> i64 {
        self.allocataire_cents + self.partner_cents
    }
}

/// "Montant du QF" for one validity period, in euros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QuotientFamilial {
    pub validity: Period,
    pub amount: u32,
}

/// "RSA": the right, its state and recent payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RsaRight {
    pub state: RsaState,
    pub period: Period,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub monthly_cents: i64,
    pub payments: Vec<RsaPayment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RsaState {
    Open,
    Suspended,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RsaPayment {
    /// First day of the month paid.
    pub month: NaiveDate,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub amount_cents: i64,
}

/// One benefit (droit), or a pending request for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Benefit {
    /// Short code as the caisse writes it: `AF`, `ALF`, `APL`, `PAJE`, `CMG`, `AEEH`, `RSA`…
    pub code: String,
    pub label: String,
    pub period: Period,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub monthly_cents: i64,
}

/// "Recherche": the resources and QF in force at a date and, for a service with the
/// participation rule (PSU, R-31), the family's hourly participation at that date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InForce {
    pub date: NaiveDate,
    pub resources: Option<YearlyResources>,
    pub quotient: Option<QuotientFamilial>,
    /// `null` when the service computes none, or when none can be computed at the
    /// date (then `participation_reason` says why).
    #[serde(default)]
    pub participation: Option<Participation>,
    #[serde(default)]
    pub participation_reason: Option<NoParticipation>,
}

impl InForce {
    /// Records the outcome of [`crate::psu::participation`] for this date.
    pub fn set_participation(&mut self, result: Result<Participation, NoParticipation>) {
        (self.participation, self.participation_reason) = match result {
            Ok(p) => (Some(p), None),
            Err(why) => (None, Some(why)),
        };
    }
}

impl Dossier {
    /// The resources whose validity period contains `date`; the latest reference year wins
    /// if periods overlap.
    pub fn resources_in_force(&self, date: NaiveDate) -> Option<YearlyResources> {
        self.resources
            .iter()
            .filter(|r| r.validity.contains(date))
            .max_by_key(|r| r.reference_year)
            .copied()
    }

    /// The QF whose validity period contains `date`; the latest start wins on overlap.
    pub fn quotient_in_force(&self, date: NaiveDate) -> Option<QuotientFamilial> {
        self.quotients
            .iter()
            .filter(|q| q.validity.contains(date))
            .max_by_key(|q| q.validity.start)
            .copied()
    }

    pub fn in_force(&self, date: NaiveDate) -> InForce {
        InForce {
            date,
            resources: self.resources_in_force(date),
            quotient: self.quotient_in_force(date),
            participation: None,
            participation_reason: None,
        }
    }

    /// RSA beneficiary on `today`, or whose right ended at most `within_months` ago.
    pub fn rsa_beneficiary_within(&self, today: NaiveDate, within_months: u32) -> bool {
        let Some(rsa) = &self.rsa else { return false };
        if rsa.period.start > today {
            return false;
        }
        match rsa.period.end {
            None => rsa.state != RsaState::Closed,
            Some(end) => end
                .checked_add_months(chrono::Months::new(within_months))
                .is_some_and(|limit| today <= limit),
        }
    }

    /// Whether a benefit (or request) with this code appears on file, at any time.
    pub fn has_benefit(&self, code: &str) -> bool {
        self.benefits.iter().any(|b| b.code == code)
    }

    /// The children born on or before `date` who are not yet `years` years old on it.
    pub fn children_under(&self, date: NaiveDate, years: u32) -> impl Iterator<Item = &Child> {
        self.family.children.iter().filter(move |c| {
            c.birth_date <= date
                && c.birth_date
                    .checked_add_months(chrono::Months::new(years * 12))
                    .is_some_and(|limit| date < limit)
        })
    }

    /// Whether a child was born less than `years` years before `today`.
    pub fn has_child_under(&self, today: NaiveDate, years: u32) -> bool {
        self.children_under(today, years).next().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sample() -> Dossier {
        crate::testing::sample_dossier()
    }

    #[test]
    fn recherche_picks_what_was_in_force() {
        let dossier = sample();
        let r = dossier.resources_in_force(d(2026, 3, 1)).unwrap();
        assert_eq!(r.reference_year, 2024);
        let r = dossier.resources_in_force(d(2025, 6, 30)).unwrap();
        assert_eq!(r.reference_year, 2023);
        assert!(dossier.resources_in_force(d(2010, 1, 1)).is_none());
        assert_eq!(
            dossier.quotient_in_force(d(2026, 3, 1)).unwrap().amount,
            712
        );
        assert_eq!(
            dossier.quotient_in_force(d(2025, 12, 31)).unwrap().amount,
            690
        );
    }

    #[test]
    fn rsa_window() {
        let mut dossier = sample();
        let today = d(2026, 11, 23);
        dossier.rsa = None;
        assert!(!dossier.rsa_beneficiary_within(today, 24));
        dossier.rsa = Some(RsaRight {
            state: RsaState::Closed,
            period: Period {
                start: d(2023, 1, 1),
                end: Some(d(2024, 12, 31)),
            },
            monthly_cents: 0,
            payments: vec![],
        });
        assert!(dossier.rsa_beneficiary_within(today, 24));
        assert!(!dossier.rsa_beneficiary_within(today, 0));
        assert!(!dossier.rsa_beneficiary_within(d(2027, 1, 1), 24));
        dossier.rsa.as_mut().unwrap().period.end = None;
        dossier.rsa.as_mut().unwrap().state = RsaState::Open;
        assert!(dossier.rsa_beneficiary_within(today, 0));
    }

    #[test]
    fn child_under_six() {
        let dossier = sample();
        assert!(dossier.has_child_under(d(2026, 11, 23), 6));
        assert!(!dossier.has_child_under(d(2040, 1, 1), 6));
    }
}
