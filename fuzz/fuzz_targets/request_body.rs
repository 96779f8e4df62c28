//! Request bodies as the server receives them: any bytes either decode
//! to a request or are refused by the decoder; what decodes re-encodes to the same request
//! and goes through the same checks the service makes, without panicking. Unknown fields
//! are refused, so a body that decodes names only known fields.
#![no_main]
use guichet_core::policy::password::PasswordPolicy;
use guichet_core::wire::{ChangePasswordRequest, LookupRequest, SignInRequest};
use guichet_core::{ErrorCode, FamilyName, Nir};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the endpoint, the rest is the body.
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => {
            if let Ok(req) = serde_json::from_slice::<SignInRequest>(body) {
                let again: SignInRequest =
                    serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
                assert_eq!(again.identifiant, req.identifiant);
                assert_eq!(*again.password, *req.password);
            }
        }
        1 => {
            if let Ok(req) = serde_json::from_slice::<ChangePasswordRequest>(body) {
                let violations = PasswordPolicy::default().check(&req.new_password, "fuzz");
                let mut unique = violations.clone();
                unique.dedup();
                assert_eq!(unique, violations, "each violation is reported once");
            }
        }
        _ => {
            if let Ok(req) = serde_json::from_slice::<LookupRequest>(body) {
                let again: LookupRequest =
                    serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
                assert_eq!((&again.service, again.as_of), (&req.service, req.as_of));
                match Nir::parse(&req.nir) {
                    Ok(nir) => assert_eq!(Nir::parse(nir.expose()).as_ref(), Ok(&nir)),
                    Err(e) => assert!(matches!(
                        e.code(),
                        ErrorCode::NirMalformed | ErrorCode::NirKeyMismatch
                    )),
                }
                if let Err(e) = FamilyName::parse(&req.name) {
                    assert_eq!(e.code(), ErrorCode::NameMalformed);
                }
            }
        }
    }
});
