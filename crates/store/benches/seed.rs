//! Seeding benchmark (`make bench`): prints how fast synthetic files are generated and
//! loaded, on SQLite and on PostgreSQL. Figures, not assertions.
//!
//! GUICHET_BENCH_FILES sets the number of files (default 1 000 000);
//! GUICHET_TEST_POSTGRES_URL the PostgreSQL server (its `guichet_bench` database is
//! recreated).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::disallowed_methods
)]

use std::time::Instant;

use chrono::Utc;
use guichet_core::Dossier;
use guichet_core::psu::{CareType, participation};
use guichet_store::seed::{SeedOptions, seed};
use guichet_store::synth::Generator;
use guichet_store::{Store, prelude::*};
use sqlx::{Connection, PgConnection};

/// R-31's extra work on a PSU lookup found: the barème read (one statement of ~20 rows) and
/// the pure computation.
async fn psu_costs(store: &Store, backend: &str) {
    let t = Instant::now();
    let mut bareme = None;
    for _ in 0..1000 {
        bareme = Some(store.psu_bareme().await.unwrap());
    }
    println!(
        "{backend} barème PSU read {:>6.1} µs (1000 reads, one connection at a time)",
        t.elapsed().as_secs_f64() * 1e3
    );
    let bareme = bareme.unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let g = Generator::new(1);
    let probe: Dossier = (0..)
        .map(|i| g.dossier(i))
        .find(|d| participation(d, date, CareType::Collective, &bareme).is_ok())
        .unwrap();
    let probe = &probe;
    let t = Instant::now();
    for _ in 0..100_000 {
        std::hint::black_box(participation(
            std::hint::black_box(probe),
            date,
            CareType::Collective,
            &bareme,
        ))
        .ok();
    }
    println!(
        "{backend} participation computed {:>5.2} µs (100 000 computations)",
        t.elapsed().as_secs_f64() * 10.0
    );
}

fn rate(n: u64, secs: f64) -> String {
    format!("{:>10.0} dossiers/s", n as f64 / secs)
}

#[tokio::main]
async fn main() {
    let files: u64 = std::env::var("GUICHET_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!(
        "# Guichet — seeding benchmark, {files} files, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // Generation alone (one thread), to tell the generator from the database.
    let sample = files.min(200_000);
    let g = Generator::new(1);
    let t = Instant::now();
    let mut bytes = 0usize;
    for i in 0..sample {
        bytes += std::hint::black_box(g.dossier(i)).contact.birth_name.len();
    }
    let gen_secs = t.elapsed().as_secs_f64();
    std::hint::black_box(bytes);
    println!(
        "generation only      {}  ({sample} files, {gen_secs:.1} s)",
        rate(sample, gen_secs)
    );

    let options = SeedOptions {
        files,
        seed: 1,
        batch: 5_000,
        progress: true,
    };

    // SQLite, on a file in the temporary folder.
    let path = std::env::temp_dir().join(format!("guichet_bench_{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url).await.unwrap();
    let report = seed(&store, options, Utc::now()).await.unwrap();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(format!("{}-wal", path.display()))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "sqlite   seed        {}  ({} files, {:.1} s, {:.0} MiB on disk)",
        rate(report.written, report.elapsed.as_secs_f64()),
        report.written,
        report.elapsed.as_secs_f64(),
        size as f64 / 1048576.0
    );
    let probe = Generator::new(1).dossier(files / 2);
    let t = Instant::now();
    for _ in 0..1000 {
        store.dossier(&probe.nir).await.unwrap().unwrap();
    }
    println!(
        "sqlite   fetch by NIR {:>8.1} µs/lookup (1000 lookups, one connection at a time)",
        t.elapsed().as_secs_f64() * 1e3
    );
    psu_costs(&store, "sqlite  ").await;
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }

    // PostgreSQL, in a fresh `guichet_bench` database.
    let admin = guichet_store::testing::postgres_admin_url();
    let mut conn = PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query("DROP DATABASE IF EXISTS guichet_bench WITH (FORCE)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE guichet_bench")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    let mut pg_url = url::Url::parse(&admin).unwrap();
    pg_url.set_path("/guichet_bench");
    let store = Store::open(pg_url.as_str()).await.unwrap();
    let report = seed(&store, options, Utc::now()).await.unwrap();
    println!(
        "postgres seed        {}  ({} files, {:.1} s, COPY in batches of {})",
        rate(report.written, report.elapsed.as_secs_f64()),
        report.written,
        report.elapsed.as_secs_f64(),
        options.batch
    );
    let t = Instant::now();
    for _ in 0..1000 {
        store.dossier(&probe.nir).await.unwrap().unwrap();
    }
    println!(
        "postgres fetch by NIR {:>8.1} µs/lookup (1000 lookups, one connection at a time)",
        t.elapsed().as_secs_f64() * 1e3
    );
    psu_costs(&store, "postgres").await;
    store.close().await;
}
