"""Reads a sipscope dataset with pyarrow (independent of DuckDB): every file on its own, then the whole dataset
with hive partitioning. Prints one JSON object: per file its table and column types, and per table the rows and
hosts seen through pyarrow.dataset."""
import json
import pathlib
import sys

import pyarrow.dataset as ds
import pyarrow.parquet as pq

root = pathlib.Path(sys.argv[1])
files = {}
for path in sorted(root.glob("*/date=*/host=*/*.parquet")):
    table = pq.read_table(path, partitioning=None)
    files[str(path.relative_to(root))] = {
        "table": path.relative_to(root).parts[0],
        "rows": table.num_rows,
        "columns": [[field.name, str(field.type)] for field in table.schema],
    }
tables = {}
for table_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
    dataset = ds.dataset(table_dir, format="parquet", partitioning="hive")
    read = dataset.to_table()
    tables[table_dir.name] = {"rows": read.num_rows, "hosts": sorted(set(read.column("host").to_pylist()))}
print(json.dumps({"pyarrow": __import__("pyarrow").__version__, "files": files, "tables": tables}))
