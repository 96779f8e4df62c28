//! Fixtures shared by the tests of this crate and of the crates above it (feature `testing`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;

use crate::dossier::*;
use crate::nir::Nir;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid fixture date")
}

/// One hand-written file: MSA-ALSACE, Bas-Rhin, a couple with two children (one under six,
/// one disabled), resources for 2023 and 2024, two QF periods, a closed RSA right, a CMG.
pub fn sample_dossier() -> Dossier {
    let nir = Nir::parse("2 88 07 67 482 153 36").expect("valid fixture NIR");
    Dossier {
        nir,
        caisse: "MSA-ALSACE".into(),
        departement: "67".into(),
        opposition: false,
        contact: ContactDetails {
            allocataire_number: "6704512".into(),
            civility: Civility::Madame,
            first_name: "Amélie".into(),
            birth_name: "Lefèvre".into(),
            usage_name: Some("Martin-Durand".into()),
            birth_date: d(1988, 7, 14),
        },
        address: Address {
            line1: "12 rue des Tanneurs".into(),
            line2: None,
            postcode: "67000".into(),
            city: "Strasbourg".into(),
        },
        family: FamilySituation {
            status: FamilyStatus::Couple,
            partner: Some(Person {
                first_name: "Julien".into(),
                last_name: "Martin-Durand".into(),
                birth_date: d(1986, 2, 3),
            }),
            children: vec![
                Child {
                    first_name: "Léa".into(),
                    birth_date: d(2022, 5, 10),
                    disabled: false,
                },
                Child {
                    first_name: "Noé".into(),
                    birth_date: d(2016, 9, 1),
                    disabled: true,
                },
            ],
        },
        resources: vec![
            YearlyResources {
                reference_year: 2023,
                validity: Period {
                    start: d(2025, 1, 1),
                    end: Some(d(2025, 12, 31)),
                },
                allocataire_cents: 2_310_000,
                partner_cents: 2_875_000,
            },
            YearlyResources {
                reference_year: 2024,
                validity: Period {
                    start: d(2026, 1, 1),
                    end: Some(d(2026, 12, 31)),
                },
                allocataire_cents: 2_402_000,
                partner_cents: 2_950_000,
            },
        ],
        quotients: vec![
            QuotientFamilial {
                validity: Period {
                    start: d(2025, 1, 1),
                    end: Some(d(2025, 12, 31)),
                },
                amount: 690,
            },
            QuotientFamilial {
                validity: Period {
                    start: d(2026, 1, 1),
                    end: None,
                },
                amount: 712,
            },
        ],
        rsa: Some(RsaRight {
            state: RsaState::Closed,
            period: Period {
                start: d(2024, 2, 1),
                end: Some(d(2025, 6, 30)),
            },
            monthly_cents: 0,
            payments: vec![RsaPayment {
                month: d(2025, 6, 1),
                amount_cents: 18_250,
            }],
        }),
        benefits: vec![
            Benefit {
                code: "AF".into(),
                label: "Allocations familiales".into(),
                period: Period {
                    start: d(2022, 6, 1),
                    end: None,
                },
                monthly_cents: 14_894,
            },
            Benefit {
                code: "CMG".into(),
                label: "Complément de libre choix du mode de garde".into(),
                period: Period {
                    start: d(2022, 9, 1),
                    end: Some(d(2025, 5, 31)),
                },
                monthly_cents: 51_210,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sample_nir_is_valid_as_written() {
        assert!(crate::nir::Nir::parse("2 88 07 67 482 153 36").is_ok());
    }
}
