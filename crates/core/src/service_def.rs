//! Services as data (R-01) and the projection of a file onto a service (R-02).
//!
//! A [`ServiceDef`] lists sections, an eligibility filter, an idle delay and optional
//! opening hours; it is stored in the database and created by the seed. Adding a CDAP
//! profile is a new row, not a new code path. [`ServiceDef::project`] is the only way a
//! [`Dossier`] leaves the service layer, and it copies only the sections the service shows.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dossier::{
    Address, Benefit, ContactDetails, Dossier, FamilySituation, InForce, Period, QuotientFamilial,
    RsaRight, YearlyResources,
};
use crate::policy::hours::OpeningHours;

/// R-16: no service may keep an idle session longer than this.
pub const MAX_IDLE_TIMEOUT_SECS: u32 = 30 * 60;
/// R-16: the delay of a service that does not set one.
pub const DEFAULT_IDLE_TIMEOUT_SECS: u32 = 15 * 60;

/// A part of a file ("rubrique"). The codes are stable: they are stored and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Section {
    Coordonnees,
    SituationFamiliale,
    Ressources,
    Recherche,
    QuotientFamilial,
    Droits,
    Rsa,
    Adresse,
    /// A section a newer server sends that this version does not know: ignored when shown,
    /// refused in a service definition.
    #[serde(other)]
    Unknown,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Coordonnees,
        Section::SituationFamiliale,
        Section::Ressources,
        Section::Recherche,
        Section::QuotientFamilial,
        Section::Droits,
        Section::Rsa,
        Section::Adresse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Section::Coordonnees => "coordonnees",
            Section::SituationFamiliale => "situation_familiale",
            Section::Ressources => "ressources",
            Section::Recherche => "recherche",
            Section::QuotientFamilial => "quotient_familial",
            Section::Droits => "droits",
            Section::Rsa => "rsa",
            Section::Adresse => "adresse",
            Section::Unknown => "unknown",
        }
    }

    /// The heading shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Section::Coordonnees => "Coordonnées du dossier",
            Section::SituationFamiliale => "Situation familiale",
            Section::Ressources => "Ressources hors prestations familiales",
            Section::Recherche => "Recherche par date",
            Section::QuotientFamilial => "Montant du QF",
            Section::Droits => "Droits",
            Section::Rsa => "RSA",
            Section::Adresse => "Adresse",
            Section::Unknown => "Rubrique inconnue",
        }
    }
}

/// Which files a service may show at all (R-08). Evaluated on the day of the lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Eligibility {
    /// Every file in scope.
    Any,
    /// RSA beneficiary now, or within the last `within_months` months (CDAP T18/T19: 24).
    RsaBeneficiary { within_months: u32 },
    /// A benefit or request with this code on file (CDAP T21: `CMG`).
    HasBenefit { code: String },
    /// A child younger than `years` (PSU: children under six in a crèche).
    HasChildUnder { years: u32 },
}

impl Eligibility {
    pub fn admits(&self, dossier: &Dossier, today: NaiveDate) -> bool {
        match self {
            Eligibility::Any => true,
            Eligibility::RsaBeneficiary { within_months } => {
                dossier.rsa_beneficiary_within(today, *within_months)
            }
            Eligibility::HasBenefit { code } => dossier.has_benefit(code),
            Eligibility::HasChildUnder { years } => dossier.has_child_under(today, *years),
        }
    }
}

/// What a profile asks beyond its sections and eligibility (seed 003). Every rule is off
/// by default, so a stored definition without them keeps its meaning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceRules {
    /// CDAP T20: benefits, RSA payments, resources and QF periods are shown only when they
    /// were in force during the last `history_months` months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_months: Option<u32>,
    /// CDAP T4: a lookup needs the user's numéro instructeur, which its trace keeps.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub numero_instructeur: bool,
    /// CDAP T16: the profile is granted temporarily; every habilitation needs an end date.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub temporary: bool,
    /// R-06, seed 001: a convention of this service covers one département (a département
    /// council's own, RSACG).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub single_departement: bool,
    /// R-31: the "Recherche" gives the family's PSU hourly participation at its date.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub participation: bool,
}

impl ServiceRules {
    pub fn is_default(&self) -> bool {
        *self == ServiceRules::default()
    }
}

/// The longest history a service may cut to (ten years): beyond it the rule means nothing.
pub const MAX_HISTORY_MONTHS: u32 = 120;

/// A service (bouquet or CDAP profile) as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDef {
    pub code: String,
    pub label: String,
    pub sections: Vec<Section>,
    pub eligibility: Eligibility,
    pub idle_timeout_secs: u32,
    /// Hours of the service itself; `None`: the caisse's hours apply alone.
    pub hours: Option<OpeningHours>,
    #[serde(default, skip_serializing_if = "ServiceRules::is_default")]
    pub rules: ServiceRules,
}

/// Why a service definition cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceDefError {
    #[error("code de service invalide (minuscules, chiffres et tirets, 2 à 32 caractères)")]
    Code,
    #[error("un service doit montrer au moins une rubrique")]
    NoSection,
    #[error("rubrique inconnue")]
    UnknownSection,
    #[error("la rubrique « Recherche » suppose les ressources ou le QF")]
    RechercheWithoutData,
    #[error("la participation PSU suppose les rubriques « Recherche » et « Ressources »")]
    ParticipationWithoutResources,
    #[error("le délai d'inactivité doit être compris entre 60 et {MAX_IDLE_TIMEOUT_SECS} secondes")]
    IdleTimeout,
    #[error("l'historique doit couvrir de 1 à {MAX_HISTORY_MONTHS} mois")]
    HistoryMonths,
}

impl ServiceDef {
    pub fn validate(&self) -> Result<(), ServiceDefError> {
        let code_ok = (2..=32).contains(&self.code.len())
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            return Err(ServiceDefError::Code);
        }
        if self.sections.is_empty() {
            return Err(ServiceDefError::NoSection);
        }
        if self.shows(Section::Unknown) {
            return Err(ServiceDefError::UnknownSection);
        }
        if self.shows(Section::Recherche)
            && !self.shows(Section::Ressources)
            && !self.shows(Section::QuotientFamilial)
        {
            return Err(ServiceDefError::RechercheWithoutData);
        }
        if self.rules.participation
            && !(self.shows(Section::Recherche) && self.shows(Section::Ressources))
        {
            return Err(ServiceDefError::ParticipationWithoutResources);
        }
        if !(60..=MAX_IDLE_TIMEOUT_SECS).contains(&self.idle_timeout_secs) {
            return Err(ServiceDefError::IdleTimeout);
        }
        if self
            .rules
            .history_months
            .is_some_and(|m| !(1..=MAX_HISTORY_MONTHS).contains(&m))
        {
            return Err(ServiceDefError::HistoryMonths);
        }
        Ok(())
    }

    pub fn shows(&self, section: Section) -> bool {
        self.sections.contains(&section)
    }

    /// R-02: the file as this service may show it, and nothing more. `as_of` is the date
    /// of the "Recherche" (the lookup's date when the user gave none); `today` bounds the
    /// history a profile may see (T20).
    pub fn project(&self, dossier: &Dossier, today: NaiveDate, as_of: NaiveDate) -> DossierView {
        let show = |s| self.shows(s);
        // T20: a period that ended before the cut-off is not shown; nor is a "Recherche"
        // before it.
        let cutoff = self
            .rules
            .history_months
            .and_then(|m| today.checked_sub_months(Months::new(m)));
        let recent = |p: &Period| cutoff.is_none_or(|c| p.end.is_none_or(|end| end >= c));
        let searchable = cutoff.is_none_or(|c| as_of >= c);
        DossierView {
            service: self.code.clone(),
            sections: self.sections.clone(),
            coordonnees: show(Section::Coordonnees).then(|| dossier.contact.clone()),
            situation_familiale: show(Section::SituationFamiliale).then(|| dossier.family.clone()),
            ressources: show(Section::Ressources).then(|| {
                let mut r = dossier.resources.clone();
                r.retain(|y| recent(&y.validity));
                r
            }),
            quotient_familial: show(Section::QuotientFamilial).then(|| {
                let mut q = dossier.quotients.clone();
                q.retain(|y| recent(&y.validity));
                q
            }),
            recherche: show(Section::Recherche).then(|| InForce {
                date: as_of,
                resources: if show(Section::Ressources) && searchable {
                    dossier.resources_in_force(as_of)
                } else {
                    None
                },
                quotient: if show(Section::QuotientFamilial) && searchable {
                    dossier.quotient_in_force(as_of)
                } else {
                    None
                },
                participation: None,
                participation_reason: None,
            }),
            droits: show(Section::Droits).then(|| {
                let mut b = dossier.benefits.clone();
                b.retain(|b| recent(&b.period));
                b
            }),
            rsa: if show(Section::Rsa) {
                dossier
                    .rsa
                    .clone()
                    .filter(|r| recent(&r.period))
                    .map(|mut r| {
                        r.payments.retain(|p| {
                            cutoff.is_none_or(|c| p.month >= c.with_day(1).unwrap_or(c))
                        });
                        r
                    })
            } else {
                None
            },
            adresse: show(Section::Adresse).then(|| dossier.address.clone()),
        }
    }
}

/// A file projected onto one service: only the listed sections are present. A client
/// ignores sections it does not know (a newer server's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DossierView {
    pub service: String,
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordonnees: Option<ContactDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub situation_familiale: Option<FamilySituation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ressources: Option<Vec<YearlyResources>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotient_familial: Option<Vec<QuotientFamilial>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recherche: Option<InForce>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub droits: Option<Vec<Benefit>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rsa: Option<RsaRight>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adresse: Option<Address>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{d, sample_dossier};

    fn service(sections: Vec<Section>) -> ServiceDef {
        ServiceDef {
            code: "test".into(),
            label: "Test".into(),
            sections,
            eligibility: Eligibility::Any,
            idle_timeout_secs: DEFAULT_IDLE_TIMEOUT_SECS,
            hours: None,
            rules: ServiceRules::default(),
        }
    }

    /// R-02: the projection carries exactly the service's sections, in JSON too.
    #[test]
    fn r02_projection_holds_only_the_service_sections() {
        let dossier = sample_dossier();
        for section in Section::ALL {
            let mut sections = vec![section];
            if section == Section::Recherche {
                sections.push(Section::QuotientFamilial);
            }
            let view = service(sections.clone()).project(&dossier, d(2026, 3, 1), d(2026, 3, 1));
            let json = serde_json::to_value(&view).unwrap();
            let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            let mut expected: Vec<String> = sections
                .iter()
                .filter(|s| **s != Section::Rsa || dossier.rsa.is_some())
                .map(|s| s.code().to_owned())
                .chain(["service".into(), "sections".into()])
                .collect();
            expected.sort();
            assert_eq!(keys, expected, "{section:?}");
        }
    }

    #[test]
    fn r02_psu_view_has_no_address_no_rsa_and_no_nir() {
        let dossier = sample_dossier();
        let psu = service(vec![
            Section::Coordonnees,
            Section::SituationFamiliale,
            Section::Ressources,
            Section::Recherche,
        ]);
        let view = psu.project(&dossier, d(2026, 3, 1), d(2026, 3, 1));
        assert!(view.adresse.is_none() && view.rsa.is_none() && view.droits.is_none());
        let recherche = view.recherche.unwrap();
        assert_eq!(recherche.resources.unwrap().reference_year, 2024);
        assert!(recherche.quotient.is_none(), "PSU does not show the QF");
        let json =
            serde_json::to_string(&psu.project(&dossier, d(2026, 3, 1), d(2026, 3, 1))).unwrap();
        assert!(!json.contains(dossier.nir.expose()));
        assert!(!json.contains(&dossier.address.city));
    }

    /// Seed 003, T20: rights over the last two years only; here a shorter window shows the
    /// cut on every dated part of the file, and a "Recherche" before it finds nothing.
    #[test]
    fn t20_history_is_cut_to_the_profile_window() {
        let dossier = sample_dossier();
        let today = d(2026, 11, 23);
        let mut s = service(vec![
            Section::Droits,
            Section::Rsa,
            Section::Ressources,
            Section::QuotientFamilial,
            Section::Recherche,
        ]);
        let whole = s.project(&dossier, today, d(2025, 3, 1));
        assert_eq!(whole.droits.as_ref().map(Vec::len), Some(2));
        assert!(whole.rsa.is_some());

        s.rules.history_months = Some(24);
        let t20 = s.project(&dossier, today, d(2025, 3, 1));
        assert_eq!(t20, whole, "everything on file ended after 2024-11-23");

        s.rules.history_months = Some(12);
        let cut = s.project(&dossier, today, d(2025, 3, 1));
        let codes: Vec<_> = cut.droits.unwrap().into_iter().map(|b| b.code).collect();
        assert_eq!(codes, ["AF"], "the CMG ended 2025-05-31, before 2025-11-23");
        assert!(cut.rsa.is_none(), "the RSA right closed 2025-06-30");
        assert_eq!(
            cut.ressources.map(|r| r.len()),
            Some(2),
            "2023's ended 2025-12-31"
        );
        assert_eq!(cut.quotient_familial.map(|q| q.len()), Some(2));
        let recherche = cut.recherche.unwrap();
        assert_eq!(recherche.date, d(2025, 3, 1), "the date asked is kept");
        assert!(recherche.resources.is_none() && recherche.quotient.is_none());
        let recent = s.project(&dossier, today, d(2026, 3, 1)).recherche.unwrap();
        assert_eq!(recent.quotient.map(|q| q.amount), Some(712));

        s.rules.history_months = Some(0);
        assert_eq!(s.validate(), Err(ServiceDefError::HistoryMonths));
    }

    /// A definition stored before the rules existed reads as "no rule"; rules round-trip.
    #[test]
    fn r01_rules_default_off_and_round_trip() {
        let s = service(vec![Section::Coordonnees]);
        let json = serde_json::to_value(&s).unwrap();
        assert!(json.get("rules").is_none());
        let mut t4 = s.clone();
        t4.rules.numero_instructeur = true;
        let back: ServiceDef = serde_json::from_value(serde_json::to_value(&t4).unwrap()).unwrap();
        assert_eq!(back, t4);
        let unknown = serde_json::from_str::<ServiceRules>(r#"{"numero_instructeur":true,"x":1}"#);
        assert!(unknown.is_err(), "a misspelt rule is refused, not ignored");
    }

    #[test]
    fn r01_eligibility_filters() {
        let dossier = sample_dossier();
        let today = d(2026, 11, 23);
        assert!(Eligibility::Any.admits(&dossier, today));
        assert!(Eligibility::HasBenefit { code: "CMG".into() }.admits(&dossier, today));
        assert!(
            !Eligibility::HasBenefit {
                code: "AEEH".into()
            }
            .admits(&dossier, today)
        );
        assert!(Eligibility::HasChildUnder { years: 6 }.admits(&dossier, today));
        assert!(Eligibility::RsaBeneficiary { within_months: 24 }.admits(&dossier, today));
        let json =
            serde_json::to_string(&Eligibility::RsaBeneficiary { within_months: 24 }).unwrap();
        assert_eq!(json, r#"{"kind":"rsa_beneficiary","within_months":24}"#);
    }

    #[test]
    fn r16_service_definitions_are_validated() {
        let mut s = service(vec![Section::Coordonnees]);
        assert_eq!(s.validate(), Ok(()));
        s.idle_timeout_secs = MAX_IDLE_TIMEOUT_SECS + 1;
        assert_eq!(s.validate(), Err(ServiceDefError::IdleTimeout));
        s.idle_timeout_secs = 600;
        s.sections = vec![];
        assert_eq!(s.validate(), Err(ServiceDefError::NoSection));
        s.sections = vec![Section::Recherche, Section::Adresse];
        assert_eq!(s.validate(), Err(ServiceDefError::RechercheWithoutData));
        s.sections = vec![Section::Recherche, Section::QuotientFamilial];
        s.rules.participation = true;
        assert_eq!(
            s.validate(),
            Err(ServiceDefError::ParticipationWithoutResources)
        );
        s.rules.participation = false;
        s.sections = vec![Section::Adresse];
        s.code = "Bad Code".into();
        assert_eq!(s.validate(), Err(ServiceDefError::Code));
    }
}
