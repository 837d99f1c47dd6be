#!/usr/bin/env bash
# make bench (side by side): each job as whole processes, in one run, alternating, median of
# BENCH_RUNS, peak memory (max RSS) — datacook next to the same work written in Python Polars
# and in DuckDB (bench/py/, installed from PyPI into the bench's own virtual environment,
# bench/requirements.txt; never needed by `make test`):
#
#   * the student recipe, CSV in → CSV out, at each of BENCH_SIZES rows;
#   * the patient recipe (two flags, a left join with the encounters, a flag) on
#     BENCH_PATIENTS patients (about ten encounters each);
#   * the profile of the student table next to Python Polars computing the same statistics.
#
# Python's own start (about 0.3 s with Polars imported) counts: it is part of what a user waits.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datacook-target}"
# The release builds' CPU level and features, so a build here reuses make's.
source scripts/release-env.sh
SIZES="${BENCH_SIZES:-1000000 10000000}"
PATIENTS="${BENCH_PATIENTS:-100000}"
RUNS="${BENCH_RUNS:-3}"
DATA=bench/data
BIN="$CARGO_TARGET_DIR/release"
VENV="${BENCH_VENV:-$HOME/.cache/datacook/bench-venv}"
mkdir -p "$DATA"
# shellcheck disable=SC2086 # the features are words
cargo build --release $DATACOOK_FEATURES --bin datacook --example gen_samples
if ! "$VENV/bin/python" -c 'import polars, duckdb, connectorx' 2>/dev/null; then
  echo "installing Polars, DuckDB and connectorx into $VENV (bench only)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
fi
PY="$VENV/bin/python"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "seconds max_rss_kib" of one command.
measure() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  cat "$work/time"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
peak() { sort -n | tail -1 | awk '{printf "%.0f", $1/1024}'; }

# Run every command of a row RUNS times, alternating; print the row.
row() {
  local label=$1 n=$#
  shift
  local names=() cmds=()
  while (($#)); do names+=("$1"); cmds+=("$2"); shift 2; done
  for i in "${!names[@]}"; do : > "$work/t$i"; : > "$work/m$i"; done
  for _ in $(seq "$RUNS"); do
    for i in "${!names[@]}"; do
      read -r t m < <(measure bash -c "${cmds[$i]}")
      echo "$t" >> "$work/t$i"; echo "$m" >> "$work/m$i"
    done
  done
  local base t line
  base=$(median < "$work/t0")
  line=$(printf '%-34s' "$label")
  for i in "${!names[@]}"; do
    t=$(median < "$work/t$i")
    if ((i == 0)); then
      line+=$(printf ' | %7.2f s %6s MiB' "$t" "$(peak < "$work/m$i")")
    else
      line+=$(printf ' | %7.2f s %6s MiB %5.2fx' "$t" "$(peak < "$work/m$i")" "$(awk "BEGIN{print $base/$t}")")
    fi
  done
  echo "$line"
  : "$n"
}

printf '\n%-34s | %-18s | %-25s | %-25s\n' work datacook "Python Polars (dc/pl)" "DuckDB (dc/duck)"
for n in $SIZES; do
  csv="$DATA/students-$n.csv"
  [[ -f "$csv" ]] || "$BIN/examples/gen_samples" students "$csv" "$n"
  row "student recipe, $n rows" \
    datacook "$BIN/datacook run recipes/student-performance.json --dataset $csv --output $work/dc.csv --quiet" \
    polars "$PY bench/py/student_polars.py $csv $work/pl.csv" \
    duckdb "$PY bench/py/student_duckdb.py $csv $work/dd.csv"
  cmp -s "$work/dc.csv" "$work/pl.csv" || echo "  (warning: datacook and Polars outputs differ)" >&2
done

pdir="$DATA/patients-$PATIENTS"
if [[ ! -f "$pdir/encounters.csv" ]]; then
  mkdir -p "$pdir"
  "$BIN/examples/gen_samples" patients "$pdir" "$PATIENTS"
fi
printf 'name: patients\npath: patients.csv\n' > "$pdir/patients.yaml"
printf 'name: encounters\npath: encounters.csv\n' > "$pdir/encounters.yaml"
row "patient recipe, $PATIENTS patients" \
  datacook "$BIN/datacook run recipes/patients-data-quality.json --dataset $pdir/patients.yaml --datasets-dir $pdir --output $work/dc.csv --quiet" \
  polars "$PY bench/py/patients_polars.py $pdir/patients.csv $pdir/encounters.csv $work/pl.csv" \
  duckdb "$PY bench/py/patients_duckdb.py $pdir/patients.csv $pdir/encounters.csv $work/dd.csv"

for n in $SIZES; do
  csv="$DATA/students-$n.csv"
  row "profile, $n rows" \
    datacook "$BIN/datacook profile $csv --quiet --output $work/p.json" \
    polars "$PY bench/py/profile_polars.py $csv"
done
echo "(ratios: datacook's time / the other's; below 1 datacook is faster)"
