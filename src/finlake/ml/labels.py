"""Honest labels: a loan enters training and evaluation only when its outcome can be observed.

The rule: a loan is labelled only if it was granted at least `min_loan_age_days` before the data's
as-of date (gold.loan_features.observed_until, the latest date the lake has seen). A younger loan
is left out whatever its status: a running loan (CURRENT, or PKDD's running contracts C and D) has
not had the time to default, so calling it "no default" biases the model and flatters the test set;
and dropping only the young good loans would keep the young defaults, a bias the other way.

The minimum age is one year of performance (the usual window in credit scoring) unless the data's
source declares how soon its outcomes are observable: the generator resolves the outcome of every
loan it granted before its first ingest date and grants later loans without an outcome, and says so
in its manifest (`loans.label_min_loan_age_days`). PKDD'99 declares nothing, so its loans of 1998
(the extract ends on 1998-12-31; they default at 2.5 % against ~13 % for earlier years) are left out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.ml.features import CUTOFF, LABEL_SOURCE
from finlake.ml.settings import DEFAULT_MIN_LOAN_AGE_DAYS

OBSERVED_UNTIL = "observed_until"
GENERATOR_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class LabelRule:
    min_loan_age_days: int
    source: str  # where the minimum age comes from, for the report

    def __post_init__(self) -> None:
        if self.min_loan_age_days < 0:
            raise FinlakeError(f"the minimum loan age must be 0 days or more, got {self.min_loan_age_days}")


def declared_min_age(lake: Lake) -> int | None:
    """The minimum age the generator's manifest declares for this lake, or None (real data)."""
    path = os.path.join(lake.generator, GENERATOR_MANIFEST)
    if "://" in path or not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        value = json.load(handle).get("loans", {}).get("label_min_loan_age_days")
    return None if value is None else int(value)


def label_rule(lake: Lake, min_loan_age_days: int | None = None) -> LabelRule:
    """The rule for this lake: the explicit setting, else the source's declaration, else one year."""
    if min_loan_age_days is not None:
        return LabelRule(min_loan_age_days, "training setting")
    declared = declared_min_age(lake)
    if declared is not None:
        return LabelRule(declared, f"declared by the generator ({GENERATOR_MANIFEST})")
    return LabelRule(DEFAULT_MIN_LOAN_AGE_DAYS, "default: one year of performance")


def loan_age_days() -> F.Column:
    return F.datediff(F.col(OBSERVED_UNTIL), F.col(CUTOFF))


def observable_loans(df: DataFrame, rule: LabelRule) -> tuple[DataFrame, dict[str, Any]]:
    """(the loans whose outcome is observable, the report: as-of date, rule, loans removed by status).

    A loan without an as-of date (a table written before the column existed) cannot be judged and is
    counted apart, as is a loan without a label."""
    young = loan_age_days() < rule.min_loan_age_days
    reason = (
        F.when(F.col(OBSERVED_UNTIL).isNull(), F.lit("no_as_of_date"))
        .when(F.col(LABEL_SOURCE).isNull(), F.lit("no_label"))
        .when(young, F.lit("too_recent"))
    )
    flagged = df.withColumn("_excluded", reason)
    rows = flagged.groupBy("_excluded", "status").agg(F.count(F.lit(1)).alias("n")).collect()
    as_of = df.agg(F.max(OBSERVED_UNTIL)).first()[0]  # type: ignore[index]
    removed: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["_excluded"] is not None:
            removed.setdefault(r["_excluded"], {})[r["status"] or "UNKNOWN"] = int(r["n"])
    total = sum(int(r["n"]) for r in rows)
    report = {
        "rule": f"a loan is labelled only if granted at least {rule.min_loan_age_days} days before observed_until",
        "min_loan_age_days": rule.min_loan_age_days,
        "min_loan_age_source": rule.source,
        "observed_until": as_of.isoformat() if as_of else None,
        "loans_read": total,
        "removed": {k: {"loans": sum(v.values()), "by_status": dict(sorted(v.items()))} for k, v in removed.items()},
        "loans_kept": total - sum(sum(v.values()) for v in removed.values()),
    }
    return flagged.where(F.col("_excluded").isNull()).drop("_excluded"), report
