#!/usr/bin/env bash
# The RUSTFLAGS of datacook's release builds (`make run`, `make build`, `make bench`): on an
# x86-64 CPU with AVX2, BMI2 and FMA (Intel Haswell, AMD Zen and later) the x86-64-v3 level,
# whose vector instructions Polars' CSV reader, hashing and kernels use (Python Polars ships
# built for it); otherwise nothing, the portable baseline. RUSTFLAGS set in the environment
# win; `RUSTFLAGS= make build` builds for any x86-64.
if [[ -n "${RUSTFLAGS+set}" ]]; then
  printf '%s\n' "$RUSTFLAGS"
elif [[ "$(uname -m)" == x86_64 ]] && grep -qw avx2 /proc/cpuinfo 2>/dev/null &&
  grep -qw bmi2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  echo "-C target-cpu=x86-64-v3"
fi
