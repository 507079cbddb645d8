"""Issue 21 item 6: a warm monitor Lambda reloads the Silver job's rate snapshot when its ETag changes
(checked at most every RATES_REFRESH_SECONDS), keeps the old book when a refresh fails, and starts with an
empty book (EUR amounts only) until the snapshot exists. S3 is moto."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import boto3
import pytest
from generated import lambda_records
from moto import mock_aws

from finlake.contracts.fx_rates import RateBook
from finlake.stream.aws import RATES_REFRESH_SECONDS, S3RateBook
from finlake.stream.handler import Deps, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState

REGION = "eu-central-1"
URI = "s3://finlake-dev-artifacts/_state/fx_rates.json"
ROW = {
    "account_id": "A1",
    "amount": "240000.00",  # CZK: 9,600.00 EUR at 25 CZK/EUR, 12,000.00 EUR at 20 CZK/EUR
    "currency": "CZK",
    "direction": "DEBIT",
    "channel": "ATM",
    "merchant_category": "",
    "description": "",
    "balance_after": "",
}


def book(rate: str) -> bytes:
    return RateBook.from_rows([("CZK", date(2024, 1, 2), D(rate), "2024-01-02T15:00:00")]).to_json().encode()


class CountingS3:
    """The moto client, counting GetObject calls and the ones that returned a body (not 304)."""

    def __init__(self, client) -> None:
        self.client, self.calls, self.bodies = client, 0, 0

    def get_object(self, **kwargs):
        self.calls += 1
        response = self.client.get_object(**kwargs)
        self.bodies += 1
        return response


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def s3(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket="finlake-dev-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


def put(s3, body: bytes) -> None:
    s3.put_object(Bucket="finlake-dev-artifacts", Key="_state/fx_rates.json", Body=body)


def large_cash(deps: Deps, n: int) -> bool:
    """Transaction T<n> (240,000 CZK) through the handler; whether it raised a LARGE_CASH alert."""
    row = {**ROW, "transaction_id": f"T{n}", "booked_at": f"2024-03-01T10:{n:02d}:00Z"}
    assert handle(lambda_records([json.dumps(row).encode()], start=n), deps)[0] == {"batchItemFailures": []}
    return f"LARGE_CASH:A1:T{n}" in deps.publisher.sent


def test_the_handler_judges_with_the_new_book_after_the_ttl_and_rereads_nothing_unchanged(s3):
    put(s3, book("25"))
    counting, clock = CountingS3(s3), Clock()
    source = S3RateBook(counting, URI, clock=clock)
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs(), rates=source.current)
    assert not large_cash(deps, 1)  # 9,600 EUR
    assert (counting.calls, counting.bodies) == (1, 1)

    clock.t += RATES_REFRESH_SECONDS + 1  # due, but unchanged: one conditional GET, answered 304, no body
    assert not large_cash(deps, 2)
    assert (counting.calls, counting.bodies) == (2, 1)

    put(s3, book("20"))  # the Silver job rewrote the snapshot
    clock.t += RATES_REFRESH_SECONDS - 10  # not due yet: the warm book is used without asking S3
    assert not large_cash(deps, 3)
    assert counting.calls == 2
    clock.t += 20
    assert large_cash(deps, 4)  # 12,000 EUR with the new book
    assert (counting.calls, counting.bodies) == (3, 2)
    assert deps.rules.rates.to_eur(D("240000.00"), "CZK", date(2024, 3, 1)) == D("12000.00")


def test_a_failed_refresh_keeps_the_book_and_logs_one_line(s3):
    put(s3, book("20"))
    clock, lines = Clock(), []
    source = S3RateBook(s3, URI, clock=clock, log=lines.append)
    first = source.current()
    put(s3, b"not json")
    clock.t += RATES_REFRESH_SECONDS
    assert source.current() is first
    assert len(lines) == 1 and "refresh failed" in lines[0] and "\n" not in lines[0]
    put(s3, book("30"))  # repaired: picked up at the next check, not before
    assert source.current() is first
    clock.t += RATES_REFRESH_SECONDS
    assert source.current().to_eur(D("300.00"), "CZK", date(2024, 3, 1)) == D("10.00")


def test_before_silver_writes_the_snapshot_only_eur_is_judged_then_it_is_picked_up(s3):
    clock, lines = Clock(), []
    source = S3RateBook(s3, URI, clock=clock, log=lines.append)
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs(), rates=source.current)
    assert not large_cash(deps, 1) and deps.rules.rates.currencies() == []
    assert len(lines) == 1 and "no rate snapshot yet" in lines[0]
    put(s3, book("20"))
    clock.t += RATES_REFRESH_SECONDS
    assert large_cash(deps, 2)


def test_a_malformed_snapshot_at_the_first_load_fails_loudly_and_is_retried(s3):
    put(s3, b"{}x")
    source = S3RateBook(s3, URI, clock=Clock())
    with pytest.raises(ValueError, match="not a rate snapshot"):
        source.current()
    put(s3, book("20"))
    assert source.current().currencies() == ["CZK"]  # not cached as checked: the next call loads it
