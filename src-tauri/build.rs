//! Tauri's build step, with the app's own commands declared: each gets an `allow-…`
//! permission, and the window may call only those its capability lists
//! (capabilities/default.json).

#[allow(dead_code)]
mod names {
    include!("src/ipc_names.rs");
}

#[allow(clippy::print_stderr)]
fn main() {
    println!("cargo::rerun-if-changed=src/ipc_names.rs");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(names::COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build: {e:#}");
        std::process::exit(1);
    }
}
