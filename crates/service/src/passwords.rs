//! Password hashing (argon2id, on the blocking pool) and temporary passwords.

use argon2::password_hash::phc::PasswordHash as PhcHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use guichet_core::policy::password::PasswordPolicy;
use guichet_store::PasswordHash;
use rand::Rng;
use zeroize::Zeroizing;

use crate::config::ServiceConfig;
use crate::error::{Result, ServiceError};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Hasher {
    memory_kib: u32,
    iterations: u32,
}

impl Hasher {
    pub(crate) fn new(config: &ServiceConfig) -> Self {
        Hasher {
            memory_kib: config.argon2_memory_kib,
            iterations: config.argon2_iterations,
        }
    }

    fn argon2(&self) -> Result<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.iterations, 1, None)
            .map_err(|_| ServiceError::Internal)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Hashes on the blocking pool (argon2 is CPU- and memory-bound by design).
    pub(crate) async fn hash(&self, password: Zeroizing<String>) -> Result<PasswordHash> {
        let argon2 = self.argon2()?;
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|h| PasswordHash(h.to_string()))
                .map_err(|_| ServiceError::Internal)
        })
        .await
        .map_err(|_| ServiceError::Internal)?
    }

    /// Verifies on the blocking pool; false on any mismatch or unreadable hash.
    pub(crate) async fn verify(&self, hash: &PasswordHash, password: Zeroizing<String>) -> bool {
        let hash = hash.0.clone();
        tokio::task::spawn_blocking(move || {
            let Ok(parsed) = PhcHash::new(&hash) else {
                return false;
            };
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .await
        .unwrap_or(false)
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

    #[tokio::test]
    async fn hash_and_verify() {
        let h = Hasher {
            memory_kib: 1024,
            iterations: 1,
        };
        let hash = h
            .hash(Zeroizing::new("Correct-Horse-9!".into()))
            .await
            .unwrap();
        assert!(hash.0.starts_with("$argon2id$"));
        assert!(
            h.verify(&hash, Zeroizing::new("Correct-Horse-9!".into()))
                .await
        );
        assert!(!h.verify(&hash, Zeroizing::new("wrong".into())).await);
        assert!(
            !h.verify(&PasswordHash("garbage".into()), Zeroizing::new("x".into()))
                .await
        );
    }
}
