"""Baseline (a), the floor: plain Spark reads the Bronze CSVs with an explicit schema and writes Parquet.

No validation, typing, dedupe, lineage or partitioning: the least any Spark job over this Bronze
must do (parse every CSV byte once, write every row once). Same session settings as our jobs.

    python -m finlake.bench.floor BRONZE_ROOT OUT_DIR
"""

from __future__ import annotations

import sys

from finlake.contracts.bronze import ENTITIES, ENTITY_ORDER
from finlake.silver.reader import CSV_OPTIONS


def main(argv: list[str]) -> int:
    bronze, out = argv
    from finlake.spark import local_session

    spark = local_session("finlake-bench-floor")
    options = {k: v for k, v in CSV_OPTIONS.items() if k != "columnNameOfCorruptRecord"}
    for name in ENTITY_ORDER:
        entity = ENTITIES[name]
        df = spark.read.options(**options).schema(entity.raw_spark_schema()).csv(f"{bronze}/{name}")
        df.write.mode("overwrite").parquet(f"{out}/{name}")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
