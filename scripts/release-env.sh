# Sourced by the bench scripts: the environment of datacook's release builds, so a build there
# reuses `make build`'s. RUSTFLAGS: the CPU level (scripts/release-rustflags.sh). Polars' SIMD
# code (the `simd` feature, as in Python Polars' wheels) needs Rust's unstable portable_simd, so
# it builds with RUSTC_BOOTSTRAP=1 on the stable toolchain; DATACOOK_FEATURES= (empty, as
# `make bench SIMD=` sets it) builds without.
RUSTFLAGS="$(scripts/release-rustflags.sh)"
export RUSTFLAGS
export DATACOOK_FEATURES="${DATACOOK_FEATURES---features simd}"
if [[ -n "$DATACOOK_FEATURES" ]]; then
  export RUSTC_BOOTSTRAP=1
fi
