//! Password policy: what a new password must satisfy, as a list of violations
//! the UI shows live, and the yearly change reminder.
//!
//! The history rule ("not one of the last 5") needs the stored hashes: the service checks it
//! and reports [`PasswordViolation::RecentlyUsed`].

use std::collections::HashSet;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    /// How many previous passwords may not be reused.
    pub history: usize,
    /// Days after which changing is suggested (not forced).
    pub reminder_after_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 12,
            max_length: 128,
            history: 5,
            reminder_after_days: 365,
        }
    }
}

/// One unmet requirement. The codes are stable (the API's `violations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PasswordViolation {
    TooShort,
    TooLong,
    MissingUppercase,
    MissingLowercase,
    MissingDigit,
    MissingSymbol,
    ContainsIdentifiant,
    Common,
    RecentlyUsed,
    SameAsCurrent,
}

impl PasswordViolation {
    pub fn code(self) -> &'static str {
        match self {
            PasswordViolation::TooShort => "too_short",
            PasswordViolation::TooLong => "too_long",
            PasswordViolation::MissingUppercase => "missing_uppercase",
            PasswordViolation::MissingLowercase => "missing_lowercase",
            PasswordViolation::MissingDigit => "missing_digit",
            PasswordViolation::MissingSymbol => "missing_symbol",
            PasswordViolation::ContainsIdentifiant => "contains_identifiant",
            PasswordViolation::Common => "common",
            PasswordViolation::RecentlyUsed => "recently_used",
            PasswordViolation::SameAsCurrent => "same_as_current",
        }
    }

    pub fn message(self, policy: &PasswordPolicy) -> String {
        match self {
            PasswordViolation::TooShort => {
                format!("au moins {} caractères", policy.min_length)
            }
            PasswordViolation::TooLong => format!("au plus {} caractères", policy.max_length),
            PasswordViolation::MissingUppercase => "au moins une majuscule".into(),
            PasswordViolation::MissingLowercase => "au moins une minuscule".into(),
            PasswordViolation::MissingDigit => "au moins un chiffre".into(),
            PasswordViolation::MissingSymbol => "au moins un caractère spécial".into(),
            PasswordViolation::ContainsIdentifiant => "ne doit pas contenir l'identifiant".into(),
            PasswordViolation::Common => "trop courant, facile à deviner".into(),
            PasswordViolation::RecentlyUsed => format!(
                "ne doit pas reprendre l'un des {} derniers mots de passe",
                policy.history
            ),
            PasswordViolation::SameAsCurrent => "doit différer du mot de passe actuel".into(),
        }
    }
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("common_passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// The candidate lower-cased, and its core with leading/trailing digits and symbols
/// removed ("Azerty2026!!" → "azerty"), with common leetspeak undone.
fn common_forms(password: &str) -> [String; 2] {
    let lower = password.to_lowercase();
    let core: String = lower
        .trim_matches(|c: char| !c.is_alphabetic())
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            _ => c,
        })
        .collect();
    [lower, core]
}

impl PasswordPolicy {
    /// every rule the candidate breaks (empty when acceptable), history excepted.
    pub fn check(&self, password: &str, identifiant: &str) -> Vec<PasswordViolation> {
        let mut v = Vec::new();
        let len = password.chars().count();
        if len < self.min_length {
            v.push(PasswordViolation::TooShort);
        }
        if len > self.max_length {
            v.push(PasswordViolation::TooLong);
        }
        if !password.chars().any(char::is_uppercase) {
            v.push(PasswordViolation::MissingUppercase);
        }
        if !password.chars().any(char::is_lowercase) {
            v.push(PasswordViolation::MissingLowercase);
        }
        if !password.chars().any(|c| c.is_ascii_digit()) {
            v.push(PasswordViolation::MissingDigit);
        }
        if !password.chars().any(|c| !c.is_alphanumeric()) {
            v.push(PasswordViolation::MissingSymbol);
        }
        let ident = identifiant.trim().to_lowercase();
        if !ident.is_empty() && password.to_lowercase().contains(&ident) {
            v.push(PasswordViolation::ContainsIdentifiant);
        }
        let list = common_passwords();
        if common_forms(password)
            .iter()
            .any(|f| list.contains(f.as_str()))
        {
            v.push(PasswordViolation::Common);
        }
        v
    }

    /// whether to remind the user to change a password last changed at `changed_at`.
    pub fn reminder_due(&self, changed_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - changed_at >= Duration::days(self.reminder_after_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PasswordViolation::*;
    use chrono::TimeZone;

    #[test]
    fn r12_a_strong_password_passes() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("Vélo-Rouge-42-Tulipe", "demo.creche"), vec![]);
        assert_eq!(p.check("Demo-Guichet-2026!", "demo.creche"), vec![]);
    }

    #[test]
    fn r12_each_missing_class_is_listed() {
        let p = PasswordPolicy::default();
        assert_eq!(
            p.check("court", "x.y"),
            vec![TooShort, MissingUppercase, MissingDigit, MissingSymbol]
        );
        assert_eq!(p.check("TOUTMAJUSCULE-12", "x.y"), vec![MissingLowercase]);
        assert_eq!(p.check("Sanschiffre-ici", "x.y"), vec![MissingDigit]);
        assert_eq!(p.check("Sanssymbole1234", "x.y"), vec![MissingSymbol]);
        assert!(p.check(&"Aa1-".repeat(40), "x.y").contains(&TooLong));
    }

    #[test]
    fn r12_identifiant_and_common_passwords_are_refused() {
        let p = PasswordPolicy::default();
        assert_eq!(
            p.check("Demo.Creche-2026", "demo.creche"),
            vec![ContainsIdentifiant]
        );
        assert_eq!(p.check("Azerty123456!", "x.y"), vec![Common]);
        assert_eq!(p.check("!!Motdepasse2026", "x.y"), vec![Common]);
        assert_eq!(p.check("P4ssw0rd-2026", "x.y"), vec![Common]);
    }

    #[test]
    fn r12_messages_are_french_and_codes_stable() {
        let p = PasswordPolicy::default();
        assert_eq!(TooShort.message(&p), "au moins 12 caractères");
        assert_eq!(RecentlyUsed.code(), "recently_used");
        assert_eq!(
            serde_json::to_string(&ContainsIdentifiant).unwrap(),
            "\"contains_identifiant\""
        );
    }

    #[test]
    fn r12_reminder_after_a_year() {
        let p = PasswordPolicy::default();
        let t = Utc.with_ymd_and_hms(2025, 11, 23, 8, 0, 0).unwrap();
        assert!(!p.reminder_due(t, t + Duration::days(364)));
        assert!(p.reminder_due(t, t + Duration::days(365)));
    }
}
