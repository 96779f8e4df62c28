//! Services as data (R-01) and the projection of a file onto a service (R-02).
//!
//! A [`ServiceDef`] lists sections, an eligibility filter, an idle delay and optional
//! opening hours; it is stored in the database and created by the seed. Adding a CDAP
//! profile is a new row, not a new code path. [`ServiceDef::project`] is the only way a
//! [`Dossier`] leaves the service layer, and it copies only the sections the service shows.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dossier::{
    Address, Benefit, ContactDetails, Dossier, FamilySituation, InForce, QuotientFamilial,
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
    #[error("le délai d'inactivité doit être compris entre 60 et {MAX_IDLE_TIMEOUT_SECS} secondes")]
    IdleTimeout,
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
        if !(60..=MAX_IDLE_TIMEOUT_SECS).contains(&self.idle_timeout_secs) {
            return Err(ServiceDefError::IdleTimeout);
        }
        Ok(())
    }

    pub fn shows(&self, section: Section) -> bool {
        self.sections.contains(&section)
    }

    /// R-02: the file as this service may show it, and nothing more. `as_of` is the date
    /// of the "Recherche" (the lookup's date when the user gave none).
    pub fn project(&self, dossier: &Dossier, as_of: NaiveDate) -> DossierView {
        let show = |s| self.shows(s);
        DossierView {
            service: self.code.clone(),
            sections: self.sections.clone(),
            coordonnees: show(Section::Coordonnees).then(|| dossier.contact.clone()),
            situation_familiale: show(Section::SituationFamiliale).then(|| dossier.family.clone()),
            ressources: show(Section::Ressources).then(|| dossier.resources.clone()),
            quotient_familial: show(Section::QuotientFamilial).then(|| dossier.quotients.clone()),
            recherche: show(Section::Recherche).then(|| InForce {
                date: as_of,
                resources: if show(Section::Ressources) {
                    dossier.resources_in_force(as_of)
                } else {
                    None
                },
                quotient: if show(Section::QuotientFamilial) {
                    dossier.quotient_in_force(as_of)
                } else {
                    None
                },
            }),
            droits: show(Section::Droits).then(|| dossier.benefits.clone()),
            rsa: if show(Section::Rsa) {
                dossier.rsa.clone()
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
            let view = service(sections.clone()).project(&dossier, d(2026, 3, 1));
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
        let view = psu.project(&dossier, d(2026, 3, 1));
        assert!(view.adresse.is_none() && view.rsa.is_none() && view.droits.is_none());
        let recherche = view.recherche.unwrap();
        assert_eq!(recherche.resources.unwrap().reference_year, 2024);
        assert!(recherche.quotient.is_none(), "PSU does not show the QF");
        let json = serde_json::to_string(&psu.project(&dossier, d(2026, 3, 1))).unwrap();
        assert!(!json.contains(dossier.nir.expose()));
        assert!(!json.contains(&dossier.address.city));
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
        s.sections = vec![Section::Adresse];
        s.code = "Bad Code".into();
        assert_eq!(s.validate(), Err(ServiceDefError::Code));
    }
}
