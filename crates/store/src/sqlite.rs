//! SQLite backend: the embedded default (the desktop app's bundled backend, small caisses).
//!
//! WAL journal (readers never wait for the writer), `synchronous = NORMAL` (a committed
//! transaction survives a process crash; only a power cut may lose the last ones), foreign
//! keys on, a busy timeout so concurrent writers queue instead of failing.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use guichet_core::trace::{ChainedTrace, TraceRecord};
use guichet_core::{Dossier, Nir, ServiceDef};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};

use crate::Result;
use crate::model::*;
use crate::repo::Backend;
use crate::shared::{DOSSIER_COLUMNS, DossierKeys, shared_repository};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Rows per multi-row INSERT: 14 parameters each, well under SQLite's 32 766.
const ROWS_PER_STATEMENT: usize = 500;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (and creates if missing) the database at `url` (`sqlite://path`,
    /// `sqlite::memory:`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 32 MiB of page cache per connection: the NIR index of a few million files
            // stays in memory during bulk loads and lookups.
            .pragma("cache_size", "-32768");
        // An in-memory database exists once per connection: keep a single one.
        let max = if url.contains(":memory:") {
            1
        } else {
            max_connections.max(1)
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn run_migrations(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// A transaction that holds the write lock from its first statement, so that a
    /// read-then-write never fails on lock upgrade.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Session activity and rate counters (PostgreSQL relaxes their durability; SQLite in
    /// WAL mode with `synchronous = NORMAL` already does not sync on commit).
    async fn begin_relaxed(&self) -> Result<Transaction<'static, Sqlite>> {
        self.begin_write().await
    }

    async fn bulk_insert_dossiers(&self, dossiers: &[Dossier]) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut inserted = 0;
        for chunk in dossiers.chunks(ROWS_PER_STATEMENT) {
            let keys = chunk
                .iter()
                .map(DossierKeys::of)
                .collect::<Result<Vec<_>>>()?;
            let mut qb: QueryBuilder<Sqlite> =
                QueryBuilder::new(format!("INSERT INTO dossiers ({DOSSIER_COLUMNS}) "));
            qb.push_values(chunk.iter().zip(keys), |mut row, (d, k)| {
                row.push_bind(d.nir.expose().to_owned())
                    .push_bind(d.caisse.clone())
                    .push_bind(d.departement.clone())
                    .push_bind(k.birth_key)
                    .push_bind(k.usage_key)
                    .push_bind(d.opposition)
                    .push_bind(k.rsa_since)
                    .push_bind(Json(d.contact.clone()))
                    .push_bind(Json(d.address.clone()))
                    .push_bind(Json(d.family.clone()))
                    .push_bind(Json(d.resources.clone()))
                    .push_bind(Json(d.quotients.clone()))
                    .push_bind(d.rsa.clone().map(Json))
                    .push_bind(Json(d.benefits.clone()));
            });
            let done = qb
                .build()
                .execute(&mut *tx)
                .await
                .map_err(crate::error::conflict_as("dossier (NIR)"))?;
            inserted += done.rows_affected();
        }
        tx.commit().await?;
        Ok(inserted)
    }
}

shared_repository!(SqliteStore, Backend::Sqlite, Sqlite);
