//! The trace chain: appends hashed in sequence, reads, the anchor that
//! survives purges, and statistics. Appends and purges run on the backend's durable trace
//! transactions (`begin_traces`).

use std::future::Future;

use chrono::{DateTime, Utc};
use guichet_core::trace::{ChainKey, ChainedTrace, TraceRecord};

use crate::model::{StatsRow, TraceFilter};
use crate::rows::{TraceRow, normalise_record};
use crate::store::on_backend;
use crate::{Result, Store};

/// `partner, identifiant, service, kind, outcome, COUNT(*)`, as `trace_stats` selects them.
type StatsTuple = (
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
);

/// Traces.
pub trait TraceRepo: Send + Sync {
    /// Appends records to the chain atomically, in order, each hashed under `key`; returns
    /// them chained. The commit is durable (survives a power cut) on both backends.
    fn append_traces(
        &self,
        records: &[TraceRecord],
        key: &ChainKey,
    ) -> impl Future<Output = Result<Vec<ChainedTrace>>> + Send;
    /// Records after `after_seq`, in order.
    fn traces(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ChainedTrace>>> + Send;
    fn traces_filtered(
        &self,
        filter: &TraceFilter,
        after_seq: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ChainedTrace>>> + Send;
    /// The hash and sequence that precede the oldest kept record.
    fn trace_anchor(&self) -> impl Future<Output = Result<(i64, String)>> + Send;
    /// The sequence and hash of the newest record (the chain's recorded head).
    fn trace_head(&self) -> impl Future<Output = Result<(i64, String)>> + Send;
    /// deletes records older than `before` and moves the anchor past them.
    fn purge_traces(&self, before: DateTime<Utc>) -> impl Future<Output = Result<u64>> + Send;
    /// counts per partner, user, service, kind and outcome over `[from, to)`.
    fn trace_stats(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<StatsRow>>> + Send;
}

impl TraceRepo for Store {
    async fn append_traces(
        &self,
        records: &[TraceRecord],
        key: &ChainKey,
    ) -> Result<Vec<ChainedTrace>> {
        on_backend!(self, |db| {
            if records.is_empty() {
                return Ok(Vec::new());
            }
            let n = i64::try_from(records.len()).unwrap_or(i64::MAX);
            let mut tx = db.begin_traces().await?;
            // Writing the head first takes the write lock at once (row lock on
            // PostgreSQL, the database lock on SQLite): appends are serialised.
            let (last_seq, mut prev): (i64, String) = sqlx::query_as(
                "UPDATE trace_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
            )
            .bind(n)
            .fetch_one(&mut *tx)
            .await?;
            let mut seq = last_seq - n;
            let mut out = Vec::with_capacity(records.len());
            for record in records {
                seq += 1;
                let record = normalise_record(record);
                let hash = record.chain_hash(key, seq, &prev);
                out.push(ChainedTrace {
                    seq,
                    record,
                    prev_hash: prev,
                    hash: hash.clone(),
                });
                prev = hash;
            }
            // One multi-row INSERT per 500 records (12 parameters each).
            for chunk in out.chunks(500) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO traces (seq, at, kind, outcome, identifiant, partner, service, \
                     address, nir_digest, detail, prev_hash, hash) ",
                );
                qb.push_values(chunk, |mut row, t| {
                    row.push_bind(t.seq)
                        .push_bind(t.record.at)
                        .push_bind(t.record.kind.code())
                        .push_bind(t.record.outcome.clone())
                        .push_bind(t.record.identifiant.clone())
                        .push_bind(t.record.partner.clone())
                        .push_bind(t.record.service.clone())
                        .push_bind(t.record.address.clone())
                        .push_bind(t.record.nir_digest.clone())
                        .push_bind(t.record.detail.clone())
                        .push_bind(t.prev_hash.clone())
                        .push_bind(t.hash.clone());
                });
                qb.build().execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE trace_head SET hash = $1 WHERE id = 1")
                .bind(&prev)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(out)
        })
    }

    async fn traces(&self, after_seq: i64, limit: u32) -> Result<Vec<ChainedTrace>> {
        self.traces_filtered(&TraceFilter::default(), after_seq, limit)
            .await
    }

    async fn traces_filtered(
        &self,
        filter: &TraceFilter,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ChainedTrace>> {
        on_backend!(self, |db| {
            sqlx::query_as::<_, TraceRow>(
                "SELECT seq, at, kind, outcome, identifiant, partner, service, address, \
                 nir_digest, detail, prev_hash, hash FROM traces \
                 WHERE seq > $1 AND ($2 IS NULL OR identifiant = $2) \
                 AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) \
                 AND ($6 IS NULL OR partner = $6) \
                 ORDER BY seq LIMIT $5",
            )
            .bind(after_seq)
            .bind(&filter.identifiant)
            .bind(filter.since)
            .bind(filter.until)
            .bind(i64::from(limit))
            .bind(&filter.partner)
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(TraceRow::into_chained)
            .collect()
        })
    }

    async fn trace_anchor(&self) -> Result<(i64, String)> {
        on_backend!(self, |db| {
            Ok(
                sqlx::query_as("SELECT seq, hash FROM trace_anchor WHERE id = 1")
                    .fetch_one(db.pool())
                    .await?,
            )
        })
    }

    async fn trace_head(&self) -> Result<(i64, String)> {
        on_backend!(self, |db| {
            Ok(
                sqlx::query_as("SELECT seq, hash FROM trace_head WHERE id = 1")
                    .fetch_one(db.pool())
                    .await?,
            )
        })
    }

    async fn purge_traces(&self, before: DateTime<Utc>) -> Result<u64> {
        on_backend!(self, |db| {
            let mut tx = db.begin_traces().await?;
            // Lock the head so no append interleaves with the purge.
            let (head_seq,): (i64,) =
                sqlx::query_as("UPDATE trace_head SET seq = seq WHERE id = 1 RETURNING seq")
                    .fetch_one(&mut *tx)
                    .await?;
            let first_kept: Option<i64> =
                sqlx::query_scalar("SELECT MIN(seq) FROM traces WHERE at >= $1")
                    .bind(before)
                    .fetch_one(&mut *tx)
                    .await?;
            let last_purged = first_kept.map_or(head_seq, |s| s - 1);
            let anchor: Option<String> =
                sqlx::query_scalar("SELECT hash FROM traces WHERE seq = $1")
                    .bind(last_purged)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(anchor) = anchor else {
                tx.rollback().await?;
                return Ok(0);
            };
            let done = sqlx::query("DELETE FROM traces WHERE seq <= $1")
                .bind(last_purged)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE trace_anchor SET seq = $1, hash = $2 WHERE id = 1")
                .bind(last_purged)
                .bind(&anchor)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(done.rows_affected())
        })
    }

    async fn trace_stats(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<StatsRow>> {
        on_backend!(self, |db| {
            let rows: Vec<StatsTuple> = sqlx::query_as(
                "SELECT partner, identifiant, service, kind, outcome, COUNT(*) FROM traces \
                 WHERE at >= $1 AND at < $2 \
                 GROUP BY partner, identifiant, service, kind, outcome \
                 ORDER BY partner, identifiant, service, kind, outcome",
            )
            .bind(from)
            .bind(to)
            .fetch_all(db.pool())
            .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(partner, identifiant, service, kind, outcome, count)| StatsRow {
                        partner,
                        identifiant,
                        service,
                        kind,
                        outcome,
                        count,
                    },
                )
                .collect())
        })
    }
}
