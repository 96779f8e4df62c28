//! Guichet's domain core: the rules of DOMAIN.md as pure functions and plain data.
//!
//! No IO, no async, no clock: policies take `now` as an argument. The store, the service,
//! the server and the desktop app all build on these types, so a rule lives here once.

pub mod admin;
pub mod dossier;
pub mod error_code;
pub mod lookup;
pub mod manage;
pub mod name;
pub mod nir;
pub mod policy;
pub mod psu;
pub mod service_def;
pub mod trace;
pub mod wire;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use dossier::Dossier;
pub use error_code::ErrorCode;
pub use lookup::LookupOutcome;
pub use name::{FamilyName, NameError};
pub use nir::{Nir, NirError};
pub use service_def::{DossierView, Eligibility, Section, ServiceDef, ServiceRules};
