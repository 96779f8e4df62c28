#!/usr/bin/env bash
# Installs what Guichet's build and tests need on Debian 12, and only what is missing, so
# that running it twice costs a few dpkg queries. Usage: scripts/deps.sh [test|run|bench]
set -euo pipefail

packages=(build-essential pkg-config libssl-dev postgresql postgresql-client postgresql-contrib ca-certificates curl python3-venv
  # the desktop app (Tauri 2 on WebKitGTK) and its end-to-end tests: Xvfb, WebKitWebDriver,
  # a Secret Service keychain in a throwaway D-Bus session, Chromium for the accessibility run,
  # xclip to read the clipboard's formats
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
  libayatana-appindicator3-dev libdbus-1-dev xvfb xauth webkit2gtk-driver dbus dbus-x11
  gnome-keyring libsecret-tools chromium xclip
  # packaging (make package, make test): lintian, rpm to read the .rpm, and the Windows
  # build's linker
  lintian rpm gcc-mingw-w64-x86-64
  # Windows, offline (make test): Wine runs the Windows tests, exes and installers; wixl and
  # msibuild (msitools) and makensis (nsis) make the MSI and the setup exe; osslsigncode signs
  wine wine64 msitools wixl nsis osslsigncode
  # make bench: the load generator, a process of its own beside the server
  wrk)
# Node.js and npm build the UI; Debian's packages only where the machine has none.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installation des paquets manquants : ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "cargo est dans ~/.cargo/bin mais pas dans le PATH : export PATH=\$HOME/.cargo/bin:\$PATH" >&2
  else
    echo "Rust (cargo) est introuvable : installez la chaîne stable avec rustup." >&2
  fi
  exit 1
fi
grep -q '^clippy' <<<"$(rustup component list --installed 2>/dev/null)" || rustup component add clippy rustfmt >/dev/null 2>&1 || true
for target in x86_64-pc-windows-gnu aarch64-apple-darwin; do
  grep -qx "$target" <<<"$(rustup target list --installed 2>/dev/null)" || rustup target add "$target" >/dev/null
done
