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
    /// Sign-in attempts per client address per minute (IPv6: per /64), across instances.
    pub sign_ins_per_minute: u32,
    /// Sign-in attempts per minute, all addresses together: bounds guessing spread over
    /// many addresses.
    pub sign_ins_per_minute_global: u32,
    /// Password changes tried per user per minute (a stolen token guessing the password).
    pub password_changes_per_minute: u32,
    /// A temporary password (new account, reset) must be changed within this many days.
    pub temporary_password_days: u32,
    /// traces older than this are purged.
    pub trace_retention_days: u32,
    /// habilitation records are kept this long after the habilitation ended.
    pub habilitation_retention_days: u32,
    /// this many "no file" answers in a row flag a user.
    pub abuse_not_found_streak: u32,
    /// more lookups than this in a day flag a user.
    pub abuse_daily_lookups: u32,
    /// argon2id cost (OWASP's first recommended set by default).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// argon2 runs at once, each taking `argon2_memory_kib`; 0: the number of cores.
    pub max_concurrent_hashes: u32,
    /// How long a sign-in waits for a hashing slot before `503 busy`.
    pub hash_wait_ms: u64,
}

impl ServiceConfig {
    /// The bound on concurrent argon2 runs.
    pub fn hashing_slots(&self) -> usize {
        match self.max_concurrent_hashes {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            n => n as usize,
        }
    }
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
            sign_ins_per_minute_global: 600,
            password_changes_per_minute: 5,
            temporary_password_days: 7,
            trace_retention_days: 183,
            habilitation_retention_days: 6 * 365 + 2,
            abuse_not_found_streak: 20,
            abuse_daily_lookups: 500,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            max_concurrent_hashes: 0,
            hash_wait_ms: 2_000,
        }
    }
}
