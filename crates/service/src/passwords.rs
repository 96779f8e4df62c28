//! Password hashing (argon2id, on the blocking pool, a bounded number at once) and
//! temporary passwords.
//!
//! Each argon2 run takes `argon2_memory_kib` (19 MiB by default) for its duration: without a
//! bound, a burst of sign-ins takes as many times that as there are requests in flight. At
//! most `max_concurrent_hashes` runs happen at once; a request waits up to `hash_wait_ms`
//! for its turn, then is refused with [`ServiceError::Busy`] (`503`, `Retry-After`). The
//! runs work in arenas kept between runs (one per slot in use, zeroed after each run)
//! rather than in memory allocated and freed each time, which the allocator would keep
//! per thread: the server's memory under a burst is the bound times one arena.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::phc::{Output, PasswordHash as PhcHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use guichet_core::policy::password::PasswordPolicy;
use guichet_store::PasswordHash;
use rand::Rng;
use subtle::ConstantTimeEq;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroize;
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

/// argon2 runs under way, the most seen at once since start (tests assert the bound), and
/// the arenas between runs.
#[derive(Default)]
struct Load {
    running: AtomicUsize,
    peak: AtomicUsize,
    arenas: Mutex<Vec<Vec<Block>>>,
}

impl std::fmt::Debug for Load {
    // Never the arenas' content.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Load")
            .field("running", &self.running)
            .field("peak", &self.peak)
            .finish_non_exhaustive()
    }
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

    fn params(&self) -> Result<Params> {
        Params::new(self.memory_kib, self.iterations, 1, None).map_err(|_| ServiceError::Internal)
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

    /// Runs `f` on the blocking pool with an arena, counted as one argon2 run, holding a
    /// share of `slot` until it ends.
    async fn run<T: Send + 'static>(
        &self,
        slot: &HashSlot,
        f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T> {
        let (slot, load) = (slot.clone(), self.load.clone());
        tokio::task::spawn_blocking(move || {
            let now = load.running.fetch_add(1, Ordering::SeqCst) + 1;
            load.peak.fetch_max(now, Ordering::SeqCst);
            let mut arena = load
                .arenas
                .lock()
                .ok()
                .and_then(|mut a| a.pop())
                .unwrap_or_default();
            let out = f(&mut arena);
            arena.iter_mut().for_each(Zeroize::zeroize);
            if let Ok(mut arenas) = load.arenas.lock() {
                arenas.push(arena);
            }
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

    /// [`Self::hash`] in a slot the caller already holds: argon2id with the configured
    /// cost and a random salt, as a PHC string.
    pub(crate) async fn hash_in(
        &self,
        slot: &HashSlot,
        password: Zeroizing<String>,
    ) -> Result<PasswordHash> {
        let params = self.params()?;
        self.run(slot, move |arena| {
            let salt = Salt::generate();
            let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
            let mut out = Zeroizing::new(vec![0u8; Params::DEFAULT_OUTPUT_LEN]);
            compute(
                &argon2,
                &params,
                password.as_bytes(),
                &salt,
                &mut out,
                arena,
            )?;
            let phc = PhcHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: (&params).try_into().map_err(|_| ServiceError::Internal)?,
                salt: Some(salt),
                hash: Some(Output::new(&out).map_err(|_| ServiceError::Internal)?),
            };
            Ok(PasswordHash(phc.to_string()))
        })
        .await?
    }

    /// Verifies in a slot the caller holds; false on any mismatch or unreadable hash. The
    /// cost is the stored hash's own (it may predate a change of the configured one).
    pub(crate) async fn verify_in(
        &self,
        slot: &HashSlot,
        hash: &PasswordHash,
        password: Zeroizing<String>,
    ) -> Result<bool> {
        let hash = hash.0.clone();
        self.run(slot, move |arena| {
            let Ok(phc) = PhcHash::new(&hash) else {
                return false;
            };
            let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
                return false;
            };
            let algorithm = Algorithm::try_from(phc.algorithm.as_str());
            let version = phc.version.map_or(Ok(Version::V0x13), Version::try_from);
            let (Ok(algorithm), Ok(version), Ok(params)) =
                (algorithm, version, Params::try_from(&phc))
            else {
                return false;
            };
            let argon2 = Argon2::new(algorithm, version, params.clone());
            let mut out = Zeroizing::new(vec![0u8; expected.len()]);
            compute(&argon2, &params, password.as_bytes(), salt, &mut out, arena).is_ok()
                && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
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

/// One argon2 run in `arena`, grown to the parameters' size if needed.
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    arena: &mut Vec<Block>,
) -> Result<()> {
    let blocks = params.block_count();
    if arena.len() < blocks {
        arena.resize(blocks, Block::default());
    }
    let memory = arena.get_mut(..blocks).ok_or(ServiceError::Internal)?;
    argon2
        .hash_password_into_with_memory(password, salt, out, memory)
        .map_err(|_| ServiceError::Internal)
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

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let h = cheap(1, 1000);
        // Ours verify with the argon2 crate's own verifier…
        let ours = h
            .hash(Zeroizing::new("Trèfle-Vert-12!".into()))
            .await
            .unwrap();
        let parsed = PhcHash::new(&ours.0).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Tr\xc3\xa8fle-Vert-12!", &parsed)
                .is_ok()
        );
        // …and a hash made by the crate (another cost) verifies here.
        let params = Params::new(2048, 2, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"Autre-Mot-77!")
            .unwrap()
            .to_string();
        let slot = h.slot().await.unwrap();
        let theirs = PasswordHash(theirs);
        assert!(
            h.verify_in(&slot, &theirs, Zeroizing::new("Autre-Mot-77!".into()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify_in(&slot, &theirs, Zeroizing::new("Autre-Mot-78!".into()))
                .await
                .unwrap()
        );
        assert_eq!(h.load.arenas.lock().unwrap().len(), 1, "one arena, reused");
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
