//! Habilitations as their managers handle them: quota-checked grants,
//! their end, suspension (the caisse's, or for a late review) and yearly review, forced
//! password changes, and the purge of records six years after their end.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::model::{GrantOutcome, Habilitation};
use crate::repo::roles::count;
use crate::rows::habilitation_departements;
use crate::store::on_backend;
use crate::{Result, Store, StoreError};

/// Quota-checked grants, suspensions, reviews.
pub trait HabilitationRepo: Send + Sync {
    /// Grants a habilitation on a delegated convention unless its quota of habilitations in
    /// force at `now` is used up, atomically across connections and instances (the
    /// delegation's row is locked from the check to the write).
    fn grant_within_quota(
        &self,
        user_id: i64,
        convention_id: i64,
        departements: Option<&[String]>,
        ends_at: Option<DateTime<Utc>>,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<GrantOutcome>> + Send;
    /// R-24, issue 23: the caisse grants a habilitation on one of its conventions that it
    /// manages (not delegated, or its delegation withdrawn): no quota; a habilitation already
    /// in force takes the new départements and end. False, and nothing written, if the
    /// convention is delegated (a delegation given back meanwhile: the delegation's row is
    /// locked from the check to the write, as for [`Self::grant_within_quota`]).
    fn grant_by_caisse(
        &self,
        user_id: i64,
        convention_id: i64,
        departements: Option<&[String]>,
        ends_at: Option<DateTime<Utc>>,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Ends a habilitation now; false if none was in force.
    fn end_habilitation(
        &self,
        user_id: i64,
        convention_id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Ends every habilitation of a user now (deactivation frees the quota).
    fn end_habilitations_of(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// deletes habilitation records that ended before `before`; returns how many.
    fn purge_habilitations(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// records a confirmation, and lifts a suspension for lateness (never the
    /// caisse's own, R-26).
    fn review_habilitation(
        &self,
        id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// suspends for lateness a partner's habilitations in force last reviewed
    /// (or granted) before `reviewed_before`; returns how many. The administrator's and the
    /// deputy's are the caisse's to review, never suspended here (they sign in to review).
    /// `caisse`: only habilitations on conventions signed with that caisse.
    fn suspend_unreviewed(
        &self,
        partner_id: i64,
        caisse: Option<&str>,
        reviewed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// per partner (numéro de tiers), the delegated habilitations in force and not
    /// suspended whose review is late (last reviewed or granted before `reviewed_before`).
    fn late_reviews(
        &self,
        reviewed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<(String, u32)>>> + Send;
    /// suspends (`Some(at)`) or restores (`None`) one habilitation in force; false
    /// if the user holds none on that convention.
    fn set_habilitation_suspended(
        &self,
        user_id: i64,
        convention_id: i64,
        at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// the caisse forces a password change at the next sign-in of these users.
    fn force_password_change(&self, user_ids: &[i64]) -> impl Future<Output = Result<u64>> + Send;
    /// The habilitations in force at `now` of a partner's users.
    fn habilitations(
        &self,
        partner_id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Habilitation>>> + Send;
}

impl HabilitationRepo for Store {
    async fn grant_within_quota(
        &self,
        user_id: i64,
        convention_id: i64,
        departements: Option<&[String]>,
        ends_at: Option<DateTime<Utc>>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<GrantOutcome> {
        let departements = departements
            .map(serde_json::to_string)
            .transpose()
            .map_err(|_| StoreError::Corrupt("départements d'habilitation"))?;
        on_backend!(self, |db| {
            let mut tx = db.begin_write().await?;
            // The no-op update locks the delegation's row until commit (a row lock on
            // PostgreSQL, the database's write lock on SQLite): count and insert happen as
            // one, whatever runs beside.
            let quota: Option<Option<i64>> = sqlx::query_scalar(
                "UPDATE delegations SET quota = quota WHERE convention_id = $1 \
                 AND withdrawn_at IS NULL RETURNING quota",
            )
            .bind(convention_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(quota) = quota else {
                return Err(StoreError::NotFound("délégation"));
            };
            let held: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM habilitations WHERE user_id = $1 AND convention_id = $2 \
                 AND (ends_at IS NULL OR ends_at > $3)",
            )
            .bind(user_id)
            .bind(convention_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = held {
                sqlx::query(
                    "UPDATE habilitations SET ends_at = $2, departements = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(ends_at)
                .bind(&departements)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(GrantOutcome::AlreadyHeld);
            }
            // Seed 003: a delegation always has a quota; one without (recorded before
            // issue 22, or written around the service) allows nothing more.
            let quota = quota.unwrap_or(0);
            let used: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM habilitations WHERE convention_id = $1 \
                 AND (ends_at IS NULL OR ends_at > $2)",
            )
            .bind(convention_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if used >= quota {
                tx.commit().await?;
                return Ok(GrantOutcome::QuotaReached {
                    quota: count(quota),
                });
            }
            sqlx::query(
                "INSERT INTO habilitations (user_id, convention_id, granted_at, ends_at, \
                 granted_by, departements) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, convention_id) DO UPDATE SET \
                 granted_at = excluded.granted_at, ends_at = excluded.ends_at, \
                 granted_by = excluded.granted_by, departements = excluded.departements, \
                 reviewed_at = NULL, reviewed_by = NULL",
            )
            .bind(user_id)
            .bind(convention_id)
            .bind(now)
            .bind(ends_at)
            .bind(by)
            .bind(&departements)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(GrantOutcome::Granted)
        })
    }

    async fn grant_by_caisse(
        &self,
        user_id: i64,
        convention_id: i64,
        departements: Option<&[String]>,
        ends_at: Option<DateTime<Utc>>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let departements = departements
            .map(serde_json::to_string)
            .transpose()
            .map_err(|_| StoreError::Corrupt("départements d'habilitation"))?;
        on_backend!(self, |db| {
            let mut tx = db.begin_write().await?;
            let delegated: Option<i64> = sqlx::query_scalar(
                "UPDATE delegations SET quota = quota WHERE convention_id = $1 \
                 AND withdrawn_at IS NULL RETURNING convention_id",
            )
            .bind(convention_id)
            .fetch_optional(&mut *tx)
            .await?;
            if delegated.is_some() {
                tx.commit().await?;
                return Ok(false);
            }
            // A habilitation in force keeps its grant, review and suspension; an ended one
            // is granted anew, as a new record would be.
            sqlx::query(
                "INSERT INTO habilitations (user_id, convention_id, granted_at, ends_at, \
                 granted_by, departements) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, convention_id) DO UPDATE SET \
                 ends_at = excluded.ends_at, departements = excluded.departements, \
                 granted_at = CASE WHEN habilitations.ends_at IS NULL \
                   OR habilitations.ends_at > $3 THEN habilitations.granted_at \
                   ELSE excluded.granted_at END, \
                 granted_by = CASE WHEN habilitations.ends_at IS NULL \
                   OR habilitations.ends_at > $3 THEN habilitations.granted_by \
                   ELSE excluded.granted_by END, \
                 reviewed_at = CASE WHEN habilitations.ends_at IS NULL \
                   OR habilitations.ends_at > $3 THEN habilitations.reviewed_at END, \
                 reviewed_by = CASE WHEN habilitations.ends_at IS NULL \
                   OR habilitations.ends_at > $3 THEN habilitations.reviewed_by END, \
                 suspended_at = CASE WHEN habilitations.ends_at IS NULL \
                   OR habilitations.ends_at > $3 THEN habilitations.suspended_at END, \
                 suspension = CASE WHEN habilitations.ends_at IS NULL \
                   OR habilitations.ends_at > $3 THEN habilitations.suspension END",
            )
            .bind(user_id)
            .bind(convention_id)
            .bind(now)
            .bind(ends_at)
            .bind(by)
            .bind(&departements)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    async fn end_habilitation(
        &self,
        user_id: i64,
        convention_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "UPDATE habilitations SET ends_at = $3 WHERE user_id = $1 AND convention_id = $2 \
                 AND (ends_at IS NULL OR ends_at > $3)",
            )
            .bind(user_id)
            .bind(convention_id)
            .bind(now)
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    async fn end_habilitations_of(&self, user_id: i64, now: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "UPDATE habilitations SET ends_at = $2 WHERE user_id = $1 \
                 AND (ends_at IS NULL OR ends_at > $2)",
            )
            .bind(user_id)
            .bind(now)
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected())
        })
    }

    async fn purge_habilitations(&self, before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, |db| {
            let done =
                sqlx::query("DELETE FROM habilitations WHERE ends_at IS NOT NULL AND ends_at < $1")
                    .bind(before)
                    .execute(db.pool())
                    .await?;
            Ok(done.rows_affected())
        })
    }

    async fn review_habilitation(&self, id: i64, by: &str, now: DateTime<Utc>) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query(
                "UPDATE habilitations SET reviewed_at = $2, reviewed_by = $3, \
                 suspended_at = CASE WHEN suspension = 'late_review' THEN NULL \
                 ELSE suspended_at END, \
                 suspension = CASE WHEN suspension = 'late_review' THEN NULL ELSE suspension END \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(by)
            .execute(db.pool())
            .await?;
            Ok(())
        })
    }

    async fn suspend_unreviewed(
        &self,
        partner_id: i64,
        caisse: Option<&str>,
        reviewed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "UPDATE habilitations SET suspended_at = $3, suspension = 'late_review' \
                 WHERE suspended_at IS NULL \
                 AND (ends_at IS NULL OR ends_at > $3) \
                 AND COALESCE(reviewed_at, granted_at) < $2 \
                 AND user_id IN (SELECT id FROM users WHERE partner_id = $1) \
                 AND convention_id IN (SELECT convention_id FROM delegations \
                 WHERE withdrawn_at IS NULL) \
                 AND user_id NOT IN (SELECT user_id FROM partner_roles \
                 WHERE role IN ('administrator', 'deputy')) \
                 AND convention_id IN (SELECT id FROM conventions \
                 WHERE ($4 = '' OR caisse_code = $4))",
            )
            .bind(partner_id)
            .bind(reviewed_before)
            .bind(now)
            .bind(caisse.unwrap_or_default())
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected())
        })
    }

    async fn late_reviews(
        &self,
        reviewed_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, u32)>> {
        let rows: Vec<(String, i64)> = on_backend!(self, |db| {
            sqlx::query_as(
                "SELECT p.tiers, COUNT(*) FROM habilitations h \
                 JOIN users u ON u.id = h.user_id JOIN partners p ON p.id = u.partner_id \
                 WHERE (h.ends_at IS NULL OR h.ends_at > $2) AND h.suspended_at IS NULL \
                 AND COALESCE(h.reviewed_at, h.granted_at) < $1 \
                 AND h.convention_id IN (SELECT convention_id FROM delegations \
                 WHERE withdrawn_at IS NULL) \
                 AND h.user_id NOT IN (SELECT user_id FROM partner_roles \
                 WHERE role IN ('administrator', 'deputy')) \
                 GROUP BY p.tiers ORDER BY p.tiers",
            )
            .bind(reviewed_before)
            .bind(now)
            .fetch_all(db.pool())
            .await
        })?;
        Ok(rows.into_iter().map(|(t, n)| (t, count(n))).collect())
    }

    async fn set_habilitation_suspended(
        &self,
        user_id: i64,
        convention_id: i64,
        at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        on_backend!(self, |db| {
            let done = sqlx::query(
                "UPDATE habilitations SET suspended_at = $3, \
                 suspension = CASE WHEN $3 IS NULL THEN NULL ELSE 'caisse' END \
                 WHERE user_id = $1 AND convention_id = $2 AND (ends_at IS NULL OR ends_at > $4)",
            )
            .bind(user_id)
            .bind(convention_id)
            .bind(at)
            .bind(now)
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    async fn force_password_change(&self, user_ids: &[i64]) -> Result<u64> {
        let mut done = 0;
        for id in user_ids {
            done += on_backend!(self, |db| {
                sqlx::query("UPDATE users SET must_change_password = TRUE WHERE id = $1")
                    .bind(id)
                    .execute(db.pool())
                    .await
                    .map(|r| r.rows_affected())
            })?;
        }
        Ok(done)
    }

    async fn habilitations(
        &self,
        partner_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Habilitation>> {
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<String>,
            Option<DateTime<Utc>>,
            Option<String>,
            Option<DateTime<Utc>>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = on_backend!(self, |db| {
            sqlx::query_as(
                "SELECT h.id, u.id, u.identifiant, c.number, c.service_code, h.granted_at, \
                 h.ends_at, h.granted_by, h.reviewed_at, h.reviewed_by, h.suspended_at, \
                 h.departements, h.suspension \
                 FROM habilitations h \
                 JOIN users u ON u.id = h.user_id JOIN conventions c ON c.id = h.convention_id \
                 WHERE u.partner_id = $1 AND (h.ends_at IS NULL OR h.ends_at > $2) \
                 ORDER BY u.identifiant, c.service_code",
            )
            .bind(partner_id)
            .bind(now)
            .fetch_all(db.pool())
            .await
        })?;
        rows.into_iter()
            .map(|r| {
                Ok(Habilitation {
                    id: r.0,
                    user_id: r.1,
                    identifiant: r.2,
                    convention_number: r.3,
                    service: r.4,
                    granted_at: r.5,
                    ends_at: r.6,
                    granted_by: r.7,
                    reviewed_at: r.8,
                    reviewed_by: r.9,
                    suspended_at: r.10,
                    suspension: r.12.as_deref().map(str::parse).transpose()?,
                    departements: habilitation_departements(r.11.as_deref())?,
                })
            })
            .collect()
    }
}
