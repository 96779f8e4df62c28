#!/usr/bin/env bash
# make test's Windows part, offline, under Wine (scripts/wine-runner.sh is cargo's runner for
# x86_64-pc-windows-gnu):
#   1. the Windows code's own tests: guichet-os (registry, session window, owner and DACL),
#      the desktop's library (group policy and policy folder at start-up, the session
#      window reaching the wipe decision, Credential Manager) and the desktop's contract
#      suite on the bundled backend (AppCore without a window, lock and suspend wiping);
#   2. guichet-server.exe on a seeded SQLite database, signed into and looked up over HTTP
#      from Linux, the lookup traced and nothing personal in its output;
#   3. the MSI and the setup exe installed, upgraded, refused and removed
#      (scripts/windows-install-test.sh).
# The Windows build profile is `cross` (Makefile WINDOWS_PROFILE), shared with `make windows`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=x86_64-pc-windows-gnu
profile=${WINDOWS_PROFILE:-cross}
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$root/scripts/wine-runner.sh"
export GUICHET_WINEPREFIX="$root/target/wine"
cargo=${CARGO:-cargo}
fail() { echo "windows-test : ÉCHEC : $*" >&2; exit 1; }
t0=$SECONDS
lap() { echo "windows-test : $1 en $((SECONDS - t0)) s" >&2; t0=$SECONDS; }

# 1. The Windows tests, in the prefix target/wine (made on first use).
$cargo test --target $target --profile "$profile" --locked \
  -p guichet-os -p guichet-desktop --lib
$cargo test --target $target --profile "$profile" --locked -p guichet-tests --test contract
lap "tests Windows (guichet-os, bureau, contrat sur le moteur embarqué)"

# 2. The server exe, as a caisse would run it on Windows Server, driven from Linux.
$cargo build --target $target --profile "$profile" --locked -p guichet-server
server="$root/target/$target/$profile/guichet-server.exe"
work=$(mktemp -d "$root/target/wine-server.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port/api/v1"
pid=
stop() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap stop EXIT
cd "$work"
# Wine passes the environment on; the database is a path relative to the working folder.
export GUICHET_DATABASE_URL="sqlite://guichet.db"
"$root/scripts/wine-runner.sh" "$server" seed --files 300 >seed.log 2>&1 || fail "seed : $(tail -3 seed.log)"
# R-18: the demo caisse answers at any hour, so that the lookup is not refused at night.
"$root/scripts/wine-runner.sh" "$server" admin caisse set MSA-ALSACE --hours 24/7 >>seed.log 2>&1 ||
  fail "horaires : $(tail -3 seed.log)"
sample=$("$root/scripts/wine-runner.sh" "$server" sample --count 1 --caisse MSA-ALSACE --outcome found --service psu)
"$root/scripts/wine-runner.sh" "$server" serve --listen "127.0.0.1:$port" >server.log 2>&1 &
pid=$!
for _ in $(seq 150); do curl -sf "$base/health" >/dev/null && break; sleep 0.2; done
curl -sf "$base/health" >/dev/null || fail "le serveur ne répond pas : $(tail -5 server.log)"

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
call() { # method path [token] [body]: prints the body, fails on an HTTP error
  local out code
  out=$(mktemp)
  code=$(curl -s -o "$out" -w '%{http_code}' -X "$1" "$base$2" -H 'content-type: application/json' \
    ${3:+-H "authorization: Bearer $3"} ${4:+--data-binary @-} <<<"${4:-}")
  cat "$out"; rm -f "$out"
  case "$code" in 2??) ;; *) echo >&2; fail "$1 $2 : HTTP $code" ;; esac
}
password='Demo-Guichet-2026!'
new='Tulipe-Rouge-42-Velo-Windows'
token=$(call POST /sessions "" "{\"identifiant\":\"demo.creche\",\"password\":\"$password\"}" | json "['token']")
call PUT /sessions/current/password "$token" \
  "{\"current_password\":\"$password\",\"new_password\":\"$new\"}" >/dev/null
nir=$(json "['nir']" <<<"$sample")
name=$(json "['birth_name']" <<<"$sample")
answer=$(call POST /lookups "$token" "{\"service\":\"psu\",\"nir\":\"$nir\",\"name\":\"$name\"}")
outcome=$(json "['outcome']" <<<"$answer")
[ "$outcome" = found ] || fail "consultation : « $outcome » au lieu de « found »"
traces=$(call GET /me/traces "$token")
python3 - "$traces" <<'PY' || fail "la consultation n'est pas tracée : $traces"
import json, sys
page = json.loads(sys.argv[1])
entries = page["entries"] if isinstance(page, dict) else page
assert any(e["kind"] == "lookup" and e.get("service") == "psu" and e["outcome"] == "found" for e in entries), entries
PY
# A wrong password is refused with its stable code.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/sessions" -H 'content-type: application/json' \
  --data '{"identifiant":"demo.creche","password":"faux"}')
[ "$code" = 401 ] || fail "mauvais mot de passe : HTTP $code"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
# Nothing personal in what the server printed (NIR, name, password, token).
for secret in "$nir" "$name" "$new" "$token"; do
  ! grep -qF -- "$secret" server.log seed.log || fail "donnée personnelle ou secret dans la sortie du serveur"
done
cd "$root"
lap "guichet-server.exe : connexion, consultation tracée (HTTP depuis Linux)"

# 3. The installers.
scripts/windows-install-test.sh
lap "installateurs MSI et NSIS sous Wine"
