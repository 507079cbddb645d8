"""Risk alerts: who entered the HIGH band in the latest scoring run, whose early-warning risk rose at the
latest month end, and the messages to send.

Pure logic shared by the AWS Lambda (`lambdas/high_risk_alert/handler.py`, which adds Athena, SNS and
its DynamoDB memory) and the local `finlake alerts`. Standard library only: the Lambda package carries
this module as it is, next to the handler.

A message carries customer ids, probabilities, band, model version and a dashboard link — never a
direct identifier (names, e-mail, phone or address live only in the restricted silver.customer_pii).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol, TypeVar

# The query, in the Athena dialect; also an Athena named query for analysts.
ALERT_QUERY_NAME = "high_risk_new_entrants"
ALERT_QUERY_FILE = f"{ALERT_QUERY_NAME}.sql"
MESSAGE_TYPE = "finlake.high_risk_customers.v1"
DEFAULT_BATCH_SIZE = 50  # customers per SNS message; 50 rows of JSON stay far below SNS's 256 KiB
# "Customers whose risk rose" (early warning), in its own named query and its own message type.
RISK_ROSE_QUERY_NAME = "loans_whose_risk_rose"
RISK_ROSE_QUERY_FILE = f"{RISK_ROSE_QUERY_NAME}.sql"
RISK_ROSE_MESSAGE_TYPE = "finlake.loans_risk_rose.v1"


class _Keyed(Protocol):
    @property
    def state_key(self) -> str: ...


_K = TypeVar("_K", bound=_Keyed)


@dataclass(frozen=True)
class HighRiskCustomer:
    customer_id: str
    default_probability: float
    risk_band: str
    model_version: str
    scoring_run_id: str

    @property
    def state_key(self) -> str:
        """What the alerting function remembers: one alert per customer per scoring run."""
        return f"{self.scoring_run_id}#{self.customer_id}"


def find_query_file(*search_dirs: Path, file_name: str = ALERT_QUERY_FILE) -> Path:
    """An alert SQL file: next to the Lambda handler when packaged, in athena/ in the repository."""
    for directory in search_dirs:
        candidate = directory / file_name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{file_name} not found in {', '.join(map(str, search_dirs))}")


def render_query(sql: str, gold_db: str) -> str:
    """Fill the database placeholder (the same one Terraform's templatefile fills)."""
    return sql.replace("${gold_db}", gold_db)


def parse_rows(rows: Iterable[Mapping[str, object]]) -> list[HighRiskCustomer]:
    """Rows of the alert query (strings from Athena, typed values locally) as typed records."""
    return [
        HighRiskCustomer(
            customer_id=str(r["customer_id"]),
            default_probability=round(float(r["default_probability"]), 6),  # type: ignore[arg-type]
            risk_band=str(r["risk_band"]),
            model_version=str(r["model_version"]),
            scoring_run_id=str(r["scoring_run_id"]),
        )
        for r in rows
    ]


def _chunks(ordered: list[_K], size: int) -> Iterator[list[_K]]:
    if size <= 0:
        raise ValueError(f"batch size must be above 0, got {size}")
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def batches(customers: Sequence[HighRiskCustomer], size: int) -> Iterator[list[HighRiskCustomer]]:
    return _chunks(sorted(customers, key=lambda c: (-c.default_probability, c.customer_id)), size)


def batch_id(batch: Sequence[_Keyed]) -> str:
    """Deterministic id of a batch: the same alert keys (customers of a run, loans of a month) give the same id."""
    keys = "\n".join(sorted(c.state_key for c in batch))
    return hashlib.sha256(keys.encode()).hexdigest()[:16]


def build_message(batch: Sequence[HighRiskCustomer], dashboard_url: str) -> tuple[str, str]:
    """(subject, JSON body) of one SNS message."""
    run_id, body = _message_body(batch, MESSAGE_TYPE, "scoring_run_id", "customers", dashboard_url)
    return f"finlake: {len(batch)} customer(s) entered HIGH risk (run {run_id})"[:100], body


def _message_body(
    batch: Sequence[HighRiskCustomer] | Sequence[RiskRose],
    message_type: str,
    group: str,
    items: str,
    dashboard_url: str,
) -> tuple[str, str]:
    """(the batch's one `group` value, the JSON body): one message per scoring run or month end, its
    alerts listed under `items` (`<items>_count` of them) without the group field repeated."""
    if not batch:
        raise ValueError(f"an alert batch needs at least one {items[:-1]}")
    groups = {getattr(a, group) for a in batch}
    if len(groups) != 1:
        raise ValueError(f"one message per {group.replace('_', ' ')}, got {sorted(groups)}")
    value = groups.pop()
    body = {
        "type": message_type,
        "batch_id": batch_id(batch),
        group: value,
        "model_versions": sorted({a.model_version for a in batch}),
        "dashboard_url": dashboard_url,
        f"{items[:-1]}_count": len(batch),
        items: [{k: v for k, v in asdict(a).items() if k != group} for a in batch],
    }
    return value, json.dumps(body, sort_keys=True)


# "Customers whose risk rose": open loans whose early-warning probability crossed the model's alert
# threshold at the latest month end, or rose by at least the declared amount (RISE_ALERT in
# finlake/ml/early_warning_scoring.py) since the month before; gold.loan_early_warning's risk_rose.
# The SQL lives once, in athena/loans_whose_risk_rose.sql (RISK_ROSE_QUERY_FILE).


@dataclass(frozen=True)
class RiskRose:
    loan_id: str
    customer_id: str
    snapshot_month: str
    probability: float
    previous_probability: float | None  # None: the loan's first month end
    risk_band: str
    model_version: str

    @property
    def state_key(self) -> str:
        """What the alerting function remembers: one alert per loan per snapshot month."""
        return f"risk_rose#{self.snapshot_month}#{self.loan_id}"

    def line(self) -> str:
        before = "new" if self.previous_probability is None else f"{self.previous_probability:.3f}"
        return (
            f"{self.customer_id:<14} loan {self.loan_id:<10} p(default in 6 months) {before} -> "
            f"{self.probability:.3f} {self.risk_band:<6} ({self.snapshot_month}, model v{self.model_version})"
        )


def parse_risk_rose(rows: Iterable[Mapping[str, object]]) -> list[RiskRose]:
    """Rows of RISK_ROSE_QUERY (strings from Athena, typed values locally) as typed records."""
    return [
        RiskRose(
            loan_id=str(r["loan_id"]),
            customer_id=str(r["customer_id"]),
            snapshot_month=str(r["snapshot_month"]),
            probability=round(float(r["probability"]), 6),  # type: ignore[arg-type]
            previous_probability=(
                None if r["previous_probability"] in (None, "") else round(float(r["previous_probability"]), 6)  # type: ignore[arg-type]
            ),
            risk_band=str(r["risk_band"]),
            model_version=str(r["model_version"]),
        )
        for r in rows
    ]


def risk_rose_batches(loans: Sequence[RiskRose], size: int) -> Iterator[list[RiskRose]]:
    return _chunks(sorted(loans, key=lambda r: (-r.probability, r.loan_id)), size)


def build_risk_rose_message(batch: Sequence[RiskRose], dashboard_url: str) -> tuple[str, str]:
    """(subject, JSON body) of one SNS message about loans whose risk rose at one month end."""
    month, body = _message_body(batch, RISK_ROSE_MESSAGE_TYPE, "snapshot_month", "loans", dashboard_url)
    return f"finlake: early-warning risk rose for {len(batch)} loan(s) (month end {month})"[:100], body
