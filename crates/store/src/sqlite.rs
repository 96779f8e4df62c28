//! SQLite backend: the embedded default (the desktop app's bundled backend, small caisses).
//! This module owns what SQLite does its own way (connection set-up, migrations, transaction
//! flavours, the bulk load of files); the SQL both backends share is in `repo/`.
//!
//! WAL journal (readers never wait for the writer), foreign keys on, a busy timeout so
//! concurrent writers queue instead of failing. Durability is chosen per kind of write:
//! most commits run with `synchronous = NORMAL` (they survive a process crash; a power cut
//! may lose the last ones), but traces commit through a connection of their own with
//! `synchronous = FULL`, so an acknowledged trace survives a power cut too. The
//! group commit of the trace writer makes that one fsync per batch, not per lookup.

use std::str::FromStr;
use std::time::Duration;

use guichet_core::Dossier;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};

use crate::Result;
use crate::rows::{DOSSIER_COLUMNS, DossierKeys};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Rows per multi-row INSERT: 14 parameters each, well under SQLite's 32 766.
const ROWS_PER_STATEMENT: usize = 500;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    /// One connection with `synchronous = FULL`: trace appends and purges (the only
    /// writers of the chain, so they never wait on each other for long).
    pub(crate) traces: SqlitePool,
    /// One connection for every write transaction but the chain's: writers queue for it in
    /// the process (in order, without polling) instead of in SQLite's busy handler, whose
    /// sleeps of up to 100 ms made the p99 of lookups (issue 14).
    writer: SqlitePool,
    pub(crate) definitions: crate::definitions::DefinitionsCache,
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
            .connect_with(options.clone())
            .await?;
        let single = |options: SqliteConnectOptions| {
            SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
        };
        // In memory: nothing to make durable, and a second pool would be another database.
        let (traces, writer) = if url.contains(":memory:") {
            (pool.clone(), pool.clone())
        } else {
            (
                single(options.clone().synchronous(SqliteSynchronous::Full)).await?,
                single(options).await?,
            )
        };
        Ok(SqliteStore {
            pool,
            traces,
            writer,
            definitions: Default::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The `synchronous` setting trace commits run with (2 = FULL).
    pub async fn trace_synchronous(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&self.traces)
            .await?)
    }

    pub(crate) async fn close(&self) {
        self.traces.close().await;
        self.writer.close().await;
        self.pool.close().await;
    }

    pub(crate) async fn run_migrations(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// A transaction that holds the write lock from its first statement, so that a
    /// read-then-write never fails on lock upgrade.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The chain's transactions: on the durable connection.
    pub(crate) async fn begin_traces(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.traces.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Session activity and rate counters (PostgreSQL relaxes their durability; SQLite in
    /// WAL mode with `synchronous = NORMAL` already does not sync on commit).
    pub(crate) async fn begin_relaxed(&self) -> Result<Transaction<'static, Sqlite>> {
        self.begin_write().await
    }

    pub(crate) async fn bulk_insert_dossiers(&self, dossiers: &[Dossier]) -> Result<u64> {
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
