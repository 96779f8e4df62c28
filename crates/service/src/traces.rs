//! Traces written and listed. The writer: every action waits until its trace is committed
//! (an answered lookup always has its trace), and concurrent traces share one transaction
//! (group commit), so the hash chain's single lock, and SQLite's durable fsync, are taken
//! once per batch, not once per record. The listings (issue 22): one page at a time, newest
//! first, read as a page from the database, never a whole history in memory.

use std::sync::Mutex;

use chrono::Datelike;
use guichet_core::policy::hours::paris_to_utc;
use guichet_core::trace::{ChainKey, ChainedTrace, TraceRecord};
use guichet_core::wire::{TRACE_PAGE_DEFAULT, TRACE_PAGE_MAX, TracePageQuery};
use guichet_store::{Store, TraceFilter, prelude::*};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::Guichet;
use crate::error::{Result, ServiceError};

/// Most records in one append.
const MAX_BATCH: usize = 256;

type Pending = (TraceRecord, oneshot::Sender<Result<i64>>);

#[derive(Debug)]
pub(crate) struct TraceWriter {
    /// `None` once shut down: later writes fail instead of queueing forever.
    tx: Mutex<Option<mpsc::Sender<Pending>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl TraceWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(store: Store, key: ChainKey) -> Self {
        let (tx, mut rx) = mpsc::channel::<Pending>(4096);
        let task = tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            // Ends once every sender is gone and the queue is drained.
            while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let records: Vec<TraceRecord> = batch.iter().map(|(r, _)| r.clone()).collect();
                match store.append_traces(&records, &key).await {
                    Ok(chained) => {
                        for ((_, reply), t) in batch.drain(..).zip(chained) {
                            let _ = reply.send(Ok(t.seq));
                        }
                    }
                    Err(e) => {
                        let err = ServiceError::from(e);
                        for (_, reply) in batch.drain(..) {
                            let _ = reply.send(Err(err.clone()));
                        }
                    }
                }
            }
        });
        TraceWriter {
            tx: Mutex::new(Some(tx)),
            task: Mutex::new(Some(task)),
        }
    }

    /// Appends one record and waits for its commit; returns its sequence number.
    pub(crate) async fn write(&self, record: TraceRecord) -> Result<i64> {
        let tx = self
            .tx
            .lock()
            .ok()
            .and_then(|t| t.clone())
            .ok_or(ServiceError::Unavailable)?;
        let (reply, done) = oneshot::channel();
        tx.send((record, reply))
            .await
            .map_err(|_| ServiceError::Unavailable)?;
        done.await.map_err(|_| ServiceError::Internal)?
    }

    /// Refuses new records, then waits until every queued one is committed (or failed).
    pub(crate) async fn shutdown(&self) {
        drop(self.tx.lock().ok().and_then(|mut t| t.take()));
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            // Writers still holding a sender clone (a request in flight) finish first.
            let _ = task.await;
        }
    }
}

/// One page of a trace listing, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracePage {
    pub traces: Vec<ChainedTrace>,
    /// The cursor of the next (older) page: its [`TracePageQuery::before`]. `None` on the
    /// last page.
    pub next_before: Option<i64>,
}

impl TracePage {
    /// The page as an administrator reads it: no trace's keyed NIR digest.
    pub(crate) fn without_digests(mut self) -> Self {
        for t in &mut self.traces {
            t.record.nir_digest = None;
        }
        self
    }
}

impl Guichet {
    /// One page of the traces matching `filter`, newest first (issue 22). Reads `limit + 1`
    /// records at most, the one past the page only telling whether another page follows.
    /// The caller has checked the reader's right to `filter`: this reads whatever it
    /// is given. `InvalidInput` for a `limit` outside 1 to 500 or a `before` below 1.
    pub(crate) async fn trace_page(
        &self,
        filter: &TraceFilter,
        page: TracePageQuery,
    ) -> Result<TracePage> {
        let limit = page.limit.unwrap_or(TRACE_PAGE_DEFAULT);
        if !(1..=TRACE_PAGE_MAX).contains(&limit) {
            return Err(ServiceError::InvalidInput(format!(
                "limit doit être compris entre 1 et {TRACE_PAGE_MAX}"
            )));
        }
        if page.before.is_some_and(|b| b < 1) {
            return Err(ServiceError::InvalidInput(
                "before doit être un numéro de trace positif".into(),
            ));
        }
        if [&page.user, &page.service]
            .into_iter()
            .flatten()
            .any(|f| f.chars().count() > 64)
        {
            return Err(ServiceError::InvalidInput(
                "filtre trop long (64 caractères au plus)".into(),
            ));
        }
        if [page.since, page.until]
            .into_iter()
            .flatten()
            .any(|d| !crate::audit::SANE_YEARS.contains(&d.year()))
        {
            return Err(ServiceError::InvalidInput(
                "date hors des années tenues par les traces".into(),
            ));
        }
        let Some(filter) = narrowed(filter, &page) else {
            return Ok(TracePage {
                traces: Vec::new(),
                next_before: None,
            });
        };
        let mut traces = self
            .inner
            .store
            .traces_newest_first(&filter, page.before, limit + 1)
            .await?;
        let more = traces.len() > limit as usize;
        traces.truncate(limit as usize);
        let next_before = if more {
            traces.last().map(|t| t.seq)
        } else {
            None
        };
        Ok(TracePage {
            traces,
            next_before,
        })
    }
}

/// `filter` narrowed by the reader's own filters of `page` (issue 23: user, service, days):
/// they can only narrow what the caller allowed, never widen it. `None` when they exclude
/// everything (another user's identifiant in a user's own traces, an empty date range).
fn narrowed(filter: &TraceFilter, page: &TracePageQuery) -> Option<TraceFilter> {
    let mut out = filter.clone();
    if let Some(user) = page
        .user
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        let user = crate::auth::normalize_identifiant(user)?;
        match &out.identifiant {
            Some(own) if *own != user => return None,
            _ => out.identifiant = Some(user),
        }
    }
    if let Some(service) = page
        .service
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match &out.service {
            Some(own) if own != service => return None,
            _ => out.service = Some(service.to_owned()),
        }
    }
    let day_start = |d: chrono::NaiveDate| paris_to_utc(d.and_time(chrono::NaiveTime::MIN));
    if let Some(since) = page.since.map(day_start) {
        out.since = Some(out.since.map_or(since, |s| s.max(since)));
    }
    if let Some(until) = page.until.and_then(|d| d.succ_opt()).map(day_start) {
        out.until = Some(out.until.map_or(until, |u| u.min(until)));
    }
    if let (Some(since), Some(until)) = (out.since, out.until)
        && since >= until
    {
        return None;
    }
    Some(out)
}
