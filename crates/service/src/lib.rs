//! Guichet's application layer: every operation of the product, once, over the store and an
//! injected clock. The HTTP server and the desktop app's bundled backend are thin adapters
//! over [`Guichet`]; whatever the client does, the rules are enforced here (DESIGN.md
//! principle 2).

mod admin;
mod audit;
mod auth;
pub mod clock;
pub mod config;
mod demo;
pub mod error;
mod lookup;
mod passwords;
pub mod process;
mod samples;
mod traces;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use guichet_core::trace::{TraceKind, TraceRecord};
use guichet_store::{PasswordHash, Repository, Store};
use rand::RngCore;
use zeroize::Zeroizing;

pub use admin::{CaisseAdmin, NewUserRequest};
pub use audit::{AbuseFlag, PurgeReport, VerifyReport};
pub use auth::Session;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::ServiceConfig;
pub use demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
pub use error::{Result, ServiceError};
pub use lookup::{LookupAnswer, RateInfo};
pub use passwords::temporary_password;
pub use process::forbid_core_dumps;
pub use samples::{SampleQuery, sample_files};

use passwords::Hasher;
use traces::TraceWriter;

/// `meta` key of the trace key when none is configured (generated on first start).
const META_TRACE_KEY: &str = "trace_key";

/// The application service. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct Guichet {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
    /// HMAC key of NIR digests in traces.
    trace_key: Zeroizing<Vec<u8>>,
    hasher: Hasher,
    /// Verified against when the identifiant is unknown, so both cases cost the same.
    dummy_hash: PasswordHash,
    traces: TraceWriter,
}

impl std::fmt::Debug for Guichet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guichet")
            .field("backend", &self.inner.store.backend())
            .finish_non_exhaustive()
    }
}

impl Guichet {
    /// Builds the service over a migrated store. `trace_key`: the HMAC key of NIR digests;
    /// when `None`, a key kept in the database is used (created on first start).
    pub async fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: ServiceConfig,
        trace_key: Option<Zeroizing<Vec<u8>>>,
    ) -> Result<Self> {
        let trace_key = match trace_key {
            Some(k) if !k.is_empty() => k,
            _ => stored_trace_key(&store).await?,
        };
        let hasher = Hasher::new(&config);
        let mut random = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(random.as_mut());
        let dummy_hash = hasher
            .hash(Zeroizing::new(hex::encode(random.as_ref())))
            .await?;
        let traces = TraceWriter::start(store.clone());
        Ok(Guichet {
            inner: Arc::new(Inner {
                store,
                clock,
                config,
                trace_key,
                hasher,
                dummy_hash,
                traces,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
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
}

async fn stored_trace_key(store: &Store) -> Result<Zeroizing<Vec<u8>>> {
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
