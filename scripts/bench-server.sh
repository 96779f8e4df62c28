#!/usr/bin/env bash
# Server benchmark: pgbench -N on the PostgreSQL server the benchmark uses, then the load
# program, which prints traced lookups/s next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
url=${GUICHET_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pgdb=${url%/*}/guichet_pgbench
psql "$url" -qX -c 'DROP DATABASE IF EXISTS guichet_pgbench WITH (FORCE)' -c 'CREATE DATABASE guichet_pgbench' >/dev/null
pgbench -q -i -s 10 "$pgdb" >/dev/null 2>&1
tps=$(pgbench -N -c 64 -j 2 -T "${GUICHET_BENCH_SECONDS:-10}" "$pgdb" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
echo "pgbench -N -c 64 -j 2: $tps tps"
PGBENCH_TPS=$tps cargo bench -p guichet-tests --bench load --locked
