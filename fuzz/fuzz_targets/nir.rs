//! any input either parses to a NIR that re-parses identically, or is refused with
//! one of the two stable codes; nothing panics.
#![no_main]
use guichet_core::{ErrorCode, Nir};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    match Nir::parse(data) {
        Ok(nir) => {
            assert_eq!(Nir::parse(nir.expose()).as_ref(), Ok(&nir));
            assert_eq!(Nir::parse(&nir.grouped()).as_ref(), Ok(&nir));
            assert!(!nir.masked().contains(&nir.expose()[5..13]));
        }
        Err(e) => assert!(matches!(
            e.code(),
            ErrorCode::NirMalformed | ErrorCode::NirKeyMismatch
        )),
    }
});
