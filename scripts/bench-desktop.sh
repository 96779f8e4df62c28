#!/usr/bin/env bash
# Desktop figures (`make bench`): the size of the release binary, then the same release
# build with the `webdriver` feature (WebKitGTK can only automate a persistent web context)
# driven under Xvfb with a real keychain (scripts/e2e.sh): cold start, first sign-in with
# the bundled database's creation, memory after 100 lookups, wipe delay after the deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p guichet-desktop --locked --quiet
size=$(stat -c %s target/release/guichet)
stripped=$(mktemp)
strip -o "$stripped" target/release/guichet
ssize=$(stat -c %s "$stripped")
rm -f "$stripped"
awk -v a="$size" -v b="$ssize" 'BEGIN { printf "binaire release : %.1f Mio (%.1f Mio sans symboles)\n", a/1048576, b/1048576 }'
cargo build --release -p guichet-desktop --features webdriver --locked --quiet
cp target/release/guichet target/release/guichet-webdriver
# Leave the shipped binary (without the feature) in place for `make run`.
cargo build --release -p guichet-desktop --locked --quiet
GUICHET_BIN=$PWD/target/release/guichet-webdriver scripts/e2e.sh bench_window 2>&1 |
  grep -E '^(binaire|démarrage|première|mémoire|recherche|effacement|test result)'
