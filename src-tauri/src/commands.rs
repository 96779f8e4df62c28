//! The Tauri side: window, commands (one per operation), the watchdog loop, OS lock and
//! sleep hooks, and the [`Surface`] of the real window.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use guichet_core::manage::{ManageCall, ManageReply};
use guichet_core::wire::{
    ChangePasswordRequest, ErrorBody, LookupRequest, LookupResponse, Violation,
};
use tauri::{AppHandle, Emitter, Manager, State, WebviewUrl, WebviewWindowBuilder};

use crate::app::{self, AppCore, CLIPBOARD_TTL, Surface, WATCHDOG_PERIOD};
use crate::clipboard::OsClipboard;
use crate::config::Profile;
use crate::ipc::{
    DemoFile, HoursView, NirCheck, PrepareProgress, SessionView, SignInArgs, StartupView,
};
use crate::watchdog::Tick;
use crate::{Args, ipc_names, keychain, oslock};

type Core<'a> = State<'a, Arc<AppCore>>;
type Result<T> = std::result::Result<T, ErrorBody>;

const MAIN: &str = "main";

/// The real window.
struct Window(AppHandle);

impl Surface for Window {
    fn reload(&self) {
        if let Some(w) = self.0.get_webview_window(MAIN) {
            let _ = w.reload();
        }
    }
    fn clipboard_text(&self) -> Option<String> {
        self.0.state::<OsClipboard>().text()
    }
    fn set_clipboard_text(&self, text: &str) -> bool {
        self.0.state::<OsClipboard>().set_secret_text(text)
    }
    fn clear_clipboard(&self) {
        self.0.state::<OsClipboard>().clear();
    }
    fn watchdog(&self, tick: Tick) {
        let _ = self.0.emit(ipc_names::EVENT_WATCHDOG, tick);
    }
    fn prepare_progress(&self, progress: PrepareProgress) {
        let _ = self.0.emit(ipc_names::EVENT_PREPARE_PROGRESS, progress);
    }
}

#[tauri::command]
async fn startup(core: Core<'_>) -> Result<StartupView> {
    Ok(core.startup().await)
}

#[tauri::command]
async fn prepare(core: Core<'_>, app: AppHandle, profile: String) -> Result<()> {
    core.prepare(&profile, &Window(app)).await.map(drop)
}

#[tauri::command]
async fn sign_in(core: Core<'_>, app: AppHandle, args: SignInArgs) -> Result<SessionView> {
    core.sign_in(args, &Window(app)).await
}

#[tauri::command]
async fn change_password(
    core: Core<'_>,
    app: AppHandle,
    request: ChangePasswordRequest,
) -> Result<SessionView> {
    core.change_password(request.current_password, request.new_password, &Window(app))
        .await
}

#[tauri::command]
async fn check_password(
    core: Core<'_>,
    candidate: String,
    identifiant: String,
) -> Result<Vec<Violation>> {
    let candidate = zeroize::Zeroizing::new(candidate);
    Ok(core.check_password(&candidate, &identifiant).await)
}

#[tauri::command]
fn check_nir(nir: String) -> NirCheck {
    let nir = zeroize::Zeroizing::new(nir);
    app::check_nir(&nir)
}

#[tauri::command]
async fn lookup(core: Core<'_>, app: AppHandle, request: LookupRequest) -> Result<LookupResponse> {
    core.lookup(request, &Window(app)).await
}

/// Issue 23: every management operation (see `guichet_core::manage`).
#[tauri::command]
async fn manage(core: Core<'_>, app: AppHandle, call: ManageCall) -> Result<ManageReply> {
    core.manage(call, &Window(app)).await
}

/// The countdown's "Rester connecté": the deadline moves here and on the server.
#[tauri::command]
async fn keep_alive(core: Core<'_>, app: AppHandle) -> Result<()> {
    core.keep_alive(&Window(app)).await
}

#[tauri::command]
async fn demo_files(core: Core<'_>, service: String) -> Result<Vec<DemoFile>> {
    core.demo_files(&service).await
}

#[tauri::command]
async fn hours(core: Core<'_>, service: String) -> Result<HoursView> {
    core.hours(&service).await
}

/// User input (throttled by the page): moves the idle deadline, and tells the server now
/// and then (see `AppCore::keep_alive`).
#[tauri::command]
async fn activity(core: Core<'_>, app: AppHandle) -> Result<()> {
    core.activity();
    if core.contact_due() {
        core.keep_alive(&Window(app)).await?;
    }
    Ok(())
}

#[tauri::command]
async fn sign_out(core: Core<'_>, app: AppHandle) -> Result<()> {
    core.sign_out(&Window(app)).await;
    Ok(())
}

/// Copies a value shown on screen (a NIR); cleared after 30 s if still there.
#[tauri::command]
async fn copy_text(core: Core<'_>, app: AppHandle, text: String) -> Result<()> {
    let text = zeroize::Zeroizing::new(text);
    let digest = core.copy(&text, &Window(app.clone())).await?;
    let core = core.inner().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(CLIPBOARD_TTL).await;
        core.clear_copied(Some(digest), &Window(app));
    });
    Ok(())
}

#[tauri::command]
async fn save_profile(core: Core<'_>, profile: Profile) -> Result<()> {
    core.save_profile(profile).await
}

#[tauri::command]
async fn delete_profile(core: Core<'_>, name: String) -> Result<()> {
    core.delete_profile(&name).await
}

#[tauri::command]
async fn forget_credentials(core: Core<'_>, profile: String) -> Result<()> {
    core.forget_credentials(&profile).await
}

/// The idle watchdog of the window, on its own task for the app's lifetime.
fn spawn_watchdog(core: Arc<AppCore>, app: AppHandle) {
    tauri::async_runtime::spawn(async move { core.watch(&Window(app), WATCHDOG_PERIOD).await });
}

/// Wipes when the OS session locks or the machine goes to sleep; on wake-up the watchdog's
/// next tick fires at once if the deadline passed meanwhile (it runs on the wall clock).
/// Wipes on the OS's lock and sleep signals (R-16, src/oslock.rs). Called from the app's
/// set-up, on the main thread, where macOS's observers must be added.
fn spawn_os_hooks(core: Arc<AppCore>, app: AppHandle) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    #[cfg(windows)]
    if let Err(step) = oslock::windows::start(tx.clone()) {
        tracing::warn!(step, "verrouillage et veille de Windows non suivis");
    }
    #[cfg(target_os = "macos")]
    oslock::macos::start(tx.clone());
    tauri::async_runtime::spawn(async move {
        let buses = oslock::Buses::connect().await;
        let watcher = oslock::Watcher::subscribe(&buses).await;
        tauri::async_runtime::spawn(watcher.forward(tx));
        core.follow_os_events(rx, &Window(app)).await;
    });
}

/// WebKitGTK cannot automate an ephemeral web context: when WebDriver drives the window
/// (`TAURI_WEBVIEW_AUTOMATION=true`, which Tauri itself reads to allow automation: the
/// end-to-end tests, including those of the installed package), the webview keeps its data
/// in the app's data folder instead, where the tests search it for anything personal.
/// Otherwise it is always ephemeral.
fn webdriver_data_dir(core: &AppCore) -> Option<std::path::PathBuf> {
    let automated = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    automated.then(|| core.settings().data_dir.join("webview-webdriver"))
}

pub fn run_app() -> ExitCode {
    // before any thread or secret exists; the failure is logged once logging is up.
    let core_dumps = guichet_service::forbid_core_dumps();
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GUICHET_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = core_dumps {
        tracing::warn!(error = %e, "les fichiers core restent possibles");
    }
    guichet_client::install_crypto_provider();
    // The keychain's set-up is tried once, bounded in time; its failure sticks for the
    // process.
    let keychain = keychain::Keychain::open(keychain::CALL_TIMEOUT);
    let core = crate::core(args.settings(), keychain);

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window(MAIN) {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .manage(OsClipboard::default())
        .manage(core.clone())
        .invoke_handler(tauri::generate_handler![
            startup,
            prepare,
            sign_in,
            change_password,
            check_password,
            check_nir,
            lookup,
            hours,
            activity,
            sign_out,
            copy_text,
            save_profile,
            delete_profile,
            forget_credentials,
            keep_alive,
            demo_files,
            manage,
        ])
        .setup(move |app| {
            // No cache or storage on disk (incognito: an ephemeral web context), screen
            // capture refused where the OS supports it, no devtools in release.
            let window = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
                .title("Guichet")
                .inner_size(1120.0, 780.0)
                .min_inner_size(760.0, 560.0)
                .content_protected(true)
                .devtools(cfg!(debug_assertions));
            let window = match webdriver_data_dir(&core) {
                Some(dir) => window.data_directory(dir),
                None => window.incognito(true),
            };
            window.build()?;
            spawn_watchdog(core.clone(), app.handle().clone());
            spawn_os_hooks(core.clone(), app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "l'application n'a pas pu démarrer");
            ExitCode::FAILURE
        }
    }
}
