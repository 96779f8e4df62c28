//! Sessions: one row per signed-in session, keyed by the hash of its token.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::model::{NewSession, SessionRecord};
use crate::rows::SessionRow;
use crate::store::on_backend;
use crate::{Result, Store};

/// Sessions.
pub trait SessionRepo: Send + Sync {
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
}

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

    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        on_backend!(self, |db| {
            let mut tx = db.begin_relaxed().await?;
            sqlx::query(
                "UPDATE sessions SET last_activity_at = $2 \
                 WHERE token_hash = $1 AND revoked_at IS NULL AND last_activity_at < $2",
            )
            .bind(token_hash)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
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
