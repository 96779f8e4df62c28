//! any input either normalises to a non-empty upper-case ASCII key that is a fixed
//! point and matches the input itself, or is refused as `name_malformed`.
#![no_main]
use guichet_core::{ErrorCode, FamilyName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    match FamilyName::parse(data) {
        Ok(name) => {
            assert!(!name.key().is_empty());
            assert!(name.key().bytes().all(|b| b.is_ascii_uppercase()));
            assert!(name.matches(data, None));
            assert!(name.matches(name.key(), None));
        }
        Err(e) => assert_eq!(e.code(), ErrorCode::NameMalformed),
    }
});
