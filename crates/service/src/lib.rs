//! Guichet's application layer: every operation of the product, once, over the store and an
//! injected clock. The HTTP server and the desktop app's bundled backend are thin adapters
//! over [`Guichet`]; whatever the client does, the rules are enforced here (DESIGN.md
//! principle 2).

pub mod admin;
mod audit;
mod auth;
pub mod bareme;
pub mod clock;
pub mod config;
mod demo;
pub mod error;
mod limits;
mod lockout;
mod lookup;
mod passwords;
pub mod process;
pub mod provision;
mod samples;
mod trace_keys;
mod traces;

#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use guichet_core::trace::{ChainKey, TraceKind, TraceRecord};
use guichet_store::{PasswordHash, Store, prelude::*};
use rand::RngCore;
use zeroize::Zeroizing;

pub use admin::{
    CaisseOperator, CaisseScope, ConsoleAdmin, ConventionRequest, HabilitationRequest, ManagedUser,
    NewUserRequest, PartnerManager, Supervisor, wire as admin_wire,
};
pub use audit::{AbuseFlag, Auditor, PurgeReport, VerifyReport};
pub use auth::{ReadySession, Session};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::ServiceConfig;
pub use demo::{DEMO_ACCOUNTS, DEMO_MSA_OPERATOR, DEMO_OPERATOR, DEMO_PASSWORD};
pub use error::{Result, ServiceError};
pub use limits::RateInfo;
pub use lookup::LookupAnswer;
pub use passwords::temporary_password;
pub use process::forbid_core_dumps;
pub use provision::{Provisioned, Provisioning, provision};
pub use samples::{SampleQuery, sample_files};
pub use trace_keys::TraceKeys;
pub use traces::TracePage;

use passwords::Hasher;
use traces::TraceWriter;

/// `meta` key of the trace key of a synthetic database (generated on first start). A real
/// database's key is held outside it (`Guichet::new`'s `trace_key`).
const META_TRACE_KEY: &str = "trace_key";
/// `meta` key of the retention the database's trigger enforces on trace deletion.
const META_TRACE_RETENTION: &str = "trace_retention_days";

/// See [`Guichet::hashing_load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingLoad {
    pub running: usize,
    pub peak: usize,
    pub bound: usize,
}

/// The application service. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct Guichet {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
    /// The trace keys: NIR digests and the chain's HMAC.
    trace_keys: TraceKeys,
    /// The chain's keys, derived from the trace keys: `(last seq, key)`, the current last.
    chain_keys: Vec<(Option<i64>, ChainKey)>,
    hasher: Hasher,
    /// Verified against when the identifiant is unknown, so both cases cost the same.
    dummy_hash: PasswordHash,
    traces: TraceWriter,
    /// the PSU barème last read.
    bareme: bareme::BaremeCache,
}

impl std::fmt::Debug for Guichet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guichet")
            .field("backend", &self.inner.store.backend())
            .finish_non_exhaustive()
    }
}

impl Guichet {
    /// Builds the service over a migrated store. `trace_keys`: the caisse's trace keys, held
    /// outside the database (R-19: NIR digests and the chain's HMAC). `None` is accepted on
    /// a synthetic database only (demos, tests), whose key is kept in the database itself.
    pub async fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: ServiceConfig,
        trace_keys: Option<TraceKeys>,
    ) -> Result<Self> {
        let trace_keys = match trace_keys {
            Some(keys) => keys,
            None => TraceKeys::new(stored_trace_key(&store).await?),
        };
        // The database refuses to delete traces younger than this.
        store
            .set_meta(
                META_TRACE_RETENTION,
                &config.trace_retention_days.to_string(),
            )
            .await?;
        let hasher = Hasher::new(&config);
        let mut random = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(random.as_mut());
        let dummy_hash = hasher
            .hash(Zeroizing::new(hex::encode(random.as_ref())))
            .await?;
        let chain_keys = trace_keys.chain_keys();
        let current = chain_keys
            .last()
            .map(|(_, k)| k.clone())
            .ok_or(ServiceError::Internal)?;
        let traces = TraceWriter::start(store.clone(), current);
        Ok(Guichet {
            inner: Arc::new(Inner {
                store,
                clock,
                config,
                trace_keys,
                chain_keys,
                hasher,
                dummy_hash,
                traces,
                bareme: bareme::BaremeCache::default(),
            }),
        })
    }

    /// Stops taking traces, commits those in flight, writes the pending refusal counts and
    /// closes the database: the last step of a graceful shutdown. Calls after it fail.
    pub async fn shutdown(&self) {
        if let Err(e) = self.flush_refusals(true).await {
            tracing::warn!(code = %e.code(), "refusal counts not traced at shutdown");
        }
        self.inner.traces.shutdown().await;
        self.inner.store.close().await;
    }

    /// The store itself, for tests that set up or inspect what the service does not show.
    #[cfg(feature = "testing")]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Files of a synthetic database (the bundled one, for training): see [`sample_files`].
    /// `invalid_input` on a real database, whose files are never listed.
    pub async fn sample_files(&self, query: &SampleQuery) -> Result<Vec<guichet_core::Dossier>> {
        sample_files(&self.inner.store, query, self.today()).await
    }

    pub fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Today in Paris: the day policies and eligibility are judged on.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&Paris).date_naive()
    }

    /// argon2 runs under way now, the most seen at once since start, and the bound
    /// (`max_concurrent_hashes`).
    pub fn hashing_load(&self) -> HashingLoad {
        let (running, peak, bound) = self.inner.hasher.load();
        HashingLoad {
            running,
            peak,
            bound,
        }
    }

    /// Takes every hashing slot until the returned guard is dropped (tests of `busy`).
    #[cfg(feature = "testing")]
    pub async fn occupy_hashing(&self) -> Vec<impl std::fmt::Debug> {
        let mut held = Vec::new();
        for _ in 0..self.inner.hasher.load().2 {
            if let Ok(slot) = self.inner.hasher.slot().await {
                held.push(slot);
            }
        }
        held
    }

    /// Database health, for `GET /health`.
    pub async fn health(&self) -> Result<()> {
        Ok(self.inner.store.ping().await?)
    }

    fn trace_record(&self, kind: TraceKind, outcome: &str) -> TraceRecord {
        TraceRecord {
            at: self.now(),
            kind,
            outcome: outcome.into(),
            identifiant: None,
            partner: None,
            service: None,
            address: None,
            nir_digest: None,
            detail: None,
        }
    }

    async fn trace(&self, record: TraceRecord) -> Result<i64> {
        self.inner.traces.write(record).await
    }

    /// `result` as it is, a refusal traced first under its code (every attempt is traced,
    ///
    async fn trace_if_refused<T>(&self, trace: &TraceRecord, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            let mut refused = trace.clone();
            refused.outcome = e.code().as_str().into();
            self.trace(refused).await?;
        }
        result
    }
}

async fn stored_trace_key(store: &Store) -> Result<Zeroizing<Vec<u8>>> {
    if store
        .meta(guichet_store::seed::META_SYNTHETIC)
        .await?
        .as_deref()
        != Some("1")
    {
        return Err(ServiceError::TraceKeyRequired);
    }
    let mut key = Zeroizing::new(vec![0u8; 32]);
    rand::rng().fill_bytes(&mut key);
    // The first instance to start sets the key; every other one reads it.
    let stored = Zeroizing::new(
        store
            .init_meta(META_TRACE_KEY, &hex::encode(key.as_slice()))
            .await?,
    );
    hex::decode(stored.as_str())
        .map(Zeroizing::new)
        .map_err(|_| ServiceError::Internal)
}
