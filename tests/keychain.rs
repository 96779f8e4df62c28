//! The desktop when its keychain stops answering: a real Secret Service (gnome-keyring,
//! unlocked, on a D-Bus session of the test's own) that is stopped with SIGSTOP while the
//! app runs, the way a hung daemon or a prompt nobody can see leaves it. The sign-in screen
//! must still come up, after one time-out, saying the keychain does not answer, and the
//! user must still be able to sign in; once the daemon answers again, the remembered
//! identifiant is back.
//!
//! The app's keychain is process-wide (keyring's default store, set up from
//! `DBUS_SESSION_BUS_ADDRESS`), so this target has no test harness: run plainly, it starts
//! the bus and the daemon, then runs itself again as the app, in that session's
//! environment.

// A test program without libtest's harness: clippy's allowances for tests do not reach it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use guichet_desktop::app::AppCore;
use guichet_desktop::config::Profile;
use guichet_desktop::error::DesktopError;
use guichet_desktop::ipc::{SignInArgs, StartupView};
use guichet_desktop::keychain::Keychain;
use guichet_service::DEMO_PASSWORD;
use guichet_tests::{PrivateBus, Recorder, bundled_core_with, ten_in_paris};
use zeroize::Zeroizing;

/// Set in the app's process: the PID of the keyring daemon it stops and resumes.
const KEYRING_PID: &str = "GUICHET_TEST_KEYRING_PID";

/// The app's time-out for each keychain call, short to keep the test short.
const TIME_OUT: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    match std::env::var(KEYRING_PID) {
        Ok(pid) => app(&pid),
        Err(_) => session(),
    }
}

/// The private session: a bus, gnome-keyring unlocked on it, then this program again as
/// the app.
fn session() -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    let (home, run) = (dir.path().join("home"), dir.path().join("run"));
    std::fs::create_dir(&home).unwrap();
    std::fs::create_dir(&run).unwrap();
    std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let bus = PrivateBus::start();
    let env = [
        ("DBUS_SESSION_BUS_ADDRESS", OsStr::new(&bus.address)),
        ("HOME", home.as_os_str()),
        ("XDG_RUNTIME_DIR", run.as_os_str()),
        ("XDG_DATA_HOME", home.as_os_str()),
    ];
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon runs (scripts/deps.sh installs gnome-keyring)");
    let mut stdin = keyring.stdin.take().unwrap();
    stdin.write_all(b"guichet-test-keyring").unwrap();
    drop(stdin);
    wait_for_secret_service(&bus.address);

    let status = Command::new(std::env::current_exe().unwrap())
        .envs(env)
        .env(KEYRING_PID, keyring.id().to_string())
        .status()
        .unwrap();
    signal(&keyring.id().to_string(), "CONT");
    let _ = keyring.kill();
    let _ = keyring.wait();
    drop(bus);
    if status.success() {
        ExitCode::SUCCESS
    } else {
        eprintln!("the app's side failed: {status}");
        ExitCode::FAILURE
    }
}

/// Polls until the daemon owns `org.freedesktop.secrets` on the bus.
fn wait_for_secret_service(address: &str) {
    for _ in 0..100 {
        let owned = Command::new("dbus-send")
            .args([
                &format!("--bus={address}"),
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&owned.stdout).contains("true") {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("gnome-keyring never took org.freedesktop.secrets");
}

fn signal(pid: &str, which: &str) {
    let done = Command::new("kill")
        .args([&format!("-{which}"), pid])
        .status()
        .unwrap();
    assert!(done.success(), "kill -{which} {pid}");
}

/// The app, in the private session.
fn app(keyring_pid: &str) -> ExitCode {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            // The whole walk is bounded: a hang is a failure, not a stuck CI.
            tokio::time::timeout(Duration::from_secs(120), walk(keyring_pid))
                .await
                .expect("the walk ends");
        });
    ExitCode::SUCCESS
}

async fn walk(keyring_pid: &str) {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::open(TIME_OUT);
    assert_eq!(keychain.error(), None, "the keychain answers at first");
    let (core, surface, _store) =
        bundled_core_with(dir.path(), ten_in_paris(), 300, keychain).await;

    // It answers: the identifiant is remembered, and a password could be.
    assert!(sign_in(&core, &surface).await.can_remember_password);
    core.sign_out(&surface).await;
    let view = core.startup().await;
    assert_eq!(view.keychain_error, None);
    assert_eq!(remembered(&view).as_deref(), Some("demo.caf"));

    // It stops answering: one time-out, then the sign-in screen, saying so.
    signal(keyring_pid, "STOP");
    let started = tokio::time::Instant::now();
    let view = core.startup().await;
    let first = started.elapsed();
    assert_eq!(
        view.keychain_error,
        Some(DesktopError::KeychainNoAnswer.to_string())
    );
    assert_eq!(remembered(&view), None);
    assert!(
        !view.profiles.iter().any(|p| p.remembered_password),
        "nothing remembered is claimed"
    );
    // The next screens do not wait for it again; signing in still works, remembering
    // nothing.
    let started = tokio::time::Instant::now();
    let again = core.startup().await;
    let second = started.elapsed();
    assert_eq!(again.keychain_error, view.keychain_error);
    let session = sign_in(&core, &surface).await;
    assert!(!session.can_remember_password);
    core.sign_out(&surface).await;
    println!(
        "keychain stopped: first start-up view after {first:?} (time-out {TIME_OUT:?}), \
         the next one after {second:?}"
    );

    // It answers again: the overdue call finishes and the identifiant is back.
    signal(keyring_pid, "CONT");
    let mut view = core.startup().await;
    for _ in 0..100 {
        if view.keychain_error.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        view = core.startup().await;
    }
    assert_eq!(view.keychain_error, None, "the keychain answers again");
    assert_eq!(remembered(&view).as_deref(), Some("demo.caf"));
}

async fn sign_in(core: &AppCore, surface: &Recorder) -> guichet_desktop::ipc::SessionView {
    core.sign_in(
        SignInArgs {
            profile: Profile::demo().name,
            identifiant: "demo.caf".into(),
            password: Zeroizing::new(DEMO_PASSWORD.into()),
            remember_identifiant: true,
            remember_password: false,
        },
        surface,
    )
    .await
    .unwrap()
}

/// The identifiant the start-up view offers for the demo profile.
fn remembered(view: &StartupView) -> Option<String> {
    let demo = Profile::demo().name;
    view.profiles
        .iter()
        .find(|p| p.profile.name == demo)
        .and_then(|p| p.remembered_identifiant.clone())
}
