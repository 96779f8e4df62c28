//! Guichet's desktop counter (Tauri 2). The commands are thin: every operation lives in
//! [`app::AppCore`], which the tests drive without a window.

pub mod app;
pub mod backend;
pub mod clipboard;
pub mod config;
pub mod error;
pub mod ipc;
/// The names of the commands and events that cross the IPC boundary (one list, also read by
/// build.rs).
pub mod ipc_names;
pub mod keychain;
pub mod os_policy;
pub mod oslock;
pub mod qf_grid;
pub mod watchdog;

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;

pub use commands::run_app;

/// Command line of `guichet` (each flag also from the environment).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "guichet",
    version,
    about = "Guichet : consultation des dossiers allocataires"
)]
pub struct Args {
    /// Data folder (bundled database, profiles). Default: the OS app-data folder.
    #[arg(long, env = "GUICHET_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// An extra machine policy, on top of the one at the OS policy location (always read):
    /// it can only add restrictions. Named but missing or unreadable: nothing is allowed.
    #[arg(long, env = "GUICHET_POLICY")]
    pub policy: Option<PathBuf>,
    /// End-to-end tests only (a build with the `webdriver` feature, driven by WebDriver):
    /// stands in for the OS policy location, so that the tests play IT without writing to
    /// /etc. A shipped build has no such flag.
    #[cfg(feature = "webdriver")]
    #[arg(long, hide = true)]
    pub e2e_system_policy: Option<PathBuf>,
    /// Synthetic files of the bundled database, on its first start.
    #[arg(long, env = "GUICHET_DEMO_FILES", default_value_t = backend::BUNDLED_FILES)]
    pub demo_files: u64,
}

impl Args {
    pub fn settings(&self) -> app::Settings {
        app::Settings {
            data_dir: self
                .data_dir
                .clone()
                .unwrap_or_else(config::default_data_dir),
            policy: self.policy_sources(),
            bundled_files: self.demo_files,
        }
    }

    fn policy_sources(&self) -> config::PolicySources {
        #[allow(unused_mut)]
        let mut sources = config::PolicySources::system(self.policy.clone());
        #[cfg(feature = "webdriver")]
        if let Some(system) = &self.e2e_system_policy
            && std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
        {
            sources.system = system.clone();
        }
        sources
    }
}

/// Shared by the app and the tests.
pub fn core(settings: app::Settings, keychain: keychain::Keychain) -> Arc<app::AppCore> {
    Arc::new(app::AppCore::new(
        settings,
        Arc::new(guichet_service::SystemClock),
        keychain,
    ))
}
