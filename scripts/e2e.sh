#!/usr/bin/env bash
# End-to-end tests of the real app window (TESTING.md): a throwaway D-Bus session with an
# unlocked gnome-keyring (the Secret Service the keyring crate talks to), Xvfb, tauri-driver
# over WebKitWebDriver, then `cargo test --test e2e`. HOME is a temporary folder, so the
# test can search every file the app wrote there.
# Usage: scripts/e2e.sh [TEST-TARGET]   (default: e2e; bench_window for make bench)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup} CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export PATH="$CARGO_HOME/bin:$PATH"
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --quiet

target=${1:-e2e}
# Build first, outside the throwaway HOME (cargo's caches stay where they are): the app's
# binary (with its `webdriver` feature) and the test, from the tests crate.
cargo build --workspace --all-features --locked --quiet
cargo test --workspace --all-features --test "$target" --locked --no-run --quiet

tmp=$(mktemp -d /tmp/guichet-e2e.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -m700 "$tmp/run" "$tmp/home"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
native_port=$(free_port)
export TAURI_DRIVER_URL=http://127.0.0.1:$port
# The app's own crates log at TRACE; what they write (through tauri-driver) is searched
# for personal data by the test.
export GUICHET_LOG=guichet_desktop=trace,guichet_client=trace,guichet_service=trace,guichet_store=trace,info
export E2E_DRIVER_LOG=$tmp/driver.log
export E2E_ROOT=$root E2E_TMP=$tmp E2E_TARGET=$target E2E_PORT=$port E2E_NATIVE_PORT=$native_port
env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" \
  XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache" XDG_RUNTIME_DIR="$tmp/run" \
  timeout 900 dbus-run-session -- bash -c '
    set -euo pipefail
    before=$(pgrep -x gnome-keyring-d || true)
    printf %s "guichet-e2e-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    keyring_pids=$(pgrep -x gnome-keyring-d | grep -vxF "${before:-none}" || true)
    for _ in $(seq 100); do
      owned=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null || true)
      grep -q true <<<"$owned" && break
      sleep 0.1
    done
    # A daemon whose bus closes lingers: it is killed by its PID.
    cleanup() { kill $keyring_pids 2>/dev/null || true; }
    trap cleanup EXIT
    xvfb-run -a -s "-screen 0 1280x900x24" bash -c "
      tauri-driver --port $E2E_PORT --native-port $E2E_NATIVE_PORT >\"$E2E_DRIVER_LOG\" 2>&1 &
      for _ in \$(seq 100); do curl -sf http://127.0.0.1:$E2E_PORT/status >/dev/null 2>&1 && break; sleep 0.1; done
      cd \"$E2E_ROOT\" && cargo test --workspace --all-features --test \"$E2E_TARGET\" --locked -- --nocapture
      status=\$?
      # A failure in CI leaves no file behind: the end of the app log goes with it.
      if [ \$status -ne 0 ]; then
        echo \"== the last lines of the app log (tauri-driver, $E2E_DRIVER_LOG)\" >&2
        tail -n 60 \"$E2E_DRIVER_LOG\" >&2 || true
      fi
      kill %1 2>/dev/null || true
      exit \$status
    "
  '
