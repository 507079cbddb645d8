"""The online store behind one interface (SQLite locally, DynamoDB on AWS via moto) and the PSI."""

from __future__ import annotations

import math

import boto3
import numpy as np
import pytest
from moto import mock_aws

from finlake.serving import drift
from finlake.serving.store import CUSTOMER, LOAN, DynamoFeatureStore, SqliteFeatureStore

ROWS = [(LOAN, f"L{i}", {"loan_id": f"L{i}", "customer_id": "C1", "principal": 1000.0 + i}) for i in range(60)] + [
    (CUSTOMER, "C1", {"customer_id": "C1", "annual_income": None, "segment": "MASS"})
]


def _exercise(store) -> None:
    assert store.replace_all(ROWS, {"published_at": "2026-01-01T00:00:00+00:00"}) == 61
    assert store.get(LOAN, "L7") == {"loan_id": "L7", "customer_id": "C1", "principal": 1007.0}
    assert store.get(CUSTOMER, "C1")["annual_income"] is None
    assert store.get(LOAN, "nope") is None
    assert len(list(store.scan(LOAN))) == 60
    assert store.metadata()["published_at"].startswith("2026")


def test_sqlite_store_and_a_reader_sees_the_republished_file(tmp_path):
    store = SqliteFeatureStore(tmp_path / "features.db")
    _exercise(store)
    store.replace_all([(LOAN, "L1", {"loan_id": "L1", "principal": 5.0})], {})
    assert store.get(LOAN, "L1") == {"loan_id": "L1", "principal": 5.0} and store.get(LOAN, "L7") is None


def test_dynamodb_store(monkeypatch):
    for k, v in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="features",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        _exercise(DynamoFeatureStore("features", client))


def test_psi_is_zero_for_the_same_population_and_flags_a_shift():
    rng = np.random.default_rng(1)
    train = rng.normal(0, 1, 5000)
    ref = drift.numeric_reference(train)
    assert drift.psi(ref["proportions"], drift.numeric_histogram(train, ref)) == pytest.approx(0, abs=1e-12)
    shifted = drift.numeric_histogram(rng.normal(1, 1, 5000), ref)
    # independently: PSI from the definition over the same bins
    e, a = np.maximum(ref["proportions"], 1e-4), np.maximum(shifted, 1e-4)
    expected = sum((x - y) * math.log(x / y) for x, y in zip(a, e, strict=True))
    assert drift.psi(ref["proportions"], shifted) == pytest.approx(expected)
    assert drift.verdict(expected) == "drifted"
    cats = drift.categorical_reference(["A"] * 90 + ["B"] * 10)
    assert drift.categorical_histogram(["A"] * 50 + ["C"] * 50, cats) == [0.5, 0.0, 0.5]
