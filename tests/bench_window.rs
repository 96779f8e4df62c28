//! Figures of the desktop app (`make bench`: scripts/bench-desktop.sh runs this target
//! through scripts/e2e.sh with `GUICHET_BIN` set to the release binary):
//! release binary size, cold start to the sign-in screen, first sign-in with the bundled
//! database's creation, memory after 100 lookups through the window, and the delay between
//! the idle deadline and the wipe. Prints figures; asserts only that the flows worked.
// The real app runs on the wall clock: these tests wait and measure on it too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::disallowed_methods
)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fantoccini::Locator;
use guichet_core::LookupOutcome;
use guichet_desktop::app::{AppCore, Settings, Surface, WATCHDOG_PERIOD};
use guichet_desktop::config::Profile;
use guichet_desktop::ipc::{PrepareProgress, SignInArgs};
use guichet_desktop::watchdog::Tick;
use guichet_service::{DEMO_PASSWORD, SampleQuery, SystemClock, sample_files};
use guichet_store::Store;
use guichet_tests::NEW_PASSWORD;
use guichet_tests::window::{self, click, type_into, wait_for};
use zeroize::Zeroizing;

/// The binary measured: the release build when `GUICHET_BIN` says so, else this profile's.
fn binary() -> String {
    guichet_tests::guichet_bin()
}

/// The measured binary on a fresh data folder, under the machine's own policy (none on a
/// bench machine).
async fn launch(data: &std::path::Path) -> fantoccini::Client {
    let args = ["--data-dir", data.to_str().unwrap()];
    window::launch(&binary(), &args).await
}

async fn wait(client: &fantoccini::Client, xpath: &str, timeout: Duration) {
    wait_for(client, Locator::XPath(xpath), timeout).await;
}

/// Resident memory (KiB) of the app and the WebKit processes it started.
fn rss_kib() -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let dir = entry.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        let comm = comm.trim();
        let ours = comm == "guichet"
            || comm.starts_with("WebKitWebProces")
            || comm.starts_with("WebKitNetworkPr");
        if !ours {
            continue;
        }
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        if let Some(kib) = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        {
            total += kib;
        }
    }
    total
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The window: cold start, first sign-in (database creation), 100 lookups.
async fn window_figures() {
    println!("binaire mesuré : {}", binary());
    let mut starts = Vec::new();
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let t = Instant::now();
        let client = launch(&data).await;
        wait(
            &client,
            "//button[normalize-space()='Se connecter']",
            Duration::from_secs(30),
        )
        .await;
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        client.close().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    println!(
        "démarrage à froid jusqu'à l'écran de connexion (WebDriver compris) : médiane {:.0} ms, min {:.0}, max {:.0}",
        median(starts.clone()),
        starts.iter().copied().fold(f64::INFINITY, f64::min),
        starts.iter().copied().fold(0.0, f64::max)
    );

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let client = launch(&data).await;
    type_into(&client, "Identifiant", "demo.caf").await;
    type_into(&client, "Mot de passe", DEMO_PASSWORD).await;
    let t = Instant::now();
    click(&client, "Se connecter").await;
    wait(
        &client,
        "//*[@id=(//label[normalize-space()='Nouveau mot de passe'])[1]/@for]",
        Duration::from_secs(120),
    )
    .await;
    println!(
        "première connexion, base intégrée de {} dossiers créée : {:.1} s",
        guichet_desktop::backend::BUNDLED_FILES,
        t.elapsed().as_secs_f64()
    );
    type_into(&client, "Mot de passe actuel", DEMO_PASSWORD).await;
    type_into(&client, "Nouveau mot de passe", NEW_PASSWORD).await;
    type_into(&client, "Confirmer le mot de passe", NEW_PASSWORD).await;
    click(&client, "Changer le mot de passe").await;
    wait(&client, "//*[@id='nir']", Duration::from_secs(30)).await;

    let store = Store::open(&format!(
        "sqlite://{}",
        data.join(guichet_desktop::backend::BUNDLED_DB).display()
    ))
    .await
    .unwrap();
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let files = sample_files(
        &store,
        &SampleQuery {
            caisse: Some("CAF-78".into()),
            outcome: Some(LookupOutcome::Found),
            service: Some("cdap-t2".into()),
            count: 100,
            ..SampleQuery::default()
        },
        today,
    )
    .await
    .unwrap();
    assert_eq!(files.len(), 100);
    let before = rss_kib();
    // The service allows 60 lookups a minute per user (bundled backend included): paced.
    let mut pace = tokio::time::interval(Duration::from_millis(1_100));
    let mut busy = Duration::ZERO;
    for d in &files {
        pace.tick().await;
        let start = Instant::now();
        click(&client, "Effacer").await;
        type_into(&client, "NIR", d.nir.expose()).await;
        type_into(&client, "Nom de famille", &d.contact.birth_name).await;
        click(&client, "Rechercher").await;
        wait(
            &client,
            "//*[@id='result-title'][normalize-space()='Dossier trouvé']",
            Duration::from_secs(20),
        )
        .await;
        busy += start.elapsed();
    }
    let per_lookup = busy.as_secs_f64() * 1000.0 / files.len() as f64;
    let after = rss_kib();
    println!(
        "mémoire (guichet + processus WebKit) : {:.0} Mio après la connexion, {:.0} Mio après 100 recherches ({:+.1} Mio)",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after as f64 - before as f64) / 1024.0
    );
    println!("recherche saisie et affichée par WebDriver : {per_lookup:.0} ms en moyenne");
    client.close().await.unwrap();
    store.close().await;
}

/// When each wipe happened, on the wall clock.
#[derive(Default)]
struct Stopwatch(Mutex<Vec<DateTime<Utc>>>);

impl Surface for Stopwatch {
    fn reload(&self) {
        self.0.lock().unwrap().push(Utc::now());
    }
    fn clipboard_text(&self) -> Option<String> {
        None
    }
    fn set_clipboard_text(&self, _: &str) -> bool {
        false
    }
    fn clear_clipboard(&self) {}
    fn watchdog(&self, _: Tick) {}
    fn prepare_progress(&self, _: PrepareProgress) {}
}

/// The real watchdog loop on the wall clock, the bundled backend, an idle delay of 1 s
/// (machine policy): how long after the deadline the wipe (revocation included) is done.
async fn wipe_delay() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.toml"), "idle_timeout_secs = 1\n").unwrap();
    let core = Arc::new(AppCore::new(
        Settings {
            data_dir: dir.path().join("data"),
            policy: guichet_tests::policy_sources(dir.path(), None),
            bundled_files: 500,
        },
        Arc::new(SystemClock),
        guichet_desktop::keychain::Keychain::unusable(
            guichet_desktop::error::DesktopError::KeychainUnavailable,
        ),
    ));
    let window = Arc::new(Stopwatch::default());
    let (c, w) = (core.clone(), window.clone());
    let task = tokio::spawn(async move { c.watch(w.as_ref(), WATCHDOG_PERIOD).await });
    let args = |password: &str| SignInArgs {
        profile: Profile::demo().name,
        identifiant: "demo.caf".into(),
        password: Zeroizing::new(password.into()),
        remember_identifiant: false,
        remember_password: false,
    };
    core.sign_in(args(DEMO_PASSWORD), window.as_ref())
        .await
        .unwrap();
    core.change_password(
        Zeroizing::new(DEMO_PASSWORD.into()),
        Zeroizing::new(NEW_PASSWORD.into()),
        window.as_ref(),
    )
    .await
    .unwrap();
    window.0.lock().unwrap().clear();
    let mut delays = Vec::new();
    for _ in 0..20 {
        let n = window.0.lock().unwrap().len();
        if !core.signed_in().await {
            core.sign_in(args(NEW_PASSWORD), window.as_ref())
                .await
                .unwrap();
        }
        let deadline = core.deadline().unwrap();
        while window.0.lock().unwrap().len() == n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let wiped = *window.0.lock().unwrap().last().unwrap();
        delays.push((wiped - deadline).num_microseconds().unwrap() as f64 / 1000.0);
    }
    task.abort();
    println!(
        "effacement après l'échéance d'inactivité (20 essais, tic de {} ms) : médiane {:.0} ms, max {:.0} ms",
        WATCHDOG_PERIOD.as_millis(),
        median(delays.clone()),
        delays.iter().copied().fold(0.0, f64::max)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_figures() {
    wipe_delay().await;
    window_figures().await;
}
