// Included by build.rs as well as compiled into the crate: plain items only (no inner
// attributes or `use`), so that `include!` accepts it.

/// The app's own Tauri commands, the one list: build.rs declares a permission for each, the
/// capability allows each, `commands.rs` registers each, and the generated `ipc.ts` carries
/// them as the `Command` const that the UI's invoke wrappers use (tests check all four).
pub const COMMANDS: &[&str] = &[
    "startup",
    "prepare",
    "sign_in",
    "change_password",
    "check_password",
    "check_nir",
    "lookup",
    "hours",
    "activity",
    "sign_out",
    "copy_text",
    "save_profile",
    "delete_profile",
    "forget_credentials",
    "keep_alive",
    "demo_files",
    "manage",
];

/// The idle watchdog's tick, every second (payload `Tick`).
pub const EVENT_WATCHDOG: &str = "watchdog";
/// The bundled database's first-start progress (payload `PrepareProgress`).
pub const EVENT_PREPARE_PROGRESS: &str = "prepare-progress";
/// Every event the Rust side emits to the window.
pub const EVENTS: &[&str] = &[EVENT_WATCHDOG, EVENT_PREPARE_PROGRESS];
