#!/usr/bin/env bash
# make bench: the student recipe job at 1M and 10M rows (CSV in, CSV out), timed next to a
# hand-written Polars program doing the same work, in the same run. Prints wall time, the
# ratio and peak memory (max RSS) of each, and the input size.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datacook-target}"
SIZES="${BENCH_SIZES:-1000000 10000000}"
RUNS="${BENCH_RUNS:-3}"
DATA=bench/data
mkdir -p "$DATA"

cargo build --release --bin datacook --example gen_samples --example bench_polars
BIN="$CARGO_TARGET_DIR/release"

# Wall seconds and max RSS (KiB) of one command, via GNU time.
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>&1
  cat "$log"
  rm -f "$log"
}

# Best of $RUNS: prints "seconds max_rss_kib".
best_of() {
  local best="" rss=0 t m
  for _ in $(seq "$RUNS"); do
    read -r t m < <(measure "$@")
    if [[ -z "$best" ]] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    (( m > rss )) && rss=$m
  done
  echo "$best $rss"
}

printf '%-10s %10s %12s %12s %8s %14s %14s\n' rows input_MiB datacook_s polars_s ratio datacook_MiB polars_MiB
for n in $SIZES; do
  input="$DATA/students-$n.csv"
  [[ -f "$input" ]] || "$BIN/examples/gen_samples" students "$input" "$n"
  size=$(stat -c %s "$input")
  read -r dc_t dc_m < <(best_of "$BIN/datacook" run recipes/student-performance.json \
      --dataset "$input" --output "$DATA/out-datacook-$n.csv" --quiet)
  read -r pl_t pl_m < <(best_of "$BIN/examples/bench_polars" "$input" "$DATA/out-polars-$n.csv")
  if ! cmp -s "$DATA/out-datacook-$n.csv" "$DATA/out-polars-$n.csv"; then
    echo "warning: outputs differ for $n rows" >&2
  fi
  printf '%-10s %10.1f %12.2f %12.2f %8.2f %14.1f %14.1f\n' "$n" "$(echo "$size/1048576" | bc -l)" \
    "$dc_t" "$pl_t" "$(echo "$dc_t/$pl_t" | bc -l)" "$(echo "$dc_m/1024" | bc -l)" "$(echo "$pl_m/1024" | bc -l)"
done
