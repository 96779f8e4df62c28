//! The NIR (numéro d'inscription au répertoire), the key a partner types to find a file.
//!
//! 13 characters and a 2-digit key, `key = 97 − (number mod 97)`, where Corsica's
//! `2A`/`2B` count as `19`/`18`. A malformed NIR is refused before any database access, with
//! an error that says which part is wrong, never the value itself.
//!
//! Layout (positions are 1-based, as INSEE writes them):
//!
//! | pos   | part          | accepted                                                    |
//! |-------|---------------|-------------------------------------------------------------|
//! | 1     | sex           | 1, 2 (definitive), 7, 8 (temporary number, NIA)             |
//! | 2–3   | birth year    | 00–99                                                       |
//! | 4–5   | birth month   | 01–12, 20–42 and 50–99 (month unknown or fictitious)        |
//! | 6–7   | département   | 01–95, 2A, 2B, 97x/98x (then a 3-digit département and a    |
//! |       |               | 2-digit commune), 99 (born abroad, then a 3-digit country)  |
//! | 8–10  | commune       | 3 digits (2 for overseas)                                   |
//! | 11–13 | order         | 3 digits                                                    |
//! | 14–15 | key           | 01–97                                                       |

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

use crate::error_code::ErrorCode;

/// A structurally valid NIR whose key checks out.
///
/// The value is kept canonical (15 characters, no separators, `2A`/`2B` upper case) and
/// wiped from memory on drop. `Debug` and `Display` mask it; use [`Nir::expose`] where the
/// full value is really needed (a database query, the keyed hash of a trace).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nir([u8; 15]);

/// What is wrong with a typed NIR. Says which part, never the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NirError {
    #[error("le NIR est vide")]
    Empty,
    #[error("le NIR doit compter 15 caractères (13 et la clé), {found} saisis")]
    Length { found: usize },
    #[error("caractère non valide en position {position} du NIR")]
    Character { position: usize },
    #[error("le premier chiffre du NIR (sexe) doit être 1, 2, 7 ou 8")]
    Sex,
    #[error("le mois de naissance du NIR (positions 4 et 5) n'est pas valide")]
    Month,
    #[error("le département de naissance du NIR (positions 6 et 7) n'est pas valide")]
    Departement,
    #[error("la clé du NIR ne correspond pas aux 13 premiers caractères")]
    KeyMismatch,
}

impl NirError {
    /// The stable wire code of this error (the API's `code` field).
    pub fn code(self) -> ErrorCode {
        match self {
            NirError::KeyMismatch => ErrorCode::NirKeyMismatch,
            NirError::Empty
            | NirError::Length { .. }
            | NirError::Character { .. }
            | NirError::Sex
            | NirError::Month
            | NirError::Departement => ErrorCode::NirMalformed,
        }
    }
}

/// Characters a user may type between the groups of a NIR.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '\u{a0}' | '\u{202f}' | '\t')
}

impl Nir {
    /// Parses a NIR as a user types it: `1 85 05 78 006 084 91`, `1.85.05.78.006.084.91`,
    /// `185057800608491` and `2 90 02 2a 004 012 ..` (Corsica in either case) are accepted.
    pub fn parse(input: &str) -> Result<Self, NirError> {
        let trimmed = input.trim_matches(is_separator);
        if trimmed.is_empty() {
            return Err(NirError::Empty);
        }
        let mut buf = [0u8; 15];
        let mut len = 0usize;
        for c in trimmed.chars() {
            if is_separator(c) {
                continue;
            }
            len += 1;
            if len > 15 {
                continue; // keep counting to report the real length
            }
            if !(c.is_ascii_digit() || matches!(c, 'A' | 'B' | 'a' | 'b')) {
                let position = len;
                buf.zeroize();
                return Err(NirError::Character { position });
            }
            buf[len - 1] = c.to_ascii_uppercase() as u8;
        }
        if len != 15 {
            buf.zeroize();
            return Err(NirError::Length { found: len });
        }
        let nir = Nir(buf);
        nir.validate()?;
        Ok(nir)
    }

    /// Builds a NIR from its 13 leading characters by computing the key (used by the
    /// synthetic data generator and tests).
    pub fn with_computed_key(first13: &str) -> Result<Self, NirError> {
        if first13.len() != 13 {
            return Err(NirError::Length {
                found: first13.chars().count() + 2,
            });
        }
        let key = key_of(first13.as_bytes())?;
        let mut buf = [0u8; 15];
        buf[..13].copy_from_slice(first13.as_bytes());
        buf[13] = b'0' + (key / 10) as u8;
        buf[14] = b'0' + (key % 10) as u8;
        buf[..13].make_ascii_uppercase();
        let nir = Nir(buf);
        nir.validate()?;
        Ok(nir)
    }

    fn validate(&self) -> Result<(), NirError> {
        let b = &self.0;
        // Letters are allowed only as the second character of a Corsican département.
        for (i, &c) in b.iter().enumerate() {
            let corsica = i == 6 && b[5] == b'2' && matches!(c, b'A' | b'B');
            if !(c.is_ascii_digit() || corsica) {
                return Err(NirError::Character { position: i + 1 });
            }
        }
        if !matches!(b[0], b'1' | b'2' | b'7' | b'8') {
            return Err(NirError::Sex);
        }
        let month = two_digits(b[3], b[4]);
        if !matches!(month, 1..=12 | 20..=42 | 50..=99) {
            return Err(NirError::Month);
        }
        match (b[5], b[6]) {
            (b'2', b'A' | b'B') => {}
            (b'9', b'7') | (b'9', b'8') => {
                // Overseas: 97x / 98x, then a 2-digit commune. 970 and 980 do not exist.
                if b[7] == b'0' {
                    return Err(NirError::Departement);
                }
            }
            (b'9', b'9') => {}
            _ => {
                let dep = two_digits(b[5], b[6]);
                if !(1..=95).contains(&dep) {
                    return Err(NirError::Departement);
                }
            }
        }
        let key = two_digits(b[13], b[14]);
        let expected = key_of(&b[..13])?;
        if u32::from(key) != expected {
            return Err(NirError::KeyMismatch);
        }
        Ok(())
    }

    /// The canonical 15-character value. Personal data: do not log it.
    pub fn expose(&self) -> &str {
        // The buffer only ever holds ASCII digits and 'A'/'B' (checked in `validate`).
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The birth département as written in the NIR: `67`, `2A`, `974`, or `99` (abroad).
    pub fn departement(&self) -> &str {
        let s = self.expose();
        if matches!(&s[5..7], "97" | "98") {
            &s[5..8]
        } else {
            &s[5..7]
        }
    }

    /// The sex digit: 1 or 7 for a man, 2 or 8 for a woman.
    pub fn sex_digit(&self) -> u8 {
        self.0[0] - b'0'
    }

    /// The masked form shown in logs, debug output and screens that need no more:
    /// `1 85 05 ** *** *** 91`.
    pub fn masked(&self) -> String {
        let s = self.expose();
        format!(
            "{} {} {} ** *** *** {}",
            &s[0..1],
            &s[1..3],
            &s[3..5],
            &s[13..15]
        )
    }

    /// The grouped form `1 85 05 78 006 084 91`, for a screen that shows the full value.
    pub fn grouped(&self) -> String {
        let s = self.expose();
        format!(
            "{} {} {} {} {} {} {}",
            &s[0..1],
            &s[1..3],
            &s[3..5],
            &s[5..7],
            &s[7..10],
            &s[10..13],
            &s[13..15]
        )
    }
}

fn two_digits(a: u8, b: u8) -> u8 {
    (a.wrapping_sub(b'0')) * 10 + b.wrapping_sub(b'0')
}

/// The key of the 13 leading characters: `97 − (n mod 97)`, with `2A` → `19`, `2B` → `18`.
fn key_of(first13: &[u8]) -> Result<u32, NirError> {
    let mut n: u64 = 0;
    for (i, &c) in first13.iter().enumerate() {
        let digit = match (i, c) {
            (_, b'0'..=b'9') => u64::from(c - b'0'),
            // "2A" is computed as "19" and "2B" as "18": replace the letter and lower
            // the preceding 2 by one.
            (6, b'A' | b'a') if first13[5] == b'2' => {
                n -= 1;
                9
            }
            (6, b'B' | b'b') if first13[5] == b'2' => {
                n -= 1;
                8
            }
            _ => return Err(NirError::Character { position: i + 1 }),
        };
        n = n * 10 + digit;
    }
    Ok(97 - (n % 97) as u32)
}

impl Drop for Nir {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Nir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nir({})", self.masked())
    }
}

impl fmt::Display for Nir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl FromStr for Nir {
    type Err = NirError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nir::parse(s)
    }
}

impl Serialize for Nir {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Nir {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = zeroize::Zeroizing::new(String::deserialize(deserializer)?);
        Nir::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// a hand-picked table of real-world-shaped NIRs (keys computed by hand with the
    /// INSEE rule). None of these designates a real person.
    #[test]
    fn r03_accepts_real_world_shapes() {
        let valid = [
            // métropole, man born May 1985 in Yvelines
            ("1 85 05 78 006 084 91", "78"),
            // Bas-Rhin, woman, written without spaces
            ("269056711801265", "67"),
            // Corse-du-Sud (2A → 19 for the key) and Haute-Corse (2B → 18)
            ("1 75 12 2A 004 123 76", "2A"),
            ("2 93 07 2B 033 015 75", "2B"),
            // lower-case Corsica letter and dots between groups
            ("1.75.12.2a.004.123.76", "2A"),
            // Réunion: 974 + 2-digit commune
            ("2 01 03 974 11 021 61", "974"),
            // Guadeloupe
            ("1 58 11 971 20 101 82", "971"),
            // born abroad: 99 + country 3 digits (Algeria 352)
            ("1 62 08 99 352 004 02", "99"),
            // month unknown (20–42 and 50–99 ranges)
            ("1 70 30 99 134 012 92", "99"),
            ("2 44 99 21 231 456 08", "21"),
            // temporary number (NIA), sex digit 7
            ("7 99 01 60 159 001 64", "60"),
        ];
        for (input, dep) in valid {
            let nir = Nir::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(nir.departement(), dep, "{input}");
        }
    }

    #[test]
    fn r03_says_which_part_is_wrong() {
        let cases = [
            ("", NirError::Empty),
            ("   ", NirError::Empty),
            ("1 85 05 78 006 084", NirError::Length { found: 13 }),
            ("1 85 05 78 006 084 366", NirError::Length { found: 16 }),
            ("1 85 05 78 0X6 084 36", NirError::Character { position: 9 }),
            (
                "1 85 05 78 006 084 3🙂",
                NirError::Character { position: 15 },
            ),
            ("3 85 05 78 006 084 36", NirError::Sex),
            ("1 85 13 78 006 084 36", NirError::Month),
            ("1 85 00 78 006 084 36", NirError::Month),
            ("1 85 45 78 006 084 36", NirError::Month),
            ("1 85 05 00 006 084 36", NirError::Departement),
            ("1 85 05 96 006 084 36", NirError::Departement),
            ("1 85 05 970 06 084 36", NirError::Departement),
            ("1 85 05 2C 006 084 36", NirError::Character { position: 7 }),
            ("1 85 05 A2 006 084 36", NirError::Character { position: 6 }),
            ("1 85 05 78 006 084 92", NirError::KeyMismatch),
            ("1 85 05 78 006 084 00", NirError::KeyMismatch),
            ("1 85 05 78 006 084 98", NirError::KeyMismatch),
            // Corsica with the key of the unsubstituted number (a classic mistake)
            ("1 75 12 2A 004 123 77", NirError::KeyMismatch),
        ];
        for (input, expected) in cases {
            assert_eq!(Nir::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn r03_error_codes_are_stable() {
        assert_eq!(NirError::KeyMismatch.code(), ErrorCode::NirKeyMismatch);
        assert_eq!(NirError::Month.code(), ErrorCode::NirMalformed);
        assert_eq!(
            NirError::Length { found: 3 }.code(),
            ErrorCode::NirMalformed
        );
    }

    #[test]
    fn debug_and_display_never_show_the_full_value() {
        let nir = Nir::parse("185057800608491").unwrap();
        for shown in [format!("{nir:?}"), format!("{nir}"), nir.masked()] {
            assert!(!shown.replace(' ', "").contains("7800608"), "{shown}");
        }
        assert_eq!(nir.masked(), "1 85 05 ** *** *** 91");
        assert_eq!(nir.grouped(), "1 85 05 78 006 084 91");
        assert_eq!(nir.expose(), "185057800608491");
    }

    #[test]
    fn computed_key_round_trips() {
        let nir = Nir::with_computed_key("175122A004123").unwrap();
        assert_eq!(nir.expose(), "175122A00412376");
        let nir = Nir::with_computed_key("293072B033015").unwrap();
        assert_eq!(nir.expose(), "293072B03301575");
    }

    #[test]
    fn serde_round_trip_validates() {
        let nir = Nir::parse("185057800608491").unwrap();
        let json = serde_json::to_string(&nir).unwrap();
        assert_eq!(json, "\"185057800608491\"");
        let back: Nir = serde_json::from_str(&json).unwrap();
        assert_eq!(back, nir);
        assert!(serde_json::from_str::<Nir>("\"185057800608492\"").is_err());
    }
}
