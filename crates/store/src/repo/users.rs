//! Users and habilitations: accounts, statuses, password hashes and their history, and the
//! habilitations that tie a user to conventions.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::definitions::Definitions;
use crate::model::{Authority, Grant, NewUser, PasswordHash, User, UserStatus};
use crate::rows::{CaisseHoursRow, HabilitationRow, ServiceRow, UserRow};
use crate::store::on_backend;
use crate::{Result, Store, StoreError};

/// Users, passwords and habilitations.
pub trait UserRepo: Send + Sync {
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
    /// Sets a user's status and records who did: `by`, and `caisse` when one caisse's
    /// operator did (`None`: the console, or the partner). A caisse's suspension or
    /// deactivation is the caisse's to lift: a change `by` the partner is made
    /// only while none stands, checked in the statement itself (issue 22: a caisse's
    /// suspension written meanwhile is never overwritten). Returns whether it changed.
    fn set_user_status(
        &self,
        id: i64,
        status: UserStatus,
        by: Authority,
        caisse: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Who put the user in their current state, and which caisse when one of its operators
    /// did (`None`: active).
    fn user_status_by(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<(Authority, Option<String>)>>> + Send;
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
    /// Grants (or grants again) a habilitation, until `ends_at` when given.
    fn grant(
        &self,
        user_id: i64,
        convention_id: i64,
        ends_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Habilitations not ended at `now`, whatever their convention's status.
    fn grants(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Grant>>> + Send;
}

impl UserRepo for Store {
    async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> Result<User> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, UserRow>(
                "INSERT INTO users (partner_id, identifiant, display_name, email, password_hash, \
                 must_change_password, password_changed_at, status, test_account, created_at, \
                 status_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, 'active', $7, $6, $6) \
                 RETURNING id, partner_id, identifiant, display_name, email, password_hash, \
                 must_change_password, password_changed_at, status, test_account, created_at, \
                 status_at",
            )
            .bind(u.partner_id)
            .bind(&u.identifiant)
            .bind(&u.display_name)
            .bind(&u.email)
            .bind(&u.password_hash.0)
            .bind(now)
            .bind(u.test_account)
            .fetch_one(db.pool())
            .await
            .map_err(crate::error::conflict_as("utilisateur (identifiant)"))?
            .into_user()
        })
    }

    async fn user(&self, id: i64) -> Result<Option<User>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, partner_id, identifiant, display_name, email, password_hash, \
                 must_change_password, password_changed_at, status, test_account, created_at, \
                 status_at FROM users WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .map(UserRow::into_user)
            .transpose()
        })
    }

    async fn user_by_identifiant(&self, identifiant: &str) -> Result<Option<User>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, partner_id, identifiant, display_name, email, password_hash, \
                 must_change_password, password_changed_at, status, test_account, created_at, \
                 status_at FROM users WHERE identifiant = $1",
            )
            .bind(identifiant)
            .fetch_optional(db.pool())
            .await?
            .map(UserRow::into_user)
            .transpose()
        })
    }

    async fn users(&self, partner_id: Option<i64>) -> Result<Vec<User>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, UserRow>(
                "SELECT id, partner_id, identifiant, display_name, email, password_hash, \
                 must_change_password, password_changed_at, status, test_account, created_at, \
                 status_at FROM users WHERE ($1 IS NULL OR partner_id = $1) ORDER BY identifiant",
            )
            .bind(partner_id)
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(UserRow::into_user)
            .collect()
        })
    }

    async fn set_user_status(
        &self,
        id: i64,
        status: UserStatus,
        by: Authority,
        caisse: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let active = status == UserStatus::Active;
        let recorded_by = (!active).then_some(by.code());
        let recorded_caisse = caisse.filter(|_| !active && by == Authority::Caisse);
        let changed = on_backend!(self, |db| {
            sqlx::query(
                "UPDATE users SET status = $2, status_at = $3, status_by = $4, \
                 status_caisse = $5 WHERE id = $1 AND ($6 = 'caisse' OR status = 'active' \
                 OR COALESCE(status_by, '') <> 'caisse')",
            )
            .bind(id)
            .bind(status.code())
            .bind(now)
            .bind(recorded_by)
            .bind(recorded_caisse)
            .bind(by.code())
            .execute(db.pool())
            .await
            .map(|done| done.rows_affected() > 0)
        })?;
        if !changed && self.user(id).await?.is_none() {
            return Err(StoreError::NotFound("utilisateur"));
        }
        Ok(changed)
    }

    async fn user_status_by(&self, id: i64) -> Result<Option<(Authority, Option<String>)>> {
        let row: Option<(Option<String>, Option<String>)> = on_backend!(self, |db| {
            sqlx::query_as("SELECT status_by, status_caisse FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await
        })?;
        let Some((Some(by), caisse)) = row else {
            return Ok(None);
        };
        Ok(Some((by.parse()?, caisse)))
    }

    async fn set_password(
        &self,
        id: i64,
        hash: &PasswordHash,
        must_change: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_backend!(self, |db| {
            let mut tx = db.pool().begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO password_history (user_id, password_hash, changed_at) \
                 SELECT id, password_hash, password_changed_at FROM users WHERE id = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::NotFound("utilisateur"));
            }
            sqlx::query(
                "UPDATE users SET password_hash = $2, must_change_password = $3, \
                 password_changed_at = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(&hash.0)
            .bind(must_change)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    async fn password_history(&self, id: i64, limit: u32) -> Result<Vec<PasswordHash>> {
        on_backend!(self, |db| {
            let hashes: Vec<String> = sqlx::query_scalar(
                "SELECT password_hash FROM password_history WHERE user_id = $1 \
                 ORDER BY changed_at DESC LIMIT $2",
            )
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(db.pool())
            .await?;
            Ok(hashes.into_iter().map(PasswordHash).collect())
        })
    }

    async fn grant(
        &self,
        user_id: i64,
        convention_id: i64,
        ends_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query(
                "INSERT INTO habilitations (user_id, convention_id, granted_at, ends_at) VALUES \
                 ($1, $2, $3, $4) ON CONFLICT (user_id, convention_id) DO UPDATE SET ends_at = \
                 excluded.ends_at",
            )
            .bind(user_id)
            .bind(convention_id)
            .bind(now)
            .bind(ends_at)
            .execute(db.pool())
            .await?;
            Ok(())
        })
    }

    async fn grants(&self, user_id: i64, now: DateTime<Utc>) -> Result<Vec<Grant>> {
        on_backend!(self, |db| {
            // One round trip: a row per (habilitation, département), grouped below, each
            // with the definitions' revision; services and caisses come from memory.
            let rows = sqlx::query_as::<_, HabilitationRow>(
                "SELECT h.id AS habilitation_id, c.id, c.number, c.partner_id, c.caisse_code, \
                 c.service_code, c.starts_on, c.status, c.status_at, c.beyond_caisse, \
                 c.notice_on, c.ends_on, \
                 h.departements AS habilitation_departements, d.departement, \
                 (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'definitions_revision') \
                 AS revision \
                 FROM habilitations h \
                 JOIN conventions c ON c.id = h.convention_id \
                 LEFT JOIN convention_departements d ON d.convention_id = c.id \
                 WHERE h.user_id = $1 AND (h.ends_at IS NULL OR h.ends_at > $2) \
                 AND h.suspended_at IS NULL \
                 ORDER BY c.service_code, c.number, d.departement",
            )
            .bind(user_id)
            .bind(now)
            .fetch_all(db.pool())
            .await?;
            self.grants_of(rows).await
        })
    }
}

impl Store {
    /// Grants from habilitation rows, with the definitions of the revision the rows were
    /// read with.
    pub(crate) async fn grants_of(&self, rows: Vec<HabilitationRow>) -> Result<Vec<Grant>> {
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let revision = first
            .revision
            .ok_or(StoreError::Corrupt("révision des définitions"))?;
        let definitions = self.definitions_at(revision).await?;
        HabilitationRow::group(rows, &definitions)
    }

    /// The definitions of services and caisses at `revision` or later: those held, or
    /// freshly loaded.
    async fn definitions_at(&self, revision: i64) -> Result<Arc<Definitions>> {
        on_backend!(self, |db| {
            if let Some(held) = db.definitions.at(revision) {
                return Ok(held);
            }
            // Tagged with the revision read before them: what is loaded is never older
            // than its tag (a change landing in between costs one more load).
            let revision: i64 = sqlx::query_scalar(
                "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'definitions_revision'",
            )
            .fetch_one(db.pool())
            .await?;
            let services = sqlx::query_as::<_, ServiceRow>(
                "SELECT code, label, sections, eligibility, idle_timeout_secs, hours, rules \
                 FROM services",
            )
            .fetch_all(db.pool())
            .await?;
            let caisses = sqlx::query_as::<_, CaisseHoursRow>("SELECT code, hours FROM caisses")
                .fetch_all(db.pool())
                .await?;
            let loaded = Arc::new(Definitions::from_rows(revision, services, caisses)?);
            db.definitions.keep(loaded.clone());
            Ok(loaded)
        })
    }
}
