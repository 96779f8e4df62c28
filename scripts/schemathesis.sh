#!/usr/bin/env bash
# The API against its own contract: an independent validator (openapi-spec-validator, PyPI)
# checks that the served /openapi.json is a valid OpenAPI document, then property-based
# testing (schemathesis) generates requests from it and checks every answer against it.
# Bounded: SCHEMATHESIS_EXAMPLES per operation.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.tools/venv
if [ ! -x "$venv/bin/schemathesis" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis>=4,<5" \
    "openapi-spec-validator>=0.7,<0.8"
fi

# The features of the test build (`cargo test --workspace --all-features`), so that this
# build is the one the tests reuse, not a second one.
cargo build -q --workspace --all-features --locked
bin=target/debug/guichet-server
work=$(mktemp -d /tmp/guichet-st.XXXXXX)
db="sqlite://$work/st.db"
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

GUICHET_DATABASE_URL=$db $bin seed --files 300 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GUICHET_DATABASE_URL=$db GUICHET_LOG=warn $bin serve --listen 127.0.0.1:$port --lookups-per-minute 100000 2>"$work/server.log" &
server=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done

curl -sf "$base/openapi.json" -o "$work/openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

# A session ready for lookups: demo.creche with its password changed.
ready() {
  local token
  token=$(curl -sf -X POST "$base/api/v1/sessions" -H 'content-type: application/json' \
    -d "{\"identifiant\":\"$1\",\"password\":\"Demo-Guichet-2026!\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  curl -sf -X PUT "$base/api/v1/sessions/current/password" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' \
    -d '{"current_password":"Demo-Guichet-2026!","new_password":"Tulipe-Rouge-42-Velo"}'
  echo "$token"
}

st() {
  "$venv/bin/schemathesis" run "$base/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed 1 --no-color "$@"
}

# Every operation but the password change, with one session…
st --exclude-path /api/v1/sessions/current --exclude-method DELETE \
  --exclude-path /api/v1/sessions/current/password \
  -H "Authorization: Bearer $(ready demo.creche)"
# …and the password change with another: its wrong guesses lock the account and end the
# session (R-13), which would turn every later call into a 401.
st --include-path /api/v1/sessions/current/password \
  -H "Authorization: Bearer $(ready demo.mairie)"
# …and the caisse operators' routes (issue 23) with an operator's session: MSA d'Alsace, whose
# partners are caisse-managed, so that registering a user, resetting a password, granting
# and the statistics answer for real, every method included.
st --include-path-regex '^/api/v1/caisse/' \
  -H "Authorization: Bearer $(ready demo.operateur.msa)"
