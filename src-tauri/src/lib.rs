//! Guichet's desktop counter (Tauri 2). The commands are thin: every operation lives in
//! [`app::AppCore`], which the tests drive without a window.

pub mod app;
pub mod backend;
pub mod config;
pub mod ipc;
pub mod keychain;
pub mod oslock;
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
    /// Machine policy file. Default: the OS policy location.
    #[arg(long, env = "GUICHET_POLICY")]
    pub policy: Option<PathBuf>,
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
            policy_path: self
                .policy
                .clone()
                .unwrap_or_else(config::default_policy_path),
            bundled_files: self.demo_files,
        }
    }
}

/// Shared by the app and the tests.
pub fn core(settings: app::Settings, keychain_error: Option<String>) -> Arc<app::AppCore> {
    Arc::new(app::AppCore::new(
        settings,
        Arc::new(guichet_service::SystemClock),
        keychain_error,
    ))
}
