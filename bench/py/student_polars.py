"""The student-performance recipe in Python Polars, as a user would write it: read the CSV
once, compute the statistics, transform, write CSV.

usage: student_polars.py INPUT.csv OUTPUT.csv
"""
import math
import sys

import polars as pl

inp, out = sys.argv[1], sys.argv[2]
df = pl.read_csv(inp)
study = pl.col("study_time_in_hr")
stats = df.select(
    pl.col("age").median().alias("median"),
    study.mean().alias("mean"),
    study.std().alias("sd"),
)
median, mean, sd = stats.row(0)
# Integer column filled with a median: round half away from zero (datacook's rule).
fill = int(math.copysign(math.floor(abs(median) + 0.5), median))
top = df["gender"].drop_nulls().value_counts(sort=True)["gender"][0]
kept = df.filter((((study - mean) / sd).abs() <= 3) | study.is_null())
levels = sorted(kept["health"].drop_nulls().unique().to_list())
columns = []
for name in ["school_id", "student_id", "study_time_in_hr", "health", "internet", "country",
             "year", "gender", "age", "marks"]:
    columns.append(pl.col("age").fill_null(fill) if name == "age" else pl.col(name))
    if name == "health":
        columns += [(pl.col("health") == level).cast(pl.Int32).fill_null(0).alias(f"health_{level}")
                    for level in levels]
    if name == "gender":
        columns.append(
            pl.when(pl.col("gender") == top).then(1)
            .when(pl.col("gender").is_null()).then(None)
            .otherwise(2).cast(pl.Int64).alias("gender_mapped"))
kept.select(columns).write_csv(out)
