//! Service definitions and lookup bodies as JSON: decoding never panics, and what decodes
//! re-encodes to an equal value.
#![no_main]
use guichet_core::ServiceDef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(def) = serde_json::from_slice::<ServiceDef>(data) {
        let _ = def.validate();
        let again: ServiceDef = serde_json::from_str(&serde_json::to_string(&def).unwrap()).unwrap();
        assert_eq!(again, def);
    }
});
