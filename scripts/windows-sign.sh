#!/usr/bin/env bash
# Signs a Windows file (exe, dll, msi) in place with osslsigncode (Authenticode, SHA-256).
# Usage: scripts/windows-sign.sh FILE
#
# The certificate: GUICHET_SIGN_PKCS12 (a .p12/.pfx file) with its password in the file
# GUICHET_SIGN_PASSWORD_FILE, for installers to ship; otherwise a test certificate
# ("Guichet test", self-signed, code signing) generated once under target/windows-signing/,
# which `osslsigncode verify -CAfile target/windows-signing/test-cert.pem` accepts and no
# Windows trusts. GUICHET_SIGN_TIMESTAMP, an RFC 3161 server's URL, adds a timestamp (none
# by default: this machine is offline).
# makensis calls it on the uninstaller it writes (!uninstfinalize), before compressing it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
file="${1:?usage: windows-sign.sh FILE}"

if [ -n "${GUICHET_SIGN_PKCS12:-}" ]; then
  [ -r "${GUICHET_SIGN_PASSWORD_FILE:-}" ] ||
    { echo "windows-sign : GUICHET_SIGN_PASSWORD_FILE doit nommer le fichier du mot de passe de $GUICHET_SIGN_PKCS12" >&2; exit 1; }
  cert=(-pkcs12 "$GUICHET_SIGN_PKCS12" -readpass "$GUICHET_SIGN_PASSWORD_FILE")
else
  dir="$root/target/windows-signing"
  mkdir -p "$dir"
  exec 8>"$dir/.lock"
  flock 8
  if [ ! -f "$dir/test-cert.pem" ] || [ ! -f "$dir/test-key.pem" ]; then
    openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -subj "/CN=Guichet test/O=Guichet" \
      -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
      -addext "basicConstraints=critical,CA:FALSE" \
      -keyout "$dir/test-key.pem.tmp" -out "$dir/test-cert.pem.tmp" 2>/dev/null
    mv "$dir/test-key.pem.tmp" "$dir/test-key.pem"
    mv "$dir/test-cert.pem.tmp" "$dir/test-cert.pem"
  fi
  flock -u 8
  cert=(-certs "$dir/test-cert.pem" -key "$dir/test-key.pem")
fi
timestamp=()
[ -n "${GUICHET_SIGN_TIMESTAMP:-}" ] && timestamp=(-ts "$GUICHET_SIGN_TIMESTAMP")

signed="$file.signed"
rm -f "$signed"
osslsigncode sign "${cert[@]}" "${timestamp[@]}" -h sha256 -n Guichet \
  -in "$file" -out "$signed" >/dev/null
mv "$signed" "$file"
