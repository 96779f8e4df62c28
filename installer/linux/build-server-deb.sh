#!/usr/bin/env bash
# Builds guichet-server's .deb from a release binary: the unit, the configuration (a
# conffile), the maintainer scripts, the documentation, with dependencies computed by
# dpkg-shlibdeps. Reproducible: dates from SOURCE_DATE_EPOCH (default: the last commit).
# Usage: installer/linux/build-server-deb.sh VERSION BINARY OUT-DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$1 binary=$2 out=$3
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/root
doc=$pkg/usr/share/doc/guichet-server
install -D -m 0755 --strip "$binary" "$pkg/usr/bin/guichet-server"
install -D -m 0644 "$here/guichet-server.service" "$pkg/lib/systemd/system/guichet-server.service"
# Shipped 0644 as Debian expects of a conffile (lintian), holding no secret; postinst makes
# it 0640 root:guichet at once, since an administrator may write a PostgreSQL password in
# it (issue 22). An unmodified conffile replaced by an upgrade holds no secret either.
install -D -m 0644 "$here/server.toml" "$pkg/etc/guichet/server.toml"
install -D -m 0644 "$here/copyright" "$doc/copyright"
install -D -m 0644 "$here/server/README.Debian" "$doc/README.Debian"
install -d "$pkg/usr/share/man/man8"
gzip -9n <"$here/guichet-server.8" >"$pkg/usr/share/man/man8/guichet-server.8.gz"
printf 'guichet-server (%s) stable; urgency=medium\n\n  * Version %s.\n\n -- Guichet <paquets@guichet.example>  %s\n' \
  "$version" "$version" "$(date -R -u -d "@$SOURCE_DATE_EPOCH")" | gzip -9n >"$doc/changelog.gz"

# Shared-library dependencies, as debhelper would compute them.
mkdir -p "$work/src/debian"
printf 'Source: guichet\n\nPackage: guichet-server\nArchitecture: any\n' >"$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O "-e$pkg/usr/bin/guichet-server" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')

mkdir -m 0755 "$pkg/DEBIAN"
install -m 0755 "$here/server/postinst" "$here/server/prerm" "$here/server/postrm" "$pkg/DEBIAN/"
echo /etc/guichet/server.toml >"$pkg/DEBIAN/conffiles"
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: guichet-server
Version: $version
Architecture: $(dpkg --print-architecture)
Maintainer: Guichet <paquets@guichet.example>
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: ${shlibs:+$shlibs, }adduser, init-system-helpers (>= 1.52)
Section: net
Priority: optional
Homepage: https://guichet.example
Description: Guichet server: partners' consultation of benefit files
 guichet-server serves the caisse's benefit files (MSA, CAF) to its partner
 organisations over HTTPS: crèches (PSU), town halls (QF), départements (RSA)
 and CAF partners (CDAP profiles), each seeing only the sections its service
 allows. It manages habilitations, conventions and delegated administration,
 keeps a tamper-evident trace of every lookup and computes monthly statistics.
 .
 It runs as a confined systemd service on SQLite (by default) or PostgreSQL.
CONTROL
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/guichet-server_${version}_$(dpkg --print-architecture).deb" >/dev/null
echo "$out/guichet-server_${version}_$(dpkg --print-architecture).deb"
