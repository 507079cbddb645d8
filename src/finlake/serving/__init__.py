"""Real-time scoring: the exported model applied in pure Python (no Spark, no JVM at request time).

`model.ScoringModel` reads the JSON artifact that training logs with the MLflow run
(`finlake.ml.artifact`), `store` holds the online features `finlake features publish` fills from
Gold, `service` answers a scoring request, `app` is the HTTP API (`finlake serve`, Lambda via Mangum)
and `drift` compares recent populations with the training one.
"""
