#!/usr/bin/env bash
# `make package`: the desktop's .deb and .rpm through the Tauri bundler (tauri-cli from the
# UI's npm lock), and guichet-server's .deb with its systemd unit (installer/linux/), all
# built offline from the lock files into target/packages/.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
out=target/packages
rm -rf "$out"
mkdir -p "$out"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# What the bundler takes from target/package-staging (tauri.conf.json, bundle.linux):
# the compressed changelog and manual page.
staging=target/package-staging
mkdir -p "$staging"
gzip -9n <installer/linux/changelog >"$staging/changelog.gz"
gzip -9n <installer/linux/guichet.1 >"$staging/guichet.1.gz"

# The desktop: the release binary (no test feature) with the UI of ui/dist embedded,
# bundled with its .desktop entry, icons, documentation and lintian overrides.
ui/node_modules/.bin/tauri build --ci --bundles deb,rpm -- --locked
cp target/release/bundle/deb/*_"$version"_*.deb target/release/bundle/rpm/*-"$version"-*.rpm "$out/"

# The server.
cargo build --release -p guichet-server --locked --quiet
installer/linux/build-server-deb.sh "$version" target/release/guichet-server "$out" >/dev/null

echo "Paquets dans $out :"
ls -l "$out"
