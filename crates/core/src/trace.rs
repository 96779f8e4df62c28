//! Trace records and their keyed hash chain.
//!
//! Each record's hash is an HMAC over its content and the previous record's hash, keyed with
//! a [`ChainKey`] derived from the caisse's trace key, which is held outside the database:
//! altering or deleting a record breaks every later link, and someone who can write to the
//! database but does not hold the key cannot compute a valid replacement. The purge of R-20
//! removes a prefix of the chain and keeps the hash of the last removed record as the new
//! anchor, so what remains still verifies; the chain's head (last sequence number and hash)
//! is kept apart, so that removing the newest records is seen too. NIRs are never stored:
//! [`nir_digest`] is a keyed hash (HMAC-SHA256 with the trace key), so an auditor holding
//! the key can check "was this NIR consulted" without the trace listing NIRs.

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::nir::Nir;

/// The key of the trace chain's HMAC, derived from the trace key (so that the NIR digests
/// and the chain never share a key). Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct ChainKey(Zeroizing<[u8; 32]>);

impl ChainKey {
    /// The chain key of a trace key (HMAC-SHA256 of a fixed label).
    pub fn derive(trace_key: &[u8]) -> ChainKey {
        let mut mac = hmac_sha256(trace_key);
        mac.update(b"guichet trace chain v1");
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&mac.finalize().into_bytes());
        ChainKey(out)
    }

    fn mac(&self) -> Hmac<Sha256> {
        hmac_sha256(self.0.as_ref())
    }
}

fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    #[allow(clippy::expect_used)] // HMAC takes keys of every length: this cannot fail.
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(***)")
    }
}

/// The hash that precedes the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record traces. The codes are stable: they are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    SignIn,
    SignOut,
    PasswordChange,
    Lookup,
    Timeout,
    Admin,
}

impl TraceKind {
    pub const ALL: [TraceKind; 6] = [
        TraceKind::SignIn,
        TraceKind::SignOut,
        TraceKind::PasswordChange,
        TraceKind::Lookup,
        TraceKind::Timeout,
        TraceKind::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TraceKind::SignIn => "sign_in",
            TraceKind::SignOut => "sign_out",
            TraceKind::PasswordChange => "password_change",
            TraceKind::Lookup => "lookup",
            TraceKind::Timeout => "timeout",
            TraceKind::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A trace record before it is chained. `outcome` is a short stable code (`ok`,
/// `invalid_credentials`, `found`, `not_found`…); `detail` never holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceRecord {
    pub at: DateTime<Utc>,
    pub kind: TraceKind,
    pub outcome: String,
    /// The identifiant as typed or known (a sign-in with an unknown identifiant is traced
    /// too); `None` for caisse-side administration without a user.
    pub identifiant: Option<String>,
    pub partner: Option<String>,
    pub service: Option<String>,
    /// Workstation or client address.
    pub address: Option<String>,
    pub nir_digest: Option<String>,
    pub detail: Option<String>,
}

impl TraceRecord {
    /// The hash of this record chained after `prev_hash`: HMAC-SHA256 under `key` over the
    /// previous hash and every field, each length-prefixed so that no two records share an
    /// encoding.
    pub fn chain_hash(&self, key: &ChainKey, seq: i64, prev_hash: &str) -> String {
        let mut h = key.mac();
        let mut field = |bytes: &[u8]| {
            h.update(&(bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(prev_hash.as_bytes());
        field(&seq.to_be_bytes());
        field(
            self.at
                .to_rfc3339_opts(SecondsFormat::Micros, true)
                .as_bytes(),
        );
        field(self.kind.code().as_bytes());
        field(self.outcome.as_bytes());
        for opt in [
            &self.identifiant,
            &self.partner,
            &self.service,
            &self.address,
            &self.nir_digest,
            &self.detail,
        ] {
            match opt {
                Some(s) => {
                    field(b"1");
                    field(s.as_bytes());
                }
                None => field(b"0"),
            }
        }
        hex::encode(h.finalize().into_bytes())
    }
}

/// The keyed digest of a NIR for traces (hex HMAC-SHA256).
pub fn nir_digest(key: &[u8], nir: &Nir) -> String {
    let mut mac = hmac_sha256(key);
    mac.update(nir.expose().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A stored record with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedTrace {
    pub seq: i64,
    pub record: TraceRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("trace {seq}: le chaînage ne suit pas la trace précédente")]
    BrokenLink { seq: i64 },
    #[error("trace {seq}: l'empreinte ne correspond pas au contenu")]
    Tampered { seq: i64 },
    #[error("trace {seq}: numéro de séquence manquant ou en désordre")]
    Gap { seq: i64 },
    #[error("trace {seq}: manquante (la tête de chaîne enregistrée va jusqu'à {head})")]
    Missing { seq: i64, head: i64 },
    #[error("tête de chaîne : elle ne correspond pas à la dernière trace ({seq})")]
    HeadMismatch { seq: i64 },
}

impl ChainError {
    /// The first sequence number at fault.
    pub fn seq(&self) -> i64 {
        match self {
            ChainError::BrokenLink { seq }
            | ChainError::Tampered { seq }
            | ChainError::Gap { seq }
            | ChainError::Missing { seq, .. }
            | ChainError::HeadMismatch { seq } => *seq,
        }
    }
}

/// Verifies records in sequence order after an anchor (`GENESIS_HASH`, or the hash of the
/// last purged record). Returns the number of records checked. A page of a longer chain
/// verifies the same way, its anchor being the last record of the page before.
pub fn verify_chain<'a>(
    key: &ChainKey,
    anchor: &str,
    anchor_seq: i64,
    records: impl IntoIterator<Item = &'a ChainedTrace>,
) -> Result<u64, ChainError> {
    let mut prev = anchor.to_owned();
    let mut prev_seq = anchor_seq;
    let mut n = 0;
    for t in records {
        if t.seq != prev_seq + 1 {
            return Err(ChainError::Gap { seq: t.seq });
        }
        if t.prev_hash != prev {
            return Err(ChainError::BrokenLink { seq: t.seq });
        }
        if t.record.chain_hash(key, t.seq, &t.prev_hash) != t.hash {
            return Err(ChainError::Tampered { seq: t.seq });
        }
        prev.clone_from(&t.hash);
        prev_seq = t.seq;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record(i: u32) -> TraceRecord {
        TraceRecord {
            at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, i).unwrap(),
            kind: TraceKind::Lookup,
            outcome: "found".into(),
            identifiant: Some("demo.creche".into()),
            partner: Some("T-0001".into()),
            service: Some("psu".into()),
            address: Some("127.0.0.1".into()),
            nir_digest: Some("ab".repeat(32)),
            detail: None,
        }
    }

    fn key() -> ChainKey {
        ChainKey::derive(b"trace key of the tests")
    }

    fn chain(n: u32) -> Vec<ChainedTrace> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|i| {
                let record = record(i);
                let hash = record.chain_hash(&key(), i64::from(i), &prev);
                let t = ChainedTrace {
                    seq: i64::from(i),
                    record,
                    prev_hash: prev.clone(),
                    hash,
                };
                prev = t.hash.clone();
                t
            })
            .collect()
    }

    #[test]
    fn r19_chain_verifies_and_detects_tampering() {
        let mut c = chain(5);
        assert_eq!(verify_chain(&key(), GENESIS_HASH, 0, &c), Ok(5));
        c[2].record.outcome = "not_found".into();
        assert_eq!(
            verify_chain(&key(), GENESIS_HASH, 0, &c),
            Err(ChainError::Tampered { seq: 3 })
        );
        let mut c = chain(5);
        c.remove(2);
        assert_eq!(
            verify_chain(&key(), GENESIS_HASH, 0, &c),
            Err(ChainError::Gap { seq: 4 })
        );
    }

    #[test]
    fn r19_without_the_key_a_database_writer_cannot_rechain() {
        // Someone who can write to the database rewrites record 3 and recomputes every
        // later link, as a plain hash chain would let them; without the key it fails.
        let mut c = chain(5);
        let forger = ChainKey::derive(b"a guess at the key");
        c[2].record.outcome = "not_found".into();
        let mut prev = c[1].hash.clone();
        for t in &mut c[2..] {
            t.prev_hash = prev.clone();
            t.hash = t.record.chain_hash(&forger, t.seq, &prev);
            prev = t.hash.clone();
        }
        assert_eq!(
            verify_chain(&key(), GENESIS_HASH, 0, &c),
            Err(ChainError::Tampered { seq: 3 })
        );
        assert!(format!("{:?}", key()).contains("***"));
    }

    #[test]
    fn r20_purged_prefix_keeps_the_rest_verifiable() {
        let c = chain(6);
        let anchor = c[2].hash.clone();
        assert_eq!(verify_chain(&key(), &anchor, 3, &c[3..]), Ok(3));
        assert!(verify_chain(&key(), GENESIS_HASH, 0, &c[3..]).is_err());
    }

    #[test]
    fn r19_nir_digest_is_keyed_and_stable() {
        let nir = Nir::parse("1 85 05 78 006 084 91").unwrap();
        let a = nir_digest(b"key-one", &nir);
        assert_eq!(a, nir_digest(b"key-one", &nir));
        assert_ne!(a, nir_digest(b"key-two", &nir));
        assert_eq!(a.len(), 64);
        assert!(!a.contains("185057800608491"));
    }

    #[test]
    fn field_boundaries_matter() {
        let mut a = record(1);
        let mut b = record(1);
        a.identifiant = Some("ab".into());
        a.partner = Some("c".into());
        b.identifiant = Some("a".into());
        b.partner = Some("bc".into());
        assert_ne!(
            a.chain_hash(&key(), 1, GENESIS_HASH),
            b.chain_hash(&key(), 1, GENESIS_HASH)
        );
    }
}
