# Guichet. `make test` and `make bench` install what they need (Debian packages) first.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: all deps test lint unit bench fuzz run serve clean

all: test

deps:
	@scripts/deps.sh

## Everything CI runs: formatting, lints, unit, property and contract tests on SQLite and
## PostgreSQL (a PostgreSQL server is started where none answers).
test: deps lint unit

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features --locked -- -D warnings

unit:
	scripts/schemathesis.sh
	scripts/with-postgres.sh $(CARGO) test --workspace --all-features --locked

## Figures, not assertions: seeding rate (GUICHET_BENCH_FILES, default 1 000 000 files) and
## traced lookups per second at 64 connections, on SQLite and PostgreSQL, next to pgbench.
bench: deps
	scripts/with-postgres.sh $(CARGO) bench -p guichet-store --bench seed --features testing --locked
	scripts/with-postgres.sh scripts/bench-server.sh

## Coverage-guided fuzzing of every parser, FUZZ_SECONDS each (not part of `make test`).
FUZZ_SECONDS ?= 60
fuzz: deps
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd fuzz && for t in nir family_name hours service_def; do \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --sanitizer none $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

## The server on a seeded SQLite database, on loopback; prints how to sign in.
serve: deps
	scripts/serve.sh

run:
	@echo "« make run » arrive avec l'application de bureau (issue 4) ; « make serve » lance le serveur." >&2
	@exit 2

clean:
	$(CARGO) clean
