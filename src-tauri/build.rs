//! Tauri's build step, with the app's own commands declared: each gets an `allow-…`
//! permission, and the window may call only those its capability lists
//! (capabilities/default.json).
#[allow(clippy::print_stderr)]
fn main() {
    let commands = &[
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
    ];
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build: {e:#}");
        std::process::exit(1);
    }
}
