"""The default mechanism: true probabilities rank outcomes, and the drivers are visible in Bronze."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from finlake.generate import risk
from finlake.generate.loans import MORTGAGE, PERSONAL

FEATURE_WINDOW_DAYS = 180


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Probability a random defaulter scores above a random non-defaulter (ties count half)."""
    pos, neg = score[label == 1], score[label == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (pos.size * neg.size))


def _drivers(pti=0.2, income=40_000.0, overdraft=5, cash=0.1, volatility=0.4, n=5) -> dict[str, np.ndarray]:
    def full(v):
        return np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()

    return {
        "pti": full(pti),
        "annual_income": full(income),
        "overdraft_days": full(overdraft),
        "cash_share": full(cash),
        "volatility": full(volatility),
    }


@pytest.mark.parametrize(
    ("driver", "values", "direction"),
    [
        ("pti", [0.05, 0.1, 0.2, 0.4, 0.8], 1),
        ("income", [10_000, 20_000, 40_000, 80_000, 160_000], -1),
        ("overdraft", [0, 5, 20, 40, 80], 1),
        ("cash", [0.0, 0.1, 0.2, 0.4, 0.8], 1),
        ("volatility", [0.1, 0.3, 0.6, 1.2, 2.4], 1),
    ],
)
def test_log_odds_move_with_each_driver(driver, values, direction):
    eta = risk.linear_predictor(_drivers(**{driver: values}), np.array([PERSONAL] * 5))
    steps = np.diff(eta) * direction
    assert (steps > 0).all(), eta


def test_mortgages_are_safer_than_personal_loans_for_the_same_drivers():
    d = _drivers(n=1)
    assert risk.linear_predictor(d, np.array([MORTGAGE])) < risk.linear_predictor(d, np.array([PERSONAL]))


@pytest.fixture(scope="module")
def loans(risk_lake):
    """Per loan: truth columns, plus drivers recomputed here from the Bronze CSVs with DuckDB."""
    bronze = Path(risk_lake, "bronze")
    con = duckdb.connect()
    frame = con.execute(
        f"""
        with tx as (
            select account_id, cast(booked_at as timestamp) as booked_at, transaction_id,
                   cast(amount as double) as amount, direction, channel,
                   cast(balance_after as double) as balance_after
            from read_csv('{bronze}/transactions/*/*.csv', all_varchar = true, union_by_name = true)
        ),
        loan as (
            select distinct loan_id, account_id, cast(origination_date as date) as origination_date
            from read_csv('{bronze}/loans/*/*.csv', all_varchar = true)
        ),
        window_tx as (
            select l.loan_id, tx.*
            from loan l join tx on tx.account_id = l.account_id
             and tx.booked_at >= l.origination_date - interval {FEATURE_WINDOW_DAYS} day
             and tx.booked_at < l.origination_date
        ),
        day_end as (
            select loan_id, balance_after,
                   row_number() over (partition by loan_id, cast(booked_at as date)
                                      order by booked_at desc, transaction_id desc) as rn
            from window_tx
        ),
        features as (
            select loan_id,
                   sum(amount) filter (where direction = 'DEBIT' and channel in ('ATM', 'BRANCH'))
                     / sum(amount) filter (where direction = 'DEBIT') as cash_share
            from window_tx group by loan_id
        ),
        overdraft as (
            select loan_id, count(*) filter (where balance_after < 0) as overdraft_days
            from day_end where rn = 1 group by loan_id
        ),
        truth as (
            select * from read_csv('{risk_lake}/_generator/loan_truth.csv', all_varchar = true)
        )
        select t.loan_id, cast(t.true_default_probability as double) as p, cast(t.is_default as int) as y,
               cast(t.outcome_observed as int) as observed, cast(t.payment_to_income as double) as pti,
               cast(t.overdraft_days as int) as truth_overdraft, cast(t.cash_withdrawal_share as double) as truth_cash,
               coalesce(o.overdraft_days, 0) as overdraft_days, coalesce(f.cash_share, 0) as cash_share
        from truth t left join features f using (loan_id) left join overdraft o using (loan_id)
        order by t.loan_id
        """
    ).fetchnumpy()
    return frame


def test_drivers_recorded_in_the_truth_are_what_the_transactions_show(loans):
    assert (loans["overdraft_days"] == loans["truth_overdraft"]).all()
    assert np.allclose(loans["cash_share"], loans["truth_cash"], atol=1e-5)


def test_true_probabilities_rank_outcomes_well_but_not_perfectly(loans):
    observed = loans["observed"] == 1
    assert observed.sum() >= 150
    y, p = loans["y"][observed], loans["p"][observed]
    assert 0.04 <= y.mean() <= 0.25, y.mean()
    assert 0.7 < auc(p, y) < 0.99


def test_riskier_borrowers_really_overdraw_and_use_cash_more(loans):
    p = loans["p"]
    low, high = p <= np.quantile(p, 1 / 3), p >= np.quantile(p, 2 / 3)
    for driver in ("overdraft_days", "cash_share", "pti"):
        values = loans[driver].astype(float)
        assert values[high].mean() > 1.5 * values[low].mean(), driver


def test_default_probability_rises_with_payment_to_income(loans):
    """Other drivers vary too, so across the data only the broad trend is monotone: halves and extremes."""
    pti, p = loans["pti"], loans["p"]
    median = np.median(pti)
    assert p[pti > median].mean() > 1.3 * p[pti <= median].mean()
    low, high = pti <= np.quantile(pti, 0.25), pti >= np.quantile(pti, 0.75)
    assert p[high].mean() > 2 * p[low].mean()
