//! The trace writer: every action waits until its trace is committed (an answered lookup
//! always has its trace), and concurrent traces share one transaction (group commit), so
//! the hash chain's single lock, and SQLite's durable fsync, are taken once per batch, not
//! once per record.

use std::sync::Mutex;

use guichet_core::trace::{ChainKey, TraceRecord};
use guichet_store::{Store, prelude::*};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

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
