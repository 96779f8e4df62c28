#!/usr/bin/env bash
# make test's installer part, under Wine, in a prefix of its own (target/wine-install, made
# afresh): the MSI and the setup exe of `make package` (target/packages) checked for their
# signatures, then each installed silently, upgraded 0.x -> 0.x+1, refused an http://
# SERVERURL, and removed, as Intune, a GPO or SCCM would run them (installer/DEPLOY.md).
# Checked after each step: the files, the Start-menu entry, the uninstall entry and its
# version, the group-policy values, %ProgramData%\Guichet, the installed exe running.
# Wine's icacls.exe is a stub (it changes nothing and says so): the rights actions are
# checked to run, not their effect (installer/DEPLOY.md, "Non vérifié ici").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=${GUICHET_VERSION:-$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)}
IFS=. read -r major minor _ <<<"$version"
next="$major.$((minor + 1)).0"
packages=target/packages
msi="$packages/Guichet-$version-x64.msi"
setup="$packages/Guichet-$version-setup.exe"
[ -f "$msi" ] && [ -f "$setup" ] || { echo "windows-install-test : $msi ou $setup absent (make package)" >&2; exit 1; }
fail() { echo "windows-install-test : ÉCHEC : $*" >&2; exit 1; }
step() { echo "windows-install-test : $*" >&2; }

# 1. The signatures: the exe inside, the MSI, the setup exe (the test certificate unless a
# real one was configured: then Windows' own store decides, and GUICHET_SIGN_CAFILE names
# the chain to verify with).
cafile=${GUICHET_SIGN_CAFILE:-target/windows-signing/test-cert.pem}
for f in "target/windows-staging/$version/guichet.exe" "$msi" "$setup"; do
  osslsigncode verify -CAfile "$cafile" -in "$f" >/dev/null 2>&1 || fail "signature de $f non vérifiée"
done
step "signatures vérifiées (exe, MSI, setup)"

# The next version, for the upgrades: the same exe, packaged as $next.
GUICHET_VERSION=$next GUICHET_PACKAGE_DIR=target/windows-upgrade scripts/package-windows.sh >/dev/null
msi_next=target/windows-upgrade/Guichet-$next-x64.msi
setup_next=target/windows-upgrade/Guichet-$next-setup.exe

export GUICHET_WINEPREFIX="$root/target/wine-install"
export WINEPREFIX=$GUICHET_WINEPREFIX WINEDEBUG=-all
rm -rf "$GUICHET_WINEPREFIX" "$GUICHET_WINEPREFIX.lock"
win() { scripts/wine-runner.sh "$@"; }
winpath() { echo "Z:${1//\//\\}"; }
c="$GUICHET_WINEPREFIX/drive_c"
app="$c/Program Files/Guichet"
# The all-users Start menu, where the setup exe puts its shortcut, and the MSI too on Windows
# (ALLUSERS=1 points ProgramMenuFolder there). Wine's msi does not redirect the folder
# properties for ALLUSERS: its ProgramMenuFolder is the user's, read from the install's log.
shortcut="$c/ProgramData/Microsoft/Windows/Start Menu/Programs/Guichet.lnk"
policy_dir="$c/ProgramData/Guichet"
uninstall='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall'
policy='HKLM\SOFTWARE\Policies\Guichet'
# A registry value as `reg query` prints it (64-bit view), or nothing.
value() { win reg query "$1" /v "$2" /reg:64 2>/dev/null | tr -d '\r' | sed -n "s/^ *$2 *REG_[A-Z_]* *//p"; }
product_code() { msiinfo export "$1" Property | tr -d '\r' | sed -n 's/^ProductCode\t//p'; }
logs=target/windows-install-logs
rm -rf "$logs"
mkdir -p "$logs"
# A program's exit code as Windows has it: Wine hands Linux only its low byte (1603, the MSI's
# ERROR_INSTALL_FAILURE, arrives as 67), so a batch file waits for the program and prints it.
printf '@echo off\r\nstart "" /wait %%*\r\necho GUICHET_EXIT=%%ERRORLEVEL%%\r\n' >"$logs/exit-code.cmd"
run() { # program and arguments; prints the exit code
  local out
  out=$(win cmd /c "$(winpath "$root/$logs/exit-code.cmd")" "$@" 2>/dev/null | tr -d '\r' || true)
  wineserver -w
  sed -n 's/^GUICHET_EXIT=//p' <<<"$out" | grep . || echo "aucun (cmd n'a pas abouti)"
}
msiexec() { # log name, then msiexec's arguments; prints the exit code
  local log=$1
  shift
  run msiexec "$@" /qn /l*v "$(winpath "$root/$logs/$log.log")"
}
# Whether a verbose log (ANSI under Wine, UTF-16 on Windows: the NULs dropped) has a line.
logged() { tr -d '\0' <"$logs/$1.log" | grep -Eq "$2"; }
# The install stopped by a launch condition: Windows logs that action's end with "Return
# value 3" and the condition's message, Wine with "Return value 0" and, under /qn, no message.
stopped_at_launch_conditions() { logged "$1" 'LaunchConditions\. Return value [03]\.'; }
nothing_installed() {
  [ ! -e "$app" ] || fail "$1 : $app existe"
  [ ! -e "$shortcut" ] && [ ! -e "${msi_shortcut:-$shortcut}" ] || fail "$1 : raccourci présent"
  ! win reg query "$uninstall" /s /reg:64 2>/dev/null | tr -d '\r' | grep -q 'DisplayName *REG_SZ *Guichet$' ||
    fail "$1 : entrée de désinstallation présente"
}
# The installed program: its files, its shortcut, the installed exe is the signed one and
# runs (its help; the window needs WebView2), the uninstall entry at VERSION under KEY.
installed() { # what, version, uninstall key[, shortcut]
  [ -f "$app/guichet.exe" ] && [ -f "$app/WebView2Loader.dll" ] || fail "$1 : fichiers absents de $app"
  cmp -s "$app/guichet.exe" "target/windows-staging/$2/guichet.exe" || fail "$1 : guichet.exe n'est pas l'exe signé du $2"
  [ -f "${4:-$shortcut}" ] || fail "$1 : pas de raccourci dans le menu Démarrer (${4:-$shortcut})"
  [ -d "$policy_dir" ] || fail "$1 : %ProgramData%\\Guichet absent"
  win "$app/guichet.exe" --help 2>&1 | grep -q -- '--policy' || fail "$1 : guichet.exe --help ne répond pas"
  [ "$(value "$uninstall\\$3" DisplayVersion)" = "$2" ] || fail "$1 : DisplayVersion ≠ $2 sous $uninstall\\$3"
  [ "$(value "$uninstall\\$3" DisplayName)" = Guichet ] || fail "$1 : DisplayName"
}
pinned() { # what: the profile and AllowBundled written from the command line
  [ "$(value "$policy\\Profiles" "CAF des Yvelines")" = "https://guichet.caf78.example|CAF-78|production" ] ||
    fail "$1 : profil imposé absent ou faux : $(value "$policy\\Profiles" "CAF des Yvelines")"
  [ "$(value "$policy" AllowBundled)" = 0x0 ] || fail "$1 : AllowBundled ≠ 0"
}
t0=$SECONDS

# 2. The MSI. Refused first: an http:// SERVERURL stops it at its launch condition (1603),
# nothing installed, no policy written.
code=$(msiexec msi-http /i "$(winpath "$root/$msi")" SERVERURL=http://guichet.caf78.example CAISSE=CAF-78)
[ "$code" = 1603 ] || fail "MSI avec SERVERURL http:// : code $code au lieu de 1603"
nothing_installed "MSI refusé"
[ -z "$(value "$policy" AllowBundled)" ] || fail "MSI refusé : politique écrite"
stopped_at_launch_conditions msi-http || fail "MSI refusé ailleurs qu'à ses conditions de lancement ($logs/msi-http.log)"
msiinfo export "$msi" LaunchCondition | grep -q "SERVERURL doit commencer par https://" ||
  fail "MSI : le message du refus manque à la table LaunchCondition"
step "MSI : SERVERURL http:// refusée (1603), rien d'installé"

code=$(msiexec msi-install /i "$(winpath "$root/$msi")" SERVERURL=https://guichet.caf78.example CAISSE=CAF-78 "PROFILENAME=CAF des Yvelines")
[ "$code" = 0 ] || fail "installation du MSI : code $code (journal $logs/msi-install.log)"
product=$(product_code "$msi")
menu=$(tr -d '\0\r' <"$logs/msi-install.log" | sed -n 's/^Property(S): ProgramMenuFolder = //p' | head -1)
[ -n "$menu" ] || fail "MSI : ProgramMenuFolder absent du journal"
msi_shortcut="$c/$(sed 's/^[Cc]:\\//; s/\\/\//g' <<<"$menu")Guichet.lnk"
installed "MSI $version" "$version" "$product" "$msi_shortcut"
pinned "MSI $version"
for action in GuichetPolicyFolderOwner GuichetPolicyFolderReset GuichetPolicyFolderAcl; do
  logged msi-install "Action start [0-9:]*: $action\." || fail "MSI : l'action $action n'a pas été exécutée"
done
step "MSI $version installé : fichiers, raccourci, désinstallation, politique, droits du dossier lancés"

# The major upgrade, without properties: the older product removed, the policy kept.
code=$(msiexec msi-upgrade /i "$(winpath "$root/$msi_next")")
[ "$code" = 0 ] || fail "mise à jour du MSI : code $code"
product_next=$(product_code "$msi_next")
[ "$product_next" != "$product" ] || fail "le MSI $next a le code produit du $version"
installed "MSI $next" "$next" "$product_next" "$msi_shortcut"
[ -z "$(value "$uninstall\\$product" DisplayVersion)" ] || fail "MSI : $version encore inscrit après la mise à jour"
pinned "MSI $next (politique gardée)"
# An older version over a newer one: refused, the newer one kept.
code=$(msiexec msi-downgrade /i "$(winpath "$root/$msi")")
[ "$code" = 1603 ] || fail "MSI $version sur $next : code $code au lieu de 1603"
stopped_at_launch_conditions msi-downgrade || fail "MSI $version sur $next refusé ailleurs qu'à ses conditions de lancement"
installed "MSI $next après refus du $version" "$next" "$product_next" "$msi_shortcut"
step "MSI : $version → $next mis à jour, retour au $version refusé"

code=$(msiexec msi-remove /x "$product_next")
[ "$code" = 0 ] || fail "désinstallation du MSI : code $code"
nothing_installed "MSI désinstallé"
pinned "MSI désinstallé (politique laissée au service informatique)"
[ -d "$policy_dir" ] || fail "MSI désinstallé : %ProgramData%\\Guichet supprimé"
step "MSI désinstallé : seuls la clé de politique et %ProgramData%\\Guichet restent"
echo "windows-install-test : MSI en $((SECONDS - t0)) s" >&2
t0=$SECONDS

# 3. The setup exe, on a workstation IT cleaned after the MSI.
win reg delete "$policy" /f /reg:64 >/dev/null 2>&1
rm -rf "$policy_dir"
code=$(run "$(winpath "$root/$setup")" /S /SERVERURL=http://guichet.caf78.example /CAISSE=CAF-78)
[ "$code" = 2 ] || fail "setup avec /SERVERURL http:// : code $code au lieu de 2"
nothing_installed "setup refusé"
[ -z "$(value "$policy" AllowBundled)" ] || fail "setup refusé : politique écrite"
step "setup : /SERVERURL http:// refusée (2), rien d'installé"

code=$(run "$(winpath "$root/$setup")" /S /SERVERURL=https://guichet.caf78.example /CAISSE=CAF-78 "/PROFILENAME=CAF des Yvelines")
[ "$code" = 0 ] || fail "installation du setup : code $code"
installed "setup $version" "$version" Guichet
pinned "setup $version"
[ -f "$app/uninstall.exe" ] || fail "setup : pas de désinstalleur"
osslsigncode verify -CAfile "$cafile" -in "$app/uninstall.exe" >/dev/null 2>&1 || fail "désinstalleur non signé"
step "setup $version installé : fichiers, raccourci, désinstallation (signée), politique"

code=$(run "$(winpath "$root/$setup_next")" /S)
[ "$code" = 0 ] || fail "mise à jour du setup : code $code"
installed "setup $next" "$next" Guichet
pinned "setup $next (politique gardée)"
step "setup : $version → $next mis à jour"

code=$(run 'C:\Program Files\Guichet\uninstall.exe' /S)
[ "$code" = 0 ] || fail "désinstallation du setup : code $code"
nothing_installed "setup désinstallé"
[ ! -e "$app" ] || fail "setup désinstallé : $app reste"
pinned "setup désinstallé (politique laissée au service informatique)"
[ -d "$policy_dir" ] || fail "setup désinstallé : %ProgramData%\\Guichet supprimé"
step "setup désinstallé : seuls la clé de politique et %ProgramData%\\Guichet restent"
echo "windows-install-test : setup en $((SECONDS - t0)) s" >&2
