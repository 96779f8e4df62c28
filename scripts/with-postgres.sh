#!/usr/bin/env bash
# Runs a command with a PostgreSQL server reachable at $GUICHET_TEST_POSTGRES_URL.
# Uses the server that answers at that URL (default 127.0.0.1:5432, user postgres); where
# none answers, starts a throwaway one (initdb in a temporary folder, a free port) and stops
# it afterwards. The test database `guichet_test` is dropped first, so every run starts clean.
set -euo pipefail

url="${GUICHET_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
own_dir=""

stop_own() {
  if [ -n "$own_dir" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$own_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$own_dir"
  fi
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! pg_isready -q -d "$url" -t 3; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pg_bin" ]; then
    echo "PostgreSQL ne répond pas à $url et n'est pas installé (scripts/deps.sh l'installe)." >&2
    exit 1
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  own_dir=$(mktemp -d /tmp/guichet-pg.XXXXXX)
  chmod 755 "$own_dir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$own_dir"
  trap stop_own EXIT
  echo "PostgreSQL ne répond pas à $url : démarrage d'un serveur temporaire sur le port $port" >&2
  as_pg "$pg_bin/initdb" -D "$own_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$own_dir/data" -l "$own_dir/log" -w \
    -o "-p $port -k $own_dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  url="postgres://postgres@127.0.0.1:$port/postgres"
fi

export GUICHET_TEST_POSTGRES_URL="$url"
PGOPTIONS='-c client_min_messages=warning' psql "$url" -qX -c 'DROP DATABASE IF EXISTS guichet_test WITH (FORCE)' >/dev/null
"$@"
