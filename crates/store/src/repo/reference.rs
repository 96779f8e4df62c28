//! Reference data: settings kept in the database (`meta`), caisses and their départements
//! and hours, services and their sections.

use std::future::Future;

use guichet_core::ServiceDef;
use guichet_core::policy::hours::OpeningHours;
use sqlx::types::Json;

use crate::model::Caisse;
use crate::rows::ServiceRow;
use crate::store::on_backend;
use crate::{Result, Store, StoreError};

/// Settings (`synthetic`, keys…), caisses and services.
pub trait ReferenceRepo: Send + Sync {
    fn meta(&self, key: &str) -> impl Future<Output = Result<Option<String>>> + Send;
    fn set_meta(&self, key: &str, value: &str) -> impl Future<Output = Result<()>> + Send;
    /// Sets `key` only if it has no value yet; returns the value in force afterwards.
    fn init_meta(&self, key: &str, value: &str) -> impl Future<Output = Result<String>> + Send;
    fn put_caisse(&self, caisse: &Caisse) -> impl Future<Output = Result<()>> + Send;
    fn caisse(&self, code: &str) -> impl Future<Output = Result<Option<Caisse>>> + Send;
    fn caisses(&self) -> impl Future<Output = Result<Vec<Caisse>>> + Send;
    /// the codes of the caisses of `caisse`'s branch (itself included).
    fn branch_caisses(&self, caisse: &str) -> impl Future<Output = Result<Vec<String>>> + Send;
    fn set_caisse_hours(
        &self,
        code: &str,
        hours: OpeningHours,
    ) -> impl Future<Output = Result<()>> + Send;
    fn put_service(&self, service: &ServiceDef) -> impl Future<Output = Result<()>> + Send;
    fn service(&self, code: &str) -> impl Future<Output = Result<Option<ServiceDef>>> + Send;
    fn services(&self) -> impl Future<Output = Result<Vec<ServiceDef>>> + Send;
}

impl ReferenceRepo for Store {
    async fn meta(&self, key: &str) -> Result<Option<String>> {
        on_backend!(self, |db| {
            Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                .bind(key)
                .fetch_optional(db.pool())
                .await?)
        })
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(db.pool())
            .await?;
            Ok(())
        })
    }

    async fn init_meta(&self, key: &str, value: &str) -> Result<String> {
        on_backend!(self, |db| {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value)
            .execute(db.pool())
            .await
            .map(drop)
        })?;
        self.meta(key).await?.ok_or(StoreError::NotFound("réglage"))
    }

    async fn put_caisse(&self, caisse: &Caisse) -> Result<()> {
        on_backend!(self, |db| {
            let mut tx = db.pool().begin().await?;
            sqlx::query(
                "INSERT INTO caisses (code, name, hours, branch) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, hours = excluded.hours, \
                 branch = excluded.branch",
            )
            .bind(&caisse.code)
            .bind(&caisse.name)
            .bind(caisse.hours.to_string())
            .bind(caisse.branch.code())
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM caisse_departements WHERE caisse_code = $1")
                .bind(&caisse.code)
                .execute(&mut *tx)
                .await?;
            for d in &caisse.departements {
                sqlx::query(
                    "INSERT INTO caisse_departements (caisse_code, departement) VALUES ($1, $2)",
                )
                .bind(&caisse.code)
                .bind(d)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    async fn caisse(&self, code: &str) -> Result<Option<Caisse>> {
        on_backend!(self, |db| {
            let row: Option<(String, String, String, String)> =
                sqlx::query_as("SELECT code, name, hours, branch FROM caisses WHERE code = $1")
                    .bind(code)
                    .fetch_optional(db.pool())
                    .await?;
            let Some((code, name, hours, branch)) = row else {
                return Ok(None);
            };
            let departements = sqlx::query_scalar(
                "SELECT departement FROM caisse_departements WHERE caisse_code = $1 ORDER BY \
                 departement",
            )
            .bind(&code)
            .fetch_all(db.pool())
            .await?;
            Ok(Some(Caisse {
                code,
                name,
                branch: branch.parse()?,
                departements,
                hours: hours
                    .parse()
                    .map_err(|_| StoreError::Corrupt("horaires de caisse"))?,
            }))
        })
    }

    async fn caisses(&self) -> Result<Vec<Caisse>> {
        let codes: Vec<String> = on_backend!(self, |db| {
            sqlx::query_scalar("SELECT code FROM caisses ORDER BY code")
                .fetch_all(db.pool())
                .await
        })?;
        let mut out = Vec::with_capacity(codes.len());
        for code in codes {
            if let Some(c) = self.caisse(&code).await? {
                out.push(c);
            }
        }
        Ok(out)
    }

    async fn branch_caisses(&self, caisse: &str) -> Result<Vec<String>> {
        on_backend!(self, |db| {
            Ok(sqlx::query_scalar(
                "SELECT k.code FROM caisses k JOIN caisses c ON c.branch = k.branch \
                 WHERE c.code = $1 ORDER BY k.code",
            )
            .bind(caisse)
            .fetch_all(db.pool())
            .await?)
        })
    }

    async fn set_caisse_hours(&self, code: &str, hours: OpeningHours) -> Result<()> {
        on_backend!(self, |db| {
            let done = sqlx::query("UPDATE caisses SET hours = $2 WHERE code = $1")
                .bind(code)
                .bind(hours.to_string())
                .execute(db.pool())
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("caisse"));
            }
            Ok(())
        })
    }

    async fn put_service(&self, service: &ServiceDef) -> Result<()> {
        on_backend!(self, |db| {
            sqlx::query(
                "INSERT INTO services (code, label, sections, eligibility, idle_timeout_secs, \
                 hours, rules) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (code) DO UPDATE SET label = excluded.label, \
                 sections = excluded.sections, eligibility = excluded.eligibility, \
                 idle_timeout_secs = excluded.idle_timeout_secs, hours = excluded.hours, \
                 rules = excluded.rules",
            )
            .bind(&service.code)
            .bind(&service.label)
            .bind(Json(&service.sections))
            .bind(Json(&service.eligibility))
            .bind(i64::from(service.idle_timeout_secs))
            .bind(service.hours.map(|h| h.to_string()))
            .bind(Json(&service.rules))
            .execute(db.pool())
            .await?;
            Ok(())
        })
    }

    async fn service(&self, code: &str) -> Result<Option<ServiceDef>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, ServiceRow>(
                "SELECT code, label, sections, eligibility, idle_timeout_secs, hours, rules \
                 FROM services WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(db.pool())
            .await?
            .map(ServiceRow::into_def)
            .transpose()
        })
    }

    async fn services(&self) -> Result<Vec<ServiceDef>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, ServiceRow>(
                "SELECT code, label, sections, eligibility, idle_timeout_secs, hours, rules \
                 FROM services ORDER BY code",
            )
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(ServiceRow::into_def)
            .collect()
        })
    }
}
