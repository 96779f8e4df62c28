//! The `guichet-server` process under faults: SIGKILL under load loses no answered trace
//! SIGTERM drains and exits 0, a PostgreSQL restart is answered 503 and recovered.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use guichet_core::ErrorCode;
use guichet_service::DEMO_PASSWORD;

fn bin() -> std::path::PathBuf {
    guichet_tests::workspace_bin("guichet-server")
}

fn run(db: &str, args: &[&str]) -> Output {
    Command::new(bin())
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_serve(db: &str, port: u16) -> Child {
    Command::new(bin())
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
    assert!(
        healthy_within(client, base, 200).await,
        "server did not start"
    );
}

/// Whether `/health` answers 200 within `tries` tries, 50 ms apart.
async fn healthy_within(client: &reqwest::Client, base: &str, tries: u32) -> bool {
    for _ in 0..tries {
        if client
            .get(format!("{base}/health"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
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
    let answers = rt.block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &base).await;
        let token = http_ready(&client, &base).await;
        let load = std::sync::Arc::new(Load::default());
        let tasks = lookup_load(&client, &base, &token, 8, &load);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        load.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let answered: Vec<&Answered> = answers.iter().filter(|a| a.1 == 200).collect();
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
    let traced = traced_request_ids(&db);
    let missing = answered.iter().filter(|a| !traced.contains(&a.0)).count();
    assert_eq!(missing, 0, "answered lookups without a trace");
    assert!(ok(&db, &["audit", "verify"]).contains("intègre"));
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}

/// Signs demo.caf in over HTTP and changes its password; returns the token.
async fn http_ready(client: &reqwest::Client, base: &str) -> String {
    let s: serde_json::Value = client
        .post(format!("{base}/api/v1/sessions"))
        .json(&serde_json::json!({"identifiant": "demo.caf", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = s["token"].as_str().unwrap().to_owned();
    let r = client
        .put(format!("{base}/api/v1/sessions/current/password"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"current_password": DEMO_PASSWORD, "new_password": "Tulipe-Rouge-42-Vélo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    token
}

/// One lookup answer of the load: (request id, status, error code, rank among all answers).
type Answered = (String, u16, String, usize);

/// What the load's workers share: a stop flag and the count of answers so far.
#[derive(Default)]
struct Load {
    stop: std::sync::atomic::AtomicBool,
    answers: std::sync::atomic::AtomicUsize,
    ok: std::sync::atomic::AtomicUsize,
}

/// `workers` clients looking files up until `load.stop` is set; every answer is kept.
fn lookup_load(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    workers: usize,
    load: &std::sync::Arc<Load>,
) -> Vec<tokio::task::JoinHandle<Vec<Answered>>> {
    (0..workers)
        .map(|w| {
            let (client, token, base, load) =
                (client.clone(), token.to_owned(), base.to_owned(), load.clone());
            tokio::spawn(async move {
                let mut answers = Vec::new();
                let mut i = 0;
                while !load.stop.load(std::sync::atomic::Ordering::SeqCst) {
                    i += 1;
                    let id = format!("w{w}-{i}");
                    let r = client
                        .post(format!("{base}/api/v1/lookups"))
                        .bearer_auth(&token)
                        .header("request-id", &id)
                        .json(&serde_json::json!({"service": "cdap-t2", "nir": "1 85 05 78 006 084 91", "name": "Dupont"}))
                        .send()
                        .await;
                    match r {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let body: serde_json::Value = r.json().await.unwrap_or_default();
                            let code = body["code"].as_str().unwrap_or_default().to_owned();
                            let rank = load.answers.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            if status == 200 {
                                load.ok.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                            answers.push((id, status, code, rank));
                        }
                        Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
                answers
            })
        })
        .collect()
}

/// The Request-Ids of demo.caf's traced lookups.
fn traced_request_ids(db: &str) -> std::collections::HashSet<String> {
    ok(db, &["audit", "export", "--user", "demo.caf"])
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|t| {
            t["record"]["detail"]
                .as_str()
                .and_then(|d| d.strip_prefix("request_id="))
                .map(str::to_owned)
        })
        .collect()
}

/// SIGTERM, as systemd sends it: the server stops accepting, finishes what is in flight,
/// commits its traces and exits 0 by itself; every lookup answered 200 has its trace.
fn sigterm_drains_and_exits_zero(db: &str) {
    ok(db, &["seed", "--files", "300"]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn_serve(db, port);
    guichet_server::tls::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let answers = rt.block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &base).await;
        let token = http_ready(&client, &base).await;
        // the serving process cannot leave a core file of its memory.
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        assert_eq!(
            core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
            ["0", "0"],
            "{core}"
        );
        let load = std::sync::Arc::new(Load::default());
        let tasks = lookup_load(&client, &base, &token, 8, &load);
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let term = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let mut status = None;
        for _ in 0..600 {
            if let Some(s) = child.try_wait().unwrap() {
                status = Some(s);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        load.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let status = status.expect("the server exits by itself after SIGTERM");
        assert_eq!(status.code(), Some(0), "a drained stop is a clean exit");
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let ok_ids: Vec<_> = answers
        .iter()
        .filter(|a| a.1 == 200)
        .map(|a| a.0.clone())
        .collect();
    assert!(
        ok_ids.len() > 20,
        "load ran: {} lookups answered",
        ok_ids.len()
    );
    assert!(
        answers.iter().all(|a| a.1 == 200),
        "nothing in flight was cut: {:?}",
        answers.iter().find(|a| a.1 != 200)
    );
    let traced = traced_request_ids(db);
    let missing = ok_ids.iter().filter(|id| !traced.contains(*id)).count();
    assert_eq!(missing, 0, "answered lookups without a trace");
    assert!(ok(db, &["audit", "verify"]).contains("intègre"));
    // `serve` purges at start (then daily), traced under its own name.
    let purges = ok(db, &["audit", "export", "--user", "purge quotidienne"]);
    assert!(purges.contains("purge traces="), "{purges}");
}

#[test]
fn sigterm_drains_and_exits_zero_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    sigterm_drains_and_exits_zero(&format!(
        "sqlite://{}",
        dir.path().join("term.db").display()
    ));
}

#[test]
fn sigterm_drains_and_exits_zero_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(guichet_store::testing::postgres());
    sigterm_drains_and_exits_zero(&db.url);
}

/// A PostgreSQL server of the test's own, in a temporary folder on a free port, that the
/// test can stop and start again.
struct ThrowawayPostgres {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl ThrowawayPostgres {
    fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries in /usr/lib/postgresql (scripts/deps.sh installs them)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("initdb");
        let dir = tempfile::Builder::new()
            .prefix("guichet-pg")
            .tempdir()
            .unwrap();
        let pg = ThrowawayPostgres {
            bin,
            dir,
            port: free_port(),
        };
        if is_root() {
            // PostgreSQL refuses to run as root: its folder goes to the postgres user.
            assert!(
                Command::new("chown")
                    .arg("postgres")
                    .arg(pg.dir.path())
                    .status()
                    .unwrap()
                    .success()
            );
        }
        pg.run(
            "initdb",
            &[
                "-D",
                &pg.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        );
        pg.ctl("start");
        pg
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        match action {
            "start" => self.run(
                "pg_ctl",
                &[
                    "-D",
                    &self.data(),
                    "-l",
                    &log,
                    "-w",
                    "-o",
                    &options,
                    "start",
                ],
            ),
            _ => self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]),
        }
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .output()
        } else {
            Command::new(&exe).args(args).output()
        };
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// The database goes away under load and comes back: meanwhile the server answers `503`
/// (never `500`), it recovers by itself, and no lookup answered `200` lacks its trace.
#[test]
fn postgres_restart_under_load_answers_503_and_recovers() {
    let pg = ThrowawayPostgres::start();
    let db = pg.url();
    ok(&db, &["seed", "--files", "300"]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn_serve(&db, port);
    guichet_server::tls::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (answers, recovered_at) = rt.block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &base).await;
        let token = http_ready(&client, &base).await;
        let load = std::sync::Arc::new(Load::default());
        let tasks = lookup_load(&client, &base, &token, 8, &load);
        tokio::time::sleep(Duration::from_millis(1000)).await;
        pg.ctl("stop");
        let health = client.get(format!("{base}/health")).send().await.unwrap();
        assert_eq!(health.status(), 503, "health says the database is gone");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        pg.ctl("start");
        // Recovery, by itself: health, then lookups, back to 200.
        assert!(
            healthy_within(&client, &base, 600).await,
            "health back to 200 after the restart"
        );
        let recovered_at = load.answers.load(std::sync::atomic::Ordering::SeqCst);
        let ok_then = load.ok.load(std::sync::atomic::Ordering::SeqCst);
        for _ in 0..600 {
            if load.ok.load(std::sync::atomic::Ordering::SeqCst) >= ok_then + 50 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        load.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        (all, recovered_at)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let failed: Vec<&Answered> = answers.iter().filter(|a| a.1 != 200).collect();
    assert!(
        failed
            .iter()
            .all(|a| a.1 == 503 && a.2 == ErrorCode::Unavailable.as_str()),
        "every failure is 503 unavailable, never 500: {:?}",
        failed
            .iter()
            .find(|a| !(a.1 == 503 && a.2 == ErrorCode::Unavailable.as_str()))
    );
    assert!(!failed.is_empty(), "the outage was seen");
    let after = answers
        .iter()
        .filter(|a| a.3 > recovered_at && a.1 == 200)
        .count();
    assert!(
        after >= 50,
        "lookups answered again after the restart: {after}"
    );
    let all: Vec<&Answered> = answers.iter().collect();
    let traced = traced_request_ids(&db);
    let missing: Vec<_> = all
        .iter()
        .filter(|a| a.1 == 200 && !traced.contains(&a.0))
        .collect();
    assert!(
        missing.is_empty(),
        "{} answered lookups without a trace",
        missing.len()
    );
    assert!(ok(&db, &["audit", "verify"]).contains("intègre"));
}
