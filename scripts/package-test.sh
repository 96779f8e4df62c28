#!/usr/bin/env bash
# The packages of `make package`, installed on this machine (Debian 12; root or sudo):
# lintian on each, the desktop .deb installed and driven through its real window
# (scripts/e2e.sh against /usr/bin/guichet, under a policy in /etc/guichet/policy.toml
# that pins a remote profile), then removed with nothing of it left; the server .deb
# installed, its unit verified, the server started as its user the way the unit does,
# one sign-in, then removed. Leaves the machine as it found it.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
pkgs=target/packages
desktop=$(ls "$pkgs"/*_amd64.deb | grep -v guichet-server)
server=$(ls "$pkgs"/guichet-server_*_amd64.deb)
rpm=$(ls "$pkgs"/*.x86_64.rpm)
fail() { echo "ÉCHEC : $*" >&2; exit 1; }

echo "== lintian: no error, no warning"
lintian --fail-on error,warning --tag-display-limit 0 "$desktop" "$server"

echo "== sizes and contents"
size=$(stat -c %s "$desktop")
echo "$(basename "$desktop"): $((size / 1024)) KiB; $(basename "$rpm"): $(($(stat -c %s "$rpm") / 1024)) KiB; $(basename "$server"): $(($(stat -c %s "$server") / 1024)) KiB"
((size < 15 * 1024 * 1024)) || fail "le paquet du poste dépasse 15 Mo"
# The list is read whole first: `rpm … | grep -q` under pipefail fails whenever grep stops
# reading before rpm has written its last line (SIGPIPE), as it did in CI.
rpm_files=$(rpm -qpl "$rpm")
grep -qx /usr/bin/guichet <<<"$rpm_files" || fail "/usr/bin/guichet absent du .rpm"
grep -q '/usr/share/applications/.*\.desktop$' <<<"$rpm_files" || fail "entrée .desktop absente du .rpm"
name=$(dpkg-deb -f "$desktop" Package)
deb_files=$(dpkg-deb -c "$desktop")
grep -Eq ' (\./)?usr/share/applications/.*\.desktop$' <<<"$deb_files" || fail "entrée .desktop absente"
grep -Eq ' (\./)?usr/share/icons/hicolor/128x128/apps/' <<<"$deb_files" || fail "icônes absentes"

echo "== desktop: install, real window, removal"
# Anything a previous, interrupted run left.
$sudo dpkg --purge "$name" guichet-server >/dev/null 2>&1 || true
$sudo dpkg -i "$desktop"
files=$(dpkg -L "$name" | while read -r f; do [ -d "$f" ] || echo "$f"; done)
[ -x /usr/bin/guichet ] || fail "/usr/bin/guichet non installé"
owner=$(dpkg -S /usr/bin/guichet)
grep -q "^$name:" <<<"$owner" || fail "/usr/bin/guichet n'appartient pas au paquet"
$sudo install -d -m 0755 /etc/guichet
GUICHET_BIN=/usr/bin/guichet E2E_INSTALLED=1 scripts/e2e.sh
[ ! -e /etc/guichet/policy.toml ] || fail "la politique du test est restée"
$sudo dpkg -r "$name"
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done || true)
[ -z "$left" ] || fail "restent après dpkg -r : $left"
status=$(dpkg-query -W -f '${db:Status-Status}' "$name" 2>/dev/null || echo not-installed)
case $status in not-installed | config-files) ;; *) fail "état après dpkg -r : $status" ;; esac
$sudo dpkg --purge "$name" >/dev/null 2>&1
echo "retiré : aucun des $(echo "$files" | wc -l) fichiers du paquet ne reste"

echo "== server: install, unit, start as its user, sign-in"
$sudo dpkg -i "$server"
unit=/lib/systemd/system/guichet-server.service
systemd-analyze verify "$unit"
key=/etc/guichet/trace.key
[ "$(stat -c '%a %U' "$key")" = "600 guichet" ] || fail "clé de traces : $(stat -c '%a %U' "$key")"
[ "$(stat -c '%a %U' /var/lib/guichet)" = "750 guichet" ] || fail "/var/lib/guichet : $(stat -c '%a %U' /var/lib/guichet)"
# Issue 22: the configuration (it may name a database password) is not world-readable.
[ "$(stat -c '%a %U %G' /etc/guichet/server.toml)" = "640 root guichet" ] ||
  fail "server.toml : $(stat -c '%a %U %G' /etc/guichet/server.toml)"
# The unit's own user, working directory, umask and command line.
field() { sed -n "s/^$1=//p" "$unit" | tail -1; }
user=$(field User)
read -r -a exec_start <<<"$(field ExecStart)"
config=/etc/guichet/server.toml
as_service() {
  (cd "$(field WorkingDirectory)" && umask "$(field UMask)" &&
    $sudo setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs \
      --inh-caps=-all --bounding-set=-all -- "$@")
}
first=agent.paquet
# A new installation's first steps (README.Debian): the catalogue, the caisse, its agent.
as_service /usr/bin/guichet-server --config "$config" admin service catalogue
as_service /usr/bin/guichet-server --config "$config" admin caisse add CAF-78 \
  --name "CAF des Yvelines" --departements 78 --hours 24/7
temporary=$(as_service /usr/bin/guichet-server --config "$config" admin operator add --caisse CAF-78 \
  --identifiant "$first" --name "Agent Paquet" --email agent.paquet@caf78.example | tail -1)
as_service "${exec_start[@]}" >/tmp/guichet-server-package.log 2>&1 &
pid=$!
stop_server() {
  $sudo pkill -TERM -u guichet -x guichet-server 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:8443/api/v1/health >/dev/null && break; sleep 0.2; done
answer=$(curl -s -o /tmp/guichet-sign-in.json -w '%{http_code}' -X POST http://127.0.0.1:8443/api/v1/sessions \
  -H 'content-type: application/json' \
  --data @- <<<"{\"identifiant\":\"$first\",\"password\":\"$temporary\"}")
[ "$answer" = 200 ] || [ "$answer" = 201 ] || fail "connexion : HTTP $answer $(cat /tmp/guichet-sign-in.json)"
grep -q '"token"' /tmp/guichet-sign-in.json || fail "pas de jeton : $(cat /tmp/guichet-sign-in.json)"
rm -f /tmp/guichet-sign-in.json
owners=$(ps -o user= -C guichet-server | sort -u | tr -d ' ')
[ "$owners" = guichet ] || fail "le serveur tourne sous « $owners »"
[ "$(stat -c %U /var/lib/guichet/guichet.db)" = guichet ] || fail "base de données hors de l'utilisateur du service"
stop_server
trap - EXIT
echo "serveur démarré sous $user comme l'unité le fait ; connexion de $first acceptée (HTTP $answer)"

$sudo dpkg --purge guichet-server >/dev/null
[ ! -e /usr/bin/guichet-server ] && [ ! -e "$unit" ] || fail "fichiers du serveur restés après purge"
[ -e "$key" ] || fail "la clé de traces doit survivre à la purge (R-20 : traces et habilitations conservées)"
# This machine runs CI again: what the purge keeps on purpose goes by hand.
$sudo rm -rf /var/lib/guichet "$key" /etc/systemd/system/guichet-server.service
$sudo rmdir /etc/guichet 2>/dev/null || true
$sudo deluser --system guichet >/dev/null 2>&1 || true
echo "paquets testés : $(basename "$desktop"), $(basename "$rpm") (contenu), $(basename "$server")"
