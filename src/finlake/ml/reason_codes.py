"""Reason codes in the training report: why the riskiest test loans score as they do.

The same function the scoring API answers with (`finlake.serving.reasons.reasons`), applied to the
registered version's serving artifact, so the report and the API give a loan the same reasons:
coefficient x standardised value, summed per contract column, the largest risk-raising ones first.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import to_pandas
from finlake.ml.features import KEY, LABEL
from finlake.serving.model import ScoringModel
from finlake.serving.reasons import reasons

TOP_LOANS = 10
TOP_REASONS = 3


def riskiest_loan_reasons(
    document: dict[str, Any], test: DataFrame, on_test: pd.DataFrame, loans: int = TOP_LOANS, top: int = TOP_REASONS
) -> list[dict[str, Any]]:
    """The `loans` highest-scored test loans (ties by loan_id), each with its `top` reasons."""
    riskiest = on_test.sort_values([PROBABILITY, KEY], ascending=[False, True]).head(loans)
    scorer = ScoringModel(document)
    keys = [str(k) for k in riskiest[KEY]]
    columns = (KEY, *scorer.numeric, *scorer.categorical)
    rows = to_pandas(test.where(F.col(KEY).isin(keys)).select(*columns)).set_index(KEY)
    out = []
    for record in riskiest.to_dict(orient="records"):
        row = rows.loc[record[KEY]].to_dict()
        scored = scorer.score(row)
        out.append(
            {
                KEY: record[KEY],
                PROBABILITY: float(record[PROBABILITY]),
                "is_default": int(record[LABEL]),
                "log_odds": scored.log_odds,
                "reasons": reasons(scorer, scored, top),
            }
        )
    return out
