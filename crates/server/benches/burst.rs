//! Sign-in burst benchmark (`make bench`): 300 sign-ins sent at the same moment to a
//! `guichet-server` process of its own, and that process's resident memory (sampled during
//! the burst, and its peak from the kernel, VmHWM). Run with the default bound on
//! concurrent argon2 runs (the number of cores) and, for comparison, with a bound of 300,
//! i.e. none. Prints figures; asserts nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::disallowed_methods
)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_guichet-server");
const BURST: usize = 300;

/// A field of /proc/PID/status, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn burst(dir: &std::path::Path, db: &str, max_hashes: Option<u32>) {
    let config = dir.join(format!("burst-{}.toml", max_hashes.unwrap_or(0)));
    let mut toml = String::from(
        "[service]\nsign_ins_per_minute = 100000\nsign_ins_per_minute_global = 100000\n",
    );
    if let Some(n) = max_hashes {
        toml.push_str(&format!(
            "max_concurrent_hashes = {n}\nhash_wait_ms = 60000\n"
        ));
    }
    std::fs::write(&config, toml).unwrap();
    let port = free_port();
    let server = Server(
        Command::new(BIN)
            .args(["--config", config.to_str().unwrap()])
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("GUICHET_DATABASE_URL", db)
            .env("GUICHET_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(BURST)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    for _ in 0..400 {
        if client
            .get(format!("{base}/health"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let idle = status_kib(pid, "VmRSS:");

    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut max = 0;
            while sampling.load(std::sync::atomic::Ordering::SeqCst) {
                max = max.max(status_kib(pid, "VmRSS:"));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            max
        })
    };
    let started = Instant::now();
    // Unknown identifiants, each once: every attempt reaches the password check (a known
    // one would lock after five), and each costs one argon2 run.
    let tasks: Vec<_> = (0..BURST)
        .map(|i| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                client
                    .post(format!("{base}/sessions"))
                    .json(&serde_json::json!({"identifiant": format!("rafale.{i}"), "password": "Pas-Le-Bon-42!"}))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut counts = std::collections::BTreeMap::new();
    for t in tasks {
        *counts.entry(t.await.unwrap()).or_insert(0) += 1;
    }
    let elapsed = started.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::SeqCst);
    let sampled = sampler.await.unwrap();
    let peak = status_kib(pid, "VmHWM:");
    let label = match max_hashes {
        None => "bounded (default: one per core)".to_owned(),
        Some(n) => format!("bound {n} (no bound in effect)"),
    };
    println!(
        "{label:<34} RSS idle {:>4} MiB, burst max {:>5} MiB (peak VmHWM {:>5} MiB); {BURST} sign-ins in {:.1} s; answers {:?}",
        idle / 1024,
        sampled / 1024,
        peak / 1024,
        elapsed.as_secs_f64(),
        counts
    );
    drop(server);
}

#[tokio::main]
async fn main() {
    guichet_server::tls::install_crypto_provider();
    println!(
        "# Guichet — {BURST} simultaneous sign-ins (argon2id 19 MiB, t = 2), server process memory"
    );
    let dir = std::env::temp_dir().join(format!("guichet_burst_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/burst.db", dir.display());
    let seeded = Command::new(BIN)
        .args(["seed", "--files", "100"])
        .env("GUICHET_DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(seeded.status.success());
    burst(&dir, &db, None).await;
    burst(&dir, &db, Some(BURST as u32)).await;
    let _ = std::fs::remove_dir_all(&dir);
}
