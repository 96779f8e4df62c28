//! Scope: a convention covers one caisse and some of its départements.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub caisse: String,
    pub departements: Vec<String>,
}

impl Scope {
    /// a file is visible only if it belongs to the convention's caisse and to one of
    /// its départements.
    pub fn covers(&self, caisse: &str, departement: &str) -> bool {
        self.caisse == caisse && self.departements.iter().any(|d| d == departement)
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
        let scope = Scope {
            caisse: "MSA-ALSACE".into(),
            departements: vec!["67".into()],
        };
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
