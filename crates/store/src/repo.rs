//! The repository trait: every read and write the service needs, one implementation per
//! backend ([`crate::SqliteStore`], [`crate::PgStore`]) and the [`crate::Store`] enum that
//! dispatches at run time. The contract suite (`tests/contract.rs`) runs on both.

use std::future::Future;

use chrono::{DateTime, Utc};
use guichet_core::policy::hours::OpeningHours;
use guichet_core::policy::lockout::{Locked, LockoutPolicy, LockoutState};
use guichet_core::trace::{ChainKey, ChainedTrace, TraceRecord};
use guichet_core::{Dossier, Nir, ServiceDef};

use crate::Result;
use crate::model::*;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub trait Repository: Send + Sync {
    fn backend(&self) -> Backend;
    /// Applies pending migrations.
    fn migrate(&self) -> impl Future<Output = Result<()>> + Send;
    /// A round trip to the database (health checks).
    fn ping(&self) -> impl Future<Output = Result<()>> + Send;

    // Settings kept in the database (`synthetic`, keys…).
    fn meta(&self, key: &str) -> impl Future<Output = Result<Option<String>>> + Send;
    fn set_meta(&self, key: &str, value: &str) -> impl Future<Output = Result<()>> + Send;
    /// Sets `key` only if it has no value yet; returns the value in force afterwards.
    fn init_meta(&self, key: &str, value: &str) -> impl Future<Output = Result<String>> + Send;

    // Reference data.
    fn put_caisse(&self, caisse: &Caisse) -> impl Future<Output = Result<()>> + Send;
    fn caisse(&self, code: &str) -> impl Future<Output = Result<Option<Caisse>>> + Send;
    fn caisses(&self) -> impl Future<Output = Result<Vec<Caisse>>> + Send;
    fn set_caisse_hours(
        &self,
        code: &str,
        hours: OpeningHours,
    ) -> impl Future<Output = Result<()>> + Send;
    fn put_service(&self, service: &ServiceDef) -> impl Future<Output = Result<()>> + Send;
    fn service(&self, code: &str) -> impl Future<Output = Result<Option<ServiceDef>>> + Send;
    fn services(&self) -> impl Future<Output = Result<Vec<ServiceDef>>> + Send;

    // Partners, conventions.
    fn create_partner(
        &self,
        partner: &NewPartner,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Partner>> + Send;
    fn partner(&self, id: i64) -> impl Future<Output = Result<Option<Partner>>> + Send;
    fn partner_by_tiers(&self, tiers: &str)
    -> impl Future<Output = Result<Option<Partner>>> + Send;
    fn partners(&self) -> impl Future<Output = Result<Vec<Partner>>> + Send;
    fn set_partner_status(
        &self,
        id: i64,
        status: PartnerStatus,
    ) -> impl Future<Output = Result<()>> + Send;
    fn create_convention(
        &self,
        convention: &NewConvention,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Convention>> + Send;
    fn convention(&self, number: &str) -> impl Future<Output = Result<Option<Convention>>> + Send;
    fn conventions_of(
        &self,
        partner_id: i64,
    ) -> impl Future<Output = Result<Vec<Convention>>> + Send;
    /// a terminated convention stays terminated (`Refused` otherwise).
    fn set_convention_status(
        &self,
        number: &str,
        status: ConventionStatus,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    // Users and habilitations.
    fn create_user(
        &self,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<User>> + Send;
    fn user(&self, id: i64) -> impl Future<Output = Result<Option<User>>> + Send;
    fn user_by_identifiant(
        &self,
        identifiant: &str,
    ) -> impl Future<Output = Result<Option<User>>> + Send;
    fn users(&self, partner_id: Option<i64>) -> impl Future<Output = Result<Vec<User>>> + Send;
    fn set_user_status(
        &self,
        id: i64,
        status: UserStatus,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Replaces the password hash, keeps the old one in the history.
    fn set_password(
        &self,
        id: i64,
        hash: &PasswordHash,
        must_change: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The `limit` most recent previous hashes, newest first.
    fn password_history(
        &self,
        id: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<PasswordHash>>> + Send;
    fn grant(
        &self,
        user_id: i64,
        convention_id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Habilitations not ended at `now`, whatever their convention's status.
    fn grants(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Grant>>> + Send;

    // Files.
    /// Bulk insert (COPY on PostgreSQL, batched statements on SQLite). Returns the count.
    fn insert_dossiers(&self, dossiers: &[Dossier]) -> impl Future<Output = Result<u64>> + Send;
    fn dossier(&self, nir: &Nir) -> impl Future<Output = Result<Option<Dossier>>> + Send;
    fn count_dossiers(&self) -> impl Future<Output = Result<i64>> + Send;
    /// Files matching `filter`, in NIR order, after the NIR `after` (for paging).
    fn dossiers(
        &self,
        filter: &DossierFilter,
        after: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Dossier>>> + Send;

    // Sessions.
    fn create_session(&self, session: &NewSession) -> impl Future<Output = Result<()>> + Send;
    fn session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;
    fn touch_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Marks one session revoked; false if it was unknown or already revoked.
    fn revoke_session(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Revokes every open session of a user (suspension, reset, R-28).
    fn revoke_user_sessions(
        &self,
        user_id: i64,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Revokes every open session of a user but one (after a password change).
    fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep_token_hash: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Deletes sessions created before `before` (past any absolute lifetime).
    fn purge_sessions(&self, before: DateTime<Utc>) -> impl Future<Output = Result<u64>> + Send;

    // Lockouts, by normalised identifiant.
    fn lockout(&self, identifiant: &str) -> impl Future<Output = Result<LockoutState>> + Send;
    /// Starts an attempt, atomically across connections and instances: refused (`Err`)
    /// while locked; otherwise counted as a failure in advance (so that parallel guesses
    /// each count), the new state returned. A success then calls [`Self::clear_lockout`].
    fn lockout_attempt(
        &self,
        identifiant: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> impl Future<Output = Result<std::result::Result<LockoutState, Locked>>> + Send;
    /// Forgets failures and locks (a successful sign-in, an administrator's reset).
    fn clear_lockout(&self, identifiant: &str) -> impl Future<Output = Result<()>> + Send;
    /// Deletes lockout rows neither locked nor touched since `idle_before`.
    fn purge_lockouts(
        &self,
        idle_before: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Counts an attempt refused while locked; returns the window's count, this one included.
    fn refuse_locked(
        &self,
        identifiant: &str,
        window_start: DateTime<Utc>,
        at: DateTime<Utc>,
        address: Option<&str>,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Removes and returns the refusal counts of windows that started before `before`
    /// (each row is returned to one caller only, across instances).
    fn take_refusals(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<LockoutRefusals>>> + Send;

    // Rate limits: fixed windows shared by every instance.
    /// Counts one hit in `bucket` for the window starting at `window_start`; returns the
    /// hits of that window, this one included.
    fn hit_rate(
        &self,
        bucket: &str,
        window_start: DateTime<Utc>,
    ) -> impl Future<Output = Result<i64>> + Send;
    fn purge_rate(&self, before: DateTime<Utc>) -> impl Future<Output = Result<u64>> + Send;

    // Traces.
    /// Appends records to the chain atomically, in order, each hashed under `key`; returns
    /// them chained. The commit is durable (survives a power cut) on both backends.
    fn append_traces(
        &self,
        records: &[TraceRecord],
        key: &ChainKey,
    ) -> impl Future<Output = Result<Vec<ChainedTrace>>> + Send;
    /// Records after `after_seq`, in order.
    fn traces(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ChainedTrace>>> + Send;
    fn traces_filtered(
        &self,
        filter: &TraceFilter,
        after_seq: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ChainedTrace>>> + Send;
    /// The hash and sequence that precede the oldest kept record.
    fn trace_anchor(&self) -> impl Future<Output = Result<(i64, String)>> + Send;
    /// The sequence and hash of the newest record (the chain's recorded head).
    fn trace_head(&self) -> impl Future<Output = Result<(i64, String)>> + Send;
    /// deletes records older than `before` and moves the anchor past them.
    fn purge_traces(&self, before: DateTime<Utc>) -> impl Future<Output = Result<u64>> + Send;
    /// counts per partner, user, service, kind and outcome over `[from, to)`.
    fn trace_stats(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<StatsRow>>> + Send;
}
