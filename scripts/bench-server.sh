#!/usr/bin/env bash
# Server benchmark (make bench): traced lookups measured from outside by wrk against
# `guichet-server serve` on SQLite and PostgreSQL, beside pgbench -N on the same PostgreSQL
# (scripts/bench_lookups.py), then the sign-in cost.
# GUICHET_BENCH_FILES: database sizes, comma-separated (default 100000; `make bench-growth`
# adds 10 000 000); GUICHET_BENCH_SECONDS: length of each run (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p guichet-server --locked --quiet
python3 scripts/bench_lookups.py --server target/release/guichet-server \
  --files "${GUICHET_BENCH_FILES:-100000}" --seconds "${GUICHET_BENCH_SECONDS:-10}"
cargo bench -p guichet-tests --bench signin --locked
