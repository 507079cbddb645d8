"""Answering a scoring request: features from the online store, the pure-Python model, reasons, a log line.

Independent of HTTP: the FastAPI app (`app.py`), the Lambda and the in-process benchmark call it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from finlake.errors import FinlakeError
from finlake.serving import reasons as reason_codes
from finlake.serving.model import ScoringModel
from finlake.serving.requestlog import LoggerLog, RequestLog, record
from finlake.serving.store import CUSTOMER, LOAN, FeatureStore

# What a new application brings; every other model input is the customer's current feature.
APPLICATION_TERMS = ("loan_type", "principal", "interest_rate", "term_months", "monthly_payment")


class NotFound(FinlakeError):
    """An unknown loan or customer id (HTTP 404)."""


def annuity(principal: float, annual_rate_percent: float, months: int) -> float:
    """The instalment of an annuity loan, rounded to cents (as the Bronze contract carries it)."""
    r = annual_rate_percent / 1200
    payment = principal / months if r == 0 else principal * r / (1 - (1 + r) ** -months)
    return round(payment, 2)


def _ratio(numerator: float, denominator: Any) -> float | None:
    """Gold's ratio rule: null when the denominator is missing or not positive."""
    return numerator / denominator if denominator is not None and denominator > 0 else None


def application_row(customer: dict[str, Any], application: dict[str, Any]) -> dict[str, Any]:
    """The customer's current features plus the terms, with Gold's derived ratios recomputed."""
    payment = application.get("monthly_payment") or annuity(
        application["principal"], application["interest_rate"], application["term_months"]
    )
    row = {**customer, **{k: application.get(k) for k in APPLICATION_TERMS}, "monthly_payment": payment}
    row["payment_to_income"] = _ratio(12 * payment, customer.get("annual_income"))
    row["payment_to_inflow"] = _ratio(payment, customer.get("avg_monthly_inflow"))
    return row


def risk_band(model: ScoringModel, probability: float) -> str:
    for band, lower, upper in model.document["risk_bands"]:
        if lower <= probability < upper:
            return str(band)
    raise ValueError(f"probability {probability} is outside every risk band")


@dataclass
class ScoringService:
    model: ScoringModel
    store: FeatureStore
    log: RequestLog = LoggerLog()  # noqa: RUF009 (stateless)

    def features(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("loan_id") is not None:
            row = self.store.get(LOAN, request["loan_id"])
            if row is None:
                raise NotFound(f"unknown loan_id {request['loan_id']!r}")
            return row
        customer = self.store.get(CUSTOMER, request["customer_id"])
        if customer is None:
            raise NotFound(f"unknown customer_id {request['customer_id']!r}")
        return application_row(customer, request["application"])

    def answer(self, row: dict[str, Any]) -> dict[str, Any]:
        scored = self.model.score(row)
        return {
            "probability": scored.probability,
            "risk_band": risk_band(self.model, scored.probability),
            "above_threshold": scored.probability >= self.model.threshold,
            "reasons": reason_codes.reasons(self.model, scored),
            "model_name": self.model.name,
            "model_version": self.model.version,
        }

    def score(self, request: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
        """One request ({"loan_id"} or {"customer_id", "application"}); logs one line, raises NotFound."""
        started = time.perf_counter()
        kind = "loan" if request.get("loan_id") is not None else "application"
        ids = {"loan_id": request.get("loan_id"), "customer_id": request.get("customer_id")}
        line = {"request_id": request_id or uuid.uuid4().hex, "kind": kind, **ids,
                "model_name": self.model.name, "model_version": self.model.version}  # fmt: skip
        try:
            row = self.features(request)
            result = self.answer(row)
        except NotFound:
            self.log.write(record(**line, status=404, latency_ms=_ms(started)))
            raise
        line["customer_id"] = line["customer_id"] or row.get("customer_id")
        outcome = {"probability": result["probability"], "risk_band": result["risk_band"]}
        self.log.write(record(**line, **outcome, status=200, latency_ms=_ms(started)))
        return result


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
