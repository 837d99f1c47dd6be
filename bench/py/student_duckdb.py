"""The student-performance recipe in DuckDB SQL: read the CSV, compute the statistics,
transform, write CSV.

usage: student_duckdb.py INPUT.csv OUTPUT.csv
"""
import sys

import duckdb

inp, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"CREATE TABLE s AS SELECT * FROM read_csv('{inp}')")
median, mean, sd = con.execute(
    "SELECT median(age), avg(study_time_in_hr), stddev_samp(study_time_in_hr) FROM s").fetchone()
fill = round(median)  # DuckDB's round: half away from zero
top = con.execute(
    "SELECT gender FROM s WHERE gender IS NOT NULL GROUP BY gender ORDER BY count(*) DESC LIMIT 1"
).fetchone()[0]
kept = f"abs((study_time_in_hr - {mean}) / {sd}) <= 3 OR study_time_in_hr IS NULL"
levels = [r[0] for r in con.execute(
    f"SELECT DISTINCT health FROM s WHERE ({kept}) AND health IS NOT NULL ORDER BY 1").fetchall()]
onehot = ", ".join(f"CASE WHEN health = {l} THEN 1 ELSE 0 END AS health_{l}" for l in levels)
con.execute(f"""
COPY (
  SELECT school_id, student_id, study_time_in_hr, health, {onehot}, internet, country, year,
         gender, CASE WHEN gender = '{top}' THEN 1 WHEN gender IS NULL THEN NULL ELSE 2 END
           AS gender_mapped,
         coalesce(age, {fill}) AS age, marks
  FROM s WHERE {kept}
) TO '{out}' (HEADER)""")
