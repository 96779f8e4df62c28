//! Delegated habilitation management: the partner's own managers, the
//! conventions it manages within a quota, and the habilitations granted under them.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::model::{Delegation, GrantOutcome, Habilitation, PartnerRole, UserGroup};
use crate::repo::PartnerRepo;
use crate::rows::habilitation_departements;
use crate::store::on_backend;
use crate::{Result, Store, StoreError};

/// `convention_id, quota, withdrawn_at, used`.
type DelegationTuple = (i64, Option<i64>, Option<DateTime<Utc>>, i64);

/// Roles, delegations and quota-checked grants.
pub trait DelegationRepo: Send + Sync {
    /// a new group of the partner's users; `Conflict` if the name is taken.
    fn create_group(
        &self,
        partner_id: i64,
        name: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<UserGroup>> + Send;
    /// The partner's groups with their members, by name.
    fn groups(&self, partner_id: i64) -> impl Future<Output = Result<Vec<UserGroup>>> + Send;
    /// Deletes a group (its members' habilitations stay); false if there was none.
    fn delete_group(&self, group_id: i64) -> impl Future<Output = Result<bool>> + Send;
    /// Adds (`true`) or removes (`false`) a member; returns whether anything changed.
    fn set_group_member(
        &self,
        group_id: i64,
        user_id: i64,
        member: bool,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The caisse a caisse operator's account is bound to; `None` for anyone else.
    fn operator_caisse(&self, user_id: i64) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Binds an account to a caisse as one of its operators.
    fn add_operator(
        &self,
        user_id: i64,
        caisse: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The user's role at their partner, if any.
    fn role(&self, user_id: i64) -> impl Future<Output = Result<Option<PartnerRole>>> + Send;
    /// Appoints (`Some`) or removes (`None`) a user's role.
    fn set_role(
        &self,
        user_id: i64,
        role: Option<PartnerRole>,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Makes a convention delegated with `quota` (or changes its quota); a withdrawn
    /// delegation stays withdrawn.
    fn delegate(
        &self,
        convention_id: i64,
        quota: Option<u32>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// withdraws (`Some(at)`) or gives back (`None`) every delegation of a partner;
    /// returns how many conventions it touched.
    /// `caisse`: only the conventions signed with that caisse (a signed-in operator's).
    fn set_delegation_withdrawn(
        &self,
        partner_id: i64,
        caisse: Option<&str>,
        at: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// The partner's delegated conventions, with their use at `now`.
    fn delegations(
        &self,
        partner_id: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Delegation>>> + Send;
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

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl DelegationRepo for Store {
    async fn create_group(
        &self,
        partner_id: i64,
        name: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<UserGroup> {
        let id: i64 = on_backend!(self, |db| {
            sqlx::query_scalar(
                "INSERT INTO user_groups (partner_id, name, created_by, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(partner_id)
            .bind(name)
            .bind(by)
            .bind(now)
            .fetch_one(db.pool())
            .await
            .map_err(crate::error::conflict_as("groupe (nom)"))
        })?;
        Ok(UserGroup {
            id,
            name: name.to_owned(),
            members: Vec::new(),
            created_by: by.to_owned(),
            created_at: now,
        })
    }

    async fn groups(&self, partner_id: i64) -> Result<Vec<UserGroup>> {
        type Row = (i64, String, String, DateTime<Utc>, Option<String>);
        let rows: Vec<Row> = on_backend!(self, |db| {
            sqlx::query_as(
                "SELECT g.id, g.name, g.created_by, g.created_at, u.identifiant \
                 FROM user_groups g \
                 LEFT JOIN user_group_members m ON m.group_id = g.id \
                 LEFT JOIN users u ON u.id = m.user_id \
                 WHERE g.partner_id = $1 ORDER BY g.name, u.identifiant",
            )
            .bind(partner_id)
            .fetch_all(db.pool())
            .await
        })?;
        let mut out: Vec<UserGroup> = Vec::new();
        for (id, name, created_by, created_at, member) in rows {
            match out.last_mut().filter(|g| g.id == id) {
                Some(g) => g.members.extend(member),
                None => out.push(UserGroup {
                    id,
                    name,
                    members: member.into_iter().collect(),
                    created_by,
                    created_at,
                }),
            }
        }
        Ok(out)
    }

    async fn delete_group(&self, group_id: i64) -> Result<bool> {
        on_backend!(self, |db| {
            let mut tx = db.pool().begin().await?;
            sqlx::query("DELETE FROM user_group_members WHERE group_id = $1")
                .bind(group_id)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query("DELETE FROM user_groups WHERE id = $1")
                .bind(group_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected() > 0)
        })
    }

    async fn set_group_member(&self, group_id: i64, user_id: i64, member: bool) -> Result<bool> {
        on_backend!(self, |db| {
            let done = if member {
                sqlx::query(
                    "INSERT INTO user_group_members (group_id, user_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(group_id)
                .bind(user_id)
                .execute(db.pool())
                .await?
            } else {
                sqlx::query("DELETE FROM user_group_members WHERE group_id = $1 AND user_id = $2")
                    .bind(group_id)
                    .bind(user_id)
                    .execute(db.pool())
                    .await?
            };
            Ok(done.rows_affected() > 0)
        })
    }

    async fn operator_caisse(&self, user_id: i64) -> Result<Option<String>> {
        on_backend!(self, |db| {
            Ok(
                sqlx::query_scalar("SELECT caisse_code FROM operators WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(db.pool())
                    .await?,
            )
        })
    }

    async fn add_operator(
        &self,
        user_id: i64,
        caisse: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query(
                "INSERT INTO operators (user_id, caisse_code, appointed_by, appointed_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(user_id)
            .bind(caisse)
            .bind(by)
            .bind(now)
            .execute(db.pool())
            .await
            .map_err(crate::error::conflict_as("agent de caisse"))?;
            Ok(())
        })
    }

    async fn role(&self, user_id: i64) -> Result<Option<PartnerRole>> {
        let code: Option<String> = on_backend!(self, |db| {
            sqlx::query_scalar("SELECT role FROM partner_roles WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(db.pool())
                .await
        })?;
        Ok(code.map(|c| c.parse()).transpose()?)
    }

    async fn set_role(
        &self,
        user_id: i64,
        role: Option<PartnerRole>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_backend!(self, |db| {
            match role {
                Some(role) => {
                    sqlx::query(
                        "INSERT INTO partner_roles (user_id, role, appointed_by, appointed_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
                         role = excluded.role, appointed_by = excluded.appointed_by, \
                         appointed_at = excluded.appointed_at",
                    )
                    .bind(user_id)
                    .bind(role.code())
                    .bind(by)
                    .bind(now)
                    .execute(db.pool())
                    .await?
                }
                None => {
                    sqlx::query("DELETE FROM partner_roles WHERE user_id = $1")
                        .bind(user_id)
                        .execute(db.pool())
                        .await?
                }
            };
            Ok(())
        })
    }

    async fn delegate(&self, convention_id: i64, quota: Option<u32>) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query(
                // A new delegation of a partner whose delegation the caisse withdrew is
                // withdrawn too: the managers do not get their powers back this way.
                "INSERT INTO delegations (convention_id, quota, withdrawn_at) VALUES ($1, $2, \
                 (SELECT MAX(d.withdrawn_at) FROM delegations d \
                 JOIN conventions c ON c.id = d.convention_id \
                 JOIN conventions n ON n.partner_id = c.partner_id AND n.caisse_code = c.caisse_code \
                 WHERE n.id = $1)) \
                 ON CONFLICT (convention_id) DO UPDATE SET quota = excluded.quota",
            )
            .bind(convention_id)
            .bind(quota.map(i64::from))
            .execute(db.pool())
            .await?;
            Ok(())
        })
    }

    async fn set_delegation_withdrawn(
        &self,
        partner_id: i64,
        caisse: Option<&str>,
        at: Option<DateTime<Utc>>,
    ) -> Result<u64> {
        on_backend!(self, |db| {
            // '' stands for "every caisse" (a typed NULL is spelt differently per backend).
            let done = sqlx::query(
                "UPDATE delegations SET withdrawn_at = $2 WHERE convention_id IN \
                 (SELECT id FROM conventions WHERE partner_id = $1 \
                 AND ($3 = '' OR caisse_code = $3))",
            )
            .bind(partner_id)
            .bind(at)
            .bind(caisse.unwrap_or_default())
            .execute(db.pool())
            .await?;
            Ok(done.rows_affected())
        })
    }

    async fn delegations(&self, partner_id: i64, now: DateTime<Utc>) -> Result<Vec<Delegation>> {
        let rows: Vec<DelegationTuple> = on_backend!(self, |db| {
            sqlx::query_as(
                "SELECT d.convention_id, d.quota, d.withdrawn_at, \
                 (SELECT COUNT(*) FROM habilitations h WHERE h.convention_id = d.convention_id \
                 AND (h.ends_at IS NULL OR h.ends_at > $2)) \
                 FROM delegations d JOIN conventions c ON c.id = d.convention_id \
                 WHERE c.partner_id = $1",
            )
            .bind(partner_id)
            .bind(now)
            .fetch_all(db.pool())
            .await
        })?;
        let conventions = self.conventions_of(partner_id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for convention in conventions {
            if let Some((_, quota, withdrawn_at, used)) =
                rows.iter().find(|r| r.0 == convention.id).copied()
            {
                out.push(Delegation {
                    convention,
                    quota: quota.map(count),
                    used: count(used),
                    withdrawn_at,
                });
            }
        }
        Ok(out)
    }

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
                "UPDATE delegations SET quota = quota WHERE convention_id = $1 RETURNING quota",
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
            if let Some(quota) = quota {
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
            }
            sqlx::query(
                "INSERT INTO habilitations (user_id, convention_id, granted_at, ends_at, \
                 granted_by, departements) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, convention_id) DO UPDATE SET \
                 granted_at = excluded.granted_at, ends_at = excluded.ends_at, \
                 granted_by = excluded.granted_by, departements = excluded.departements",
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
                 AND h.convention_id IN (SELECT convention_id FROM delegations) \
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
}
