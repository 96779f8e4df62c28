//! Password hashing (argon2id, on the blocking pool, a bounded number at once) and
//! temporary passwords.
//!
//! Each argon2 run takes `argon2_memory_kib` (19 MiB by default) for its duration: without a
//! bound, a burst of sign-ins takes as many times that as there are requests in flight. At
//! most `max_concurrent_hashes` runs happen at once; a request waits up to `hash_wait_ms`
//! for its turn, then is refused with [`ServiceError::Busy`] (`503`, `Retry-After`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash as PhcHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use guichet_core::policy::password::PasswordPolicy;
use guichet_store::PasswordHash;
use rand::Rng;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroizing;

use crate::config::ServiceConfig;
use crate::error::{Result, ServiceError};

/// What a caller waits on while the hashing slots are all taken: the suggested retry delay.
const BUSY_RETRY_AFTER_S: i64 = 1;

#[derive(Debug)]
pub(crate) struct Hasher {
    memory_kib: u32,
    iterations: u32,
    slots: Arc<Semaphore>,
    max_slots: usize,
    wait: Duration,
    load: Arc<Load>,
}

/// argon2 runs under way, and the most seen at once since start (tests assert the bound).
#[derive(Debug, Default)]
struct Load {
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// A hashing slot: argon2 runs only while one is held. Each run keeps a share of it until
/// the run itself ends, so that a caller who gives up (a client gone, a request timed out)
/// does not free the slot while its hash still computes.
#[derive(Debug, Clone)]
pub(crate) struct HashSlot {
    _permit: Arc<OwnedSemaphorePermit>,
}

impl Hasher {
    pub(crate) fn new(config: &ServiceConfig) -> Self {
        let max_slots = config.hashing_slots();
        Hasher {
            memory_kib: config.argon2_memory_kib,
            iterations: config.argon2_iterations,
            slots: Arc::new(Semaphore::new(max_slots)),
            max_slots,
            wait: Duration::from_millis(config.hash_wait_ms),
            load: Arc::new(Load::default()),
        }
    }

    fn argon2(&self) -> Result<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.iterations, 1, None)
            .map_err(|_| ServiceError::Internal)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Waits (a bounded time) for a hashing slot. Taken before any other work of a
    /// sign-in, so that a refused request has changed nothing.
    pub(crate) async fn slot(&self) -> Result<HashSlot> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(HashSlot {
                _permit: Arc::new(permit),
            }),
            Ok(Err(_)) => Err(ServiceError::Internal), // never closed
            Err(_) => Err(ServiceError::Busy {
                retry_after_s: BUSY_RETRY_AFTER_S,
            }),
        }
    }

    /// Runs `f` on the blocking pool, counted as one argon2 run, holding a share of `slot`.
    async fn run<T: Send + 'static>(
        &self,
        slot: &HashSlot,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let (slot, load) = (slot.clone(), self.load.clone());
        tokio::task::spawn_blocking(move || {
            let now = load.running.fetch_add(1, Ordering::SeqCst) + 1;
            load.peak.fetch_max(now, Ordering::SeqCst);
            let out = f();
            load.running.fetch_sub(1, Ordering::SeqCst);
            drop(slot);
            out
        })
        .await
        .map_err(|_| ServiceError::Internal)
    }

    /// Hashes on the blocking pool (argon2 is CPU- and memory-bound by design).
    pub(crate) async fn hash(&self, password: Zeroizing<String>) -> Result<PasswordHash> {
        let slot = self.slot().await?;
        self.hash_in(&slot, password).await
    }

    /// [`Self::hash`] in a slot the caller already holds.
    pub(crate) async fn hash_in(
        &self,
        slot: &HashSlot,
        password: Zeroizing<String>,
    ) -> Result<PasswordHash> {
        let argon2 = self.argon2()?;
        self.run(slot, move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|h| PasswordHash(h.to_string()))
                .map_err(|_| ServiceError::Internal)
        })
        .await?
    }

    /// Verifies in a slot the caller holds; false on any mismatch or unreadable hash.
    pub(crate) async fn verify_in(
        &self,
        slot: &HashSlot,
        hash: &PasswordHash,
        password: Zeroizing<String>,
    ) -> Result<bool> {
        let hash = hash.0.clone();
        self.run(slot, move || {
            let Ok(parsed) = PhcHash::new(&hash) else {
                return false;
            };
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .await
    }

    /// (runs now, most runs seen at once, the bound).
    pub(crate) fn load(&self) -> (usize, usize, usize) {
        (
            self.load.running.load(Ordering::SeqCst),
            self.load.peak.load(Ordering::SeqCst),
            self.max_slots,
        )
    }
}

/// A temporary password that satisfies the policy: four groups of random characters from
/// unambiguous alphabets (`Kq7m-Xw3p-…`), shown once to the caisse agent.
pub fn temporary_password(policy: &PasswordPolicy, identifiant: &str) -> Zeroizing<String> {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    let mut rng = rand::rng();
    loop {
        let mut s = Zeroizing::new(String::with_capacity(19));
        for group in 0..4 {
            if group > 0 {
                s.push('-');
            }
            s.push(UPPER[rng.random_range(0..UPPER.len())] as char);
            s.push(LOWER[rng.random_range(0..LOWER.len())] as char);
            s.push(DIGIT[rng.random_range(0..DIGIT.len())] as char);
            s.push(LOWER[rng.random_range(0..LOWER.len())] as char);
        }
        if policy.check(&s, identifiant).is_empty() {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r12_temporary_passwords_meet_the_policy() {
        let policy = PasswordPolicy::default();
        let a = temporary_password(&policy, "m.petit");
        let b = temporary_password(&policy, "m.petit");
        assert_ne!(*a, *b);
        assert_eq!(a.len(), 19);
        assert!(policy.check(&a, "m.petit").is_empty());
    }

    fn cheap(slots: u32, wait_ms: u64) -> Hasher {
        Hasher::new(&ServiceConfig {
            argon2_memory_kib: 1024,
            argon2_iterations: 1,
            max_concurrent_hashes: slots,
            hash_wait_ms: wait_ms,
            ..ServiceConfig::default()
        })
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = cheap(2, 1000);
        let hash = h
            .hash(Zeroizing::new("Correct-Horse-9!".into()))
            .await
            .unwrap();
        assert!(hash.0.starts_with("$argon2id$"));
        let slot = h.slot().await.unwrap();
        assert!(
            h.verify_in(&slot, &hash, Zeroizing::new("Correct-Horse-9!".into()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify_in(&slot, &hash, Zeroizing::new("wrong".into()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify_in(
                &slot,
                &PasswordHash("garbage".into()),
                Zeroizing::new("x".into())
            )
            .await
            .unwrap()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_the_configured_number_of_hashes_run_at_once() {
        let h = Arc::new(cheap(2, 60_000));
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(
                    async move { h.hash(Zeroizing::new(format!("Mot-de-passe-{i}!"))).await },
                )
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap().is_ok());
        }
        let (running, peak, bound) = h.load();
        assert_eq!((running, bound), (0, 2));
        assert!((1..=2).contains(&peak), "peak {peak}");
    }

    #[tokio::test]
    async fn a_full_house_answers_busy_after_the_wait() {
        let h = cheap(1, 20);
        let held = h.slot().await.unwrap();
        assert_eq!(
            h.hash(Zeroizing::new("x".into())).await.unwrap_err(),
            ServiceError::Busy { retry_after_s: 1 }
        );
        drop(held);
        assert!(h.hash(Zeroizing::new("x".into())).await.is_ok());
    }
}
