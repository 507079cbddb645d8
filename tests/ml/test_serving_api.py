"""The scoring API on a real uvicorn server (127.0.0.1): an existing loan gets the probability batch
scoring wrote, a new application is scored like Spark would score it, bad requests are 422/404."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.bronze import OPEN_LOAN_STATUSES
from finlake.contracts.gold import LOAN_FEATURES
from finlake.ml import tracking
from finlake.ml.calibration import PROBABILITY
from finlake.ml.features import feature_columns, model_input
from finlake.ml.scoring import run_batch_scoring
from finlake.serving.app import MAX_BATCH, create_app
from finlake.serving.local import running
from finlake.serving.publish import CUSTOMER_FEATURES, publish_features
from finlake.serving.registry import load_by_alias
from finlake.serving.requestlog import FIELDS, FileLog
from finlake.serving.service import ScoringService
from finlake.serving.store import CUSTOMER, LOAN, SqliteFeatureStore

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def api(spark, trained, tmp_path_factory):
    """The trained lake, batch-scored, published and served. An Iceberg lake cannot be copied (its
    paths are absolute), so the scoring commit is rolled back afterwards: the other ML tests see
    gold.customer_risk_scores as the fixture left it."""
    lake, _, _, result = trained
    root = tmp_path_factory.mktemp("serving")  # the online store and the request log
    scores = storage.ref("gold.customer_risk_scores")
    before = storage.current_snapshot_id(spark, lake, scores.name)
    run = run_batch_scoring(spark, lake, now=NOW)
    written = storage.read_table(spark, lake, run.table)  # the table the run says it committed to
    batch = written.where(F.col("scoring_run_id") == run.run_id).toPandas()
    store = SqliteFeatureStore(root / "features.db")
    publish_features(spark, lake, store)
    # The Gold-only lake has no Silver, so no customers: one customer's current features are taken
    # from their loan (the customer-level columns), added beside the published loans.
    loan = next(r for r in store.scan(LOAN) if r["annual_income"] and r["avg_monthly_inflow"])
    customer = {"customer_id": "C-NEW", **{c: loan[c] for c in CUSTOMER_FEATURES}}
    rows = [(LOAN, r["loan_id"], r) for r in store.scan(LOAN)] + [(CUSTOMER, "C-NEW", customer)]
    store.replace_all(rows, store.metadata())
    service = ScoringService(load_by_alias(lake, result.model_name, "champion"), store, FileLog(root / "requests"))
    try:
        with running(create_app(service)) as url:
            yield url, batch, loan, root, service
    finally:
        table = scores.identifier(lake)
        if before is None:
            spark.sql(f"DROP TABLE IF EXISTS {table} PURGE")
        else:
            spark.sql(f"CALL finlake.system.rollback_to_snapshot('{table.split('.', 1)[1]}', {before})")
        tracking.configure(lake)  # the other ML tests expect the fixture lake's tracking store


def _post(url: str, path: str, body: object) -> requests.Response:
    return requests.post(url + path, json=body, timeout=10)


def test_existing_loans_get_the_probability_batch_scoring_wrote(api, trained):
    url, batch, _, _, _ = api
    _, features, _, result = trained
    open_loans = features.where(F.col("status").isin(*OPEN_LOAN_STATUSES)).select("loan_id", "customer_id").collect()
    served: dict[str, float] = {}
    for i in range(0, len(open_loans), MAX_BATCH):
        chunk = open_loans[i : i + MAX_BATCH]
        answers = _post(url, "/v1/score/batch", {"requests": [{"loan_id": r["loan_id"]} for r in chunk]}).json()
        for r, a in zip(chunk, answers["results"], strict=True):
            assert a["status"] == 200 and a["result"]["model_version"] == result.model_version
            served[r["customer_id"]] = max(served.get(r["customer_id"], 0.0), a["result"]["probability"])
    expected = dict(zip(batch["customer_id"], batch["default_probability"], strict=True))
    assert set(served) == set(expected)
    assert max(abs(served[c] - p) for c, p in expected.items()) <= 1e-9
    holders = [r["customer_id"] for r in open_loans]
    one = next(r for r in open_loans if holders.count(r["customer_id"]) == 1)
    single = _post(url, "/v1/score", {"loan_id": one["loan_id"]}).json()
    assert abs(single["probability"] - expected[one["customer_id"]]) <= 1e-9


def test_a_new_application_scores_as_spark_would(api, spark, trained):
    url, _, loan, _, _ = api
    terms = {"loan_type": "auto", "principal": 12000.0, "term_months": 36, "interest_rate": 7.5}
    answer = _post(url, "/v1/score", {"customer_id": "C-NEW", "application": terms})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # Independently: the customer's features plus the terms, the annuity and Gold's two ratios, scored by Spark.
    r = 7.5 / 1200
    payment = round(12000.0 * r / (1 - (1 + r) ** -36), 2)
    row = {c.name: None for c in LOAN_FEATURES.columns}
    row.update({c: loan[c] for c in CUSTOMER_FEATURES}, loan_id="X", customer_id="C-NEW", account_id="A")
    row.update(loan_type="AUTO", principal=Decimal("12000.00"), term_months=36, interest_rate=Decimal("7.5000"))
    row.update(monthly_payment=Decimal(f"{payment:.2f}"), status="CURRENT", is_default=0)
    row.update(
        payment_to_income=12 * payment / loan["annual_income"], payment_to_inflow=payment / loan["avg_monthly_inflow"]
    )
    for c in LOAN_FEATURES.columns:  # the store keeps numbers as floats; Spark's whole-number columns want ints
        if c.type in ("int", "bigint") and row[c.name] is not None:
            row[c.name] = int(row[c.name])
    row["annual_income"] = Decimal(f"{row['annual_income']:.2f}")
    frame = spark.createDataFrame([row], LOAN_FEATURES.spark_schema())
    model, _ = tracking.load_model_by_alias(trained[3].model_name, "champion")
    numeric, categorical = feature_columns(frame.columns)
    expected = model.transform(frame.transform(model_input(numeric, categorical))).first()[PROBABILITY]
    assert body["probability"] == pytest.approx(expected, abs=1e-9)
    assert body["risk_band"] in {"LOW", "MEDIUM", "HIGH"}


def test_reasons_are_the_largest_risk_raising_factors_in_words(api):
    url, _, _, _, service = api
    loans = list(service.store.scan(LOAN))
    riskiest = max(loans, key=lambda r: service.model.score(r).probability)
    body = _post(url, "/v1/score", {"loan_id": riskiest["loan_id"]}).json()
    reasons = body["reasons"]
    assert 1 <= len(reasons) <= 4
    contributions = [r["contribution"] for r in reasons]
    assert contributions == sorted(contributions, reverse=True) and min(contributions) > 0
    descriptions = {c.name: c.description.rstrip(".") for c in LOAN_FEATURES.columns}
    for reason in reasons:
        assert reason["text"].startswith(descriptions[reason["factor"]])
    # Independently for a numeric factor: coefficient x (value - training mean) / training sd.
    model = service.model.document
    slot = next(i for i, s in enumerate(model["slots"]) if s["name"] == "payment_to_income")
    value = riskiest["payment_to_income"]
    if value is not None:
        z = (value - model["scaling"]["mean"][slot]) / model["scaling"]["std"][slot]
        by_factor = {r["factor"]: r["contribution"] for r in reasons}
        if "payment_to_income" in by_factor:
            assert by_factor["payment_to_income"] == pytest.approx(model["coefficients"][slot] * z, abs=1e-6)


BAD = [
    ({"customer_id": "C-NEW", "application": {"loan_type": "AUTO", "term_months": 12, "interest_rate": 5}}, "application.principal"),
    ({"customer_id": "C-NEW", "application": {"loan_type": "AUTO", "principal": -1, "term_months": 12, "interest_rate": 5}}, "application.principal"),
    ({"customer_id": "C-NEW", "application": {"loan_type": "AUTO", "principal": 10, "term_months": "x", "interest_rate": 5}}, "application.term_months"),
    ({"loan_id": "L1", "ssn": "123"}, "ssn"),
    ({"loan_id": "L1", "customer_id": "C1"}, "body"),
    ({}, "body"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "field"), BAD)
def test_bad_requests_are_422_naming_the_field(api, body, field):
    answer = _post(api[0], "/v1/score", body)
    assert answer.status_code == 422
    assert field in [f["field"] for f in answer.json()["fields"]], answer.json()
    assert "Traceback" not in answer.text


def test_unknown_ids_are_404_and_batches_are_bounded(api):
    url = api[0]
    assert _post(url, "/v1/score", {"loan_id": "no-such-loan"}).status_code == 404
    terms = {"loan_type": "AUTO", "principal": 10, "term_months": 12, "interest_rate": 5}
    assert _post(url, "/v1/score", {"customer_id": "nobody", "application": terms}).status_code == 404
    too_many = {"requests": [{"loan_id": "x"}] * (MAX_BATCH + 1)}
    answer = _post(url, "/v1/score/batch", too_many)
    assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == "requests"
    mixed = _post(url, "/v1/score/batch", {"requests": [{"loan_id": "no-such-loan"}]}).json()
    assert mixed["results"][0]["status"] == 404
    garbage = requests.post(
        url + "/v1/score", data="{not json", headers={"content-type": "application/json"}, timeout=5
    )
    assert garbage.status_code == 422 and "Traceback" not in garbage.text


def test_health_openapi_and_a_request_log_without_pii(api):
    url, _, loan, root, service = api
    health = requests.get(url + "/healthz", timeout=5).json()
    assert health["status"] == "ok" and health["model_version"] == service.model.version
    paths = requests.get(url + "/openapi.json", timeout=5).json()["paths"]
    assert {"/v1/score", "/v1/score/batch", "/healthz"} <= set(paths)
    assert requests.get(url + "/docs", timeout=5).status_code == 200
    _post(url, "/v1/score", {"loan_id": loan["loan_id"]})
    lines = [json.loads(x) for f in sorted((root / "requests").glob("*.jsonl")) for x in f.read_text().splitlines()]
    mine = [x for x in lines if x["loan_id"] == loan["loan_id"] and x["status"] == 200]
    assert mine and set(mine[-1]) == {*FIELDS, "ts"}
    assert mine[-1]["customer_id"] == loan["customer_id"] and mine[-1]["latency_ms"] > 0
    # the application's terms and the customer's attributes never reach the log
    assert not any(k in x for x in lines for k in ("principal", "annual_income", "application"))
