//! The service's tunables, with the defaults of DOMAIN.md. Deserialised from the server's
//! TOML file (`[service]`), each field optional.

use guichet_core::policy::lockout::LockoutPolicy;
use guichet_core::policy::password::PasswordPolicy;
use guichet_core::policy::session::SessionPolicy;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    ///
    pub password: PasswordPolicy,
    ///
    pub lockout: LockoutPolicy,
    ///
    pub session: SessionPolicy,
    /// Lookups per user per minute, across every server instance.
    pub lookups_per_minute: u32,
    /// Sign-in attempts per client address per minute.
    pub sign_ins_per_minute: u32,
    /// traces older than this are purged.
    pub trace_retention_days: u32,
    /// this many "no file" answers in a row flag a user.
    pub abuse_not_found_streak: u32,
    /// more lookups than this in a day flag a user.
    pub abuse_daily_lookups: u32,
    /// argon2id cost (OWASP's first recommended set by default).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
}

#[cfg(feature = "testing")]
impl ServiceConfig {
    /// The defaults with argon2 made cheap: tests measure behaviour, not hashing cost.
    pub fn fast_for_tests() -> Self {
        ServiceConfig {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            ..ServiceConfig::default()
        }
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            password: PasswordPolicy::default(),
            lockout: LockoutPolicy::default(),
            session: SessionPolicy::default(),
            lookups_per_minute: 60,
            sign_ins_per_minute: 30,
            trace_retention_days: 183,
            abuse_not_found_streak: 20,
            abuse_daily_lookups: 500,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
        }
    }
}
