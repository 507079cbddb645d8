"""The monitor Lambda's rate book: a JSON snapshot of silver.fx_rates loaded from S3 (moto)."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from finlake.contracts.fx_rates import RateBook
from finlake.stream.aws import load_rate_book

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
BOOK = RateBook.from_rows([("CZK", date(1999, 1, 4), D("35.107000"), "1999-01-04T15:00:00")])


@pytest.fixture
def s3(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket="ref", CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_object(Bucket="ref", Key="fx/rates.json", Body=BOOK.to_json().encode())
        client.put_object(Bucket="ref", Key="fx/bad.json", Body=b"not json")
        yield client


def test_snapshot_loads_and_converts(s3):
    book = load_rate_book(s3, "s3://ref/fx/rates.json")
    assert book.to_eur(D("351070.00"), "CZK", date(1995, 6, 1)) == D("10000.00")  # before the series: first rate


@pytest.mark.parametrize("uri", ["ref/fx/rates.json", "s3://ref", "s3://ref/fx/bad.json"])
def test_bad_uri_or_snapshot_is_a_one_line_error(s3, uri):
    with pytest.raises(ValueError, match=r"FX_RATES_URI|not a rate snapshot"):
        load_rate_book(s3, uri)


def test_the_lambda_uses_the_snapshot_when_the_variable_is_set(s3):
    spec = importlib.util.spec_from_file_location("monitor_lambda", REPO / "lambdas/transaction_monitor/handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    env = {name: "x" for name in module.REQUIRED_ENV}
    assert module._deps(env).rules.rates.dates == {}  # unset: an empty book, EUR amounts only
    rules = module._deps({**env, module.RATES_ENV: "s3://ref/fx/rates.json"}).rules
    assert rules.rates.currencies() == ["CZK"]
