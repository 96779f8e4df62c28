//! What the cross-crate suites share: a recording [`Surface`], a guichet-server on a
//! loopback TLS socket with a CA made for the test, files picked by outcome, the binaries
//! of the workspace, and the WebDriver helpers ([`window`]).
#![allow(
    dead_code,
    missing_debug_implementations,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use guichet_core::LookupOutcome;
use guichet_core::dossier::Dossier;
use guichet_desktop::app::Surface;
use guichet_desktop::ipc::PrepareProgress;
use guichet_desktop::watchdog::Tick;
use guichet_service::{Clock, Guichet, ManualClock, SampleQuery, ServiceConfig, sample_files};
use guichet_store::Store;

pub mod window;

pub use guichet_service::testing::NEW_PASSWORD;

/// A binary of the workspace, built next to the running test (`target/<profile>/<name>`):
/// `cargo test --workspace` builds the server's; the desktop's comes from
/// `cargo build --workspace --all-features` (scripts/e2e.sh).
pub fn workspace_bin(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let mut dir = exe.parent().expect("a folder").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let bin = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build --workspace --all-features` first",
        bin.display()
    );
    bin
}

/// The desktop app's binary, as a string for WebDriver's capabilities.
/// The desktop app's binary: `GUICHET_BIN` when set (a release or installed build), else
/// this profile's.
pub fn guichet_bin() -> String {
    std::env::var("GUICHET_BIN").unwrap_or_else(|_| workspace_bin("guichet").display().to_string())
}

/// 10:00 in Paris on a Monday: every caisse is open.
pub fn ten_in_paris() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(guichet_service::testing::t0()))
}

/// The machine policy at `dir/policy.toml` (standing in for the system location), `extra`
/// on top, the files trusted when owned by whoever runs the tests.
pub fn policy_sources(dir: &Path, extra: Option<&Path>) -> guichet_desktop::config::PolicySources {
    guichet_desktop::config::PolicySources {
        system: dir.join("policy.toml"),
        extra: extra.map(Path::to_path_buf),
        trusted_owner: trusted_owner(dir),
        os_managed: false,
    }
}

/// Unix: whoever runs the tests.
#[cfg(unix)]
fn trusted_owner(_dir: &Path) -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Windows: any id but root's makes the app trust the user the tests run as (beside SYSTEM,
/// Administrators and TrustedInstaller), as the Unix tests trust their own uid.
#[cfg(windows)]
fn trusted_owner(_dir: &Path) -> u32 {
    1
}

/// What the app asked of its window.
#[derive(Default)]
pub struct Recorder {
    pub reloads: AtomicUsize,
    pub clipboard: Mutex<Option<String>>,
    pub ticks: Mutex<Vec<Tick>>,
    pub progress: Mutex<Vec<PrepareProgress>>,
}

impl Recorder {
    pub fn reloads(&self) -> usize {
        self.reloads.load(Ordering::SeqCst)
    }
}

impl Surface for Recorder {
    fn reload(&self) {
        self.reloads.fetch_add(1, Ordering::SeqCst);
    }
    fn clipboard_text(&self) -> Option<String> {
        self.clipboard.lock().unwrap().clone()
    }
    fn set_clipboard_text(&self, text: &str) -> bool {
        *self.clipboard.lock().unwrap() = Some(text.to_owned());
        true
    }
    fn clear_clipboard(&self) {
        *self.clipboard.lock().unwrap() = None;
    }
    fn watchdog(&self, tick: Tick) {
        self.ticks.lock().unwrap().push(tick);
    }
    fn prepare_progress(&self, progress: PrepareProgress) {
        self.progress.lock().unwrap().push(progress);
    }
}

/// A guichet-server on `https://localhost:PORT`, its certificate issued by a CA of its own.
pub struct TlsServer {
    pub url: String,
    /// PEM of the CA that issued the server's certificate (what a policy's `extra_ca_pem`
    /// points to).
    pub ca_pem: String,
    pub guichet: Guichet,
    pub store: Store,
    task: tokio::task::JoinHandle<()>,
    _db: Option<guichet_store::testing::TestDb>,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A CA and a certificate for `localhost` and 127.0.0.1 issued by it: (ca, cert, key) PEMs.
pub fn test_pki() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Guichet test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

/// Starts a seeded server (SQLite, `files` synthetic files, demo accounts) on loopback TLS.
pub async fn tls_server(clock: Arc<dyn Clock>, files: u64, dir: &Path) -> TlsServer {
    let db = guichet_store::testing::sqlite().await;
    let guichet = guichet_service::provision(
        db.store.clone(),
        clock,
        ServiceConfig::fast_for_tests(),
        None,
        guichet_service::Provisioning {
            files,
            seed: 7,
            step: files.max(1),
            progress_bar: false,
        },
        |_, _| {},
    )
    .await
    .unwrap()
    .guichet;
    serve_tls(guichet, Some(db), dir).await
}

/// Serves `guichet` on a loopback TLS socket with a certificate from a CA made for the
/// test, whose files go to `dir`; `db`, when given, lives as long as the server.
pub async fn serve_tls(
    guichet: Guichet,
    db: Option<guichet_store::testing::TestDb>,
    dir: &Path,
) -> TlsServer {
    let (ca, cert, key) = test_pki();
    let (cert_path, key_path) = (dir.join("server-cert.pem"), dir.join("server-key.pem"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    guichet_server::tls::install_crypto_provider();
    let tls = guichet_server::tls::rustls_config(&cert_path, &key_path)
        .await
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = guichet_server::router(guichet_server::AppState::new(
        guichet.clone(),
        Default::default(),
    ))
    .into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        let _ = axum_server::from_tcp_rustls(listener, tls)
            .unwrap()
            .serve(app)
            .await;
    });
    TlsServer {
        url: format!("https://localhost:{port}"),
        ca_pem: ca,
        store: guichet.store().clone(),
        guichet,
        task,
        _db: db,
    }
}

/// The first synthetic file of `caisse` (and `departement`) that `service` would answer
/// with `outcome`.
pub async fn file(
    store: &Store,
    caisse: &str,
    departement: Option<&str>,
    service: &str,
    outcome: LookupOutcome,
    today: NaiveDate,
) -> Dossier {
    try_file(store, caisse, departement, service, outcome, today)
        .await
        .unwrap_or_else(|| panic!("no {outcome:?} file in {caisse} for {service}"))
}

/// [`file`], or `None` when the database has no such file.
pub async fn try_file(
    store: &Store,
    caisse: &str,
    departement: Option<&str>,
    service: &str,
    outcome: LookupOutcome,
    today: NaiveDate,
) -> Option<Dossier> {
    let query = SampleQuery {
        caisse: Some(caisse.into()),
        departement: departement.map(Into::into),
        outcome: Some(outcome),
        service: Some(service.into()),
        count: 1,
    };
    sample_files(store, &query, today).await.unwrap().pop()
}

/// The settings of a desktop app whose data folder is `dir/data` and whose machine policy
/// is `dir/policy.toml`.
pub fn desktop_settings(dir: &Path, bundled_files: u64) -> guichet_desktop::app::Settings {
    guichet_desktop::app::Settings {
        data_dir: dir.join("data"),
        policy: policy_sources(dir, None),
        bundled_files,
    }
}

/// The desktop's core in `dir` with no keychain, its demo profile prepared: the bundled
/// backend seeded with `files` synthetic files. Returns the core, the surface it reported
/// to, and the bundled database.
pub async fn bundled_core(
    dir: &Path,
    clock: Arc<ManualClock>,
    files: u64,
) -> (guichet_desktop::app::AppCore, Recorder, Store) {
    let none = guichet_desktop::keychain::Keychain::unusable(
        guichet_desktop::error::DesktopError::KeychainUnavailable,
    );
    bundled_core_with(dir, clock, files, none).await
}

/// [`bundled_core`] with `keychain`.
pub async fn bundled_core_with(
    dir: &Path,
    clock: Arc<ManualClock>,
    files: u64,
    keychain: guichet_desktop::keychain::Keychain,
) -> (guichet_desktop::app::AppCore, Recorder, Store) {
    use guichet_desktop::backend::Backend;

    let core = guichet_desktop::app::AppCore::new(desktop_settings(dir, files), clock, keychain);
    let surface = Recorder::default();
    let profile = guichet_desktop::config::Profile::demo().name;
    let Backend::Bundled(guichet) = core.prepare(&profile, &surface).await.unwrap() else {
        panic!("the demo profile is the bundled backend");
    };
    let store = guichet.store().clone();
    (core, surface, store)
}

/// A `dbus-daemon` of the test's own, killed when dropped.
pub struct PrivateBus {
    child: std::process::Child,
    pub address: String,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        use std::io::BufRead;
        let mut child = std::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (scripts/deps.sh installs dbus)");
        let stdout = child.stdout.take().unwrap();
        // Read on a thread of its own: a daemon that never prints must not hang the test.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let address = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_default()
            .trim()
            .to_owned();
        let mut bus = PrivateBus { child, address };
        assert!(!bus.address.is_empty(), "dbus-daemon printed no address");
        assert!(bus.child.try_wait().unwrap().is_none());
        bus
    }

    pub fn connect(&self, names: &[&'static str]) -> zbus::connection::Builder<'static> {
        let mut builder = zbus::connection::Builder::address(self.address.as_str()).unwrap();
        for name in names {
            builder = builder.name(*name).unwrap();
        }
        builder
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
