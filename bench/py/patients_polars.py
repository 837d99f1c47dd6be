"""The patient data-quality recipe in Python Polars: two flags, a left join with the
encounters, a third flag; CSV out.

usage: patients_polars.py PATIENTS.csv ENCOUNTERS.csv OUTPUT.csv
"""
import sys

import polars as pl

patients, encounters, out = sys.argv[1:4]
p = pl.read_csv(patients, infer_schema_length=0)
e = pl.read_csv(encounters, columns=["PATIENT"], infer_schema_length=0)
cols = []
for name in p.columns:
    cols.append(pl.col(name))
    if name == "BIRTHDATE":
        cols.append(pl.when(pl.col("BIRTHDATE").str.contains(r"(?:(?:18|19|20)[0-9]{2})"))
                    .then(pl.lit("Yes")).otherwise(pl.lit("No")).alias("BIRTHDATE_flagged"))
    if name == "DRIVERS":
        cols.append(pl.when(pl.col("DRIVERS").is_null() | (pl.col("DRIVERS") == ""))
                    .then(pl.lit("Yes")).otherwise(pl.lit("No")).alias("DRIVERS_flagged"))
joined = p.select(cols).join(e, left_on="Id", right_on="PATIENT", how="left",
                             coalesce=False, maintain_order="left")
joined.with_columns(
    pl.when(pl.col("PATIENT").is_null()).then(pl.lit("Yes")).otherwise(pl.lit("No"))
    .alias("Patient_flagged")).write_csv(out)
