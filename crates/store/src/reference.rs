//! The reference data that `seed` creates (DESIGN.md "Reference data"): caisses with their
//! départements and hours, the service catalogue as data, and the demo partners with
//! their conventions. Installing it twice changes nothing.

use chrono::{DateTime, NaiveDate, Utc};
use guichet_core::policy::hours::{DEFAULT_HOURS, OpeningHours};
use guichet_core::psu::{CareType, national_bareme};
use guichet_core::service_def::{DEFAULT_IDLE_TIMEOUT_SECS, MAX_IDLE_TIMEOUT_SECS, ServiceRules};
use guichet_core::{Eligibility, Section, ServiceDef};

use crate::model::{Branch, Caisse, NewConvention, NewPartner, PartnerKind};
use crate::{Repository, Result};

pub fn caisses() -> Vec<Caisse> {
    let caisse = |code: &str, name: &str, deps: &[&str], hours| Caisse {
        code: code.into(),
        name: name.into(),
        branch: Branch::of_caisse_code(code).unwrap_or(Branch::Msa),
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

/// Every service and CDAP profile, as data. The CDAP profiles are seed 003's list
/// (article 2): each shows the sections its purpose needs and no more.
pub fn services() -> Vec<ServiceDef> {
    use Section::*;
    let service = |code: &str, label: &str, sections: Vec<Section>, eligibility, idle| ServiceDef {
        code: code.into(),
        label: label.into(),
        sections,
        eligibility,
        idle_timeout_secs: idle,
        hours: None,
        rules: ServiceRules::default(),
    };
    let with = |mut def: ServiceDef, rules: ServiceRules| {
        def.rules = rules;
        def
    };
    let rsa_24 = || Eligibility::RsaBeneficiary { within_months: 24 };
    let idle = DEFAULT_IDLE_TIMEOUT_SECS;
    let cdap = |code: &str, label: &str, sections: Vec<Section>| {
        service(code, label, sections, Eligibility::Any, idle)
    };
    vec![
        // the Recherche gives the family's hourly participation.
        with(
            service(
                "psu",
                "Ressources PSU (crèches)",
                vec![Coordonnees, SituationFamiliale, Ressources, Recherche],
                Eligibility::HasChildUnder { years: 6 },
                idle,
            ),
            ServiceRules {
                participation: true,
                ..ServiceRules::default()
            },
        ),
        service(
            "qf",
            "Quotient familial",
            vec![Coordonnees, QuotientFamilial, Recherche],
            Eligibility::Any,
            idle,
        ),
        // R-06, seed 001: the council's one département.
        with(
            service(
                "rsacg",
                "RSA pour le conseil départemental",
                vec![SituationFamiliale, Droits, Rsa, Ressources, Adresse],
                Eligibility::RsaBeneficiary { within_months: 0 },
                MAX_IDLE_TIMEOUT_SECS,
            ),
            ServiceRules {
                single_departement: true,
                ..ServiceRules::default()
            },
        ),
        cdap(
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
        ),
        // Participations of families priced on the quotient familial.
        cdap(
            "cdap-t2",
            "CDAP T2 – Prestataires de services sociaux",
            vec![Coordonnees, SituationFamiliale, QuotientFamilial, Recherche],
        ),
        // Looks back on RSA files instructed in e-RSA: the numéro instructeur first.
        with(
            service(
                "cdap-t4",
                "CDAP T4 – Services instructeurs RSA",
                vec![Coordonnees, SituationFamiliale, Rsa, Droits, Ressources],
                rsa_24(),
                idle,
            ),
            ServiceRules {
                numero_instructeur: true,
                ..ServiceRules::default()
            },
        ),
        cdap(
            "cdap-t5",
            "CDAP T5 – Suivi des dossiers RSA",
            vec![
                Coordonnees,
                SituationFamiliale,
                Rsa,
                Droits,
                Ressources,
                Adresse,
            ],
        ),
        cdap(
            "cdap-t6",
            "CDAP T6 – CPAM",
            vec![Coordonnees, SituationFamiliale, Droits, Ressources, Adresse],
        ),
        cdap(
            "cdap-t8",
            "CDAP T8 – Régimes particuliers d'assurance maladie",
            vec![Coordonnees, SituationFamiliale, Droits, Ressources],
        ),
        cdap(
            "cdap-t9",
            "CDAP T9 – Protection des majeurs et de l'enfance",
            vec![Coordonnees, SituationFamiliale, Droits, Ressources, Adresse],
        ),
        cdap(
            "cdap-t10",
            "CDAP T10 – Bailleurs sociaux",
            vec![Coordonnees, SituationFamiliale, Droits],
        ),
        cdap(
            "cdap-t11",
            "CDAP T11 – Commissions de surendettement",
            vec![Coordonnees, SituationFamiliale, Droits, Ressources],
        ),
        cdap(
            "cdap-t12",
            "CDAP T12 – Aide juridictionnelle et SPIP",
            vec![Coordonnees, SituationFamiliale, Droits, Ressources],
        ),
        cdap(
            "cdap-t13",
            "CDAP T13 – Fonds de solidarité logement",
            vec![Coordonnees, SituationFamiliale, Ressources, Droits, Adresse],
        ),
        cdap(
            "cdap-t14",
            "CDAP T14 – Pensions de réversion et d'orphelin",
            vec![Coordonnees, SituationFamiliale, Droits],
        ),
        cdap(
            "cdap-t15",
            "CDAP T15 – Tarification sociale des transports",
            vec![Coordonnees, Droits, QuotientFamilial],
        ),
        // Put at the disposal of prefecture agents temporarily: every grant has an end.
        with(
            cdap(
                "cdap-t16",
                "CDAP T16 – Médiation logement (DALO), CCAPEX",
                vec![Coordonnees, SituationFamiliale, Droits, Ressources, Adresse],
            ),
            ServiceRules {
                temporary: true,
                ..ServiceRules::default()
            },
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
        // Rights over the last two years only.
        with(
            cdap(
                "cdap-t20",
                "CDAP T20 – Caisses de sécurité sociale frontalières",
                vec![Coordonnees, SituationFamiliale, Droits, Adresse],
            ),
            ServiceRules {
                history_months: Some(24),
                ..ServiceRules::default()
            },
        ),
        service(
            "cdap-t21",
            "CDAP T21 – Centre national Pajemploi",
            vec![Coordonnees, SituationFamiliale, Droits],
            Eligibility::HasBenefit { code: "CMG".into() },
            idle,
        ),
        cdap(
            "cdap-t22",
            "CDAP T22 – CROUS",
            vec![Coordonnees, SituationFamiliale, Droits, Ressources],
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
        care: CareType::Collective,
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

/// Creates or updates the services, and adds the values of the national PSU barème the
/// database lacks (R-31; a value the caisse set is never replaced). What a new
/// installation's `admin service catalogue` does.
pub async fn install_catalogue(repo: &impl Repository) -> Result<()> {
    for service in services() {
        repo.put_service(&service).await?;
    }
    repo.update_psu_bareme(|b| b.with_missing(national_bareme()))
        .await?;
    Ok(())
}

/// Creates or updates caisses and services, and creates the demo partners and conventions
/// that do not exist yet.
pub async fn install(repo: &impl Repository, now: DateTime<Utc>) -> Result<()> {
    for caisse in caisses() {
        repo.put_caisse(&caisse).await?;
    }
    install_catalogue(repo).await?;
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
                    beyond_caisse: false,
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
        assert_eq!(
            services.len(),
            3 + 19,
            "PSU, QF, RSACG and seed 003's 19 profiles"
        );
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
