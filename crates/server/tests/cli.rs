//! The `guichet-server` binary: every command of the contract on SQLite and PostgreSQL,
//! and a crash test (SIGKILL under load) that checks no answered lookup lost its trace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use guichet_service::DEMO_PASSWORD;

const BIN: &str = env!("CARGO_BIN_EXE_guichet-server");

fn run(db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("GUICHET_DATABASE_URL", db)
        .env("GUICHET_OPERATOR", "agent.test")
        .env_remove("GUICHET_CONFIG")
        .output()
        .unwrap()
}

fn ok(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn commands(db: &str) {
    ok(db, &["migrate"]);
    let seeded = ok(db, &["seed", "--files", "300", "--seed", "5"]);
    assert!(
        seeded.contains("300 dossiers écrits") && seeded.contains("demo.creche"),
        "{seeded}"
    );
    ok(
        db,
        &[
            "admin",
            "partner",
            "add",
            "--tiers",
            "T-9",
            "--name",
            "Mairie d'Autun",
            "--kind",
            "commune",
        ],
    );
    assert!(ok(db, &["admin", "partner", "list"]).contains("T-9\tcommune\tactive\tMairie d'Autun"));
    assert!(
        fails(
            db,
            &[
                "admin", "partner", "add", "--tiers", "T-9", "--name", "x", "--kind", "commune"
            ]
        )
        .contains("Existe déjà")
    );
    assert!(
        fails(
            db,
            &[
                "admin", "partner", "add", "--tiers", "T-10", "--name", "x", "--kind", "zoo"
            ]
        )
        .contains("eaje")
    );
    ok(
        db,
        &[
            "admin",
            "convention",
            "add",
            "--partner",
            "T-9",
            "--caisse",
            "MSA-BOURGOGNE",
            "--service",
            "qf",
            "--departements",
            "71",
            "--number",
            "QF-71-1",
            "--starts",
            "2026-01-01",
        ],
    );
    assert!(
        fails(
            db,
            &[
                "admin",
                "convention",
                "add",
                "--partner",
                "T-9",
                "--caisse",
                "MSA-BOURGOGNE",
                "--service",
                "qf",
                "--departements",
                "67"
            ]
        )
        .contains("département 67")
    );
    let added = ok(
        db,
        &[
            "admin",
            "user",
            "add",
            "--partner",
            "T-9",
            "--identifiant",
            "l.roy",
            "--name",
            "Léa Roy",
            "--email",
            "lea.roy@autun.example",
            "--service",
            "qf",
        ],
    );
    let temp = added.lines().last().unwrap();
    assert_eq!(
        temp.len(),
        19,
        "the temporary password alone on the last line"
    );
    let reset = ok(db, &["admin", "user", "reset-password", "l.roy"]);
    assert_ne!(reset.lines().last().unwrap(), temp);
    assert!(
        ok(db, &["admin", "user", "list", "--partner", "T-9"])
            .contains("l.roy\tactive\tmot de passe provisoire")
    );
    ok(db, &["admin", "user", "suspend", "l.roy"]);
    ok(db, &["admin", "user", "reactivate", "l.roy"]);
    ok(db, &["admin", "user", "deactivate", "l.roy"]);
    assert!(fails(db, &["admin", "user", "suspend", "personne"]).contains("Introuvable"));
    ok(db, &["admin", "convention", "suspend", "QF-71-1"]);
    ok(db, &["admin", "convention", "reactivate", "QF-71-1"]);
    ok(db, &["admin", "convention", "terminate", "QF-71-1"]);
    ok(
        db,
        &["admin", "service", "set", "qf", "--idle-timeout", "600"],
    );
    assert!(
        fails(
            db,
            &["admin", "service", "set", "qf", "--idle-timeout", "7200"]
        )
        .contains("1800")
    );
    ok(
        db,
        &[
            "admin",
            "caisse",
            "set",
            "MSA-CORSE",
            "--hours",
            "06:00-22:00",
        ],
    );
    assert!(
        fails(
            db,
            &["admin", "caisse", "set", "MSA-CORSE", "--hours", "6h-22h"]
        )
        .contains("HH:MM")
    );

    let sample = ok(
        db,
        &[
            "sample",
            "--count",
            "3",
            "--outcome",
            "found",
            "--service",
            "psu",
            "--caisse",
            "MSA-ALSACE",
        ],
    );
    let lines: Vec<serde_json::Value> = sample
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert_eq!(l["caisse"], "MSA-ALSACE");
        assert_eq!(l["opposition"], false);
        assert!(guichet_core::Nir::parse(l["nir"].as_str().unwrap()).is_ok());
    }
    let opposed = ok(db, &["sample", "--count", "2", "--outcome", "opposition"]);
    assert!(opposed.lines().all(|l| l.contains("\"opposition\":true")));

    let verify = ok(db, &["audit", "verify"]);
    assert!(verify.contains("chaîne de traces intègre"), "{verify}");
    let export = ok(db, &["audit", "export", "--user", "agent.test"]);
    assert!(export.lines().count() >= 10, "admin actions are traced");
    ok(db, &["audit", "flags", "--since", "2026-01-01"]);
    let now = guichet_service::Clock::now(&guichet_service::SystemClock);
    let month = now
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m")
        .to_string();
    assert!(ok(db, &["stats", "--month", &month]).contains("\"kind\":\"admin\""));
    assert!(fails(db, &["stats", "--month", "2026-13"]).contains("AAAA-MM"));
    assert!(ok(db, &["purge"]).contains("purgé"));
    // no plain HTTP off loopback.
    assert!(fails(db, &["serve", "--listen", "0.0.0.0:0"]).contains("HTTP sans TLS refusé"));
}

#[test]
fn every_command_on_sqlite() {
    let path = std::env::temp_dir().join(format!("guichet-cli-{}.db", std::process::id()));
    let db = format!("sqlite://{}", path.display());
    commands(&db);
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}

#[test]
fn every_command_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(guichet_store::testing::postgres());
    commands(&db.url);
}

#[test]
fn bad_urls_and_real_databases_are_refused() {
    assert!(fails("mysql://x", &["migrate"]).contains("non prise en charge"));
    assert!(fails("postgres://postgres@127.0.0.1:1/x", &["migrate"]).contains("injoignable"));
    let path = std::env::temp_dir().join(format!("guichet-real-{}.db", std::process::id()));
    let db = format!("sqlite://{}", path.display());
    ok(&db, &["migrate"]);
    assert!(fails(&db, &["sample"]).contains("pas synthétique"));
    let _ = std::fs::remove_file(&path);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_serve(db: &str, port: u16) -> Child {
    Command::new(BIN)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--lookups-per-minute",
            "1000000",
        ])
        .env("GUICHET_DATABASE_URL", db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_healthy(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if client
            .get(format!("{base}/health"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not start");
}

/// Kills the server with SIGKILL while lookups are in flight; after a restart every lookup
/// that was answered 200 has its trace (found by its Request-Id) and the chain verifies.
#[test]
fn r19_sigkill_under_load_loses_no_answered_trace() {
    let path = std::env::temp_dir().join(format!("guichet-fault-{}.db", std::process::id()));
    let db = format!("sqlite://{}", path.display());
    ok(&db, &["seed", "--files", "500"]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn_serve(&db, port);
    guichet_server::tls::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let answered = rt.block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &base).await;
        let s: serde_json::Value = client
            .post(format!("{base}/api/v1/sessions"))
            .json(&serde_json::json!({"identifiant": "demo.caf", "password": DEMO_PASSWORD}))
            .send().await.unwrap().json().await.unwrap();
        let token = s["token"].as_str().unwrap().to_owned();
        let r = client
            .put(format!("{base}/api/v1/sessions/current/password"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"current_password": DEMO_PASSWORD, "new_password": "Tulipe-Rouge-42-Vélo"}))
            .send().await.unwrap();
        assert_eq!(r.status(), 204);
        let mut tasks = Vec::new();
        for w in 0..8 {
            let (client, token, base) = (client.clone(), token.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok_ids = Vec::new();
                for i in 0..10_000 {
                    let id = format!("w{w}-{i}");
                    let r = client
                        .post(format!("{base}/api/v1/lookups"))
                        .bearer_auth(&token)
                        .header("request-id", &id)
                        .json(&serde_json::json!({"service": "cdap-t2", "nir": "1 85 05 78 006 084 91", "name": "Dupont"}))
                        .send()
                        .await;
                    match r {
                        Ok(r) if r.status() == 200 => ok_ids.push(id),
                        Ok(_) => {}
                        Err(_) => break, // the server is gone
                    }
                }
                ok_ids
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    assert!(
        answered.len() > 20,
        "load ran: {} lookups answered",
        answered.len()
    );

    // Restart on the same database: it opens, answers, and every answered lookup is there.
    let port = free_port();
    let mut child = spawn_serve(&db, port);
    rt.block_on(wait_healthy(
        &reqwest::Client::new(),
        &format!("http://127.0.0.1:{port}"),
    ));
    child.kill().unwrap();
    child.wait().unwrap();
    let export = ok(&db, &["audit", "export", "--user", "demo.caf"]);
    let traced: std::collections::HashSet<String> = export
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|t| {
            t["record"]["detail"]
                .as_str()
                .map(|d| d.trim_start_matches("request_id=").to_owned())
        })
        .collect();
    let missing: Vec<_> = answered.iter().filter(|id| !traced.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} answered lookups without a trace",
        missing.len()
    );
    assert!(ok(&db, &["audit", "verify"]).contains("intègre"));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}
