//! Family names as typed by a partner and as held on file, and how they are compared.
//!
//! Both sides are reduced to a key of upper-case ASCII letters: accents and ligatures are
//! transliterated (`É`→`E`, `Ç`→`C`, `Œ`→`OE`, `Æ`→`AE`, `ß`→`SS`), then case, hyphens,
//! apostrophes and spaces are dropped. "Lefèvre" = "LEFEVRE", "Martin-Durand" =
//! "martin durand", "N'Diaye" = "NDIAYE". The whole key must be equal: a prefix or one part of
//! a compound name does not match.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error_code::ErrorCode;

/// Longest accepted name, in characters as typed.
pub const MAX_NAME_CHARS: usize = 100;

/// A family name typed for a lookup, kept only as its normalised key and wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct FamilyName {
    key: String,
}

/// Why a typed name is refused. Never carries the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("le nom de famille est vide")]
    Empty,
    #[error("le nom de famille dépasse {MAX_NAME_CHARS} caractères")]
    TooLong,
    #[error("le nom de famille ne contient aucune lettre")]
    NoLetter,
    #[error("le nom de famille contient un caractère non admis en position {position}")]
    Character { position: usize },
}

impl NameError {
    /// The stable wire code (the API's `code` field).
    pub fn code(self) -> ErrorCode {
        ErrorCode::NameMalformed
    }
}

impl FamilyName {
    /// Validates and normalises a name typed by a user.
    ///
    /// Accepted: letters of the Latin script (with any accents), spaces, hyphens,
    /// apostrophes (`'`, `’`, `ʼ`) and dots (`St.`). Anything else (digits, emoji, control
    /// characters, other scripts) is refused with its position, so the user can correct it.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        key_of(trimmed).map(|key| FamilyName { key })
    }

    /// The normalised key (`LEFEVRE`). Personal data: do not log it.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// does this typed name designate the file whose birth name and optional usage
    /// name are given (both as held on file, in any form)?
    pub fn matches(&self, birth_name: &str, usage_name: Option<&str>) -> bool {
        normalize(birth_name).is_some_and(|k| k == self.key)
            || usage_name
                .and_then(normalize)
                .is_some_and(|k| k == self.key)
    }

    /// R-04 against keys already normalised (as the store keeps them).
    pub fn matches_keys(&self, birth_key: &str, usage_key: Option<&str>) -> bool {
        birth_key == self.key || usage_key.is_some_and(|k| k == self.key)
    }
}

/// The matching key of a name held on file, or `None` if it has no letter or holds a
/// character outside the accepted set. No length limit: that bounds what a user types, not
/// what a file holds, so a key (which transliteration can make longer than the name: Þ → TH)
/// is always its own key.
pub fn normalize(name: &str) -> Option<String> {
    key_of(name.trim()).ok()
}

/// The upper-case ASCII key of a trimmed name, or why it has none.
fn key_of(trimmed: &str) -> Result<String, NameError> {
    let mut key = String::with_capacity(trimmed.len());
    for (i, c) in trimmed.chars().enumerate() {
        if is_ignored_punctuation(c) {
            continue;
        }
        if !push_transliterated(c, &mut key) {
            key.zeroize();
            return Err(NameError::Character { position: i + 1 });
        }
    }
    if key.is_empty() {
        return Err(NameError::NoLetter);
    }
    Ok(key)
}

fn is_ignored_punctuation(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}'
            | '\u{202f}'
            | '-'
            | '\u{2010}'
            | '\u{2011}'
            | '\''
            | '\u{2019}'
            | '\u{2bc}'
            | '.'
    )
}

/// Appends the upper-case ASCII form of `c` to `out`; false if `c` is not a Latin letter.
fn push_transliterated(c: char, out: &mut String) -> bool {
    if c.is_ascii_alphabetic() {
        out.push(c.to_ascii_uppercase());
        return true;
    }
    let special = match c {
        'Œ' | 'œ' => Some("OE"),
        'Æ' | 'æ' => Some("AE"),
        'ß' | 'ẞ' => Some("SS"),
        'Ø' | 'ø' => Some("O"),
        'Đ' | 'đ' | 'Ð' | 'ð' => Some("D"),
        'Ł' | 'ł' => Some("L"),
        'Þ' | 'þ' => Some("TH"),
        'ı' => Some("I"),
        _ => None,
    };
    if let Some(s) = special {
        out.push_str(s);
        return true;
    }
    // Decompose (É → E + ◌́), keep the base letter if it is ASCII and all the rest are
    // combining marks.
    let mut base = None;
    for d in std::iter::once(c).nfd() {
        if is_combining_mark(d) {
            continue;
        }
        if base.is_some() || !d.is_ascii_alphabetic() {
            return false;
        }
        base = Some(d);
    }
    match base {
        Some(b) => {
            out.push(b.to_ascii_uppercase());
            true
        }
        None => false,
    }
}

impl fmt::Debug for FamilyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FamilyName(***, {} letters)", self.key.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        FamilyName::parse(s).unwrap().key().to_owned()
    }

    /// the examples of DOMAIN.md and common French shapes.
    #[test]
    fn r04_normalisation_table() {
        let cases = [
            ("Lefèvre", "LEFEVRE"),
            ("LEFEVRE", "LEFEVRE"),
            ("Martin-Durand", "MARTINDURAND"),
            ("martin durand", "MARTINDURAND"),
            ("N'Diaye", "NDIAYE"),
            ("N’Diaye", "NDIAYE"),
            ("NDIAYE", "NDIAYE"),
            ("de La Fontaine", "DELAFONTAINE"),
            ("Œuvrard", "OEUVRARD"),
            ("Lætitia", "LAETITIA"),
            ("Straßburger", "STRASSBURGER"),
            ("François", "FRANCOIS"),
            ("  Müller  ", "MULLER"),
            ("d'Estaing", "DESTAING"),
            ("Saint-Exupéry", "SAINTEXUPERY"),
            ("St. Pierre", "STPIERRE"),
            ("Ñúñez", "NUNEZ"),
            ("Nguyễn", "NGUYEN"),
            ("Wałęsa", "WALESA"),
        ];
        for (input, expected) in cases {
            assert_eq!(key(input), expected, "{input}");
        }
    }

    #[test]
    fn r04_match_on_birth_or_usage_name() {
        let typed = FamilyName::parse("martin durand").unwrap();
        assert!(typed.matches("MARTIN-DURAND", None));
        assert!(typed.matches("Dupont", Some("Martin-Durand")));
        assert!(!typed.matches("Dupont", None));
        let typed = FamilyName::parse("Lefevre").unwrap();
        assert!(typed.matches("LEFÈVRE", Some("Petit")));
    }

    #[test]
    fn r04_partial_names_do_not_match() {
        let prefix = FamilyName::parse("Mart").unwrap();
        assert!(!prefix.matches("Martin", None));
        let part = FamilyName::parse("Martin").unwrap();
        assert!(!part.matches("Martin-Durand", None));
        let part = FamilyName::parse("Durand").unwrap();
        assert!(!part.matches("Martin-Durand", Some("Martin Durand")));
    }

    #[test]
    fn r04_malformed_names_are_refused() {
        assert_eq!(FamilyName::parse(""), Err(NameError::Empty));
        assert_eq!(FamilyName::parse("   "), Err(NameError::Empty));
        assert_eq!(FamilyName::parse("--'"), Err(NameError::NoLetter));
        assert_eq!(FamilyName::parse(&"A".repeat(101)), Err(NameError::TooLong));
        assert!(FamilyName::parse(&"A".repeat(100)).is_ok());
        assert_eq!(
            FamilyName::parse(&"é".repeat(10_000)),
            Err(NameError::TooLong)
        );
        assert_eq!(
            FamilyName::parse("Dupont🙂"),
            Err(NameError::Character { position: 7 })
        );
        assert_eq!(
            FamilyName::parse("Dupont2"),
            Err(NameError::Character { position: 7 })
        );
        assert_eq!(
            FamilyName::parse("Иванов"),
            Err(NameError::Character { position: 1 })
        );
        assert_eq!(
            FamilyName::parse("Du\u{0}pont"),
            Err(NameError::Character { position: 3 })
        );
        assert_eq!(NameError::TooLong.code(), ErrorCode::NameMalformed);
    }

    /// R-04, found by the fuzzer: transliteration can make a key longer than the longest name
    /// a user may type (Þ → TH); a key is still its own key, and matches.
    #[test]
    fn r04_a_key_longer_than_the_typed_limit_is_its_own_key() {
        let typed = "Þórsdóttir".repeat(MAX_NAME_CHARS / 10);
        assert_eq!(typed.chars().count(), MAX_NAME_CHARS);
        let name = FamilyName::parse(&typed).unwrap();
        assert!(name.key().chars().count() > MAX_NAME_CHARS);
        assert_eq!(normalize(name.key()).as_deref(), Some(name.key()));
        assert!(name.matches(name.key(), None));
        assert!(name.matches(&typed, None));
        assert_eq!(
            FamilyName::parse(&format!("{typed}a")),
            Err(NameError::TooLong)
        );
    }

    #[test]
    fn debug_hides_the_name() {
        let n = FamilyName::parse("Lefèvre").unwrap();
        assert!(!format!("{n:?}").contains("LEFEVRE"));
    }
}
