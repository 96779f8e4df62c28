//! Sessions: one row per signed-in session, keyed by the hash of its token.

use std::future::Future;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};

use crate::model::{NewSession, SessionBundle, SessionRecord, SessionRequest};
use crate::rows::{SESSION_BUNDLE_COLUMNS, SessionBundleRow, SessionRow};
use crate::store::on_backend;
use crate::{Result, Store};

/// Sessions.
pub trait SessionRepo: Send + Sync {
    fn create_session(&self, session: &NewSession) -> impl Future<Output = Result<()>> + Send;
    fn session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;
    /// What a request needs of its session: the record with its user and partner, the
    /// activity touched and the request counted as `request` says. One statement on
    /// PostgreSQL, committed without waiting for the WAL flush (activity and rate counters
    /// only, as `begin_relaxed`); on SQLite a read, then one write transaction when there
    /// is something to write.
    fn session_for_request(
        &self,
        request: &SessionRequest<'_>,
    ) -> impl Future<Output = Result<Option<SessionBundle>>> + Send;
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
}

/// Counts one hit in a rate counter's window and gives the count.
pub(crate) const HIT_RATE: &str = "INSERT INTO rate_counters (bucket, window_start, hits) \
     VALUES ($1, $2, 1) ON CONFLICT (bucket, window_start) \
     DO UPDATE SET hits = rate_counters.hits + 1 RETURNING hits";

/// PostgreSQL: the session with its user, partner and habilitations (as `grants` reads
/// them, with the definitions' revision), the activity touched, the rate counted, in one
/// statement. Every part reads the same snapshot: `s` is the record before
/// the touch. `set_config(…, true)` lasts until the statement's own commit, which then does
/// not wait for the WAL flush.
static PG_SESSION_FOR_REQUEST: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), \
         s AS (SELECT * FROM sessions WHERE token_hash = $1), \
         touched AS (UPDATE sessions SET last_activity_at = $2 \
           WHERE token_hash = $1 AND revoked_at IS NULL \
           AND last_activity_at < $2 - make_interval(secs => $3) \
           AND last_activity_at > $2 - make_interval(secs => idle_timeout_secs) \
           AND created_at > $2 - make_interval(secs => $4) RETURNING 1), \
         hit AS (INSERT INTO rate_counters (bucket, window_start, hits) \
           SELECT $5 || s.user_id::text, $6, 1 FROM s \
           WHERE $5 IS NOT NULL AND s.revoked_at IS NULL \
           ON CONFLICT (bucket, window_start) \
           DO UPDATE SET hits = rate_counters.hits + 1 RETURNING hits) \
         SELECT {SESSION_BUNDLE_COLUMNS}, (SELECT hits FROM hit) AS hits, \
         (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'definitions_revision') \
           AS revision, \
         (SELECT COALESCE(json_agg(json_build_object('habilitation_id', h.id, 'id', c.id, \
             'number', c.number, 'partner_id', c.partner_id, 'caisse_code', c.caisse_code, \
             'service_code', c.service_code, 'starts_on', c.starts_on, 'status', c.status, \
             'status_at', c.status_at, 'beyond_caisse', c.beyond_caisse, \
             'notice_on', c.notice_on, 'ends_on', c.ends_on, \
             'habilitation_departements', h.departements, 'departement', d.departement) \
             ORDER BY c.service_code, c.number, d.departement), '[]') \
           FROM habilitations h JOIN conventions c ON c.id = h.convention_id \
           LEFT JOIN convention_departements d ON d.convention_id = c.id \
           WHERE h.user_id = s.user_id AND (h.ends_at IS NULL OR h.ends_at > $2) \
           AND h.suspended_at IS NULL) AS habilitations \
         FROM relaxed, s JOIN users u ON u.id = s.user_id \
         JOIN partners p ON p.id = u.partner_id"
    )
});

/// SQLite: the session with its user and partner (the writes follow in one transaction).
static SQLITE_SESSION_BUNDLE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SESSION_BUNDLE_COLUMNS} FROM sessions s \
         JOIN users u ON u.id = s.user_id JOIN partners p ON p.id = u.partner_id \
         WHERE s.token_hash = $1"
    )
});

impl SessionRepo for Store {
    async fn create_session(&self, s: &NewSession) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_at, last_activity_at, \
                 idle_timeout_secs, address) VALUES ($1, $2, $3, $3, $4, $5)",
            )
            .bind(&s.token_hash)
            .bind(s.user_id)
            .bind(s.created_at)
            .bind(i64::from(s.idle_timeout_secs))
            .bind(&s.address)
            .execute(db.pool())
            .await
            .map_err(crate::error::conflict_as("session"))?;
            Ok(())
        })
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, SessionRow>(
                "SELECT token_hash, user_id, created_at, last_activity_at, idle_timeout_secs, \
                 address, revoked_at FROM sessions WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(db.pool())
            .await?
            .map(SessionRow::into_record)
            .transpose()
        })
    }

    async fn session_for_request(&self, r: &SessionRequest<'_>) -> Result<Option<SessionBundle>> {
        let touch_after = f64::from(r.touch_after_secs);
        match self {
            Store::Postgres(db) => {
                let Some(mut row) =
                    sqlx::query_as::<_, SessionBundleRow>(PG_SESSION_FOR_REQUEST.as_str())
                        .bind(r.token_hash)
                        .bind(r.at)
                        .bind(touch_after)
                        .bind(r.absolute_lifetime_secs as f64)
                        .bind(r.rate.map(|(prefix, _)| prefix))
                        .bind(r.rate.map(|(_, window)| window))
                        .fetch_optional(db.pool())
                        .await?
                else {
                    return Ok(None);
                };
                let habilitations = row.habilitations.take().map(|h| h.0).unwrap_or_default();
                let revision = row.revision;
                let mut bundle = row.into_bundle()?;
                let rows = habilitations
                    .into_iter()
                    .map(|h| h.with_revision(revision))
                    .collect();
                bundle.grants = Some(self.grants_of(rows).await?);
                Ok(Some(bundle))
            }
            Store::Sqlite(db) => {
                let Some(row) =
                    sqlx::query_as::<_, SessionBundleRow>(SQLITE_SESSION_BUNDLE.as_str())
                        .bind(r.token_hash)
                        .fetch_optional(db.pool())
                        .await?
                else {
                    return Ok(None);
                };
                let mut bundle = row.into_bundle()?;
                let s = &bundle.record;
                let live = s.revoked_at.is_none()
                    && s.last_activity_at + Duration::seconds(i64::from(s.idle_timeout_secs))
                        > r.at
                    && s.created_at + Duration::seconds(r.absolute_lifetime_secs) > r.at;
                let touch = live
                    && s.last_activity_at + Duration::seconds(i64::from(r.touch_after_secs)) < r.at;
                let rate = r.rate.filter(|_| s.revoked_at.is_none());
                if touch || rate.is_some() {
                    let mut tx = db.begin_relaxed().await?;
                    if touch {
                        sqlx::query(
                            "UPDATE sessions SET last_activity_at = $2 \
                             WHERE token_hash = $1 AND revoked_at IS NULL \
                             AND last_activity_at < $2",
                        )
                        .bind(r.token_hash)
                        .bind(r.at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    if let Some((prefix, window)) = rate {
                        bundle.hits = Some(
                            sqlx::query_scalar(HIT_RATE)
                                .bind(format!("{prefix}{}", bundle.user.id))
                                .bind(window)
                                .fetch_one(&mut *tx)
                                .await?,
                        );
                    }
                    tx.commit().await?;
                }
                Ok(Some(bundle))
            }
        }
    }

    async fn revoke_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .bind(at)
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    async fn revoke_user_sessions(&self, user_id: i64, at: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .bind(at)
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected())
        })
    }

    async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep_token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<u64> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "UPDATE sessions SET revoked_at = $3 \
                 WHERE user_id = $1 AND token_hash <> $2 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .bind(keep_token_hash)
            .bind(at)
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected())
        })
    }

    async fn purge_sessions(&self, before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, |db| {
            let done = sqlx::query("DELETE FROM sessions WHERE created_at < $1")
                .bind(before)
                .execute(db.pool())
                .await?;
            Ok(done.rows_affected())
        })
    }
}
