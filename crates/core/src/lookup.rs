//! The decision of a lookup once the file is fetched, as a pure function.
//!
//! Order of checks (DESIGN.md "Flows"): name match, scope, opposition, eligibility, then the
//! projection. A NIR that is unknown and a NIR whose name does not match give the same
//! outcome, so the lookup cannot tell which NIRs exist.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dossier::Dossier;
use crate::name::FamilyName;
use crate::policy::scope::Scope;
use crate::service_def::{DossierView, ServiceDef};

/// A synthetic file (nobody's), decoded and compared when the NIR is unknown, so that an
/// unknown NIR and a known NIR with the wrong name cost the same work.
pub const DECOY: &str = include_str!("decoy.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum LookupOutcome {
    Found,
    NotFound,
    OutOfScope,
    Opposition,
    NotEligible,
}

impl LookupOutcome {
    pub const ALL: [LookupOutcome; 5] = [
        LookupOutcome::Found,
        LookupOutcome::NotFound,
        LookupOutcome::OutOfScope,
        LookupOutcome::Opposition,
        LookupOutcome::NotEligible,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LookupOutcome::Found => "found",
            LookupOutcome::NotFound => "not_found",
            LookupOutcome::OutOfScope => "out_of_scope",
            LookupOutcome::Opposition => "opposition",
            LookupOutcome::NotEligible => "not_eligible",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    /// What the user reads.
    pub fn message(self) -> &'static str {
        match self {
            LookupOutcome::Found => "Dossier trouvé.",
            LookupOutcome::NotFound => "Aucun dossier ne correspond à ce NIR et à ce nom.",
            LookupOutcome::OutOfScope => {
                "Ce dossier est hors de votre périmètre : il n'est pas géré par votre caisse \
                 ou pas dans les départements de votre convention."
            }
            LookupOutcome::Opposition => {
                "L'allocataire s'est opposé à la consultation de son dossier."
            }
            LookupOutcome::NotEligible => {
                "Ce dossier ne relève pas de ce service : l'allocataire ne remplit pas ses conditions."
            }
        }
    }
}

/// Decides what a lookup shows, given the file found by NIR (if any). `scopes` are those of
/// every convention through which the user holds the service (usually one, R-30).
pub fn decide(
    candidate: Option<&Dossier>,
    typed_name: &FamilyName,
    scopes: &[Scope],
    service: &ServiceDef,
    today: NaiveDate,
    as_of: NaiveDate,
) -> (LookupOutcome, Option<DossierView>) {
    let Some(dossier) = candidate
        .filter(|d| typed_name.matches(&d.contact.birth_name, d.contact.usage_name.as_deref()))
    else {
        return (LookupOutcome::NotFound, None);
    };
    if !scopes
        .iter()
        .any(|s| s.covers(&dossier.caisse, &dossier.departement))
    {
        return (LookupOutcome::OutOfScope, None);
    }
    if dossier.opposition {
        return (LookupOutcome::Opposition, None);
    }
    if !service.eligibility.admits(dossier, today) {
        return (LookupOutcome::NotEligible, None);
    }
    (
        LookupOutcome::Found,
        Some(service.project(dossier, today, as_of)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service_def::{Eligibility, Section};
    use crate::testing::{d, sample_dossier};

    #[test]
    fn r05_the_decoy_is_a_whole_file_with_a_valid_nir() {
        let decoy: Dossier = serde_json::from_str(DECOY).expect("decoy.json is a file");
        assert!(!decoy.contact.birth_name.is_empty());
        assert!(crate::Nir::parse(decoy.nir.expose()).is_ok());
    }

    fn setup() -> (Dossier, Scope, ServiceDef) {
        let dossier = sample_dossier();
        let scope = Scope::of_caisse(&dossier.caisse, vec![dossier.departement.clone()]);
        let service = ServiceDef {
            code: "psu".into(),
            label: "PSU".into(),
            sections: vec![
                Section::Coordonnees,
                Section::Ressources,
                Section::Recherche,
            ],
            eligibility: Eligibility::HasChildUnder { years: 6 },
            idle_timeout_secs: 900,
            hours: None,
            rules: Default::default(),
        };
        (dossier, scope, service)
    }

    fn run(
        dossier: Option<&Dossier>,
        name: &str,
        scope: &Scope,
        service: &ServiceDef,
    ) -> LookupOutcome {
        let today = d(2026, 11, 23);
        decide(
            dossier,
            &FamilyName::parse(name).unwrap(),
            std::slice::from_ref(scope),
            service,
            today,
            today,
        )
        .0
    }

    #[test]
    fn r05_unknown_nir_and_wrong_name_are_the_same_answer() {
        let (dossier, scope, service) = setup();
        assert_eq!(
            run(None, "Lefèvre", &scope, &service),
            LookupOutcome::NotFound
        );
        assert_eq!(
            run(Some(&dossier), "Durand", &scope, &service),
            LookupOutcome::NotFound
        );
    }

    #[test]
    fn r04_birth_or_usage_name_finds_the_file() {
        let (dossier, scope, service) = setup();
        assert_eq!(
            run(Some(&dossier), "lefevre", &scope, &service),
            LookupOutcome::Found
        );
        assert_eq!(
            run(Some(&dossier), "Martin-Durand", &scope, &service),
            LookupOutcome::Found
        );
        assert_eq!(
            run(Some(&dossier), "Martin", &scope, &service),
            LookupOutcome::NotFound
        );
    }

    #[test]
    fn r06_r07_r08_order_of_checks() {
        let (mut dossier, mut scope, mut service) = setup();
        // Everything wrong at once: the name is checked first, then scope.
        dossier.opposition = true;
        service.eligibility = Eligibility::HasBenefit {
            code: "AEEH".into(),
        };
        scope.departements = vec!["68".into()];
        assert_eq!(
            run(Some(&dossier), "Lefevre", &scope, &service),
            LookupOutcome::OutOfScope
        );
        scope.departements = vec![dossier.departement.clone()];
        assert_eq!(
            run(Some(&dossier), "Lefevre", &scope, &service),
            LookupOutcome::Opposition
        );
        dossier.opposition = false;
        assert_eq!(
            run(Some(&dossier), "Lefevre", &scope, &service),
            LookupOutcome::NotEligible
        );
    }

    #[test]
    fn only_found_carries_data() {
        let (dossier, scope, service) = setup();
        let today = d(2026, 11, 23);
        let name = FamilyName::parse("Lefevre").unwrap();
        let (outcome, view) = decide(
            Some(&dossier),
            &name,
            std::slice::from_ref(&scope),
            &service,
            today,
            d(2026, 3, 1),
        );
        assert_eq!(outcome, LookupOutcome::Found);
        let view = view.unwrap();
        assert_eq!(view.recherche.unwrap().date, d(2026, 3, 1));
        assert!(view.adresse.is_none());
        let other = Scope::of_caisse("CAF-78", vec!["78".into()]);
        assert!(
            decide(Some(&dossier), &name, &[other], &service, today, today)
                .1
                .is_none()
        );
    }

    #[test]
    fn outcome_codes_round_trip() {
        for o in LookupOutcome::ALL {
            assert_eq!(LookupOutcome::from_code(o.code()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.code());
        }
    }
}
