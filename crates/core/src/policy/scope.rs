//! Scope: a convention covers its caisse's files in some départements; a CAF
//! convention that the caisse sets beyond itself covers every CAF's files in its départements
//! (seed 003: T13 for 13/83/84). A habilitation may narrow the départements.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// The caisses whose files are reachable: the convention's own, or every CAF.
    pub caisses: Vec<String>,
    pub departements: Vec<String>,
}

impl Scope {
    /// The convention's own caisse only.
    pub fn of_caisse(caisse: &str, departements: Vec<String>) -> Scope {
        Scope {
            caisses: vec![caisse.to_owned()],
            departements,
        }
    }

    /// a file is visible only if it belongs to one of the reachable caisses and to
    /// one of the départements.
    pub fn covers(&self, caisse: &str, departement: &str) -> bool {
        self.caisses.iter().any(|c| c == caisse)
            && self.departements.iter().any(|d| d == departement)
    }

    /// a habilitation limited to `only` of the convention's départements.
    pub fn narrowed(mut self, only: Option<&[String]>) -> Scope {
        if let Some(only) = only {
            self.departements.retain(|d| only.contains(d));
        }
        self
    }
}

/// Whether a département code is one Guichet knows: `01`–`95` (not `20`), `2A`, `2B`,
/// `971`–`976`.
pub fn is_departement_code(code: &str) -> bool {
    match code {
        "2A" | "2B" => true,
        _ if code.len() == 2 => code.parse::<u8>().is_ok_and(|n| {
            (1..=95).contains(&n) && n != 20 && code.bytes().all(|b| b.is_ascii_digit())
        }),
        _ if code.len() == 3 => code
            .parse::<u16>()
            .is_ok_and(|n| (971..=976).contains(&n) && code.bytes().all(|b| b.is_ascii_digit())),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r06_scope_needs_caisse_and_departement() {
        let scope = Scope::of_caisse("MSA-ALSACE", vec!["67".into()]);
        assert!(scope.covers("MSA-ALSACE", "67"));
        assert!(
            !scope.covers("MSA-ALSACE", "68"),
            "other département of the same caisse"
        );
        assert!(
            !scope.covers("MSA-BOURGOGNE", "67"),
            "same département, other caisse"
        );
    }

    /// Seed 003's T13 example: a CAF convention over 13/83/84 reaches those départements'
    /// files whatever their CAF, and nothing elsewhere; a habilitation narrows it.
    #[test]
    fn r06_a_caf_convention_beyond_its_caisse() {
        let deps = vec!["13".to_owned(), "83".into(), "84".into()];
        let scope = Scope {
            caisses: vec!["CAF-13".into(), "CAF-83".into(), "CAF-84".into()],
            departements: deps.clone(),
        };
        assert!(scope.covers("CAF-83", "83") && scope.covers("CAF-13", "84"));
        assert!(
            !scope.covers("CAF-83", "06"),
            "a département outside the list"
        );
        assert!(!scope.covers("MSA-PROVENCE", "13"), "another branch's file");
        let narrowed = scope.clone().narrowed(Some(&["83".to_owned()]));
        assert!(narrowed.covers("CAF-83", "83") && !narrowed.covers("CAF-13", "13"));
        assert_eq!(scope.clone().narrowed(None), scope);
        assert!(
            scope
                .narrowed(Some(&["06".to_owned()]))
                .departements
                .is_empty(),
            "a narrowing never widens"
        );
    }

    #[test]
    fn departement_codes() {
        for ok in ["01", "67", "95", "2A", "2B", "974", "971"] {
            assert!(is_departement_code(ok), "{ok}");
        }
        for bad in ["00", "20", "96", "2C", "977", "7", "+1", "6a", ""] {
            assert!(!is_departement_code(bad), "{bad}");
        }
    }
}
