//! Provisioning a synthetic database (demos, training, tests, `make serve`): reference data,
//! demo partners and synthetic files (resumable: each step adds what is missing), then the
//! service over it and the demo accounts. The one way the command line, the desktop's bundled
//! backend and the tests set such a database up.

use std::sync::Arc;
use std::time::Duration;

use guichet_store::Store;
use guichet_store::seed::{SeedOptions, seed};

use crate::clock::Clock;
use crate::config::ServiceConfig;
use crate::error::Result;
use crate::{Guichet, TraceKeys};

/// What to provision.
#[derive(Debug, Clone, Copy)]
pub struct Provisioning {
    /// Synthetic files the database should hold.
    pub files: u64,
    /// Generator seed (a database keeps the one it was seeded with).
    pub seed: u64,
    /// Files written between two progress reports.
    pub step: u64,
    /// A progress bar on stderr (when it is a terminal).
    pub progress_bar: bool,
}

impl Provisioning {
    /// `files` synthetic files from `seed`, reported every 2 000.
    pub fn files(files: u64, seed: u64) -> Self {
        Provisioning {
            files,
            seed,
            step: 2_000,
            progress_bar: false,
        }
    }
}

/// What provisioning did, and the service it leaves ready.
#[derive(Debug)]
pub struct Provisioned {
    pub guichet: Guichet,
    /// Files written by this run.
    pub written: u64,
    /// Files in the database afterwards.
    pub total: u64,
    pub elapsed: Duration,
    /// Demo accounts created by this run (none when they existed).
    pub demo_accounts: Vec<&'static str>,
}

impl Provisioned {
    /// Files written per second by this run.
    pub fn files_per_sec(&self) -> f64 {
        self.written as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Brings `store` (migrated) up to `how.files` synthetic files, then opens the service over
/// it with `config` (and `trace_keys`, when the caisse gave a key file) and creates the demo
/// accounts that are missing. `progress(done, total)` is called after each step.
pub async fn provision(
    store: Store,
    clock: Arc<dyn Clock>,
    config: ServiceConfig,
    trace_keys: Option<TraceKeys>,
    how: Provisioning,
    mut progress: impl FnMut(u64, u64),
) -> Result<Provisioned> {
    let now = clock.now();
    let step = how.step.max(1);
    let mut target = 0;
    let mut written = 0;
    let mut elapsed = Duration::ZERO;
    let total = loop {
        target = (target + step).min(how.files);
        let report = seed(
            &store,
            SeedOptions {
                files: target,
                seed: how.seed,
                batch: usize::try_from(step.min(5_000)).unwrap_or(5_000),
                progress: how.progress_bar,
            },
            now,
        )
        .await?;
        written += report.written;
        elapsed += report.elapsed;
        progress(report.total.min(how.files), how.files);
        if target >= how.files {
            break report.total;
        }
    };
    let guichet = Guichet::new(store, clock, config, trace_keys).await?;
    let demo_accounts = guichet.install_demo_accounts().await?;
    Ok(Provisioned {
        guichet,
        written,
        total,
        elapsed,
        demo_accounts,
    })
}
