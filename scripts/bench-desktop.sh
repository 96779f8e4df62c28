#!/usr/bin/env bash
# Desktop figures (`make bench`): the release build, then the real window under Xvfb with a
# real keychain (scripts/e2e.sh), printing binary size, cold start, memory after 100
# lookups and the wipe delay after the idle deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p guichet-desktop --locked --quiet
size=$(stat -c %s target/release/guichet)
stripped=$(mktemp); strip -o "$stripped" target/release/guichet; ssize=$(stat -c %s "$stripped"); rm -f "$stripped"
awk -v a="$size" -v b="$ssize" 'BEGIN { printf "binaire release : %.1f Mio (%.1f Mio sans symboles)\n", a/1048576, b/1048576 }'
scripts/e2e.sh bench_window --release 2>&1 | grep -E '^(binaire|démarrage|première|mémoire|recherche|effacement|test result)'
