# Guichet. `make run`, `make test` and `make bench` install what they need (Debian packages,
# npm packages, tauri-driver) first; running them twice redoes nothing.
SHELL := /bin/bash
CARGO ?= cargo
NPM ?= npm
export CARGO_TERM_COLOR ?= never

## Clippy as the compiler of the workspace's own crates (cargo's RUSTC_WORKSPACE_WRAPPER,
## with the argument list `cargo clippy` hands clippy-driver): the lint pass and the test
## build are then one compilation, where `cargo clippy` followed by `cargo test` would
## compile every dependency twice (once checked, once built). The dependencies are built
## as usual. Every debug-profile build of `make test` goes through it, so that none of
## them rebuilds the workspace; release builds (package, bench, run) do not: clippy-driver
## is not meant for optimised artefacts.
LINTED := RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

.PHONY: all deps ui-deps ui bindings test lint unit ui-test a11y e2e fuzz-smoke windows windows-test macos package package-test packaging bench bench-growth fuzz run serve clean

all: test

deps:
	@scripts/deps.sh

## The front end's npm packages, at the versions of the lock file (only when it changed).
## `npm install`, not `npm ci`: a lock written without registry addresses (this
## workplace's npm setting) lists no other platform's optional packages, which `npm ci`
## refuses; `npm install` installs the locked versions and leaves the lock as it is.
ui-deps: deps
	@if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then \
	  cd ui && $(NPM) install --no-audit --no-fund --loglevel=error; fi

## ui/dist, which the desktop binary embeds; rebuilt only when a source changed (a new
## dist makes cargo rebuild the binary).
UI_SOURCES := $(shell find ui/src -type f 2>/dev/null) ui/index.html ui/vite.config.ts \
  ui/svelte.config.js ui/tsconfig.json ui/package-lock.json
ui: ui/dist/index.html
ui/dist/index.html: $(UI_SOURCES) | ui-deps
	cd ui && $(NPM) run --silent build

## Rewrites ui/src/lib/ipc.ts from the Rust types, and ui/src/recorded.ts (the answers the
## UI's mock replays) from the Rust code (a test fails when either is stale).
bindings: ui
	UPDATE_BINDINGS=1 $(LINTED) $(CARGO) test -p guichet-desktop --lib ipc::tests --locked -q
	UPDATE_BINDINGS=1 $(LINTED) $(CARGO) test -p guichet-tests --test ui_fixtures --locked -q

## Everything CI runs: formatting, lints and type checks, unit, property and contract tests
## on SQLite and PostgreSQL and on both desktop backends, schemathesis, the UI's unit tests,
## axe-core on every screen, the real app window end to end, every fuzz target for a few
## seconds, the Windows code under Wine, and the packages (Debian, RPM, MSI, NSIS) installed,
## run and removed.
## The fuzz runs (one core each, their own target folder) go side by side with the Windows
## build and the packages (the other core, the main target folder).
test: deps ui lint unit ui-test a11y e2e
	$(MAKE) --no-print-directory -j2 --output-sync=target fuzz-smoke packaging

packaging: windows macos
	$(MAKE) --no-print-directory package-test windows-test

## Clippy's lints (-D warnings) on every target, the test build included: --all-targets
## skips the `test = false` targets (the real window's e2e and bench), named after it.
lint: ui
	scripts/check-links.sh
	python3 installer/windows/check_admx.py
	$(CARGO) fmt --all -- --check
	$(LINTED) $(CARGO) test --workspace --all-features --all-targets --test e2e --test bench_window --no-run --locked
	cd ui && $(NPM) run --silent check

unit: ui
	$(LINTED) scripts/schemathesis.sh
	$(LINTED) scripts/with-postgres.sh $(CARGO) test --workspace --all-features --locked

ui-test: ui-deps
	cd ui && $(NPM) run --silent test

a11y: ui-deps
	cd ui && npx vite build --mode axe --logLevel warn && $(NPM) run --silent a11y

e2e: ui
	$(LINTED) scripts/e2e.sh

## The desktop and the server for Windows (x86_64-pc-windows-gnu, Debian's mingw-w64):
## compiled (through clippy, see LINTED) and linked. WINDOWS_PROFILE=cross (unoptimised,
## shared with the Windows tests) by default; `make package WINDOWS_PROFILE=release` for
## installers to ship.
WINDOWS_PROFILE ?= cross
export WINDOWS_PROFILE
windows: deps ui
	$(LINTED) $(CARGO) build -p guichet-desktop -p guichet-os -p guichet-server --target x86_64-pc-windows-gnu --profile $(WINDOWS_PROFILE) --locked
	@ls -l target/x86_64-pc-windows-gnu/$(WINDOWS_PROFILE)/guichet.exe target/x86_64-pc-windows-gnu/$(WINDOWS_PROFILE)/guichet-server.exe

## The Windows code run under Wine, the server exe driven over HTTP, the MSI and the setup
## exe installed, upgraded and removed (scripts/windows-test.sh).
windows-test: package
	$(LINTED) scripts/windows-test.sh

## The macOS calls (guichet-os: screen-lock and sleep observers) type-checked and linted for
## aarch64-apple-darwin. The desktop crate as a whole cannot be: some of its dependencies'
## build scripts compile C for the target, which needs Apple's SDK.
macos: deps
	$(CARGO) clippy -p guichet-os --target aarch64-apple-darwin --locked -- -D warnings

## The desktop's .deb and .rpm, the server's .deb, and the desktop's signed MSI and setup
## exe for Windows, into target/packages/ (README "Installer", installer/DEPLOY.md).
package: deps ui windows
	scripts/package.sh
	scripts/package-windows.sh

## Installs each package on this machine, runs it, removes it (scripts/package-test.sh).
package-test: package
	$(LINTED) scripts/package-test.sh

## Figures, not assertions: seeding rate; traced lookups/s, p50/p99 at 8 and 64
## connections and server CPU per 1 000 lookups on SQLite and PostgreSQL, measured by wrk
## from its own process, beside pgbench -N (simple and prepared) on the same PostgreSQL;
## sign-in cost; server memory under a burst of 300 simultaneous sign-ins; then the desktop
## app: release binary size, cold start to the sign-in screen, RSS after 100 lookups, wipe
## delay.
bench: deps ui
	scripts/with-postgres.sh $(CARGO) bench -p guichet-store --bench seed --features testing --locked
	scripts/with-postgres.sh scripts/bench-server.sh
	$(CARGO) bench -p guichet-server --bench burst --locked
	scripts/bench-desktop.sh

## The lookup figures at 100 000 and at 10 000 000 files on both backends (p50 and p99 as
## the database grows). Seeding 10 M files takes minutes and ~12 GiB of disk per backend.
bench-growth: deps
	GUICHET_BENCH_FILES=100000,10000000 scripts/with-postgres.sh scripts/bench-server.sh

## Coverage-guided fuzzing of every parser and request body, FUZZ_SECONDS each;
## `make test` runs the same targets on 500 000 inputs each from a fixed seed.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

fuzz-smoke: deps
	FUZZ_RUNS=500000 scripts/fuzz.sh

## The desktop app on the bundled backend (synthetic data, demo accounts).
run: deps ui
	$(CARGO) build --release -p guichet-desktop --locked
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "Aucun écran graphique (DISPLAY) : lancez « xvfb-run -a make run » sur une machine sans écran." >&2; exit 1; fi
	target/release/guichet

## The server on a seeded SQLite database, on loopback; prints how to sign in.
serve: deps
	scripts/serve.sh

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/dist-axe ui/node_modules
