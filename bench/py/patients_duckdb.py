"""The patient data-quality recipe in DuckDB SQL.

usage: patients_duckdb.py PATIENTS.csv ENCOUNTERS.csv OUTPUT.csv
"""
import sys

import duckdb

patients, encounters, out = sys.argv[1:4]
con = duckdb.connect()
cols = [c[0] for c in con.execute(
    f"DESCRIBE SELECT * FROM read_csv('{patients}', all_varchar=true)").fetchall()]
select = []
for c in cols:
    select.append(f'p."{c}"')
    if c == "BIRTHDATE":
        select.append("CASE WHEN regexp_matches(p.BIRTHDATE, '(?:(?:18|19|20)[0-9]{2})') "
                      "THEN 'Yes' ELSE 'No' END AS BIRTHDATE_flagged")
    if c == "DRIVERS":
        select.append("CASE WHEN p.DRIVERS IS NULL OR p.DRIVERS = '' THEN 'Yes' ELSE 'No' END "
                      "AS DRIVERS_flagged")
con.execute(f"""
COPY (
  SELECT {", ".join(select)}, e.PATIENT,
         CASE WHEN e.PATIENT IS NULL THEN 'Yes' ELSE 'No' END AS Patient_flagged
  FROM read_csv('{patients}', all_varchar=true) p
  LEFT JOIN (SELECT PATIENT FROM read_csv('{encounters}', all_varchar=true)) e
    ON p.Id = e.PATIENT
) TO '{out}' (HEADER)""")
