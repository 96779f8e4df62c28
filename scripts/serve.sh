#!/usr/bin/env bash
# `make serve`: the server on a seeded SQLite database, plain HTTP on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${GUICHET_SERVE_DIR:-.guichet}
files=${GUICHET_SERVE_FILES:-20000}
listen=${GUICHET_LISTEN:-127.0.0.1:8443}
mkdir -p "$data"
export GUICHET_DATABASE_URL=${GUICHET_DATABASE_URL:-sqlite://$PWD/$data/serve.db}
cargo build -q --release -p guichet-server --locked
bin=target/release/guichet-server
$bin seed --files "$files"
cat <<INFO

Guichet sert http://$listen (bouclage, sans TLS ; --tls-cert/--tls-key pour HTTPS).
Comptes de démonstration (mot de passe provisoire, à changer à la première connexion) :
  demo.creche (psu)   demo.mairie (qf)   demo.departement (rsacg)   demo.caf (cdap-t2)
  demo.admin (administratrice des habilitations du CCAS, quota de 20)
  demo.operateur (agent de la CAF des Yvelines : /api/v1/caisse/…)
  demo.operateur.msa (agent de la MSA d'Alsace : inscrit les utilisateurs de la crèche et du département)
  mot de passe : Demo-Guichet-2026!

Essai avec curl :
  TOKEN=\$(curl -s -X POST http://$listen/api/v1/sessions -H 'content-type: application/json' \\
      -d '{"identifiant":"demo.creche","password":"Demo-Guichet-2026!"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
  curl -s -X PUT http://$listen/api/v1/sessions/current/password -H "authorization: Bearer \$TOKEN" \\
      -H 'content-type: application/json' \\
      -d '{"current_password":"Demo-Guichet-2026!","new_password":"Tulipe-Rouge-42-Velo"}'
  $bin sample --count 1 --caisse MSA-ALSACE --outcome found --service psu    # un NIR et un nom
  curl -s -X POST http://$listen/api/v1/lookups -H "authorization: Bearer \$TOKEN" \\
      -H 'content-type: application/json' -d '{"service":"psu","nir":"…","name":"…"}'

INFO
exec $bin serve --listen "$listen"
