//! PostgreSQL backend: the scale-out path. Several server instances share one database;
//! everything that must hold across them (sessions, lockouts, rate limits, the trace chain)
//! is a row here. Files are bulk-loaded with `COPY`. This module owns what PostgreSQL does its
//! own way (connection set-up, migrations, transaction flavours, `COPY`); the SQL both
//! backends share is in `repo/`.

use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use guichet_core::Dossier;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::rows::{DOSSIER_COLUMNS, DossierKeys};
use crate::{Result, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The chain's head (sequence number and hash) as this instance last wrote it: the next
/// append assumes it and checks it in the same statement. Shared by the store's clones.
#[derive(Debug, Clone, Default)]
pub(crate) struct AssumedHead(Arc<Mutex<Option<(i64, String)>>>);

impl AssumedHead {
    pub(crate) fn get(&self) -> Option<(i64, String)> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set(&self, head: Option<(i64, String)>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = head;
    }
}

#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    /// The chain's own connection: appends never wait for a connection behind requests.
    traces: PgPool,
    /// The chain's head as this instance last wrote it (see `append_traces`).
    pub(crate) trace_head: AssumedHead,
    pub(crate) definitions: crate::definitions::DefinitionsCache,
}

impl PgStore {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        Self::connect_with(PgConnectOptions::from_str(url)?, max_connections).await
    }

    /// Connects with explicit options (tests use a `search_path` per schema).
    pub async fn connect_with(options: PgConnectOptions, max_connections: u32) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        let traces = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options);
        Ok(PgStore {
            pool,
            traces,
            trace_head: Default::default(),
            definitions: Default::default(),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) async fn close(&self) {
        self.traces.close().await;
        self.pool.close().await;
    }

    pub(crate) async fn run_migrations(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// The chain's transactions, on its own connection: synchronous commit, as everything
    /// but the relaxed writes.
    pub(crate) async fn begin_traces(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.traces.begin().await?)
    }

    /// The chain's own connection, outside a transaction (single-statement appends).
    pub(crate) fn traces_pool(&self) -> &PgPool {
        &self.traces
    }

    /// A transaction whose commit does not wait for the WAL flush: for session activity and
    /// rate-limit counters only, where losing the last few hundred milliseconds in a
    /// database crash is harmless. Traces and everything else commit synchronously.
    pub(crate) async fn begin_relaxed(&self) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET LOCAL synchronous_commit TO OFF")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    pub(crate) async fn bulk_insert_dossiers(&self, dossiers: &[Dossier]) -> Result<u64> {
        if dossiers.is_empty() {
            return Ok(0);
        }
        let mut buf = String::with_capacity(dossiers.len() * 1500);
        for d in dossiers {
            write_copy_row(&mut buf, d)?;
        }
        let mut conn = self.pool.acquire().await?;
        let statement = format!("COPY dossiers ({DOSSIER_COLUMNS}) FROM STDIN");
        let mut copy = conn.copy_in_raw(&statement).await?;
        if let Err(e) = copy.send(buf.into_bytes()).await {
            return Err(StoreError::Database(e));
        }
        copy.finish()
            .await
            .map_err(crate::error::conflict_as("dossier (NIR)"))
    }
}

/// One line of COPY's text format.
fn write_copy_row(buf: &mut String, d: &Dossier) -> Result<()> {
    let k = DossierKeys::of(d)?;
    let fields: [Option<String>; 14] = [
        Some(d.nir.expose().to_owned()),
        Some(d.caisse.clone()),
        Some(d.departement.clone()),
        Some(k.birth_key),
        k.usage_key,
        Some(if d.opposition { "t".into() } else { "f".into() }),
        k.rsa_since.map(|s| s.format("%Y-%m-%d").to_string()),
        Some(json(&d.contact)?),
        Some(json(&d.address)?),
        Some(json(&d.family)?),
        Some(json(&d.resources)?),
        Some(json(&d.quotients)?),
        d.rsa.as_ref().map(json).transpose()?,
        Some(json(&d.benefits)?),
    ];
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        match f {
            None => buf.push_str("\\N"),
            Some(s) => escape_copy_text(buf, s),
        }
    }
    buf.push('\n');
    Ok(())
}

fn escape_copy_text(buf: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => buf.push_str("\\\\"),
            '\t' => buf.push_str("\\t"),
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            _ => buf.push(c),
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|_| StoreError::Corrupt("sérialisation JSON"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_separators() {
        let mut buf = String::new();
        escape_copy_text(&mut buf, "a\tb\\c\nd");
        assert_eq!(buf, "a\\tb\\\\c\\nd");
    }
}
