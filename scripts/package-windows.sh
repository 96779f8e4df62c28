#!/usr/bin/env bash
# make package's Windows part, built on Linux: the desktop's MSI (wixl) and setup exe
# (makensis), both per machine, carrying guichet.exe and WebView2Loader.dll, all three
# signed (scripts/windows-sign.sh: a test certificate unless GUICHET_SIGN_PKCS12 is set):
#   target/packages/Guichet-<version>-x64.msi
#   target/packages/Guichet-<version>-setup.exe
# Settings (environment): GUICHET_VERSION (x.y.z; the workspace's by default),
# GUICHET_PACKAGE_DIR (target/packages), GUICHET_WINDOWS_EXE (the `make windows` build of
# WINDOWS_PROFILE), GUICHET_WEBVIEW2_LOADER (the x64 loader webview2-com-sys unpacked
# beside that build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=${GUICHET_VERSION:-$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "package-windows : version « $version » : x.y.z attendu" >&2; exit 1; }
out=${GUICHET_PACKAGE_DIR:-target/packages}
profile=${WINDOWS_PROFILE:-cross}
build=target/x86_64-pc-windows-gnu/$profile
exe=${GUICHET_WINDOWS_EXE:-$build/guichet.exe}
loader=${GUICHET_WEBVIEW2_LOADER:-$(ls -t "$build"/build/webview2-com-sys-*/out/x64/WebView2Loader.dll 2>/dev/null | head -1)}
[ -f "$exe" ] || { echo "package-windows : $exe introuvable (make windows)" >&2; exit 1; }
[ -f "$loader" ] || { echo "package-windows : WebView2Loader.dll introuvable sous $build (make windows)" >&2; exit 1; }
mkdir -p "$out"

# The files, signed, in a staging folder (the build's own exe is left as it is).
staging=target/windows-staging/$version
rm -rf "$staging"
mkdir -p "$staging"
cp "$exe" "$staging/guichet.exe"
cp "$loader" "$staging/WebView2Loader.dll"
scripts/windows-sign.sh "$staging/guichet.exe"

# The MSI. wixl reads a subset of WiX 3 (installer/windows/guichet.wxs lists what it
# cannot express); the rest is patched into the database with msibuild's SQL.
msi="$staging/Guichet-$version-x64.msi"
wixl -a x64 -D Version="$version" -D Exe="$staging/guichet.exe" -D Loader="$staging/WebView2Loader.dll" \
  -D Icon=icons/icon.ico -o "$msi" installer/windows/guichet.wxs 2> >(grep -v -e '^$' -e 'no property named' >&2)
sql() { msibuild "$msi" -q "$1"; }
# Secure: the command line's values reach the elevated (server) side of the installation.
sql "UPDATE Property SET Value='WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;SERVERURL;CAISSE;PROFILENAME' WHERE Property='SecureCustomProperties'"
# Component attributes: 256 64-bit, 4 registry key path, 16 permanent.
sql "UPDATE Component SET Condition='SERVERURL', Attributes=276 WHERE Component='GuichetPolicyProfile'"
sql "UPDATE Component SET Attributes=272 WHERE Component='GuichetPolicyFolder'"
# A plain shortcut to the exe (wixl only writes advertised ones).
sql "UPDATE Shortcut SET Target='[#GuichetExe]' WHERE Shortcut='GuichetStartMenu'"
# The rights of %ProgramData%\Guichet, as hooks.nsh sets them (its comment says why each
# step): owner Administrators, every ACE below reset, then SYSTEM and Administrators full
# control and Users read, not inherited. Type 3106 = 34 (an exe run in a folder of the
# Directory table) + 1024 (deferred) + 2048 (as LocalSystem); a failure fails the
# installation (1603). Right after CreateFolders (3700), before the files (4000).
icacls='\"[System64Folder]icacls.exe\" \"[CommonAppDataFolder]Guichet\"'
sequence=3701
for step in 'Owner|/setowner *S-1-5-32-544 /L' \
  'Reset|/reset /T /C /L' \
  'Acl|/inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /L'; do
  action="GuichetPolicyFolder${step%%|*}"
  sql "INSERT INTO CustomAction (Action, Type, Source, Target) VALUES ('$action', 3106, 'GuichetPolicyFolder', '$icacls ${step#*|}')"
  sql "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('$action', 'NOT (REMOVE~=\"ALL\")', $sequence)"
  sequence=$((sequence + 1))
done
scripts/windows-sign.sh "$msi"

# The setup exe: installer/windows/guichet-setup.nsi around hooks.nsh; makensis signs the
# uninstaller it embeds through windows-sign.sh (!uninstfinalize).
setup="$staging/Guichet-$version-setup.exe"
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DEXE="$root/$staging/guichet.exe" \
  -DLOADER="$root/$staging/WebView2Loader.dll" -DICON="$root/icons/icon.ico" -DOUTFILE="$root/$setup" \
  -DSIGN="$root/scripts/windows-sign.sh" installer/windows/guichet-setup.nsi
scripts/windows-sign.sh "$setup"

cp "$msi" "$setup" "$out/"
ls -l "$out/Guichet-$version-x64.msi" "$out/Guichet-$version-setup.exe"
