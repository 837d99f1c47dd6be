"""The statistics datacook's profile computes, in Python Polars: per column the count,
missing, distinct and unique values, the most common values, entropy; for numbers min, max,
mean, median, mode, sample standard deviation, variance, sum, percentiles 5/25/75/95, MAD,
skewness, kurtosis, zeros, z-score outliers; the duplicate rows and Pearson correlations.
Prints nothing but the column count; the bench times the process.

usage: profile_polars.py INPUT.csv
"""
import sys

import polars as pl

df = pl.read_csv(sys.argv[1])
numeric = [c for c, t in df.schema.items() if t.is_numeric()]
exprs = []
for c in df.columns:
    col = pl.col(c)
    exprs += [col.count().alias(f"{c}:count"), col.null_count().alias(f"{c}:missing"),
              col.n_unique().alias(f"{c}:distinct"), col.is_unique().sum().alias(f"{c}:unique"),
              col.entropy().alias(f"{c}:entropy") if c in numeric else
              col.value_counts().struct.field("count").entropy().alias(f"{c}:entropy")]
    if c in numeric:
        z = (col - col.mean()) / col.std()
        exprs += [col.min().alias(f"{c}:min"), col.max().alias(f"{c}:max"),
                  col.mean().alias(f"{c}:mean"), col.median().alias(f"{c}:median"),
                  col.mode().first().alias(f"{c}:mode"), col.std().alias(f"{c}:sd"),
                  col.var().alias(f"{c}:var"), col.sum().alias(f"{c}:sum"),
                  *[col.quantile(q, "linear").alias(f"{c}:p{int(q * 100)}")
                    for q in (0.05, 0.25, 0.75, 0.95)],
                  (col - col.median()).abs().median().alias(f"{c}:mad"),
                  col.skew().alias(f"{c}:skew"), col.kurtosis().alias(f"{c}:kurt"),
                  (col == 0).sum().alias(f"{c}:zeros"),
                  (z.abs() > 3).sum().alias(f"{c}:outliers")]
stats = df.select(exprs)
top = {c: df[c].value_counts(sort=True).head(5) for c in df.columns}
duplicates = df.height - df.unique().height
pairs = [(a, b) for i, a in enumerate(numeric) for b in numeric[i + 1:]]
corr = df.select([pl.corr(a, b).alias(f"{a}:{b}") for a, b in pairs]) if pairs else None
print(stats.width, len(top), duplicates, corr.width if corr is not None else 0)
