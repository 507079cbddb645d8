"""Tiny gold.loan_features tables with a known signal, built from the contract's schema."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from pyspark.sql import types as T

from finlake.contracts.gold import LOAN_FEATURES

# The true model: log-odds = INTERCEPT + sum(weight x standardised feature) (+ UNEMPLOYED_EFFECT).
SIGNAL = {"payment_to_income": 1.3, "overdraft_days": 0.9, "min_balance": -0.6}
UNEMPLOYED_EFFECT = 1.0
INTERCEPT = -2.2


def _to_row_value(value: object, data_type: T.DataType) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(data_type, T.DecimalType):
        return Decimal(f"{float(value):.{data_type.scale}f}")
    if isinstance(data_type, T.IntegerType | T.LongType):
        return int(value)  # type: ignore[call-overload]
    if isinstance(data_type, T.DoubleType):
        return float(value)  # type: ignore[arg-type]
    return value


def loan_features_frame(n: int, seed: int, start: date = date(2021, 1, 1)) -> pd.DataFrame:
    """n loans with the columns of gold.loan_features; label drawn from a known logistic model.
    Also returns the true probability (column true_default_probability)."""
    rng = np.random.default_rng(seed)
    employment = rng.choice(["EMPLOYED", "SELF_EMPLOYED", "UNEMPLOYED"], size=n, p=[0.7, 0.2, 0.1])
    income = rng.lognormal(mean=10.5, sigma=0.4, size=n)
    payment = rng.uniform(150, 1500, size=n)
    pti = 12 * payment / income
    overdraft = rng.poisson(3, size=n).astype(float)
    min_balance = rng.normal(500, 400, size=n)
    z = {
        "payment_to_income": (pti - pti.mean()) / pti.std(),
        "overdraft_days": (overdraft - overdraft.mean()) / overdraft.std(),
        "min_balance": (min_balance - min_balance.mean()) / min_balance.std(),
    }
    logit = INTERCEPT + sum(w * z[c] for c, w in SIGNAL.items()) + UNEMPLOYED_EFFECT * (employment == "UNEMPLOYED")
    p_true = 1 / (1 + np.exp(-logit))
    y = (rng.uniform(size=n) < p_true).astype(int)
    days = rng.integers(0, 730, size=n)
    frame = pd.DataFrame(
        {
            "loan_id": [f"L{seed}-{i:05d}" for i in range(n)],
            "customer_id": [f"C{seed}-{i % max(1, n - 7):05d}" for i in range(n)],  # a few customers hold 2 loans
            "account_id": [f"A{seed}-{i:05d}" for i in range(n)],
            "origination_date": [start + timedelta(days=int(d)) for d in days],
            "loan_type": rng.choice(["PERSONAL", "AUTO", "MORTGAGE"], size=n),
            "principal": payment * 24,
            "interest_rate": rng.uniform(2, 12, size=n),
            "term_months": rng.choice([12, 24, 36, 60], size=n),
            "monthly_payment": payment,
            "segment": rng.choice(["MASS", "AFFLUENT"], size=n),
            "employment_status": employment,
            "gender": rng.choice(["F", "M"], size=n),
            "district": rng.choice(["NORTH", "SOUTH", "EAST"], size=n),
            "age_years": rng.uniform(20, 70, size=n),
            "tenure_months": rng.uniform(0, 120, size=n),
            "annual_income": income,
            "payment_to_income": pti,
            "history_days": rng.integers(30, 180, size=n),
            "txn_count": rng.integers(5, 200, size=n),
            "inflow": income / 2 + rng.normal(0, 1000, size=n),
            "outflow": income / 2 + rng.normal(0, 1000, size=n),
            "avg_monthly_inflow": income / 12,
            "avg_balance": min_balance + rng.uniform(100, 2000, size=n),
            "min_balance": min_balance,
            "balance_volatility": rng.uniform(50, 900, size=n),
            "overdraft_days": overdraft,
            "cash_withdrawal_share": rng.uniform(0, 1, size=n),
            "cash_withdrawal_count": rng.integers(0, 30, size=n),
            "payment_to_inflow": payment / (income / 12),
            "penalty_interest_count": rng.poisson(0.3, size=n),
            "pre_loan_min_balance": min_balance - rng.uniform(0, 500, size=n),
            "pre_loan_avg_balance": min_balance + rng.uniform(-200, 2500, size=n),  # some at or below zero
            "last_balance": min_balance + rng.uniform(0, 2000, size=n),
            "negative_balance_days": overdraft + rng.poisson(2, size=n),
            "balance_trend": rng.normal(0, 300, size=n),
            "inflow_trend": rng.normal(0, 0.3, size=n),
            "status": np.where(y == 1, "DEFAULT", rng.choice(["CURRENT", "PAID_OFF", "LATE"], size=n)),
            "is_default": y,
            "observed_until": start + timedelta(days=730 + 400),  # every loan older than a year
            "true_default_probability": p_true,
        }
    )
    # The account features from their own stream, so the columns above keep their values for a seed.
    accounts = np.random.default_rng(seed + 20)
    frame["has_second_authorised_user"] = (accounts.uniform(size=n) < 0.2).astype(int)
    frame["card_before_loan"] = (accounts.uniform(size=n) < 0.3).astype(int)
    frame["card_class"] = np.where(frame["card_before_loan"] == 1, accounts.choice(["CLASSIC", "GOLD"], size=n), "NONE")
    # Some missing incomes, as in real data (the imputer's job).
    missing = rng.uniform(size=n) < 0.05
    frame.loc[missing, ["annual_income", "payment_to_income"]] = np.nan
    return frame


def to_spark(spark, frame: pd.DataFrame):
    schema = LOAN_FEATURES.spark_schema()
    rows = [
        tuple(_to_row_value(record[f.name], f.dataType) for f in schema.fields)
        for record in frame.to_dict(orient="records")
    ]
    return spark.createDataFrame(rows, schema=schema)


# Small and quick: 2 CV folds, 2 regularisation strengths, no GBT challenger (tests/ml/test_challenger.py has it).
FAST = {"cv_folds": 2, "reg_grid": (0.01, 0.1), "challenger": False}
