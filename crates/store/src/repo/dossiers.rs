//! Files (dossiers): the bulk load, lookup by NIR and filtered paging.

use std::future::Future;

use guichet_core::{Dossier, Nir};

use crate::model::DossierFilter;
use crate::rows::DossierRow;
use crate::store::on_backend;
use crate::{Result, Store};

/// Files.
pub trait DossierRepo: Send + Sync {
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
}

impl DossierRepo for Store {
    async fn insert_dossiers(&self, dossiers: &[Dossier]) -> Result<u64> {
        // The bulk load is each backend's own: batched multi-row INSERTs on SQLite, COPY on
        // PostgreSQL.
        match self {
            Store::Sqlite(db) => db.bulk_insert_dossiers(dossiers).await,
            Store::Postgres(db) => db.bulk_insert_dossiers(dossiers).await,
        }
    }

    async fn dossier(&self, nir: &Nir) -> Result<Option<Dossier>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, DossierRow>(
                "SELECT nir, caisse_code, departement, opposition, contact, address, family, \
                 resources, quotients, rsa, benefits FROM dossiers WHERE nir = $1",
            )
            .bind(nir.expose())
            .fetch_optional(db.pool())
            .await?
            .map(DossierRow::into_dossier)
            .transpose()
        })
    }

    async fn count_dossiers(&self) -> Result<i64> {
        on_backend!(self, |db| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
                .fetch_one(db.pool())
                .await?)
        })
    }

    async fn dossiers(
        &self,
        filter: &DossierFilter,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Dossier>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, DossierRow>(
                "SELECT nir, caisse_code, departement, opposition, contact, address, family, \
                 resources, quotients, rsa, benefits FROM dossiers \
                 WHERE ($1 IS NULL OR caisse_code = $1) AND ($2 IS NULL OR departement = $2) \
                 AND ($3 IS NULL OR opposition = $3) \
                 AND ($4 IS NULL OR (rsa_since IS NOT NULL) = $4) \
                 AND ($5 IS NULL OR nir > $5) ORDER BY nir LIMIT $6",
            )
            .bind(&filter.caisse)
            .bind(&filter.departement)
            .bind(filter.opposition)
            .bind(filter.with_rsa)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(DossierRow::into_dossier)
            .collect()
        })
    }
}
