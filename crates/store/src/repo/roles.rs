//! Who administers: a partner's administrator, deputy and delegated
//! managers, the caisses' operators, and the conventions delegated to the partner within a
//! quota (withdrawn when the caisse takes management back).

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::model::{Delegation, PartnerRole};
use crate::repo::PartnerRepo;
use crate::store::on_backend;
use crate::{Result, Store};

/// `convention_id, quota, withdrawn_at, used`.
type DelegationTuple = (i64, Option<i64>, Option<DateTime<Utc>>, i64);

/// Roles, operators and delegations.
pub trait RoleRepo: Send + Sync {
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
}

/// A count as the model keeps it.
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl RoleRepo for Store {
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
}
