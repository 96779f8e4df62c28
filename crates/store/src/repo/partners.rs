//! Partners and their conventions: who may consult which caisse's files for
//! which service, in which départements.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use guichet_core::psu::CareType;

use crate::model::{
    Convention, ConventionStatus, NewConvention, NewPartner, Partner, PartnerStatus,
};
use crate::rows::{ConventionRow, PartnerRow};
use crate::store::on_backend;
use crate::{Result, Store, StoreError};

/// Partners and conventions.
pub trait PartnerRepo: Send + Sync {
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
    /// the partner's type of care, which sets its PSU effort rates.
    fn set_partner_care(&self, id: i64, care: CareType) -> impl Future<Output = Result<()>> + Send;
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
    /// records notice received on `notice_on` with effect until `ends_on`, or
    /// withdraws it (`None`, `None`). Refused on a terminated convention.
    fn set_convention_notice(
        &self,
        number: &str,
        notice_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
    ) -> impl Future<Output = Result<()>> + Send;
}

impl PartnerRepo for Store {
    async fn create_partner(&self, partner: &NewPartner, now: DateTime<Utc>) -> Result<Partner> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, PartnerRow>(
                "INSERT INTO partners (tiers, name, kind, siret, status, created_at, care) \
                 VALUES ($1, $2, $3, $4, 'active', $5, $6) \
                 RETURNING id, tiers, name, kind, siret, status, created_at, care",
            )
            .bind(&partner.tiers)
            .bind(&partner.name)
            .bind(partner.kind.code())
            .bind(&partner.siret)
            .bind(now)
            .bind(partner.care.code())
            .fetch_one(db.pool())
            .await
            .map_err(crate::error::conflict_as("partenaire (numéro de tiers)"))?
            .into_partner()
        })
    }

    async fn partner(&self, id: i64) -> Result<Option<Partner>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, PartnerRow>(
                "SELECT id, tiers, name, kind, siret, status, created_at, care FROM partners WHERE id \
                 = $1",
            )
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .map(PartnerRow::into_partner)
            .transpose()
        })
    }

    async fn partner_by_tiers(&self, tiers: &str) -> Result<Option<Partner>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, PartnerRow>(
                "SELECT id, tiers, name, kind, siret, status, created_at, care FROM partners WHERE \
                 tiers = $1",
            )
            .bind(tiers)
            .fetch_optional(db.pool())
            .await?
            .map(PartnerRow::into_partner)
            .transpose()
        })
    }

    async fn partners(&self) -> Result<Vec<Partner>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, PartnerRow>(
                "SELECT id, tiers, name, kind, siret, status, created_at, care FROM partners ORDER BY \
                 tiers",
            )
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(PartnerRow::into_partner)
            .collect()
        })
    }

    async fn set_partner_care(&self, id: i64, care: CareType) -> Result<()> {
        on_backend!(self, |db| {
            let done = sqlx::query("UPDATE partners SET care = $2 WHERE id = $1")
                .bind(id)
                .bind(care.code())
                .execute(db.pool())
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("partenaire"));
            }
            Ok(())
        })
    }

    async fn set_partner_status(&self, id: i64, status: PartnerStatus) -> Result<()> {
        on_backend!(self, |db| {
            let done = sqlx::query("UPDATE partners SET status = $2 WHERE id = $1")
                .bind(id)
                .bind(status.code())
                .execute(db.pool())
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("partenaire"));
            }
            Ok(())
        })
    }

    async fn create_convention(&self, c: &NewConvention, now: DateTime<Utc>) -> Result<Convention> {
        on_backend!(self, |db| {
            let mut tx = db.pool().begin().await?;
            let row = sqlx::query_as::<_, ConventionRow>(
                "INSERT INTO conventions (number, partner_id, caisse_code, service_code, \
                 starts_on, status, status_at, beyond_caisse) \
                 VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) \
                 RETURNING id, number, partner_id, caisse_code, service_code, starts_on, status, \
                 status_at, beyond_caisse, notice_on, ends_on",
            )
            .bind(&c.number)
            .bind(c.partner_id)
            .bind(&c.caisse)
            .bind(&c.service)
            .bind(c.starts_on)
            .bind(now)
            .bind(c.beyond_caisse)
            .fetch_one(&mut *tx)
            .await
            .map_err(crate::error::conflict_as("convention (numéro)"))?;
            for d in &c.departements {
                sqlx::query(
                    "INSERT INTO convention_departements (convention_id, departement) VALUES \
                     ($1, $2) ON CONFLICT DO NOTHING",
                )
                .bind(row.id)
                .bind(d)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            let mut deps = c.departements.clone();
            deps.sort();
            deps.dedup();
            row.into_convention(deps)
        })
    }

    async fn convention(&self, number: &str) -> Result<Option<Convention>> {
        let row = on_backend!(self, |db| {
            sqlx::query_as::<_, ConventionRow>(
                "SELECT id, number, partner_id, caisse_code, service_code, starts_on, status, \
                 status_at, beyond_caisse, notice_on, ends_on FROM conventions WHERE number = $1",
            )
            .bind(number)
            .fetch_optional(db.pool())
            .await
        })?;
        match row {
            Some(row) => {
                let deps = self.convention_departements(row.id).await?;
                Ok(Some(row.into_convention(deps)?))
            }
            None => Ok(None),
        }
    }

    async fn conventions_of(&self, partner_id: i64) -> Result<Vec<Convention>> {
        let rows = on_backend!(self, |db| {
            sqlx::query_as::<_, ConventionRow>(
                "SELECT id, number, partner_id, caisse_code, service_code, starts_on, status, \
                 status_at, beyond_caisse, notice_on, ends_on FROM conventions WHERE partner_id = $1 ORDER BY number",
            )
            .bind(partner_id)
            .fetch_all(db.pool())
            .await
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let deps = self.convention_departements(row.id).await?;
            out.push(row.into_convention(deps)?);
        }
        Ok(out)
    }

    async fn set_convention_notice(
        &self,
        number: &str,
        notice_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
    ) -> Result<()> {
        let updated = on_backend!(self, |db| {
            sqlx::query(
                "UPDATE conventions SET notice_on = $2, ends_on = $3 \
                 WHERE number = $1 AND status <> 'terminated'",
            )
            .bind(number)
            .bind(notice_on)
            .bind(ends_on)
            .execute(db.pool())
            .await
            .map(|done| done.rows_affected())
        })?;
        if updated == 0 {
            return Err(match self.convention(number).await? {
                Some(_) => StoreError::Refused("la convention est résiliée"),
                None => StoreError::NotFound("convention"),
            });
        }
        Ok(())
    }

    async fn set_convention_status(
        &self,
        number: &str,
        status: ConventionStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // One statement, so that no concurrent change slips between check and write.
        let updated = on_backend!(self, |db| {
            sqlx::query(
                "UPDATE conventions SET status = $2, status_at = $3 \
                 WHERE number = $1 AND (status <> 'terminated' OR $2 = 'terminated')",
            )
            .bind(number)
            .bind(status.code())
            .bind(now)
            .execute(db.pool())
            .await
            .map(|done| done.rows_affected())
        })?;
        if updated == 0 {
            return Err(match self.convention(number).await? {
                Some(_) => StoreError::Refused(
                    "une convention résiliée ne peut être ni réactivée ni suspendue",
                ),
                None => StoreError::NotFound("convention"),
            });
        }
        Ok(())
    }
}

impl Store {
    async fn convention_departements(&self, convention_id: i64) -> Result<Vec<String>> {
        on_backend!(self, |db| {
            Ok(sqlx::query_scalar(
                "SELECT departement FROM convention_departements WHERE convention_id = $1 \
                 ORDER BY departement",
            )
            .bind(convention_id)
            .fetch_all(db.pool())
            .await?)
        })
    }
}
