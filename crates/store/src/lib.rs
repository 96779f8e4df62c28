//! Guichet's storage: one [`Repository`] trait, a SQLite and a PostgreSQL implementation,
//! the [`Store`] enum that picks one from a URL, and the deterministic synthetic data
//! generator ([`synth`]) with its bulk loader ([`seed`]).

mod error;
pub mod model;
mod postgres;
pub mod reference;
pub mod repo;
pub mod seed;
mod shared;
mod sqlite;
pub mod synth;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

use chrono::{DateTime, Utc};
use guichet_core::policy::hours::OpeningHours;
use guichet_core::policy::lockout::{Locked, LockoutPolicy, LockoutState};
use guichet_core::trace::{ChainKey, ChainedTrace, TraceRecord};
use guichet_core::{Dossier, Nir, ServiceDef};

pub use error::{Result, StoreError};
pub use model::*;
pub use postgres::PgStore;
pub use repo::{Backend, Repository};
pub use sqlite::SqliteStore;

/// The store chosen at run time from a URL: `sqlite://path` or `postgres://…`.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Connection pool size when the caller does not say.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

impl Store {
    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with_pool(url, DEFAULT_MAX_CONNECTIONS).await
    }

    pub async fn connect_with_pool(url: &str, max_connections: u32) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(
                SqliteStore::connect(url, max_connections).await?,
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(
                PgStore::connect(url, max_connections).await?,
            ))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Connects and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Closes the pool (waits for connections in use to come back).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.pool.close().await,
        }
    }
}

/// `Store` forwards every call to the backend it holds.
macro_rules! dispatch {
    ($( fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl Repository for Store {
            fn backend(&self) -> Backend {
                match self {
                    Store::Sqlite(_) => Backend::Sqlite,
                    Store::Postgres(_) => Backend::Postgres,
                }
            }
            $(
                async fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        Store::Sqlite(s) => s.$name($($arg),*).await,
                        Store::Postgres(s) => s.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

dispatch! {
    fn migrate(&self) -> Result<()>;
    fn ping(&self) -> Result<()>;
    fn meta(&self, key: &str) -> Result<Option<String>>;
    fn set_meta(&self, key: &str, value: &str) -> Result<()>;
    fn init_meta(&self, key: &str, value: &str) -> Result<String>;
    fn put_caisse(&self, caisse: &Caisse) -> Result<()>;
    fn caisse(&self, code: &str) -> Result<Option<Caisse>>;
    fn caisses(&self) -> Result<Vec<Caisse>>;
    fn set_caisse_hours(&self, code: &str, hours: OpeningHours) -> Result<()>;
    fn put_service(&self, service: &ServiceDef) -> Result<()>;
    fn service(&self, code: &str) -> Result<Option<ServiceDef>>;
    fn services(&self) -> Result<Vec<ServiceDef>>;
    fn create_partner(&self, partner: &NewPartner, now: DateTime<Utc>) -> Result<Partner>;
    fn partner(&self, id: i64) -> Result<Option<Partner>>;
    fn partner_by_tiers(&self, tiers: &str) -> Result<Option<Partner>>;
    fn partners(&self) -> Result<Vec<Partner>>;
    fn set_partner_status(&self, id: i64, status: PartnerStatus) -> Result<()>;
    fn create_convention(&self, convention: &NewConvention, now: DateTime<Utc>) -> Result<Convention>;
    fn convention(&self, number: &str) -> Result<Option<Convention>>;
    fn conventions_of(&self, partner_id: i64) -> Result<Vec<Convention>>;
    fn set_convention_status(&self, number: &str, status: ConventionStatus, now: DateTime<Utc>) -> Result<()>;
    fn create_user(&self, user: &NewUser, now: DateTime<Utc>) -> Result<User>;
    fn user(&self, id: i64) -> Result<Option<User>>;
    fn user_by_identifiant(&self, identifiant: &str) -> Result<Option<User>>;
    fn users(&self, partner_id: Option<i64>) -> Result<Vec<User>>;
    fn set_user_status(&self, id: i64, status: UserStatus, now: DateTime<Utc>) -> Result<()>;
    fn set_password(&self, id: i64, hash: &PasswordHash, must_change: bool, now: DateTime<Utc>) -> Result<()>;
    fn password_history(&self, id: i64, limit: u32) -> Result<Vec<PasswordHash>>;
    fn grant(&self, user_id: i64, convention_id: i64, now: DateTime<Utc>) -> Result<()>;
    fn grants(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<Grant>>;
    fn insert_dossiers(&self, dossiers: &[Dossier]) -> Result<u64>;
    fn dossier(&self, nir: &Nir) -> Result<Option<Dossier>>;
    fn count_dossiers(&self) -> Result<i64>;
    fn dossiers(&self, filter: &DossierFilter, after: Option<&str>, limit: u32) -> Result<Vec<Dossier>>;
    fn create_session(&self, session: &NewSession) -> Result<()>;
    fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>>;
    fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()>;
    fn revoke_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<bool>;
    fn revoke_user_sessions(&self, user_id: i64, at: DateTime<Utc>) -> Result<u64>;
    fn revoke_other_sessions(&self, user_id: i64, keep_token_hash: &str, at: DateTime<Utc>) -> Result<u64>;
    fn purge_sessions(&self, before: DateTime<Utc>) -> Result<u64>;
    fn lockout(&self, identifiant: &str) -> Result<LockoutState>;
    fn lockout_attempt(&self, identifiant: &str, now: DateTime<Utc>, policy: &LockoutPolicy) -> Result<std::result::Result<LockoutState, Locked>>;
    fn clear_lockout(&self, identifiant: &str) -> Result<()>;
    fn purge_lockouts(&self, idle_before: DateTime<Utc>) -> Result<u64>;
    fn refuse_locked(&self, identifiant: &str, window_start: DateTime<Utc>, at: DateTime<Utc>, address: Option<&str>) -> Result<i64>;
    fn take_refusals(&self, before: DateTime<Utc>) -> Result<Vec<LockoutRefusals>>;
    fn hit_rate(&self, bucket: &str, window_start: DateTime<Utc>) -> Result<i64>;
    fn purge_rate(&self, before: DateTime<Utc>) -> Result<u64>;
    fn append_traces(&self, records: &[TraceRecord], key: &ChainKey) -> Result<Vec<ChainedTrace>>;
    fn traces(&self, after_seq: i64, limit: u32) -> Result<Vec<ChainedTrace>>;
    fn traces_filtered(&self, filter: &TraceFilter, after_seq: i64, limit: u32) -> Result<Vec<ChainedTrace>>;
    fn trace_anchor(&self) -> Result<(i64, String)>;
    fn trace_head(&self) -> Result<(i64, String)>;
    fn purge_traces(&self, before: DateTime<Utc>) -> Result<u64>;
    fn trace_stats(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<StatsRow>>;
}
