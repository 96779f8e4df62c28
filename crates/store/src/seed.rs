//! Seeding: reference data, demo partners and synthetic files, fast enough for 10 million
//! files. A blocking thread generates batches while the async side writes the previous one
//! (COPY on PostgreSQL, multi-row inserts in one transaction per batch on SQLite).
//!
//! Seeding is resumable and idempotent: files are numbered, the database remembers its seed,
//! and `seed --files N` adds only the files `count..N` that are missing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;

use crate::synth::{Generator, MAX_FILES};
use crate::{Repository, Result, StoreError, reference};

/// `meta` key set on a synthetic database (`sample` refuses others).
pub const META_SYNTHETIC: &str = "synthetic";
/// `meta` key holding the generator seed of a synthetic database.
pub const META_SEED: &str = "synthetic_seed";

#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    /// Files the database should hold when done.
    pub files: u64,
    pub seed: u64,
    /// Files per write (one COPY or one transaction).
    pub batch: usize,
    /// Draw a progress bar on stderr (only if it is a terminal).
    pub progress: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            files: 1_000,
            seed: 1,
            batch: 5_000,
            progress: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedReport {
    /// Files written by this run.
    pub written: u64,
    /// Files in the database afterwards.
    pub total: u64,
    pub elapsed: Duration,
}

impl SeedReport {
    pub fn files_per_sec(&self) -> f64 {
        self.written as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Installs reference data and brings the synthetic files up to `options.files`.
pub async fn seed(
    repo: &impl Repository,
    options: SeedOptions,
    now: DateTime<Utc>,
) -> Result<SeedReport> {
    #[allow(clippy::disallowed_methods)] // measuring a duration, not reading the time of day
    let started = std::time::Instant::now();
    if options.files > MAX_FILES {
        return Err(StoreError::Conflict(
            "plus de fichiers que le générateur n'en distingue",
        ));
    }
    let existing = u64::try_from(repo.count_dossiers().await?).unwrap_or(0);
    match repo.meta(META_SEED).await? {
        Some(s) if s != options.seed.to_string() && existing > 0 => {
            return Err(StoreError::Conflict(
                "base déjà peuplée avec une autre graine",
            ));
        }
        _ => {}
    }
    if existing > 0 && repo.meta(META_SYNTHETIC).await?.as_deref() != Some("1") {
        return Err(StoreError::Conflict(
            "base réelle : refus d'y ajouter des dossiers synthétiques",
        ));
    }
    reference::install(repo, now).await?;
    repo.set_meta(META_SYNTHETIC, "1").await?;
    repo.set_meta(META_SEED, &options.seed.to_string()).await?;

    let start = existing;
    let to_write = options.files.saturating_sub(start);
    let bar = progress_bar(options.progress && to_write >= 10_000, to_write);
    let batch = options.batch.max(1) as u64;
    let (tx, mut rx) = mpsc::channel(2);
    let generator = Generator::new(options.seed);
    let producer = tokio::task::spawn_blocking(move || {
        let mut i = start;
        while i < options.files {
            let end = (i + batch).min(options.files);
            let files: Vec<_> = (i..end).map(|k| generator.dossier(k)).collect();
            if tx.blocking_send(files).is_err() {
                return; // the writer stopped on an error
            }
            i = end;
        }
    });
    let mut written = 0;
    while let Some(files) = rx.recv().await {
        written += repo.insert_dossiers(&files).await?;
        bar.set_position(written);
    }
    producer
        .await
        .map_err(|_| StoreError::Corrupt("générateur interrompu"))?;
    bar.finish_and_clear();
    Ok(SeedReport {
        written,
        total: start + written,
        elapsed: started.elapsed(),
    })
}

fn progress_bar(visible: bool, len: u64) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {bar:40} {pos}/{len} dossiers ({per_sec}, reste {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
