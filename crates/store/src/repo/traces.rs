//! The trace chain: appends hashed in sequence, reads, the anchor that
//! survives purges, and statistics. Appends and purges run on the backend's durable trace
//! transactions (`begin_traces`).

use std::future::Future;

use chrono::{DateTime, Utc};
use guichet_core::trace::{ChainKey, ChainedTrace, TraceRecord};

use crate::model::{StatsRow, TraceFilter};
use crate::postgres::PgStore;
use crate::rows::{TraceRow, normalise_record};
use crate::store::on_backend;
use crate::{Result, Store, StoreError};

/// `partner, identifiant, service, kind, outcome, COUNT(*)`, as `trace_stats` selects them.
type StatsTuple = (
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
);

/// PostgreSQL: a whole append in one statement, so one round trip and one commit. The head
/// is moved from the value this instance assumes ($3, $4) to the batch's last link ($1, $2)
/// and the records go in only if it was that value. A concurrent append holds the head's
/// row lock until it commits, after which the condition is checked again on the new row:
/// then nothing is written and the count is 0.
const PG_APPEND_ON_HEAD: &str = "WITH head AS (UPDATE trace_head SET seq = $1, hash = $2 \
     WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING 1), \
     appended AS (INSERT INTO traces (seq, at, kind, outcome, identifiant, partner, service, \
       address, nir_digest, detail, prev_hash, hash) \
       SELECT * FROM UNNEST($5::BIGINT[], $6::TIMESTAMPTZ[], $7::TEXT[], $8::TEXT[], \
         $9::TEXT[], $10::TEXT[], $11::TEXT[], $12::TEXT[], $13::TEXT[], $14::TEXT[], \
         $15::TEXT[], $16::TEXT[]) \
       WHERE EXISTS (SELECT 1 FROM head) RETURNING 1) \
     SELECT COUNT(*) FROM appended";

/// Appends tried on an assumed head before the locking path.
const ASSUMED_HEAD_ATTEMPTS: usize = 3;

/// `records` chained after the link (`seq`, `prev`), normalised as stored.
fn chain(
    records: &[TraceRecord],
    key: &ChainKey,
    mut seq: i64,
    mut prev: String,
) -> Vec<ChainedTrace> {
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
    out
}

/// One append on PostgreSQL after the head this instance last wrote (read first when it
/// does not know it). `None` when another append moved the head meanwhile.
async fn append_on_assumed_head(
    db: &PgStore,
    records: &[TraceRecord],
    key: &ChainKey,
) -> Result<Option<Vec<ChainedTrace>>> {
    let (seq, hash): (i64, String) = match db.trace_head.get() {
        Some(head) => head,
        None => {
            sqlx::query_as("SELECT seq, hash FROM trace_head WHERE id = 1")
                .fetch_one(db.traces_pool())
                .await?
        }
    };
    let out = chain(records, key, seq, hash.clone());
    let Some(last) = out.last() else {
        return Ok(Some(out));
    };
    let column = |f: fn(&ChainedTrace) -> Option<&str>| out.iter().map(f).collect::<Vec<_>>();
    let written: i64 = sqlx::query_scalar(PG_APPEND_ON_HEAD)
        .bind(last.seq)
        .bind(&last.hash)
        .bind(seq)
        .bind(&hash)
        .bind(out.iter().map(|t| t.seq).collect::<Vec<_>>())
        .bind(out.iter().map(|t| t.record.at).collect::<Vec<_>>())
        .bind(column(|t| Some(t.record.kind.code())))
        .bind(column(|t| Some(&t.record.outcome)))
        .bind(column(|t| t.record.identifiant.as_deref()))
        .bind(column(|t| t.record.partner.as_deref()))
        .bind(column(|t| t.record.service.as_deref()))
        .bind(column(|t| t.record.address.as_deref()))
        .bind(column(|t| t.record.nir_digest.as_deref()))
        .bind(column(|t| t.record.detail.as_deref()))
        .bind(column(|t| Some(&t.prev_hash)))
        .bind(column(|t| Some(&t.hash)))
        .fetch_one(db.traces_pool())
        .await?;
    if written == 0 {
        db.trace_head.set(None);
        return Ok(None);
    }
    if usize::try_from(written).ok() != Some(out.len()) {
        return Err(StoreError::Corrupt(
            "append partielle de la chaîne de traces",
        ));
    }
    db.trace_head.set(Some((last.seq, last.hash.clone())));
    Ok(Some(out))
}

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
    /// One page of the records matching `filter`, newest first: at most `limit`, each with a
    /// sequence below `before` (from the newest when `None`). Only the filter's conditions
    /// are in the statement, so that the (identifiant, seq) and (partner, seq) indexes give
    /// the page without the rest of the history.
    fn traces_newest_first(
        &self,
        filter: &TraceFilter,
        before: Option<i64>,
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
        if records.is_empty() {
            return Ok(Vec::new());
        }
        if let Store::Postgres(db) = self {
            // Another instance's append between two of ours makes the assumed head stale:
            // each miss rereads it. After a few, the locking path, which cannot miss.
            for _ in 0..ASSUMED_HEAD_ATTEMPTS {
                if let Some(out) = append_on_assumed_head(db, records, key).await? {
                    return Ok(out);
                }
            }
        }
        let out = on_backend!(self, |db| {
            let n = i64::try_from(records.len()).unwrap_or(i64::MAX);
            let mut tx = db.begin_traces().await?;
            // Writing the head first takes the write lock at once (row lock on
            // PostgreSQL, the database lock on SQLite): appends are serialised.
            let (last_seq, prev): (i64, String) = sqlx::query_as(
                "UPDATE trace_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
            )
            .bind(n)
            .fetch_one(&mut *tx)
            .await?;
            let out = chain(records, key, last_seq - n, prev);
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
                .bind(out.last().map(|t| t.hash.as_str()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            out
        });
        if let (Store::Postgres(db), Some(last)) = (self, out.last()) {
            db.trace_head.set(Some((last.seq, last.hash.clone())));
        }
        Ok(out)
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
                 AND ($6 IS NULL OR partner = $6) AND ($7 IS NULL OR service = $7) \
                 ORDER BY seq LIMIT $5",
            )
            .bind(after_seq)
            .bind(&filter.identifiant)
            .bind(filter.since)
            .bind(filter.until)
            .bind(i64::from(limit))
            .bind(&filter.partner)
            .bind(&filter.service)
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(TraceRow::into_chained)
            .collect()
        })
    }

    async fn traces_newest_first(
        &self,
        filter: &TraceFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ChainedTrace>> {
        on_backend!(self, |db| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT seq, at, kind, outcome, identifiant, partner, service, address, \
                 nir_digest, detail, prev_hash, hash FROM traces WHERE seq < ",
            );
            qb.push_bind(before.unwrap_or(i64::MAX));
            if let Some(identifiant) = &filter.identifiant {
                qb.push(" AND identifiant = ")
                    .push_bind(identifiant.clone());
            }
            if let Some(partner) = &filter.partner {
                qb.push(" AND partner = ").push_bind(partner.clone());
            }
            if let Some(service) = &filter.service {
                qb.push(" AND service = ").push_bind(service.clone());
            }
            if let Some(since) = filter.since {
                qb.push(" AND at >= ").push_bind(since);
            }
            if let Some(until) = filter.until {
                qb.push(" AND at < ").push_bind(until);
            }
            qb.push(" ORDER BY seq DESC LIMIT ")
                .push_bind(i64::from(limit));
            qb.build_query_as::<TraceRow>()
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
