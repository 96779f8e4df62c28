//! Property tests of the parsers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use guichet_core::ErrorCode;
use guichet_core::name::{FamilyName, normalize};
use guichet_core::nir::{Nir, NirError};
use proptest::prelude::*;

/// The 13 leading characters of a structurally valid NIR, of every kind.
fn nir_body() -> impl Strategy<Value = String> {
    let sex = prop_oneof![Just('1'), Just('2'), Just('7'), Just('8')];
    let month = prop_oneof![1u32..=12, 20u32..=42, 50u32..=99];
    let place = prop_oneof![
        // métropole: département 01–95 + 3-digit commune
        (1u32..=95, 0u32..1000).prop_map(|(d, c)| format!("{d:02}{c:03}")),
        // Corsica
        (prop_oneof![Just("2A"), Just("2B")], 0u32..1000).prop_map(|(d, c)| format!("{d}{c:03}")),
        // overseas 971–978 / 984–988 + 2-digit commune
        (prop_oneof![971u32..=978, 984u32..=988], 0u32..100)
            .prop_map(|(d, c)| format!("{d}{c:02}")),
        // born abroad: 99 + country
        (100u32..=999).prop_map(|c| format!("99{c:03}")),
    ];
    (sex, 0u32..100, month, place, 1u32..1000)
        .prop_map(|(s, y, m, p, o)| format!("{s}{y:02}{m:02}{p}{o:03}"))
}

fn valid_nir() -> impl Strategy<Value = Nir> {
    nir_body().prop_map(|b| Nir::with_computed_key(&b).expect("valid body"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// every structurally valid NIR with its computed key parses, and back.
    #[test]
    fn r03_valid_nirs_round_trip(nir in valid_nir()) {
        let reparsed = Nir::parse(nir.expose()).unwrap();
        prop_assert_eq!(&reparsed, &nir);
        prop_assert_eq!(Nir::parse(&nir.grouped()).unwrap(), nir);
    }

    /// spaces and dots between characters, and lower-case Corsica, change nothing.
    #[test]
    fn r03_separators_and_case_do_not_matter(nir in valid_nir(), seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("."), Just("  ")], 15)) {
        let typed: String = nir.expose().chars().zip(seps).map(|(c, s)| format!("{s}{}", c.to_ascii_lowercase())).collect();
        prop_assert_eq!(Nir::parse(&typed).unwrap(), nir);
    }

    /// the key catches every single-digit typo and every swap of two different
    /// adjacent digits in the 13-character body.
    #[test]
    fn r03_key_catches_typos(nir in valid_nir(), pos in 0usize..13, digit in 0u8..10) {
        let mut bytes = nir.expose().as_bytes().to_vec();
        prop_assume!(bytes[pos].is_ascii_digit() && bytes[pos] != b'0' + digit);
        bytes[pos] = b'0' + digit;
        let typo = String::from_utf8(bytes).unwrap();
        prop_assert!(Nir::parse(&typo).is_err(), "{} accepted", typo);
    }

    #[test]
    fn r03_key_catches_transpositions(nir in valid_nir(), pos in 0usize..12) {
        let mut bytes = nir.expose().as_bytes().to_vec();
        prop_assume!(bytes[pos] != bytes[pos + 1] && bytes[pos].is_ascii_digit() && bytes[pos + 1].is_ascii_digit());
        bytes.swap(pos, pos + 1);
        let swapped = String::from_utf8(bytes).unwrap();
        // A swap may land on another valid structure only if the key also matches: mod 97
        // detects every adjacent transposition of distinct digits.
        prop_assert!(Nir::parse(&swapped).is_err(), "{} accepted", swapped);
    }

    /// Any input: no panic, and an error never quotes the input.
    #[test]
    fn r03_arbitrary_input_never_panics(s in "\\PC{0,40}") {
        if let Err(e) = Nir::parse(&s) {
            let msg = e.to_string();
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 6 {
                prop_assert!(!msg.contains(&digits));
            }
            prop_assert!(matches!(e.code(), ErrorCode::NirMalformed | ErrorCode::NirKeyMismatch));
        }
    }

    /// Masked forms never reveal the birth place and order number.
    #[test]
    fn masked_form_hides_the_middle(nir in valid_nir()) {
        let middle = &nir.expose()[5..13];
        let debug = format!("{:?}", nir).replace(' ', "");
        prop_assert!(!debug.contains(middle));
        prop_assert!(!nir.to_string().replace(' ', "").contains(middle));
    }

    /// the key holds only A–Z, and normalising is idempotent.
    #[test]
    fn r04_key_is_upper_ascii_and_idempotent(s in "[\\p{L} '’.-]{1,60}") {
        if let Ok(name) = FamilyName::parse(&s) {
            prop_assert!(name.key().bytes().all(|b| b.is_ascii_uppercase()));
            let again = normalize(name.key());
            prop_assert_eq!(again.as_deref(), Some(name.key()));
        }
    }

    /// case, hyphens, apostrophes and spaces between letters do not count.
    #[test]
    fn r04_case_and_punctuation_do_not_count(letters in "[a-zA-Zéèêëàâäîïôöùûüçœæ]{1,30}", seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("'"), Just("’")], 30)) {
        let plain = FamilyName::parse(&letters).unwrap();
        let decorated: String = letters.chars().zip(seps.iter().chain(std::iter::repeat(&""))).map(|(c, s)| format!("{c}{s}")).collect();
        let upper = letters.to_uppercase();
        prop_assert!(plain.matches(&decorated, None));
        prop_assert!(plain.matches(&upper, None));
        prop_assert!(FamilyName::parse(&upper).unwrap().matches(&letters, None));
    }

    /// a strict prefix never matches.
    #[test]
    fn r04_prefix_never_matches(name in "[A-Z]{2,30}", cut_seed in 0usize..1000) {
        let cut = 1 + cut_seed % (name.len() - 1);
        let prefix = FamilyName::parse(&name[..cut]).unwrap();
        prop_assert!(!prefix.matches(&name, None));
    }

    /// Any input: no panic, errors are `name_malformed`, and long inputs are refused.
    #[test]
    fn r04_arbitrary_input_never_panics(s in "\\PC{0,150}") {
        match FamilyName::parse(&s) {
            Ok(n) => prop_assert!(!n.key().is_empty() && s.trim().chars().count() <= 100),
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::NameMalformed),
        }
    }
}

#[test]
fn r03_length_error_counts_what_was_typed() {
    assert_eq!(Nir::parse("1 85"), Err(NirError::Length { found: 3 }));
}
