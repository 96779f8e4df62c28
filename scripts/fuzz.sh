#!/usr/bin/env bash
# Coverage-guided fuzzing of every target in fuzz/Cargo.toml, FUZZ_SECONDS each (default 60),
# starting from the seeds in fuzz/seeds/<target>. With FUZZ_RUNS (what `make test` does), each
# target runs that many inputs from a fixed random seed instead: a bounded, seeded run for CI
# (libFuzzer still adapts a little to timing, so two runs are close, not identical); `make
# fuzz` explores with fresh seeds for as long as asked.
# A crash stops the run and leaves its input in fuzz/artifacts/<target>/.
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them, and
# `--sanitizer none` keeps the run on stable's runtime (no AddressSanitizer library needed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}
if [ -n "$runs" ]; then
  budget=(-runs="$runs" -seed=1)
  what="$runs entrées (graine 1)"
else
  budget=(-max_total_time="$seconds")
  what="${seconds} s"
fi
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
    "${budget[@]}" -print_final_stats=1 >"$log" 2>&1 || status=$?
  done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: $t, $what, ${done_runs:-?} entrées essayées, corpus de $(ls "corpus/$t" | wc -l) entrées"
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: $t a trouvé une entrée qui échoue (fuzz/artifacts/$t)" >&2
    exit 1
  fi
done
