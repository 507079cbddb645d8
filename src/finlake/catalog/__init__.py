"""The Data Catalog side of finlake: crawler definitions, the local crawler and the Glue push.

`finlake crawl` reads the lake as the Glue crawlers in `crawlers/*.yaml` would, and writes the very
`TableInput` / `PartitionInput` structures the Glue API takes into `<lake>/_catalog/`. The same
structures can be pushed to a real Glue Data Catalog (`glue.py`). The query engine
(`finlake.query`) reads the local catalog to know which tables and partitions exist.
"""
