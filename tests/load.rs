//! Load benchmark (`make bench`): traced lookups per second and latency percentiles at 64
//! concurrent connections over HTTP on loopback, on SQLite and PostgreSQL; sign-in cost.
//! Prints figures; asserts nothing.
//!
//! GUICHET_BENCH_FILES: files per database (default 1 000 000); GUICHET_BENCH_SECONDS:
//! length of each load run (default 10); PGBENCH_TPS: pgbench -N's figure on the same
//! server, to print the ratio.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::disallowed_methods
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use guichet_service::{DEMO_PASSWORD, Provisioning, ServiceConfig, SystemClock, provision};
use guichet_store::{DossierFilter, Store, prelude::*};
use sqlx::{Connection, PgConnection};
use zeroize::Zeroizing;

const CONNECTIONS: usize = 64;

struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

async fn load(store: Store, files: u64, secs: u64) -> Figures {
    let config = ServiceConfig {
        lookups_per_minute: 100_000_000,
        ..ServiceConfig::default()
    };
    let how = Provisioning {
        files,
        seed: 1,
        step: files.max(1),
        progress_bar: true,
    };
    let g = provision(
        store.clone(),
        Arc::new(SystemClock),
        config,
        None,
        how,
        |_, _| {},
    )
    .await
    .unwrap()
    .guichet;
    let app = guichet_server::router(guichet_server::AppState::new(g.clone(), Default::default()))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server =
        tokio::spawn(async move { axum_server::from_tcp(listener).unwrap().serve(app).await });
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();

    // demo.caf: CAF-78, open around the clock, so the figures do not depend on the hour.
    let info = g
        .sign_in("demo.caf", Zeroizing::new(DEMO_PASSWORD.into()), None)
        .await;
    let token = match info {
        Ok(i) => {
            let s = g.authenticate(&i.token, None).await.unwrap();
            g.change_password(
                &s,
                Zeroizing::new(DEMO_PASSWORD.into()),
                Zeroizing::new("Bench-Tulipe-42-Vélo".into()),
            )
            .await
            .unwrap();
            i.token.to_string()
        }
        Err(_) => g
            .sign_in(
                "demo.caf",
                Zeroizing::new("Bench-Tulipe-42-Vélo".into()),
                None,
            )
            .await
            .unwrap()
            .token
            .to_string(),
    };
    let files: Vec<(String, String)> = store
        .dossiers(
            &DossierFilter {
                caisse: Some("CAF-78".into()),
                ..Default::default()
            },
            None,
            2_000,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.nir.expose().to_owned(), d.contact.birth_name.clone()))
        .collect();
    let files = Arc::new(files);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let (client, token, base, files) =
            (client.clone(), token.clone(), base.clone(), files.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            let mut i = c;
            while Instant::now() < deadline {
                let (nir, name) = &files[i % files.len()];
                // One lookup in four with a wrong name: the not-found path costs the same.
                let name = if i % 4 == 0 {
                    "Nomquinexistepas"
                } else {
                    name.as_str()
                };
                let t = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/lookups"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"service": "cdap-t2", "nir": nir, "name": name}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
                i += CONNECTIONS;
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        lat.extend(l);
        errors += e;
    }
    server.abort();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Figures {
        rps: lat.len() as f64 / secs as f64,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        errors,
    }
}

fn print(label: &str, f: &Figures) {
    println!(
        "{label:<28} {:>8.0} lookups/s   p50 {:>6.2} ms   p99 {:>6.2} ms   errors {}",
        f.rps, f.p50_ms, f.p99_ms, f.errors
    );
}

async fn fresh_pg(name: &str) -> Store {
    let admin = guichet_store::testing::postgres_admin_url();
    let mut conn = PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    let store = Store::connect_with_pool(url.as_str(), 32).await.unwrap();
    store.migrate().await.unwrap();
    store
}

#[tokio::main]
async fn main() {
    guichet_server::tls::install_crypto_provider();
    let files: u64 = std::env::var("GUICHET_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let secs: u64 = std::env::var("GUICHET_BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    println!("# Guichet — traced lookups over HTTP, {CONNECTIONS} connections, {secs} s per run");

    let dir = std::env::temp_dir().join(format!("guichet_load_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = Store::connect_with_pool(&format!("sqlite://{}/small.db", dir.display()), 16)
        .await
        .unwrap();
    small.migrate().await.unwrap();
    print(
        "sqlite, 100 000 files",
        &load(small, files.min(100_000), secs).await,
    );
    let big = Store::connect_with_pool(&format!("sqlite://{}/big.db", dir.display()), 16)
        .await
        .unwrap();
    big.migrate().await.unwrap();
    print(
        &format!("sqlite, {files} files"),
        &load(big, files, secs).await,
    );
    let _ = std::fs::remove_dir_all(&dir);

    let pg = load(fresh_pg("guichet_bench_load").await, files, secs).await;
    print(&format!("postgres, {files} files"), &pg);
    if let Some(tps) = std::env::var("PGBENCH_TPS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        println!(
            "pgbench -N, same server          {tps:>8.0} tps      ratio lookups/tps = {:.2}",
            pg.rps / tps
        );
    }

    // Sign-in cost: argon2id with the default parameters, sequentially.
    let store = fresh_pg("guichet_bench_signin").await;
    let g = provision(
        store,
        Arc::new(SystemClock),
        ServiceConfig::default(),
        None,
        Provisioning::files(10, 1),
        |_, _| {},
    )
    .await
    .unwrap()
    .guichet;
    let t = Instant::now();
    for _ in 0..20 {
        g.sign_in("demo.mairie", Zeroizing::new(DEMO_PASSWORD.into()), None)
            .await
            .unwrap();
    }
    println!(
        "sign-in (argon2id 19 MiB, t=2)   {:>8.1} ms each (20 in a row)",
        t.elapsed().as_secs_f64() * 1e3 / 20.0
    );
}
