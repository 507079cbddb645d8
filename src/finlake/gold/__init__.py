"""Gold: business tables built from Silver by pure DataFrame -> DataFrame functions.

One module per table; `job.run_silver_to_gold` reads Silver, gates on data quality, builds,
audits and publishes. Every builder ends with `conform(TABLE)`: one select of exactly the declared
columns, in declared order, with declared types (`finlake.contracts.gold`).
"""
