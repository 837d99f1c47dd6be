"""Read a table into a Polars frame with connectorx, as a user would without datacook.

usage: connectorx_read.py URL QUERY PARTITION_COLUMN PARTITIONS
Prints the seconds `read_sql` took (the bench also times the whole process).
"""
import sys
import time

import connectorx as cx

url, query, column, parts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
kwargs = {"partition_on": column, "partition_num": parts} if parts > 1 else {}
start = time.perf_counter()
frame = cx.read_sql(url, query, return_type="polars", **kwargs)
print(f"{time.perf_counter() - start:.3f} {frame.height}")
