#!/usr/bin/env bash
# Runs a Windows program (x86_64-pc-windows-gnu) under Wine, in a prefix of Guichet's own:
# cargo's runner for that target (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER) and the
# installer tests' way into Windows. Usage: scripts/wine-runner.sh program.exe [args...]
#
# The prefix is target/wine (GUICHET_WINEPREFIX to move it), made on first use: Windows 10,
# no Mono or Gecko (nothing here needs them), and the bcryptprimitives.dll shim
# (installer/windows/wine) that gives Wine 8 the ProcessPrng Rust's standard library calls.
# WebView2Loader.dll, which the desktop's executables import, is copied beside the program.
# Without a display, Wine's null graphics driver gives windows that are never drawn (the
# desktop's hidden session window is one). The program's exit code is the script's.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
program="${1:?usage: wine-runner.sh program.exe [args...]}"
shift

export WINEPREFIX="${GUICHET_WINEPREFIX:-$root/target/wine}"
export WINEARCH=win64
export WINEDEBUG="${WINEDEBUG:--all}"
# No "install Mono/Gecko?" dialogs: the prefix never needs .NET or the HTML engine.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
wine=(wine)
command -v wine >/dev/null 2>&1 || { echo "wine-runner : Wine est introuvable (make deps)" >&2; exit 127; }

shim_src="$root/installer/windows/wine/bcryptprimitives.c"
shim_def="$root/installer/windows/wine/bcryptprimitives.def"
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"

# One process sets the prefix up; the others wait for it (cargo may run several runners).
mkdir -p "$(dirname "$WINEPREFIX")"
exec 9>"$WINEPREFIX.lock"
flock 9
if [ ! -f "$WINEPREFIX/.guichet-ready" ]; then
  echo "wine-runner : préfixe Wine $WINEPREFIX en préparation (une fois)" >&2
  "${wine[@]}" wineboot --init >/dev/null 2>&1
  "${wine[@]}" winecfg -v win10 >/dev/null 2>&1
  # No display: the null driver (windows exist, nothing is drawn). With DISPLAY set the
  # X11 driver is taken per run (see below).
  "${wine[@]}" reg add 'HKCU\Software\Wine\Drivers' /v Graphics /t REG_SZ /d null /f >/dev/null 2>&1
  wineserver -w
  touch "$WINEPREFIX/.guichet-ready"
fi
if [ ! -f "$shim" ] || [ "$shim_src" -nt "$shim" ] || [ "$shim_def" -nt "$shim" ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$shim.tmp" "$shim_src" "$shim_def" -lbcrypt
  mv "$shim.tmp" "$shim"
fi

# WebView2Loader.dll (from webview2-com-sys's build) beside a program that imports it.
dir="$(dirname "$program")"
if [ ! -f "$dir/WebView2Loader.dll" ] && grep -qa WebView2Loader.dll "$program" 2>/dev/null; then
  loader="$(find "$root/target/x86_64-pc-windows-gnu" -path '*x64*' -name WebView2Loader.dll -print -quit 2>/dev/null || true)"
  [ -n "$loader" ] && cp "$loader" "$dir/WebView2Loader.dll"
fi
flock -u 9
exec 9>&-

exec "${wine[@]}" "$program" "$@"
