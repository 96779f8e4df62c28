//! The reference data that `seed` creates (DESIGN.md "Reference data"): caisses with their
//! départements and hours, the service catalogue as data, and the demo partners with
//! their conventions. Installing it twice changes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use guichet_core::policy::hours::{DEFAULT_HOURS, OpeningHours};
use guichet_core::service_def::{DEFAULT_IDLE_TIMEOUT_SECS, MAX_IDLE_TIMEOUT_SECS};
use guichet_core::{Eligibility, Section, ServiceDef};

use crate::model::{Caisse, NewConvention, NewPartner, PartnerKind};
use crate::{Repository, Result};

pub fn caisses() -> Vec<Caisse> {
    let caisse = |code: &str, name: &str, deps: &[&str], hours| Caisse {
        code: code.into(),
        name: name.into(),
        departements: deps.iter().map(|d| (*d).to_owned()).collect(),
        hours,
    };
    vec![
        caisse("MSA-ALSACE", "MSA d'Alsace", &["67", "68"], DEFAULT_HOURS),
        caisse(
            "MSA-BOURGOGNE",
            "MSA de Bourgogne",
            &["21", "58", "71", "89"],
            DEFAULT_HOURS,
        ),
        caisse(
            "MSA-PICARDIE",
            "MSA de Picardie",
            &["02", "60", "80"],
            DEFAULT_HOURS,
        ),
        caisse("MSA-CORSE", "MSA de la Corse", &["2A", "2B"], DEFAULT_HOURS),
        caisse("CAF-78", "CAF des Yvelines", &["78"], OpeningHours::Always),
        caisse(
            "CAF-974",
            "CAF de La Réunion",
            &["974"],
            OpeningHours::Always,
        ),
    ]
}

/// Every service and CDAP profile, as data.
pub fn services() -> Vec<ServiceDef> {
    use Section::*;
    let service = |code: &str, label: &str, sections: Vec<Section>, eligibility, idle| ServiceDef {
        code: code.into(),
        label: label.into(),
        sections,
        eligibility,
        idle_timeout_secs: idle,
        hours: None,
    };
    let rsa_24 = || Eligibility::RsaBeneficiary { within_months: 24 };
    let idle = DEFAULT_IDLE_TIMEOUT_SECS;
    vec![
        service(
            "psu",
            "Ressources PSU (crèches)",
            vec![Coordonnees, SituationFamiliale, Ressources, Recherche],
            Eligibility::HasChildUnder { years: 6 },
            idle,
        ),
        service(
            "qf",
            "Quotient familial",
            vec![Coordonnees, QuotientFamilial, Recherche],
            Eligibility::Any,
            idle,
        ),
        service(
            "rsacg",
            "RSA pour le conseil départemental",
            vec![SituationFamiliale, Droits, Rsa, Ressources, Adresse],
            Eligibility::RsaBeneficiary { within_months: 0 },
            MAX_IDLE_TIMEOUT_SECS,
        ),
        service(
            "cdap-t1",
            "CDAP T1 – Action sociale",
            vec![
                Coordonnees,
                SituationFamiliale,
                Droits,
                Ressources,
                QuotientFamilial,
                Adresse,
            ],
            Eligibility::Any,
            idle,
        ),
        service(
            "cdap-t2",
            "CDAP T2 – Prestataires de services sociaux",
            vec![Coordonnees, SituationFamiliale, Droits, Adresse],
            Eligibility::Any,
            idle,
        ),
        service(
            "cdap-t13",
            "CDAP T13 – Fonds de solidarité logement",
            vec![Coordonnees, SituationFamiliale, Ressources, Droits, Adresse],
            Eligibility::Any,
            idle,
        ),
        service(
            "cdap-t18",
            "CDAP T18 – Contentieux RSA",
            vec![Coordonnees, SituationFamiliale, Rsa, Droits, Ressources],
            rsa_24(),
            idle,
        ),
        service(
            "cdap-t19",
            "CDAP T19 – Contrôle RSA",
            vec![
                Coordonnees,
                SituationFamiliale,
                Rsa,
                Droits,
                Ressources,
                Adresse,
            ],
            rsa_24(),
            idle,
        ),
        service(
            "cdap-t21",
            "CDAP T21 – Centre national Pajemploi",
            vec![Coordonnees, SituationFamiliale, Droits],
            Eligibility::HasBenefit { code: "CMG".into() },
            idle,
        ),
    ]
}

/// A demo partner and its one convention.
#[derive(Debug, Clone)]
pub struct DemoPartner {
    pub partner: NewPartner,
    pub convention: &'static str,
    pub caisse: &'static str,
    pub service: &'static str,
    pub departements: &'static [&'static str],
}

/// The partners behind the demo accounts of DESIGN.md.
pub fn demo_partners() -> Vec<DemoPartner> {
    let partner = |tiers: &str, name: &str, kind| NewPartner {
        tiers: tiers.into(),
        name: name.into(),
        kind,
        siret: None,
    };
    vec![
        DemoPartner {
            partner: partner(
                "DEMO-EAJE-67",
                "Crèche Les Petits Loups (démo)",
                PartnerKind::Eaje,
            ),
            convention: "DEMO-PSU-ALSACE",
            caisse: "MSA-ALSACE",
            service: "psu",
            departements: &["67", "68"],
        },
        DemoPartner {
            partner: partner(
                "DEMO-COMMUNE-21",
                "Ville de Dijon, service jeunesse (démo)",
                PartnerKind::Commune,
            ),
            convention: "DEMO-QF-BOURGOGNE",
            caisse: "MSA-BOURGOGNE",
            service: "qf",
            departements: &["21"],
        },
        DemoPartner {
            partner: partner(
                "DEMO-CD-67",
                "Conseil départemental du Bas-Rhin (démo)",
                PartnerKind::Departement,
            ),
            convention: "DEMO-RSACG-ALSACE",
            caisse: "MSA-ALSACE",
            service: "rsacg",
            departements: &["67"],
        },
        DemoPartner {
            partner: partner(
                "DEMO-CCAS-78",
                "CCAS de Versailles (démo)",
                PartnerKind::Ccas,
            ),
            convention: "DEMO-CDAP-78",
            caisse: "CAF-78",
            service: "cdap-t2",
            departements: &["78"],
        },
    ]
}

/// The day demo conventions start.
pub fn demo_convention_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Creates or updates caisses and services, and creates the demo partners and conventions
/// that do not exist yet.
pub async fn install(repo: &impl Repository, now: DateTime<Utc>) -> Result<()> {
    for caisse in caisses() {
        repo.put_caisse(&caisse).await?;
    }
    for service in services() {
        repo.put_service(&service).await?;
    }
    for demo in demo_partners() {
        let partner = match repo.partner_by_tiers(&demo.partner.tiers).await? {
            Some(p) => p,
            None => repo.create_partner(&demo.partner, now).await?,
        };
        if repo.convention(demo.convention).await?.is_none() {
            repo.create_convention(
                &NewConvention {
                    number: demo.convention.into(),
                    partner_id: partner.id,
                    caisse: demo.caisse.into(),
                    service: demo.service.into(),
                    departements: demo.departements.iter().map(|d| (*d).to_owned()).collect(),
                    starts_on: demo_convention_start(),
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r01_every_service_definition_is_valid() {
        let services = services();
        assert_eq!(services.len(), 9);
        for s in &services {
            assert_eq!(s.validate(), Ok(()), "{}", s.code);
        }
        let rsacg = services.iter().find(|s| s.code == "rsacg").unwrap();
        assert_eq!(
            rsacg.idle_timeout_secs,
            30 * 60,
            "R-16: RSACG idle delay is 30 minutes"
        );
    }

    #[test]
    fn caisse_departements_are_valid_codes() {
        for c in caisses() {
            for d in &c.departements {
                assert!(guichet_core::policy::scope::is_departement_code(d), "{d}");
            }
        }
    }
}
