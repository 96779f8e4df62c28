#!/usr/bin/env bash
# Coverage-guided fuzzing of every target in fuzz/Cargo.toml, FUZZ_SECONDS each (default 60;
# `make test` runs each for a few seconds), starting from the seeds in fuzz/seeds/<target>.
# A crash stops the run and leaves its input in fuzz/artifacts/<target>/.
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them, and
# `--sanitizer none` keeps the run on stable's runtime (no AddressSanitizer library needed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet

targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -vx guichet-fuzz)
[ -n "$targets" ] || { echo "aucune cible de fuzzing dans fuzz/Cargo.toml" >&2; exit 1; }
cd fuzz
export RUSTC_BOOTSTRAP=1
# One build for every target (cargo-fuzz builds them all when none is named), then the runs.
cargo fuzz build --sanitizer none
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in $targets; do
  [ -d "seeds/$t" ] || { echo "fuzz/seeds/$t manque : chaque cible part de graines" >&2; exit 1; }
  mkdir -p "corpus/$t"
  status=0
  cargo fuzz run --sanitizer none "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: $t, ${seconds} s, ${runs:-?} entrées essayées, corpus de $(ls "corpus/$t" | wc -l) entrées"
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: $t a trouvé une entrée qui échoue (fuzz/artifacts/$t)" >&2
    exit 1
  fi
done
