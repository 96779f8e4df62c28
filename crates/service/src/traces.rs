//! The trace writer: every action waits until its trace is committed (an answered lookup
//! always has its trace), and concurrent traces share one transaction (group commit), so
//! the hash chain's single lock is taken once per batch, not once per record.

use guichet_core::trace::TraceRecord;
use guichet_store::{Repository, Store};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Result, ServiceError};

/// Most records in one append.
const MAX_BATCH: usize = 256;

type Pending = (TraceRecord, oneshot::Sender<Result<i64>>);

#[derive(Debug, Clone)]
pub(crate) struct TraceWriter {
    tx: mpsc::Sender<Pending>,
}

impl TraceWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn start(store: Store) -> Self {
        let (tx, mut rx) = mpsc::channel::<Pending>(4096);
        tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let records: Vec<TraceRecord> = batch.iter().map(|(r, _)| r.clone()).collect();
                match store.append_traces(&records).await {
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
        TraceWriter { tx }
    }

    /// Appends one record and waits for its commit; returns its sequence number.
    pub(crate) async fn write(&self, record: TraceRecord) -> Result<i64> {
        let (reply, done) = oneshot::channel();
        self.tx
            .send((record, reply))
            .await
            .map_err(|_| ServiceError::Internal)?;
        done.await.map_err(|_| ServiceError::Internal)?
    }
}
