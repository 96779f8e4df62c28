//! Limits shared by every instance: lockouts by normalised identifiant, the count of
//! attempts refused while locked, fixed-window rate counters, and the count of sign-ins they
//! refused.

use std::future::Future;

use chrono::{DateTime, Utc};
use guichet_core::policy::lockout::{Locked, LockoutPolicy, LockoutState};

use crate::model::{LockoutRefusals, RateRefusals};
use crate::store::on_backend;
use crate::{Result, Store};

/// `identifiant, window_start, refused, last_at, address`, as `take_refusals` returns them.
type RefusalTuple = (String, DateTime<Utc>, i64, DateTime<Utc>, Option<String>);

/// `bucket, window_start, refused, last_at, identifiant, address`, as `take_rate_refusals`
/// returns them.
type RateRefusalTuple = (
    String,
    DateTime<Utc>,
    i64,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
);

/// Lockouts, refusals while locked, rate limits.
pub trait LimitRepo: Send + Sync {
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
    /// Counts one hit in `bucket` for the window starting at `window_start`; returns the
    /// hits of that window, this one included.
    fn hit_rate(
        &self,
        bucket: &str,
        window_start: DateTime<Utc>,
    ) -> impl Future<Output = Result<i64>> + Send;
    fn purge_rate(&self, before: DateTime<Utc>) -> impl Future<Output = Result<u64>> + Send;
    /// Counts a sign-in refused by the rate-limit `bucket`, atomically across connections
    /// and instances; returns the window's count, this one included. The identifiant is kept
    /// while every refusal of the window names the same one.
    fn refuse_rate(
        &self,
        bucket: &str,
        window_start: DateTime<Utc>,
        at: DateTime<Utc>,
        identifiant: Option<&str>,
        address: Option<&str>,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Removes and returns the rate refusal counts of windows that started before `before`
    /// (each row is returned to one caller only, across instances).
    fn take_rate_refusals(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<RateRefusals>>> + Send;
}

impl LimitRepo for Store {
    async fn lockout(&self, identifiant: &str) -> Result<LockoutState> {
        on_backend!(self, |db| {
            let row: Option<(i64, i64, Option<DateTime<Utc>>)> = sqlx::query_as(
                "SELECT consecutive_failures, lock_count, locked_until FROM lockouts WHERE \
                 identifiant = $1",
            )
            .bind(identifiant)
            .fetch_optional(db.pool())
            .await?;
            Ok(match row {
                Some((failures, locks, until)) => LockoutState {
                    consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                    lock_count: u32::try_from(locks).unwrap_or(u32::MAX),
                    locked_until: until,
                },
                None => Default::default(),
            })
        })
    }

    async fn lockout_attempt(
        &self,
        identifiant: &str,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> Result<std::result::Result<LockoutState, Locked>> {
        on_backend!(self, |db| {
            let mut tx = db.begin_write().await?;
            // The upsert locks the row until commit (a row lock on PostgreSQL, the
            // database's write lock on SQLite): read, decide and write happen as one.
            let (failures, locks, locked_until): (i64, i64, Option<DateTime<Utc>>) =
                sqlx::query_as(
                    "INSERT INTO lockouts (identifiant, consecutive_failures, lock_count, \
                     locked_until, updated_at) VALUES ($1, 0, 0, NULL, $2) \
                     ON CONFLICT (identifiant) DO UPDATE SET updated_at = excluded.updated_at \
                     RETURNING consecutive_failures, lock_count, locked_until",
                )
                .bind(identifiant)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            let state = LockoutState {
                consecutive_failures: u32::try_from(failures).unwrap_or(u32::MAX),
                lock_count: u32::try_from(locks).unwrap_or(u32::MAX),
                locked_until,
            };
            if let Err(locked) = policy.check(&state, now) {
                tx.commit().await?;
                return Ok(Err(locked));
            }
            let next = policy.record_failure(&state, now);
            sqlx::query(
                "UPDATE lockouts SET consecutive_failures = $2, lock_count = $3, \
                 locked_until = $4 WHERE identifiant = $1",
            )
            .bind(identifiant)
            .bind(i64::from(next.consecutive_failures))
            .bind(i64::from(next.lock_count))
            .bind(next.locked_until)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Ok(next))
        })
    }

    async fn clear_lockout(&self, identifiant: &str) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query("DELETE FROM lockouts WHERE identifiant = $1")
                .bind(identifiant)
                .execute(db.pool())
                .await?;
            Ok(())
        })
    }

    async fn purge_lockouts(&self, idle_before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "DELETE FROM lockouts WHERE (locked_until IS NULL OR locked_until < $1) \
                 AND (updated_at IS NULL OR updated_at < $1)",
            )
            .bind(idle_before)
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected())
        })
    }

    async fn refuse_locked(
        &self,
        identifiant: &str,
        window_start: DateTime<Utc>,
        at: DateTime<Utc>,
        address: Option<&str>,
    ) -> Result<i64> {
        on_backend!(self, |db| {
            Ok(sqlx::query_scalar(
                "INSERT INTO lockout_refusals (identifiant, window_start, refused, last_at, \
                 address) \
                 VALUES ($1, $2, 1, $3, $4) ON CONFLICT (identifiant, window_start) DO UPDATE \
                 SET refused = lockout_refusals.refused + 1, last_at = excluded.last_at, \
                 address = excluded.address RETURNING refused",
            )
            .bind(identifiant)
            .bind(window_start)
            .bind(at)
            .bind(address)
            .fetch_one(db.pool())
            .await?)
        })
    }

    async fn take_refusals(&self, before: DateTime<Utc>) -> Result<Vec<LockoutRefusals>> {
        on_backend!(self, |db| {
            let rows: Vec<RefusalTuple> = sqlx::query_as(
                "DELETE FROM lockout_refusals WHERE window_start < $1 \
                 RETURNING identifiant, window_start, refused, last_at, address",
            )
            .bind(before)
            .fetch_all(db.pool())
            .await?;
            let mut out: Vec<LockoutRefusals> = rows
                .into_iter()
                .map(
                    |(identifiant, window_start, refused, last_at, address)| LockoutRefusals {
                        identifiant,
                        window_start,
                        refused,
                        last_at,
                        address,
                    },
                )
                .collect();
            out.sort_by(|a, b| {
                (a.window_start, &a.identifiant).cmp(&(b.window_start, &b.identifiant))
            });
            Ok(out)
        })
    }

    async fn hit_rate(&self, bucket: &str, window_start: DateTime<Utc>) -> Result<i64> {
        on_backend!(self, |db| {
            let mut tx = db.begin_relaxed().await?;
            let hits = sqlx::query_scalar(super::sessions::HIT_RATE)
                .bind(bucket)
                .bind(window_start)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(hits)
        })
    }

    async fn purge_rate(&self, before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, |db| {
            let done = sqlx::query("DELETE FROM rate_counters WHERE window_start < $1")
                .bind(before)
                .execute(db.pool())
                .await?;
            Ok(done.rows_affected())
        })
    }

    async fn refuse_rate(
        &self,
        bucket: &str,
        window_start: DateTime<Utc>,
        at: DateTime<Utc>,
        identifiant: Option<&str>,
        address: Option<&str>,
    ) -> Result<i64> {
        on_backend!(self, |db| {
            // A counter on the flood's path: the relaxed commit of the rate counters (a
            // crash may lose a few counts, never a trace).
            let mut tx = db.begin_relaxed().await?;
            // `=` is NULL when either side is: a differing or absent identifiant makes the
            // row's NULL, which then stays.
            let refused = sqlx::query_scalar(
                "INSERT INTO rate_refusals (bucket, window_start, refused, last_at, \
                 identifiant, address) VALUES ($1, $2, 1, $3, $4, $5) \
                 ON CONFLICT (bucket, window_start) DO UPDATE \
                 SET refused = rate_refusals.refused + 1, last_at = excluded.last_at, \
                 identifiant = CASE WHEN rate_refusals.identifiant = excluded.identifiant \
                 THEN rate_refusals.identifiant END, address = excluded.address \
                 RETURNING refused",
            )
            .bind(bucket)
            .bind(window_start)
            .bind(at)
            .bind(identifiant)
            .bind(address)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(refused)
        })
    }

    async fn take_rate_refusals(&self, before: DateTime<Utc>) -> Result<Vec<RateRefusals>> {
        on_backend!(self, |db| {
            let rows: Vec<RateRefusalTuple> = sqlx::query_as(
                "DELETE FROM rate_refusals WHERE window_start < $1 \
                 RETURNING bucket, window_start, refused, last_at, identifiant, address",
            )
            .bind(before)
            .fetch_all(db.pool())
            .await?;
            let mut out: Vec<RateRefusals> = rows
                .into_iter()
                .map(
                    |(bucket, window_start, refused, last_at, identifiant, address)| RateRefusals {
                        bucket,
                        window_start,
                        refused,
                        last_at,
                        identifiant,
                        address,
                    },
                )
                .collect();
            out.sort_by(|a, b| (a.window_start, &a.bucket).cmp(&(b.window_start, &b.bucket)));
            Ok(out)
        })
    }
}
