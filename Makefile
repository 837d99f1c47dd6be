# datacook — one command runs the main job, one runs the tests.
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(HOME)/.cache/datacook-target
CARGO ?= cargo
BIN := $(CARGO_TARGET_DIR)/release/datacook
# The CPU level, for release builds only (tests keep the default): scripts/release-rustflags.sh.
RELEASE_RUSTFLAGS := $(shell scripts/release-rustflags.sh)
# Polars' SIMD CSV reader (the `simd` feature, as in Python Polars' wheels) needs Rust's unstable
# portable_simd: RUSTC_BOOTSTRAP=1 lets the stable toolchain build it. Every build here (tests
# included, so they run the code the release binary runs) uses it; `make <target> SIMD=` builds
# without (so does SIMD=0), on any stable toolchain. The bench scripts read DATACOOK_FEATURES.
SIMD ?= 1
ifeq ($(filter-out 0 no false off,$(SIMD)),)
export DATACOOK_FEATURES :=
else
export RUSTC_BOOTSTRAP := 1
export DATACOOK_FEATURES := --features simd
endif

.PHONY: run test gate build lint fmt samples bench clean

## Run the student-performance recipe job on the bundled sample data.
run: build
	$(BIN) run recipes/student-performance.yaml --dataset datasets/students.yaml \
	  --output out/student-performance.csv --report out/student-performance.run.json
	@echo "output: out/student-performance.csv   report: out/student-performance.run.json"

build:
	RUSTFLAGS="$(RELEASE_RUSTFLAGS)" $(CARGO) build --release --bin datacook $(DATACOOK_FEATURES)

## Every test: unit tests, end-to-end CLI tests, formatting and lints. The database tests
## use the PostgreSQL and MariaDB servers on this machine; the S3 tests a real S3-compatible
## server (moto, pinned) that scripts/with-s3.sh installs, starts and stops.
test:
	scripts/ensure-chromium.sh
	scripts/ensure-databases.sh
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets $(DATACOOK_FEATURES) -- -D warnings
	scripts/with-s3.sh $(CARGO) test --all-targets $(DATACOOK_FEATURES)
	$(MAKE) gate

## The walkthrough's patient scorecard as a CI data-quality gate (exit 1 fails the build).
gate:
	$(CARGO) run --quiet --bin datacook $(DATACOOK_FEATURES) -- check datasets/patients.yaml \
	  --recipe recipes/patients-data-quality.yaml --rules profiles/patients-scorecard.yaml \
	  --junit out/dq-junit.xml --json out/dq-report.json --markdown out/dq-summary.md --quiet

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets $(DATACOOK_FEATURES) -- -D warnings

fmt:
	$(CARGO) fmt

## Regenerate the bundled sample datasets (deterministic).
samples:
	$(CARGO) run $(DATACOOK_FEATURES) --example gen_samples -- students datasets/students.csv 600
	$(CARGO) run $(DATACOOK_FEATURES) --example gen_samples -- patients datasets 300

## Time the student recipe at 1M and 10M rows against a hand-written Polars program; every
## job side by side with Python Polars and DuckDB; then the same tables read from PostgreSQL
## and MariaDB next to export-then-read and connectorx.
bench:
	bench/run.sh
	bench/compare.sh
	bench/databases.sh

clean:
	rm -rf out
