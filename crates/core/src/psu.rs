//! the PSU hourly participation of a family, from its file and the barème in force.
//!
//! The barème is data ([`Bareme`]: floors, ceilings and effort rates, each with its period,
//! its source and whether it was confirmed); the computation ([`participation`]) is a pure
//! function of a file, a date, a type of care and a barème. Amounts are euro cents, rates
//! parts per million of the monthly resources (`619` for 0.0619 %). Nothing is rounded
//! before the hourly figure, which is rounded once, half up, to the cent.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dossier::{Dossier, Period};

/// The partner's type of care: each has its own effort rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CareType {
    /// Crèches, multi-accueils, haltes-garderies, and micro-crèches since circular 2019-005.
    Collective,
    /// Crèches familiales.
    Familial,
    /// Crèches parentales.
    Parental,
}

impl CareType {
    pub const ALL: [CareType; 3] = [CareType::Collective, CareType::Familial, CareType::Parental];

    pub fn code(self) -> &'static str {
        match self {
            CareType::Collective => "collective",
            CareType::Familial => "familial",
            CareType::Parental => "parental",
        }
    }

    /// As the partner's screen names it.
    pub fn label(self) -> &'static str {
        match self {
            CareType::Collective => "accueil collectif",
            CareType::Familial => "accueil familial",
            CareType::Parental => "accueil parental",
        }
    }
}

impl fmt::Display for CareType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An unknown type of care.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("type d'accueil inconnu (collective, familial ou parental)")]
pub struct UnknownCareType;

impl FromStr for CareType {
    type Err = UnknownCareType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CareType::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or(UnknownCareType)
    }
}

/// What one value of the barème is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BaremeItem {
    /// Floor of the monthly resources, in cents (every type of care).
    Floor,
    /// Ceiling of the monthly resources, in cents (every type of care).
    Ceiling,
    /// Effort rate, in parts per million, for `children` dependent children and more (up to
    /// the next row of the same type of care).
    Rate { care: CareType, children: u32 },
}

impl BaremeItem {
    /// `floor`, `ceiling` or `rate`, as the database and the command line write it.
    pub fn kind(self) -> &'static str {
        match self {
            BaremeItem::Floor => "floor",
            BaremeItem::Ceiling => "ceiling",
            BaremeItem::Rate { .. } => "rate",
        }
    }
}

/// One value of the barème over its period, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaremeEntry {
    pub item: BaremeItem,
    pub period: Period,
    /// Cents for a floor or a ceiling, parts per million for a rate.
    pub value: i64,
    /// The CNAF circular or caf.fr page the value is taken from.
    pub source: String,
    /// `false`: the project (or the caisse) could not source the value; shown as such.
    pub confirmed: bool,
}

/// Where a value used in a computation comes from (on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Cited {
    pub period: Period,
    pub source: String,
    pub confirmed: bool,
}

impl From<&BaremeEntry> for Cited {
    fn from(e: &BaremeEntry) -> Self {
        Cited {
            period: e.period,
            source: e.source.clone(),
            confirmed: e.confirmed,
        }
    }
}

/// The three values of the barème a participation used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BaremeUsed {
    pub floor: Cited,
    pub ceiling: Cited,
    pub rate: Cited,
}

/// A barème whose periods may not overlap item by item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bareme {
    entries: Vec<BaremeEntry>,
}

/// Why a set of entries is not a barème.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaremeError {
    #[error("deux valeurs du barème se recouvrent ({item} au {date})")]
    Overlap { item: &'static str, date: NaiveDate },
    #[error("valeur du barème hors limites ({item} : {value})")]
    OutOfRange { item: &'static str, value: i64 },
    #[error("période du barème vide (fin avant le début)")]
    EmptyPeriod,
    #[error("source du barème manquante ou trop longue (1 à 300 caractères)")]
    Source,
    #[error("nombre d'enfants du barème hors limites (1 à 20)")]
    Children,
}

impl Bareme {
    /// Checks every entry and that no two entries of one item overlap.
    pub fn new(mut entries: Vec<BaremeEntry>) -> Result<Self, BaremeError> {
        for e in &entries {
            e.check()?;
        }
        entries.sort_by_key(|e| (e.item, e.period.start));
        for pair in entries.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.item == b.item && a.period.end.is_none_or(|end| end >= b.period.start) {
                return Err(BaremeError::Overlap {
                    item: a.item.kind(),
                    date: b.period.start,
                });
            }
        }
        Ok(Bareme { entries })
    }

    pub fn entries(&self) -> &[BaremeEntry] {
        &self.entries
    }

    pub fn into_entries(self) -> Vec<BaremeEntry> {
        self.entries
    }

    /// The barème once `entry` is published, as paint over its item's timeline: the entry
    /// sets the value over its own period and nothing else. Without an end date it runs
    /// until the day before the next value of its item; the value it follows ends the day
    /// before it starts, and one starting the same day is replaced. With an end date (a
    /// correction) it interrupts the value in force only for its period, and that value
    /// resumes the day after (issue 22: a one-month correction of the ceiling left no
    /// ceiling after it). Refused when a value of its item starts inside its period (the
    /// caisse corrects one value at a time), or when the result would not hold.
    pub fn with_entry(self, mut entry: BaremeEntry) -> Result<Bareme, BaremeError> {
        let item = entry.item;
        let start = entry.period.start;
        let day_before = |d: NaiveDate| d.pred_opt().unwrap_or(d);
        let of_item = |e: &&BaremeEntry| e.item == item;
        if entry.period.end.is_none() {
            entry.period.end = self
                .entries
                .iter()
                .filter(of_item)
                .filter(|e| e.period.start > start)
                .map(|e| day_before(e.period.start))
                .min();
        }
        let end = entry.period.end;
        if let Some(inside) = self
            .entries
            .iter()
            .filter(of_item)
            .find(|e| e.period.start > start && end.is_none_or(|end| e.period.start <= end))
        {
            return Err(BaremeError::Overlap {
                item: item.kind(),
                date: inside.period.start,
            });
        }
        let mut entries = Vec::with_capacity(self.entries.len() + 2);
        for e in self.entries {
            let overlaps = e.item == item
                && e.period.end.is_none_or(|e_end| e_end >= start)
                && end.is_none_or(|end| e.period.start <= end);
            if !overlaps {
                entries.push(e);
                continue;
            }
            if e.period.start < start {
                let mut before = e.clone();
                before.period.end = Some(day_before(start));
                entries.push(before);
            }
            if let Some(end) = end.filter(|end| e.period.end.is_none_or(|e_end| e_end > *end)) {
                let mut after = e;
                after.period.start = end.succ_opt().ok_or(BaremeError::EmptyPeriod)?;
                entries.push(after);
            }
        }
        entries.push(entry);
        Bareme::new(entries)
    }

    /// The barème with those of `entries` it lacks: an entry is added only when no value of
    /// its item overlaps it (a caisse's own values are never replaced).
    pub fn with_missing(self, entries: Vec<BaremeEntry>) -> Result<Bareme, BaremeError> {
        let mut all = self.entries;
        for entry in entries {
            let overlaps = |e: &BaremeEntry| {
                e.item == entry.item
                    && e.period.end.is_none_or(|end| end >= entry.period.start)
                    && entry.period.end.is_none_or(|end| end >= e.period.start)
            };
            if !all.iter().any(overlaps) {
                all.push(entry);
            }
        }
        Bareme::new(all)
    }

    fn in_force(&self, item: BaremeItem, date: NaiveDate) -> Option<&BaremeEntry> {
        self.entries
            .iter()
            .find(|e| e.item == item && e.period.contains(date))
    }

    /// The rate row for `children` (the row of the largest count not above it).
    fn rate(&self, care: CareType, children: u32, date: NaiveDate) -> Option<&BaremeEntry> {
        self.entries
            .iter()
            .filter(|e| e.period.contains(date))
            .filter_map(|e| match e.item {
                BaremeItem::Rate {
                    care: c,
                    children: n,
                } if c == care && n <= children => Some((n, e)),
                _ => None,
            })
            .max_by_key(|(n, _)| *n)
            .map(|(_, e)| e)
    }
}

impl BaremeEntry {
    fn check(&self) -> Result<(), BaremeError> {
        if self.period.end.is_some_and(|end| end < self.period.start) {
            return Err(BaremeError::EmptyPeriod);
        }
        let source = self.source.trim();
        if source.is_empty() || source.chars().count() > 300 {
            return Err(BaremeError::Source);
        }
        let (range, item) = match self.item {
            // Up to 100,000 € a month; a rate up to 1 % of the monthly resources per hour.
            BaremeItem::Floor | BaremeItem::Ceiling => (1..=10_000_000, self.item.kind()),
            BaremeItem::Rate { children, .. } => {
                if !(1..=20).contains(&children) {
                    return Err(BaremeError::Children);
                }
                (1..=10_000, "rate")
            }
        };
        if !range.contains(&self.value) {
            return Err(BaremeError::OutOfRange {
                item,
                value: self.value,
            });
        }
        Ok(())
    }
}

/// The hourly participation and every step of it (the `participation` of the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Participation {
    pub care: CareType,
    /// Annual resources (allocataire + conjoint) / 12, rounded to the cent for display.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub resources_monthly_cents: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub floor_cents: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub ceiling_cents: i64,
    /// The monthly resources bounded by the floor and the ceiling (rounded for display).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub base_monthly_cents: i64,
    /// Dependent children at the date (under 20).
    pub children: u32,
    /// Of them, those receiving the AEEH: one row further down the rates each.
    pub aeeh_children: u32,
    /// Parts per million of the monthly resources: 619 for 0.0619 %.
    pub effort_rate_ppm: u32,
    /// The hourly participation, rounded once, half up, to the cent.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub hourly_cents: i64,
    pub bareme: BaremeUsed,
}

/// Why there is no participation at a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum NoParticipation {
    /// No resources in force at the date.
    NoResources,
    /// No floor, ceiling or rate of the partner's type of care in force at the date.
    NoBareme,
    /// No dependent child on file at the date.
    NoDependentChild,
}

impl NoParticipation {
    /// The French sentence the screen shows.
    pub fn message(self) -> &'static str {
        match self {
            NoParticipation::NoResources => "Aucune ressource en vigueur à cette date.",
            NoParticipation::NoBareme => "Aucun barème PSU en vigueur à cette date.",
            NoParticipation::NoDependentChild => "Aucun enfant à charge à cette date.",
        }
    }
}

/// Age up to which a child counts as dependent (prestations familiales): under 20.
pub const DEPENDENT_UNTIL_YEARS: u32 = 20;

/// The dependent children at `date` and, of them, those receiving the AEEH.
pub fn dependent_children(dossier: &Dossier, date: NaiveDate) -> (u32, u32) {
    dossier
        .children_under(date, DEPENDENT_UNTIL_YEARS)
        .fold((0, 0), |(n, aeeh), c| (n + 1, aeeh + u32::from(c.disabled)))
}

/// `numerator / denominator` rounded half up (towards +∞ on a tie), `denominator > 0`.
fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator).div_euclid(2 * denominator)
}

/// the hourly participation of the family of `dossier` at `date`, for a partner of
/// type `care`.
pub fn participation(
    dossier: &Dossier,
    date: NaiveDate,
    care: CareType,
    bareme: &Bareme,
) -> Result<Participation, NoParticipation> {
    let resources = dossier
        .resources_in_force(date)
        .ok_or(NoParticipation::NoResources)?;
    let (children, aeeh_children) = dependent_children(dossier, date);
    if children == 0 {
        return Err(NoParticipation::NoDependentChild);
    }
    let floor = bareme.in_force(BaremeItem::Floor, date);
    let ceiling = bareme.in_force(BaremeItem::Ceiling, date);
    // One row further down the table for each dependent child receiving the AEEH: the rate
    // of a family with one more child (circular 2019-005).
    let rate = bareme.rate(care, children + aeeh_children, date);
    let (Some(floor), Some(ceiling), Some(rate)) = (floor, ceiling, rate) else {
        return Err(NoParticipation::NoBareme);
    };
    let annual = i128::from(resources.total_cents());
    // Bounded on the annual figure (×12) so that nothing is divided before the end; the
    // ceiling last, should a caisse ever publish a floor above it.
    let bounded = annual
        .max(12 * i128::from(floor.value))
        .min(12 * i128::from(ceiling.value));
    let hourly = div_half_up(bounded * i128::from(rate.value), 12 * 1_000_000);
    let cents = |v: i128| i64::try_from(v).unwrap_or(i64::MAX);
    Ok(Participation {
        care,
        resources_monthly_cents: cents(div_half_up(annual, 12)),
        floor_cents: floor.value,
        ceiling_cents: ceiling.value,
        base_monthly_cents: cents(div_half_up(bounded, 12)),
        children,
        aeeh_children,
        effort_rate_ppm: u32::try_from(rate.value).unwrap_or(u32::MAX),
        hourly_cents: cents(hourly),
        bareme: BaremeUsed {
            floor: floor.into(),
            ceiling: ceiling.into(),
            rate: rate.into(),
        },
    })
}

/// A decimal number with at most `decimals` digits after a comma or a point, scaled by
/// 10^decimals: `parse_scaled("801,5", 2) == Some(80_150)`. No sign, no thousands separator.
fn parse_scaled(text: &str, decimals: u32) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = match text.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || !digits(fraction) {
        return None;
    }
    if fraction.len() > decimals as usize {
        return None;
    }
    let scale = 10i64.pow(decimals);
    let frac = format!("{fraction:0<width$}", width = decimals as usize);
    let frac: i64 = if decimals == 0 { 0 } else { frac.parse().ok()? };
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(frac)
}

/// Euros as typed (`801,00`, `8500`, `765.77`) → cents.
pub fn parse_euros(text: &str) -> Option<i64> {
    parse_scaled(text, 2)
}

/// An effort rate in percent as the CNAF writes it (`0,0619`) → parts per million (619).
pub fn parse_rate_percent(text: &str) -> Option<i64> {
    parse_scaled(text.trim().trim_end_matches('%').trim_end(), 4)
}

/// `619` → `0,0619 %`.
pub fn format_rate(ppm: i64) -> String {
    format!("{},{:04} %", ppm / 10_000, ppm % 10_000)
}

/// `80_100` → `801,00 €` (no thousands separator: the figure is copied into other software).
pub fn format_euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{},{:02} €", c / 100, c % 100)
}

const CIRCULAR_2019_005: &str = "Cnaf, lettre circulaire 2019-005 du 5 juin 2019 (barème national des \
     participations familiales), annexe";
const CEILING_2024: &str = "Cnaf, plafond de ressources relevé à 7 000 € au 1er septembre 2024 \
     (caf45-partenaires.fr, « EAJE PSU – Évolution du montant plafond des participations au 1er \
     septembre 2024 »)";
const CEILING_2025: &str = "Cnaf, plafond de ressources relevé à 8 500 € au 1er septembre 2025 (caf.fr, partenaires, \
     barème des participations familiales)";
const FLOORS: &str = "Cnaf, plancher de ressources publié chaque année (caf.fr, partenaires, \
     barème des participations familiales)";

/// The national barème as the project could source it, with which values are
/// unconfirmed. A caisse loads it once (`admin service catalogue`) and keeps it current with
/// `admin bareme set` as the CNAF publishes.
pub fn national_bareme() -> Vec<BaremeEntry> {
    // Literal dates, all valid.
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN);
    let period = |start, end| Period { start, end };
    let entry = |item, period, value, source: &str, confirmed| BaremeEntry {
        item,
        period,
        value,
        source: source.to_owned(),
        confirmed,
    };
    let mut out = vec![
        entry(
            BaremeItem::Ceiling,
            period(d(2022, 1, 1), Some(d(2024, 8, 31))),
            600_000,
            CIRCULAR_2019_005,
            true,
        ),
        entry(
            BaremeItem::Ceiling,
            period(d(2024, 9, 1), Some(d(2025, 8, 31))),
            700_000,
            CEILING_2024,
            true,
        ),
        entry(
            BaremeItem::Ceiling,
            period(d(2025, 9, 1), None),
            850_000,
            CEILING_2025,
            true,
        ),
    ];
    // Floors by calendar year; 2025's and 2026's could not be checked against a publication
    // from here.
    for (year, cents, confirmed) in [
        (2022, 71_233, false),
        (2023, 75_416, true),
        (2024, 76_577, true),
        (2025, 80_100, false),
    ] {
        let end = (year < 2025).then(|| d(year, 12, 31));
        out.push(entry(
            BaremeItem::Floor,
            period(d(year, 1, 1), end),
            cents,
            FLOORS,
            confirmed,
        ));
    }
    // Effort rates from 2022-01-01 (end of the 2019–2021 yearly increases).
    let from_2022 = period(d(2022, 1, 1), None);
    for (children, ppm) in [(1, 619), (2, 516), (3, 413), (4, 310), (8, 206)] {
        out.push(entry(
            BaremeItem::Rate {
                care: CareType::Collective,
                children,
            },
            from_2022,
            ppm,
            CIRCULAR_2019_005,
            true,
        ));
    }
    for care in [CareType::Familial, CareType::Parental] {
        for (children, ppm) in [(1, 516), (2, 413), (3, 310), (6, 206)] {
            out.push(entry(
                BaremeItem::Rate { care, children },
                from_2022,
                ppm,
                CIRCULAR_2019_005,
                false,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::dossier::{Child, YearlyResources};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn national() -> Bareme {
        Bareme::new(national_bareme()).unwrap()
    }

    /// A file with `annual_cents` of resources valid all of 2024–2026 and these children
    /// (birth year, AEEH).
    fn family(annual_cents: i64, children: &[(i32, bool)]) -> Dossier {
        let mut dossier = crate::testing::sample_dossier();
        dossier.resources = vec![YearlyResources {
            reference_year: 2023,
            validity: Period {
                start: d(2024, 1, 1),
                end: Some(d(2026, 12, 31)),
            },
            allocataire_cents: annual_cents - annual_cents / 3,
            partner_cents: annual_cents / 3,
        }];
        dossier.family.children = children
            .iter()
            .map(|&(year, aeeh)| Child {
                first_name: "Enfant".into(),
                birth_date: d(year, 6, 15),
                disabled: aeeh,
            })
            .collect();
        dossier
    }

    fn hourly(dossier: &Dossier, date: NaiveDate, care: CareType) -> i64 {
        participation(dossier, date, care, &national())
            .unwrap()
            .hourly_cents
    }

    /// Worked by hand: 36,000 € a year → 3,000 € a month × 0.0619 % = 1.857 € → 1.86 €.
    #[test]
    fn r31_one_child_collective() {
        let p = participation(
            &family(3_600_000, &[(2024, false)]),
            d(2025, 3, 1),
            CareType::Collective,
            &national(),
        )
        .unwrap();
        assert_eq!(p.resources_monthly_cents, 300_000);
        assert_eq!(p.base_monthly_cents, 300_000);
        assert_eq!(
            (p.children, p.aeeh_children, p.effort_rate_ppm),
            (1, 0, 619)
        );
        assert_eq!(p.hourly_cents, 186);
        assert_eq!(p.floor_cents, 80_100);
        assert!(!p.bareme.floor.confirmed, "2025's floor is unconfirmed");
        assert!(p.bareme.rate.confirmed);
    }

    /// The ceiling in force: 6,000 € until 2024-08-31, 7,000 € from 2024-09-01, 8,500 € from
    /// 2025-09-01. 120,000 € a year (10,000 € a month), 2 children (0.0516 %):
    /// 6,000 × 0.000516 = 3.096 → 3.10; 7,000 → 3.612 → 3.61; 8,500 → 4.386 → 4.39.
    #[test]
    fn r31_ceiling_by_period() {
        let f = family(12_000_000, &[(2020, false), (2023, false)]);
        let care = CareType::Collective;
        assert_eq!(hourly(&f, d(2024, 8, 31), care), 310);
        assert_eq!(hourly(&f, d(2024, 9, 1), care), 361);
        assert_eq!(hourly(&f, d(2025, 8, 31), care), 361);
        assert_eq!(hourly(&f, d(2025, 9, 1), care), 439);
    }

    /// Below the floor the floor applies: 2024's 765.77 € × 0.0413 % (3 children) = 0.3163…
    /// → 0.32 €; resources of zero too.
    #[test]
    fn r31_floor_applies_below_it() {
        let f = family(0, &[(2010, false), (2015, false), (2023, false)]);
        let p = participation(&f, d(2024, 5, 1), CareType::Collective, &national()).unwrap();
        assert_eq!(p.resources_monthly_cents, 0);
        assert_eq!(p.base_monthly_cents, 76_577);
        assert_eq!(p.hourly_cents, 32);
    }

    /// AEEH: one row down for each dependent child receiving it, even when that child is
    /// not the one in care. 2 children, one with the AEEH → the rate of 3 (0.0413 %); 3000 €
    /// → 1.239 → 1.24 €. Two AEEH children of 3 → the rate of 5, still the 4-to-7 row.
    #[test]
    fn r31_aeeh_steps_down_the_rates() {
        let f = family(3_600_000, &[(2012, true), (2024, false)]);
        let p = participation(&f, d(2025, 3, 1), CareType::Collective, &national()).unwrap();
        assert_eq!(
            (p.children, p.aeeh_children, p.effort_rate_ppm),
            (2, 1, 413)
        );
        assert_eq!(p.hourly_cents, 124);
        let f = family(3_600_000, &[(2012, true), (2014, true), (2024, false)]);
        let p = participation(&f, d(2025, 3, 1), CareType::Collective, &national()).unwrap();
        assert_eq!(
            (p.children, p.aeeh_children, p.effort_rate_ppm),
            (3, 2, 310)
        );
        // An AEEH child of 20 or more is no longer dependent.
        let f = family(3_600_000, &[(2004, true), (2024, false)]);
        let p = participation(&f, d(2025, 3, 1), CareType::Collective, &national()).unwrap();
        assert_eq!(
            (p.children, p.aeeh_children, p.effort_rate_ppm),
            (1, 0, 619)
        );
    }

    /// 8 and more children: 0.0206 %; the familial table has its own rates.
    #[test]
    fn r31_large_families_and_other_types_of_care() {
        let eight: Vec<_> = (2010..2018).map(|y| (y, false)).collect();
        let f = family(3_600_000, &eight);
        assert_eq!(hourly(&f, d(2025, 3, 1), CareType::Collective), 62); // 0.618
        let f = family(3_600_000, &[(2024, false)]);
        assert_eq!(hourly(&f, d(2025, 3, 1), CareType::Familial), 155); // 1.548
        assert_eq!(hourly(&f, d(2025, 3, 1), CareType::Parental), 155);
    }

    /// Half up, once: 12 × 2,500.81 € = 30,009.72 €/year at 0.0619 % = 1.548000139 → 1.55;
    /// a tie (x.xx5) goes up.
    #[test]
    fn r31_rounds_once_half_up() {
        assert_eq!(div_half_up(5, 10), 1);
        assert_eq!(div_half_up(4, 10), 0);
        assert_eq!(div_half_up(-5, 10), 0);
        assert_eq!(div_half_up(-6, 10), -1);
        // 1,000,000 ppm-cents… a tie: annual 12 × 100,000 cents at 5 ppm = 0.5 cent → 1.
        let b = Bareme::new(vec![
            BaremeEntry {
                item: BaremeItem::Floor,
                period: Period {
                    start: d(2024, 1, 1),
                    end: None,
                },
                value: 1,
                source: "test".into(),
                confirmed: true,
            },
            BaremeEntry {
                item: BaremeItem::Ceiling,
                period: Period {
                    start: d(2024, 1, 1),
                    end: None,
                },
                value: 10_000_000,
                source: "test".into(),
                confirmed: true,
            },
            BaremeEntry {
                item: BaremeItem::Rate {
                    care: CareType::Collective,
                    children: 1,
                },
                period: Period {
                    start: d(2024, 1, 1),
                    end: None,
                },
                value: 5,
                source: "test".into(),
                confirmed: true,
            },
        ])
        .unwrap();
        let f = family(1_200_000, &[(2024, false)]);
        let p = participation(&f, d(2025, 1, 1), CareType::Collective, &b).unwrap();
        assert_eq!(p.hourly_cents, 1);
        let f = family(3_000_972, &[(2024, false)]);
        assert_eq!(hourly(&f, d(2025, 3, 1), CareType::Collective), 155);
    }

    #[test]
    fn r31_no_participation_says_why() {
        let f = family(3_600_000, &[(2024, false)]);
        let none = |f: &Dossier, date| {
            participation(f, date, CareType::Collective, &national()).unwrap_err()
        };
        assert_eq!(none(&f, d(2027, 1, 1)), NoParticipation::NoResources);
        // Before the child's birth: no dependent child.
        assert_eq!(none(&f, d(2024, 3, 1)), NoParticipation::NoDependentChild);
        let mut early = f.clone();
        early.resources[0].validity.start = d(2015, 1, 1);
        early.family.children[0].birth_date = d(2014, 1, 1);
        assert_eq!(none(&early, d(2016, 1, 1)), NoParticipation::NoBareme);
    }

    #[test]
    fn r31_bareme_is_checked() {
        let mut entries = national_bareme();
        let mut twice = entries[0].clone();
        twice.period.start = d(2023, 1, 1);
        entries.push(twice);
        assert!(matches!(
            Bareme::new(entries),
            Err(BaremeError::Overlap {
                item: "ceiling",
                ..
            })
        ));
        let mut bad = national_bareme()[0].clone();
        bad.value = 0;
        assert!(matches!(
            Bareme::new(vec![bad.clone()]),
            Err(BaremeError::OutOfRange { .. })
        ));
        bad.value = 100;
        bad.source = " ".into();
        assert_eq!(Bareme::new(vec![bad]), Err(BaremeError::Source));
        assert_eq!("familial".parse(), Ok(CareType::Familial));
        assert_eq!("micro".parse::<CareType>(), Err(UnknownCareType));
    }

    /// A caisse publishes 2026's floor: 2025's open-ended floor ends on 2025-12-31; the
    /// same start again replaces the value; a value inserted before a later one stops the
    /// day before it; loading the national values again adds nothing.
    #[test]
    fn r31_publishing_a_value_closes_the_previous_one() {
        let floor = |start, value, confirmed| BaremeEntry {
            item: BaremeItem::Floor,
            period: Period { start, end: None },
            value,
            source: "Cnaf, barème 2026".into(),
            confirmed,
        };
        let b = national()
            .with_entry(floor(d(2026, 1, 1), 81_000, false))
            .unwrap();
        let floors: Vec<_> = b
            .entries()
            .iter()
            .filter(|e| e.item == BaremeItem::Floor)
            .map(|e| (e.period.start, e.period.end, e.value))
            .collect();
        assert_eq!(
            floors[floors.len() - 2],
            (d(2025, 1, 1), Some(d(2025, 12, 31)), 80_100)
        );
        assert_eq!(floors[floors.len() - 1], (d(2026, 1, 1), None, 81_000));
        let b = b.with_entry(floor(d(2026, 1, 1), 81_234, true)).unwrap();
        let last = b.in_force(BaremeItem::Floor, d(2026, 6, 1)).unwrap();
        assert_eq!((last.value, last.confirmed), (81_234, true));
        let b = b.with_entry(floor(d(2025, 7, 1), 80_500, true)).unwrap();
        let mid = b.in_force(BaremeItem::Floor, d(2025, 12, 31)).unwrap();
        assert_eq!((mid.value, mid.period.end), (80_500, Some(d(2025, 12, 31))));
        let before = b.entries().len();
        let again = b.with_missing(national_bareme()).unwrap();
        assert_eq!(again.entries().len(), before);
        let mut overlapping = floor(d(2025, 3, 1), 1, true);
        overlapping.period.end = Some(d(2026, 3, 1));
        assert!(matches!(
            again.with_entry(overlapping),
            Err(BaremeError::Overlap { .. })
        ));
    }

    /// Issue 22: a one-month correction of the ceiling interrupts the value in force for
    /// that month only; after it, the value in force before resumes.
    #[test]
    fn r31_issue22_a_bounded_correction_resumes_the_value_before() {
        let ceiling = |start, end, value| BaremeEntry {
            item: BaremeItem::Ceiling,
            period: Period { start, end },
            value,
            source: "Cnaf, correction".into(),
            confirmed: true,
        };
        let b = national();
        let before = b
            .in_force(BaremeItem::Ceiling, d(2026, 6, 1))
            .unwrap()
            .clone();
        let b = b
            .with_entry(ceiling(d(2026, 3, 1), Some(d(2026, 3, 31)), 700_000))
            .unwrap();
        let at = |b: &Bareme, day| b.in_force(BaremeItem::Ceiling, day).map(|e| e.value);
        assert_eq!(at(&b, d(2026, 2, 28)), Some(before.value));
        assert_eq!(at(&b, d(2026, 3, 15)), Some(700_000));
        assert_eq!(at(&b, d(2026, 4, 1)), Some(before.value), "resumes");
        assert_eq!(at(&b, d(2030, 1, 1)), Some(before.value));
        let after = b.in_force(BaremeItem::Ceiling, d(2026, 4, 1)).unwrap();
        assert_eq!(after.source, before.source, "the value before, as cited");
        // A correction of the correction changes its own days only.
        let b = b
            .with_entry(ceiling(d(2026, 3, 1), Some(d(2026, 3, 10)), 710_000))
            .unwrap();
        assert_eq!(at(&b, d(2026, 3, 5)), Some(710_000));
        assert_eq!(at(&b, d(2026, 3, 20)), Some(700_000));
        assert_eq!(at(&b, d(2026, 4, 1)), Some(before.value));
        // A correction inside an earlier bounded period keeps the end of that period.
        let b = b
            .with_entry(ceiling(d(2025, 10, 1), Some(d(2025, 10, 31)), 650_000))
            .unwrap();
        assert_eq!(at(&b, d(2025, 11, 1)), at(&national(), d(2025, 11, 1)));
    }

    #[test]
    fn amounts_and_rates_as_typed() {
        assert_eq!(parse_euros("801,00"), Some(80_100));
        assert_eq!(parse_euros(" 8500 "), Some(850_000));
        assert_eq!(parse_euros("765.7"), Some(76_570));
        for bad in [
            "",
            ",5",
            "1,234",
            "-3",
            "1 000",
            "12a",
            "1,2,3",
            "9999999999999",
        ] {
            assert_eq!(parse_euros(bad), None, "{bad:?}");
        }
        assert_eq!(parse_rate_percent("0,0619"), Some(619));
        assert_eq!(parse_rate_percent("0.0206 %"), Some(206));
        assert_eq!(parse_rate_percent("0,06191"), None);
        assert_eq!(format_rate(619), "0,0619 %");
        assert_eq!(format_rate(10_000), "1,0000 %");
        assert_eq!(format_euros(80_100), "801,00 €");
        assert_eq!(format_euros(5), "0,05 €");
    }

    proptest! {
        /// The hourly figure is the exact product, bounded, within half a cent; it never
        /// falls when resources rise, and never rises with more children or AEEH.
        #[test]
        fn r31_participation_properties(
            annual in 0i64..30_000_000,
            more in 0i64..5_000_000,
            n in 1usize..10,
            aeeh in 0usize..3,
            day in 0u64..(365 * 2),
        ) {
            let date = d(2024, 1, 1) + chrono::Days::new(day);
            let children: Vec<_> = (0..n).map(|i| (2008 + i as i32, i < aeeh)).collect();
            let b = national();
            let care = CareType::Collective;
            let p = participation(&family(annual, &children), date, care, &b).unwrap();
            let exact = (annual as f64 / 12.0)
                .clamp(p.floor_cents as f64, p.ceiling_cents as f64)
                * p.effort_rate_ppm as f64 / 1e6;
            prop_assert!((p.hourly_cents as f64 - exact).abs() <= 0.5 + 1e-6);
            let richer = participation(&family(annual + more, &children), date, care, &b).unwrap();
            prop_assert!(richer.hourly_cents >= p.hourly_cents);
            let mut bigger = children.clone();
            bigger.push((2020, false));
            let bigger = participation(&family(annual, &bigger), date, care, &b).unwrap();
            prop_assert!(bigger.hourly_cents <= p.hourly_cents);
            let mut with_aeeh = children.clone();
            with_aeeh[0].1 = true;
            let with_aeeh = participation(&family(annual, &with_aeeh), date, care, &b).unwrap();
            prop_assert!(with_aeeh.hourly_cents <= p.hourly_cents);
        }
    }
}
