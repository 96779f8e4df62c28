//! Deterministic synthetic files: the same seed and index give the same file, whatever the
//! machine, so that tests, benchmarks and demos can name files by index.
//!
//! NIRs are unique by construction: the index is mapped by a bijection onto (birth year,
//! month, commune, order number), and the other parts (sex, birth département) are free.
//! Names carry accents, particles, apostrophes and compound forms; families are consistent
//! (children born after their parent's 18th birthday, resources and QF that follow the
//! household); about 3 % of files have an opposition and 10 % an RSA right.

use chrono::{Datelike, NaiveDate};
use guichet_core::dossier::*;
use guichet_core::{Dossier, Nir};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The date the synthetic world is built around (resources N-2, QF periods, RSA).
pub const REFERENCE_YEAR: i32 = 2026;

/// (caisse, département) of residence, one slot each: files are spread evenly.
pub const RESIDENCES: [(&str, &str); 13] = [
    ("MSA-ALSACE", "67"),
    ("MSA-ALSACE", "68"),
    ("MSA-BOURGOGNE", "21"),
    ("MSA-BOURGOGNE", "58"),
    ("MSA-BOURGOGNE", "71"),
    ("MSA-BOURGOGNE", "89"),
    ("MSA-PICARDIE", "02"),
    ("MSA-PICARDIE", "60"),
    ("MSA-PICARDIE", "80"),
    ("MSA-CORSE", "2A"),
    ("MSA-CORSE", "2B"),
    ("CAF-78", "78"),
    ("CAF-974", "974"),
];

// Capacity of the NIR bijection: order (999) × commune (99) × month (12) × year (56).
const NIR_SPACE: u64 = 999 * 99 * 12 * 56;
// Prime, larger than every factor of NIR_SPACE: multiplication by it permutes the space.
const NIR_MIX: u64 = 1_000_003;

/// Most files one seed can hold with unique NIRs.
pub const MAX_FILES: u64 = NIR_SPACE;

const FAMILY_NAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Roger",
    "Roche",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Pérez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Fernandez",
    "Renard",
    "Arnaud",
    "Caron",
    "Aubert",
    "Giraud",
    "Leclerc",
    "Vidal",
    "Bourgeois",
    "Lemoine",
    "Picard",
    "Gaillard",
    "Lacroix",
    "Fabre",
    "Dupuis",
    "Olivier",
    "Da Silva",
    "Hubert",
    "Rivière",
    "Le Gall",
    "Le Goff",
    "Le Bihan",
    "Ménard",
    "Fleury",
    "Deschamps",
    "Carpentier",
    "Benoît",
    "Prévost",
    "Poirier",
    "Charpentier",
    "Carré",
    "Rémy",
    "Schneider",
    "Kœnig",
    "Schaeffer",
    "Wolff",
    "Kieffer",
    "Hoffmann",
    "Zimmermann",
    "N'Diaye",
    "N'Guessan",
    "D'Angelo",
    "de La Fontaine",
    "de Saint-Just",
    "du Pont",
    "d'Arcy",
    "Haddad",
    "Benali",
    "Mebarki",
    "Diallo",
    "Traoré",
    "Santoni",
    "Paoli",
    "Colonna",
    "Filippi",
    "Mattei",
    "Payet",
    "Hoarau",
    "Grondin",
    "Técher",
    "Lebreton",
    "Œuvrard",
    "Lætitier",
    "Chênevert",
    "Béranger",
    "Ouédraogo",
    "Saint-Pierre",
];

const FIRST_NAMES_F: &[&str] = &[
    "Amélie",
    "Chloé",
    "Léa",
    "Zoé",
    "Inès",
    "Maëlle",
    "Anaïs",
    "Hélène",
    "Céline",
    "Sophie",
    "Camille",
    "Manon",
    "Julie",
    "Émilie",
    "Lætitia",
    "Nadia",
    "Fatou",
    "Aïcha",
    "Marie-Claire",
    "Anne-Sophie",
    "Clémence",
    "Laure",
    "Agnès",
    "Noémie",
    "Océane",
    "Sarah",
    "Yasmine",
    "Élodie",
    "Gaëlle",
    "Françoise",
];

const FIRST_NAMES_M: &[&str] = &[
    "Jérôme",
    "Frédéric",
    "Stéphane",
    "Léo",
    "Noé",
    "Théo",
    "Hugo",
    "Lucas",
    "Mathéo",
    "Raphaël",
    "Gaël",
    "Loïc",
    "Benoît",
    "François",
    "Jean-Pierre",
    "Jean-Baptiste",
    "Karim",
    "Mamadou",
    "Yanis",
    "Éric",
    "Joël",
    "Cédric",
    "Hervé",
    "Anthony",
    "Nicolas",
    "Julien",
    "Mickaël",
    "Rémi",
    "Sébastien",
    "Thierry",
];

const STREETS: &[&str] = &[
    "rue des Tanneurs",
    "rue de la République",
    "avenue Jean-Jaurès",
    "place du Marché",
    "rue Victor-Hugo",
    "chemin des Vignes",
    "allée des Tilleuls",
    "rue de l'Église",
    "boulevard Gambetta",
    "impasse des Lilas",
    "route de Strasbourg",
    "rue du Moulin",
    "rue Pasteur",
    "avenue de la Gare",
    "rue des Écoles",
    "quai Saint-Nicolas",
];

fn cities(departement: &str) -> &'static [&'static str] {
    match departement {
        "67" => &["Strasbourg", "Haguenau", "Sélestat", "Saverne", "Obernai"],
        "68" => &["Mulhouse", "Colmar", "Guebwiller", "Saint-Louis"],
        "21" => &["Dijon", "Beaune", "Chenôve", "Montbard"],
        "58" => &["Nevers", "Cosne-Cours-sur-Loire", "Decize"],
        "71" => &["Mâcon", "Chalon-sur-Saône", "Autun", "Le Creusot"],
        "89" => &["Auxerre", "Sens", "Joigny", "Avallon"],
        "02" => &["Laon", "Saint-Quentin", "Soissons", "Château-Thierry"],
        "60" => &["Beauvais", "Compiègne", "Creil", "Senlis"],
        "80" => &["Amiens", "Abbeville", "Péronne", "Albert"],
        "2A" => &["Ajaccio", "Porto-Vecchio", "Sartène", "Propriano"],
        "2B" => &["Bastia", "Corte", "Calvi", "L'Île-Rousse"],
        "78" => &[
            "Versailles",
            "Saint-Germain-en-Laye",
            "Mantes-la-Jolie",
            "Rambouillet",
        ],
        "974" => &["Saint-Denis", "Saint-Pierre", "Le Tampon", "Saint-Paul"],
        _ => &["Paris"],
    }
}

fn postcode_prefix(departement: &str, rng: &mut ChaCha8Rng) -> String {
    match departement {
        "2A" => format!(
            "20{}",
            ["000", "090", "100", "110", "137"][rng.random_range(0..5)]
        ),
        "2B" => format!(
            "20{}",
            ["200", "220", "250", "260", "600"][rng.random_range(0..5)]
        ),
        "974" => format!("974{:02}", rng.random_range(0..50)),
        d => format!("{d}{:03}", rng.random_range(0..10) * 10),
    }
}

/// The generator. Cheap to build; [`Generator::dossier`] is pure in (seed, index).
#[derive(Debug, Clone, Copy)]
pub struct Generator {
    seed: u64,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// SplitMix64: decorrelates (seed, index) into a per-file RNG seed.
fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator { seed }
    }

    /// The file number `index` (0-based) of this seed. `index` must be below [`MAX_FILES`]
    /// for NIRs to stay unique.
    pub fn dossier(&self, index: u64) -> Dossier {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, index));
        let (caisse, departement) = RESIDENCES[(index % RESIDENCES.len() as u64) as usize];

        // Unique part of the NIR from the index.
        let u = ((index % NIR_SPACE) * NIR_MIX) % NIR_SPACE;
        let order = u % 999 + 1;
        let commune = (u / 999) % 99 + 1;
        let month = ((u / (999 * 99)) % 12 + 1) as u32;
        let year = 1950 + ((u / (999 * 99 * 12)) % 56) as i32;

        let woman = rng.random_bool(0.55);
        let sex = if woman { '2' } else { '1' };
        let birth_place = match rng.random_range(0..100) {
            0..78 => match departement {
                "974" => format!("974{commune:02}"),
                d => format!("{d}{}{commune:02}", rng.random_range(0..7)),
            },
            78..88 => {
                let d = *pick(
                    &mut rng,
                    &["75", "13", "69", "59", "33", "31", "44", "57", "54", "2A"],
                );
                format!("{d}{}{commune:02}", rng.random_range(0..7))
            }
            88..94 => format!(
                "{}{commune:02}",
                pick(&mut rng, &["971", "972", "974", "976"])
            ),
            _ => format!("99{}{commune:02}", rng.random_range(1..5)),
        };
        let first13 = format!("{sex}{:02}{month:02}{birth_place}{order:03}", year % 100);
        let nir = Nir::with_computed_key(&first13).unwrap_or_else(|_| {
            // Every part above is in range by construction; fall back to a plain
            // métropole shape rather than fail.
            Nir::with_computed_key(&format!(
                "{sex}{:02}{month:02}75{commune:03}{order:03}",
                year % 100
            ))
            .unwrap_or_else(|_| fallback_nir())
        });

        let birth_date = date(year, month, rng.random_range(1..=28));
        let first_name = if woman {
            pick(&mut rng, FIRST_NAMES_F)
        } else {
            pick(&mut rng, FIRST_NAMES_M)
        };
        let mut birth_name = (*pick(&mut rng, FAMILY_NAMES)).to_owned();
        if rng.random_bool(0.05) {
            birth_name = format!("{birth_name}-{}", pick(&mut rng, FAMILY_NAMES));
        }

        let couple = rng.random_bool(0.62);
        let partner = couple.then(|| {
            let last_name = (*pick(&mut rng, FAMILY_NAMES)).to_owned();
            let py = (year + rng.random_range(-4..=4)).clamp(1945, 2006);
            Person {
                first_name: (*if woman {
                    pick(&mut rng, FIRST_NAMES_M)
                } else {
                    pick(&mut rng, FIRST_NAMES_F)
                })
                .to_owned(),
                last_name,
                birth_date: date(py, rng.random_range(1..=12), rng.random_range(1..=28)),
            }
        });
        let usage_name = match &partner {
            Some(p) if woman && rng.random_bool(0.6) => Some(if rng.random_bool(0.15) {
                format!("{}-{birth_name}", p.last_name)
            } else {
                p.last_name.clone()
            }),
            _ => None,
        };

        let n_children = match rng.random_range(0..100) {
            0..25 => 0,
            25..55 => 1,
            55..83 => 2,
            83..95 => 3,
            _ => 4,
        };
        let latest_birth = date(REFERENCE_YEAR, 10, 31);
        let mut children: Vec<Child> = (0..n_children)
            .filter_map(|_| {
                let y = year + rng.random_range(20..=42);
                let d = date(y, rng.random_range(1..=12), rng.random_range(1..=28));
                (d <= latest_birth).then(|| {
                    let girl = rng.random_bool(0.5);
                    Child {
                        first_name: (*if girl {
                            pick(&mut rng, FIRST_NAMES_F)
                        } else {
                            pick(&mut rng, FIRST_NAMES_M)
                        })
                        .to_owned(),
                        birth_date: d,
                        disabled: rng.random_bool(0.03),
                    }
                })
            })
            .collect();
        children.sort_by_key(|c| c.birth_date);

        let rsa = rng.random_bool(0.10).then(|| rsa_right(&mut rng));
        let poor = rsa.is_some();
        let income = |rng: &mut ChaCha8Rng| -> i64 {
            if poor {
                rng.random_range(0..900_000)
            } else {
                rng.random_range(800_000..5_500_000)
            }
        };
        let (a23, a24) = (income(&mut rng), income(&mut rng));
        let (p23, p24) = if couple {
            (income(&mut rng), income(&mut rng))
        } else {
            (0, 0)
        };
        let resources = vec![
            YearlyResources {
                reference_year: REFERENCE_YEAR - 3,
                validity: Period {
                    start: date(REFERENCE_YEAR - 1, 1, 1),
                    end: Some(date(REFERENCE_YEAR - 1, 12, 31)),
                },
                allocataire_cents: a23,
                partner_cents: p23,
            },
            YearlyResources {
                reference_year: REFERENCE_YEAR - 2,
                validity: Period {
                    start: date(REFERENCE_YEAR, 1, 1),
                    end: Some(date(REFERENCE_YEAR, 12, 31)),
                },
                allocataire_cents: a24,
                partner_cents: p24,
            },
        ];

        let today = date(REFERENCE_YEAR, 11, 1);
        let age_at = |c: &Child, d: NaiveDate| d.years_since(c.birth_date).unwrap_or(0);
        let dependants = children.iter().filter(|c| age_at(c, today) < 20).count();
        let mut benefits = Vec::new();
        if dependants >= 2 {
            benefits.push(benefit(
                "AF",
                "Allocations familiales",
                date(REFERENCE_YEAR - 3, 1, 1),
                None,
                14_894,
            ));
        }
        if let Some(youngest) = children.iter().rev().find(|c| age_at(c, today) < 3) {
            benefits.push(benefit(
                "PAJE",
                "Allocation de base de la PAJE",
                youngest.birth_date,
                None,
                18_424,
            ));
        }
        if children.iter().any(|c| age_at(c, today) < 6) && rng.random_bool(0.45) {
            benefits.push(benefit(
                "CMG",
                "Complément de libre choix du mode de garde",
                date(REFERENCE_YEAR - 1, rng.random_range(1..=12), 1),
                None,
                rng.random_range(20_000..90_000),
            ));
        }
        if children.iter().any(|c| c.disabled && age_at(c, today) < 20) {
            benefits.push(benefit(
                "AEEH",
                "Allocation d'éducation de l'enfant handicapé",
                date(REFERENCE_YEAR - 2, 9, 1),
                None,
                15_144,
            ));
        }
        if rng.random_bool(0.3) {
            let (code, label) = *pick(
                &mut rng,
                &[
                    ("APL", "Aide personnalisée au logement"),
                    ("ALF", "Allocation de logement familiale"),
                ],
            );
            benefits.push(benefit(
                code,
                label,
                date(REFERENCE_YEAR - 2, rng.random_range(1..=12), 1),
                None,
                rng.random_range(5_000..40_000),
            ));
        }
        if let Some(r) = rsa.as_ref().filter(|r| r.state != RsaState::Closed) {
            benefits.push(benefit(
                "RSA",
                "Revenu de solidarité active",
                r.period.start,
                r.period.end,
                r.monthly_cents,
            ));
        }

        let monthly_af: i64 = benefits
            .iter()
            .filter(|b| b.code == "AF")
            .map(|b| b.monthly_cents)
            .sum();
        let parts = if couple { 2.0 } else { 1.0 }
            + match dependants {
                0 => 0.0,
                1 => 0.5,
                2 => 1.0,
                n => 1.0 + (n - 2) as f64,
            };
        let qf =
            |cents: i64| ((cents as f64 / 12.0 + monthly_af as f64) / parts / 100.0).round() as u32;
        let quotients = vec![
            QuotientFamilial {
                validity: Period {
                    start: date(REFERENCE_YEAR - 1, 1, 1),
                    end: Some(date(REFERENCE_YEAR - 1, 12, 31)),
                },
                amount: qf(a23 + p23),
            },
            QuotientFamilial {
                validity: Period {
                    start: date(REFERENCE_YEAR, 1, 1),
                    end: None,
                },
                amount: qf(a24 + p24),
            },
        ];

        let city = (*pick(&mut rng, cities(departement))).to_owned();
        let address = Address {
            line1: format!("{} {}", rng.random_range(1..120), pick(&mut rng, STREETS)),
            line2: rng
                .random_bool(0.1)
                .then(|| format!("Bâtiment {}", pick(&mut rng, &["A", "B", "C"]))),
            postcode: postcode_prefix(departement, &mut rng),
            city,
        };

        Dossier {
            nir,
            caisse: caisse.to_owned(),
            departement: departement.to_owned(),
            opposition: rng.random_bool(0.03),
            contact: ContactDetails {
                allocataire_number: format!(
                    "{:07}",
                    (index.wrapping_mul(7919) + 1_234_567) % 10_000_000
                ),
                civility: if woman {
                    Civility::Madame
                } else {
                    Civility::Monsieur
                },
                first_name: (*first_name).to_owned(),
                birth_name,
                usage_name,
                birth_date,
            },
            address,
            family: FamilySituation {
                status: if couple {
                    FamilyStatus::Couple
                } else {
                    FamilyStatus::Single
                },
                partner,
                children,
            },
            resources,
            quotients,
            rsa,
            benefits,
        }
    }
}

fn fallback_nir() -> Nir {
    // A fixed valid NIR (key computed by the INSEE rule); used only if the generator's own
    // construction were ever out of range, which its tests rule out.
    match Nir::parse("185057800608491") {
        Ok(n) => n,
        Err(_) => fallback_nir(),
    }
}

fn benefit(
    code: &str,
    label: &str,
    start: NaiveDate,
    end: Option<NaiveDate>,
    monthly_cents: i64,
) -> Benefit {
    Benefit {
        code: code.into(),
        label: label.into(),
        period: Period { start, end },
        monthly_cents,
    }
}

fn rsa_right(rng: &mut ChaCha8Rng) -> RsaRight {
    let start = date(
        rng.random_range(REFERENCE_YEAR - 7..=REFERENCE_YEAR - 1),
        rng.random_range(1..=12),
        1,
    );
    let state = match rng.random_range(0..10) {
        0..6 => RsaState::Open,
        6 => RsaState::Suspended,
        _ => RsaState::Closed,
    };
    let monthly = rng.random_range(40_000..120_000);
    let end = match state {
        RsaState::Closed => {
            let months = rng.random_range(1..36);
            let end = date(REFERENCE_YEAR, 10, 31) - chrono::Months::new(months);
            Some(end.max(start))
        }
        _ => None,
    };
    let last_paid = end.unwrap_or(date(REFERENCE_YEAR, 10, 1));
    let payments = (0..3)
        .filter_map(|k| {
            let m = date(last_paid.year(), last_paid.month(), 1) - chrono::Months::new(k);
            (m >= start && state != RsaState::Suspended).then(|| RsaPayment {
                month: m,
                amount_cents: monthly - rng.random_range(0..5_000),
            })
        })
        .collect();
    RsaRight {
        state,
        period: Period { start, end },
        monthly_cents: if state == RsaState::Closed {
            0
        } else {
            monthly
        },
        payments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn same_seed_same_files_other_seed_other_files() {
        let a = Generator::new(42);
        let b = Generator::new(42);
        let c = Generator::new(43);
        for i in [0, 1, 999, 123_456] {
            assert_eq!(a.dossier(i), b.dossier(i));
            assert_ne!(a.dossier(i).contact, c.dossier(i).contact);
        }
    }

    #[test]
    fn r03_nirs_are_valid_and_unique() {
        let g = Generator::new(7);
        let mut seen = HashSet::new();
        let mut kinds = HashSet::new();
        for i in 0..50_000 {
            let d = g.dossier(i);
            let reparsed = Nir::parse(d.nir.expose()).expect("generated NIR parses");
            assert_eq!(reparsed, d.nir);
            kinds.insert(match d.nir.departement() {
                "2A" | "2B" => "corse",
                "99" => "abroad",
                x if x.len() == 3 => "overseas",
                _ => "metro",
            });
            assert!(
                seen.insert(d.nir.expose().to_owned()),
                "duplicate NIR at {i}"
            );
        }
        assert_eq!(kinds.len(), 4, "every kind of NIR: {kinds:?}");
        // The bijection keeps NIRs distinct far beyond what we test here.
        let far: HashSet<_> = (0..2000u64)
            .map(|k| g.dossier(k * 4_999 + 9_000_000).nir.expose().to_owned())
            .collect();
        assert_eq!(far.len(), 2000);
    }

    #[test]
    fn shares_are_realistic() {
        let g = Generator::new(1);
        let n = 20_000;
        let files: Vec<_> = (0..n).map(|i| g.dossier(i)).collect();
        let share =
            |f: &dyn Fn(&Dossier) -> bool| files.iter().filter(|d| f(d)).count() as f64 / n as f64;
        let opposition = share(&|d| d.opposition);
        let rsa = share(&|d| d.rsa.is_some());
        assert!(
            (0.02..0.04).contains(&opposition),
            "opposition {opposition}"
        );
        assert!((0.085..0.115).contains(&rsa), "rsa {rsa}");
        assert!(share(&|d| d.contact.usage_name.is_some()) > 0.1);
        assert!(share(&|d| d.family.children.iter().any(|c| c.disabled)) > 0.01);
        assert!(share(&|d| d.has_benefit("CMG")) > 0.03);
        let deps: HashSet<_> = files.iter().map(|d| d.departement.as_str()).collect();
        assert_eq!(deps.len(), RESIDENCES.len());
    }

    #[test]
    fn r04_names_have_french_shapes_and_normalise() {
        let g = Generator::new(3);
        let names: Vec<String> = (0..5_000)
            .map(|i| g.dossier(i).contact.birth_name)
            .collect();
        assert!(names.iter().any(|n| n.contains('\'')));
        assert!(names.iter().any(|n| n.contains(' ')));
        assert!(names.iter().any(|n| n.contains('-')));
        assert!(names.iter().any(|n| !n.is_ascii()));
        for n in &names {
            assert!(guichet_core::name::normalize(n).is_some(), "{n}");
        }
    }

    #[test]
    fn families_are_consistent() {
        let g = Generator::new(9);
        for i in 0..5_000 {
            let d = g.dossier(i);
            for c in &d.family.children {
                assert!(c.birth_date > d.contact.birth_date + chrono::Months::new(18 * 12));
                assert!(c.birth_date <= date(REFERENCE_YEAR, 10, 31));
            }
            assert_eq!(
                d.family.partner.is_some(),
                d.family.status == FamilyStatus::Couple
            );
            if d.family.status == FamilyStatus::Single {
                assert!(d.resources.iter().all(|r| r.partner_cents == 0));
            }
            if let Some(r) = &d.rsa {
                assert!(r.period.end.is_none_or(|e| e >= r.period.start));
            }
            assert_eq!(
                d.nir.expose()[3..5].parse::<u32>().unwrap(),
                d.contact.birth_date.month()
            );
        }
    }
}
