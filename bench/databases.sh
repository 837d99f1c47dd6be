#!/usr/bin/env bash
# make bench (databases): the student table at 1M and 10M rows loaded into PostgreSQL and
# MariaDB, then, in one run, alternating, median of BENCH_RUNS:
#
#   * datacook run from the table (the student recipe, CSV out), its read time from the run
#     report, with BENCH_PARTITIONS partitions;
#   * PostgreSQL: `psql \copy … TO` a CSV file, then datacook run on that file;
#   * Python's connectorx reading the same table into Polars with the same partitions
#     (installed with Polars from PyPI into the bench's own virtual environment).
#
# Prints wall times, ratios and peak memory (max RSS). Needs the local servers
# (scripts/ensure-databases.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datacook-target}"
# The release builds' CPU level and features, so a build here reuses make's.
source scripts/release-env.sh
SIZES="${BENCH_SIZES:-1000000 10000000}"
RUNS="${BENCH_RUNS:-3}"
PARTS="${BENCH_PARTITIONS:-2}"
DATA=bench/data
# shellcheck disable=SC2086 # the features are words
cargo build --release $DATACOOK_FEATURES --bin datacook --example gen_samples
BIN="$CARGO_TARGET_DIR/release"
VENV="${BENCH_VENV:-$HOME/.cache/datacook/bench-venv}"
PG="psql -h 127.0.0.1 -U postgres -d test -q -v ON_ERROR_STOP=1"
MY="mariadb -h127.0.0.1 -uroot test --local-infile=1"
mkdir -p "$DATA"
scripts/ensure-databases.sh

if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import connectorx, polars, pyarrow, duckdb' 2>/dev/null; then
  echo "installing connectorx and Polars into $VENV (bench only)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
fi

# "seconds max_rss_kib" of one command, via GNU time.
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null 2>"$log.err" || { cat "$log.err" >&2; exit 1; }
  cat "$log"
  rm -f "$log" "$log.err"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mib() { awk "BEGIN{printf \"%.0f\", $1/1024}"; }

COLUMNS_PG="school_id integer, school_name text, student_id integer, study_time_in_hr double precision, health integer, internet text, country text, year integer, first_name text, last_name text, gender text, age integer, marks integer"

load() {
  local n=$1 csv=$2 table="bench_students_$1"
  if [[ "$($PG -tAc "SELECT count(*) FROM pg_tables WHERE tablename = '$table'")" == 0 ]] ||
     [[ "$($PG -tAc "SELECT count(*) FROM $table")" != "$n" ]]; then
    echo "loading $n rows into PostgreSQL" >&2
    $PG -c "SET client_min_messages = warning; DROP TABLE IF EXISTS $table; CREATE TABLE $table ($COLUMNS_PG)"
    $PG -c "\\copy $table FROM '$csv' CSV HEADER"
    $PG -c "ANALYZE $table"
  fi
  if [[ "$($MY -N -e "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'test' AND table_name = '$table'")" == 0 ]] ||
     [[ "$($MY -N -e "SELECT count(*) FROM $table")" != "$n" ]]; then
    echo "loading $n rows into MariaDB" >&2
    $MY -e "DROP TABLE IF EXISTS $table; CREATE TABLE $table (${COLUMNS_PG//double precision/double}) ENGINE=InnoDB;
      LOAD DATA LOCAL INFILE '$csv' INTO TABLE $table FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"'
      IGNORE 1 LINES (school_id, school_name, student_id, study_time_in_hr, health, internet, country, year, first_name, last_name, gender, @age, marks)
      SET age = NULLIF(@age, '')"
  fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/connections.yaml" <<EOF
connections:
  pg:
    kind: postgres
    host: 127.0.0.1
    port: 5432
    database: test
    user: postgres
    tls: disable
  maria:
    kind: mysql
    host: 127.0.0.1
    port: 3306
    database: test
    user: root
    tls: disable
EOF

# One job: prints "seconds max_rss_kib [read_seconds]".
datacook_from() {
  local kind=$1 table=$2
  printf 'connection: %s\ntable: %s\npartition: {column: student_id, count: %s}\n' "$kind" "$table" "$PARTS" > "$work/ds.yaml"
  read -r t m < <(measure "$BIN/datacook" run recipes/student-performance.json --dataset "$work/ds.yaml" \
    --output "$work/out.csv" --report "$work/report.json" --quiet)
  local read_s
  read_s=$(python3 -c "import json; print(json.load(open('$work/report.json'))['timing']['read_ms']/1000)")
  echo "$t $m $read_s"
}

export_then_run() {
  local table=$1
  cat > "$work/export.sh" <<EOF
set -e
$PG -c "\\copy $table TO '$work/export.csv' CSV HEADER"
"$BIN/datacook" run recipes/student-performance.json --dataset "$work/export.csv" --output "$work/out-export.csv" --quiet
EOF
  measure bash "$work/export.sh"
}

# "seconds max_rss_kib read_seconds": the whole process, and read_sql alone.
connectorx() {
  local url=$1 table=$2 log
  log=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$log" "$VENV/bin/python" bench/connectorx_read.py "$url" \
    "SELECT * FROM $table" student_id "$PARTS" > "$log.out"
  echo "$(cat "$log") $(cut -d' ' -f1 "$log.out")"
  rm -f "$log" "$log.out"
}

for n in $SIZES; do
  csv="$DATA/students-$n.csv"
  [[ -f "$csv" ]] || "$BIN/examples/gen_samples" students "$csv" "$n"
  load "$n" "$(realpath "$csv")"
done

printf '\n%-8s %-6s | %-26s | %-19s | %-26s %7s | %s\n' rows server "datacook job (read)" "export + datacook" "connectorx (read_sql)" "read" "peak RSS MiB dc / cx"
for n in $SIZES; do
  table="bench_students_$n"
  for server in pg maria; do
    : > "$work/dc"; : > "$work/ex"; : > "$work/cx"
    for _ in $(seq "$RUNS"); do
      datacook_from "$server" "$table" >> "$work/dc"
      if [[ $server == pg ]]; then export_then_run "$table" >> "$work/ex"; fi
      if [[ $server == pg ]]; then url="postgresql://postgres@127.0.0.1:5432/test?sslmode=disable"; else url="mysql://root@127.0.0.1:3306/test"; fi
      connectorx "$url" "$table" >> "$work/cx"
    done
    dc_t=$(cut -d' ' -f1 "$work/dc" | median); dc_m=$(cut -d' ' -f2 "$work/dc" | sort -n | tail -1)
    dc_r=$(cut -d' ' -f3 "$work/dc" | median)
    cx_t=$(cut -d' ' -f1 "$work/cx" | median); cx_m=$(cut -d' ' -f2 "$work/cx" | sort -n | tail -1)
    cx_r=$(cut -d' ' -f3 "$work/cx" | median)
    if [[ -s "$work/ex" ]]; then
      ex_t=$(cut -d' ' -f1 "$work/ex" | median)
      ex_cell=$(printf '%6.2f s (%5.2fx)' "$ex_t" "$(awk "BEGIN{print $dc_t/$ex_t}")")
    else
      ex_cell=$(printf '%19s' "-")
    fi
    printf '%-8s %-6s | %6.2f s (%6.2f s read)   | %s | %6.2f s (%6.2f s read_sql) %6.2fx | %s / %s\n' \
      "$n" "$server" "$dc_t" "$dc_r" "$ex_cell" "$cx_t" "$cx_r" "$(awk "BEGIN{print $dc_r/$cx_r}")" \
      "$(mib "$dc_m")" "$(mib "$cx_m")"
  done
done
echo "(ratios: datacook's whole job / export + datacook's whole job; datacook's read / connectorx's read_sql)"
