"""The loan-default model: features, split, MLlib pipeline, evaluation, MLflow tracking and scoring.

One library function trains (`finlake.ml.training.train_default_model`) and one scores
(`finlake.ml.scoring.run_batch_scoring`); the Databricks notebook, the Databricks jobs and the
`finlake train` / `finlake score` commands all call them, so every entry point runs the same logic.
"""
