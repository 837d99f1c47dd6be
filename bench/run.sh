#!/usr/bin/env bash
# make bench: the student recipe job at 1M and 10M rows (CSV in, CSV out), timed next to a
# hand-written Polars program doing the same work, in the same run; then the full profile of the
# largest table next to a bare Polars scan of it. Prints wall time (best of BENCH_RUNS), the
# ratio and the peak memory (max RSS) of each, and the input size.
#
# The hand-written program runs twice: with Polars' defaults (memory-mapped input) and with
# POLARS_FORCE_ASYNC=1 (buffered reads), which is how datacook reads files.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datacook-target}"
# The release builds' CPU level and features, so a build here reuses make's.
source scripts/release-env.sh
SIZES="${BENCH_SIZES:-1000000 10000000}"
RUNS="${BENCH_RUNS:-3}"
DATA=bench/data
mkdir -p "$DATA"

# shellcheck disable=SC2086 # the features are words
cargo build --release $DATACOOK_FEATURES --bin datacook --example gen_samples --example bench_polars --example bench_scan
BIN="$CARGO_TARGET_DIR/release"

# "seconds max_rss_kib" of one command, via GNU time.
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>&1
  cat "$log"
  rm -f "$log"
}

# Best time and highest peak memory over $RUNS runs.
best_of() {
  local best="" rss=0 t m
  for _ in $(seq "$RUNS"); do
    read -r t m < <(measure "$@")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    if (( m > rss )); then rss=$m; fi
  done
  echo "$best $rss"
}

mib() { awk "BEGIN{printf \"%.0f\", $1/1024}"; }

printf '%-9s %9s | %-17s | %-17s %6s | %-17s %6s\n' rows input datacook "polars (mmap)" ratio "polars (buffered)" ratio
for n in $SIZES; do
  input="$DATA/students-$n.csv"
  [[ -f "$input" ]] || "$BIN/examples/gen_samples" students "$input" "$n"
  size=$(stat -c %s "$input")
  read -r dc_t dc_m < <(best_of "$BIN/datacook" run recipes/student-performance.json \
      --dataset "$input" --output "$DATA/out-datacook-$n.csv" --quiet)
  read -r pl_t pl_m < <(best_of env -u POLARS_FORCE_ASYNC "$BIN/examples/bench_polars" "$input" "$DATA/out-polars-$n.csv")
  read -r pa_t pa_m < <(best_of env POLARS_FORCE_ASYNC=1 "$BIN/examples/bench_polars" "$input" "$DATA/out-polars-$n.csv")
  if ! cmp -s "$DATA/out-datacook-$n.csv" "$DATA/out-polars-$n.csv"; then
    echo "warning: outputs differ for $n rows" >&2
  fi
  printf '%-9s %6s MiB | %6.2f s %5s MiB | %6.2f s %5s MiB %5.2fx | %6.2f s %5s MiB %5.2fx\n' \
    "$n" "$(mib $((size / 1024)))" "$dc_t" "$(mib "$dc_m")" "$pl_t" "$(mib "$pl_m")" \
    "$(awk "BEGIN{print $dc_t/$pl_t}")" "$pa_t" "$(mib "$pa_m")" "$(awk "BEGIN{print $dc_t/$pa_t}")"
done

largest="$DATA/students-${SIZES##* }.csv"
read -r pr_t pr_m < <(best_of "$BIN/datacook" profile "$largest" --quiet --output "$DATA/profile.json")
read -r sc_t sc_m < <(best_of "$BIN/examples/bench_scan" "$largest")
echo
printf '%-40s %-17s | %-17s %6s\n' "profile of $(basename "$largest")" datacook "bare Polars scan" ratio
printf '%-40s %6.2f s %5s MiB | %6.2f s %5s MiB %5.2fx\n' "" "$pr_t" "$(mib "$pr_m")" "$sc_t" "$(mib "$sc_m")" \
  "$(awk "BEGIN{print $pr_t/$sc_t}")"
