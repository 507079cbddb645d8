"""Distress before defaults: episodes, what they do to bookings, and the per-month truth."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from finlake.generate.distress import NEVER, Episodes
from finlake.generate.manifest import auc


def test_intensity_rises_to_the_default_and_stays_while_a_false_alarm_recovers():
    ep = Episodes(
        loan=np.array([0, 1]),
        onset=np.array([100, 100]),
        peak=np.array([130, 115]),
        end=np.array([NEVER, 130]),
        height=np.array([1.0, 0.5]),
    )
    days = np.array([99, 100, 115, 130, 200])
    before_default = ep.intensity(np.zeros(5, dtype=np.int64), days)
    alarm = ep.intensity(np.ones(5, dtype=np.int64), days)
    assert before_default[0] == 0 and 0 < before_default[1] < before_default[2] < before_default[3] == 1.0
    assert before_default[4] == 1.0
    assert alarm[0] == 0 and alarm[2] == 0.5 and alarm[3] == 0 and alarm[4] == 0


def _month_truth(risk_lake: str) -> pd.DataFrame:
    return pd.read_csv(Path(risk_lake, "_generator", "loan_month_truth.csv"), dtype={"loan_id": str})


def test_the_truth_ranks_defaults_within_six_months_and_the_manifest_says_how_well(risk_lake):
    truth = _month_truth(risk_lake)
    seen = truth[truth["defaults_within_6m"].notna()]
    y = seen["defaults_within_6m"].to_numpy().astype(int)
    assert 0 < y.sum() < y.size
    best = auc(seen["true_pd_6m"].to_numpy(), y)
    assert best is not None and 0.7 < best < 1.0
    summary = json.loads(Path(risk_lake, "_generator", "manifest.json").read_text())["loans"]["early_warning"]
    assert summary["auc_true_pd_6m"] == round(best, 4)
    assert summary["with_observable_label"] == len(seen)
    # false alarms: loans in distress that do not default within 6 months
    assert ((seen["latent_intensity"] > 0) & (seen["defaults_within_6m"] == 0)).any()


def test_defaulters_pay_fewer_instalments_before_the_default_and_none_after(risk_lake):
    """Recomputed from the Bronze CSVs: a defaulter's own instalments in the 3 months before its default
    day, against the three due when every one is paid; none on or after the default day. Accounts with a
    second loan are left out: nothing changes there before the later loan was granted (distress.py)."""
    bronze = Path(risk_lake, "bronze")
    con = duckdb.connect()
    rows = con.execute(
        f"""
        with tx as (
            select account_id, cast(booked_at as timestamp) as booked_at, description
            from read_csv('{bronze}/transactions/*/*.csv', all_varchar = true, union_by_name = true)
            where direction = 'DEBIT' and description like 'LOAN REPAYMENT %'
        ),
        status as (
            select loan_id, account_id, status, cast(updated_at as timestamp) as updated_at,
                   cast(origination_date as date) as origination_date
            from read_csv('{bronze}/loans/*/*.csv', all_varchar = true)
        ),
        defaulted as (
            select loan_id, account_id, min(updated_at) as default_at, min(origination_date) as origination_date
            from status where status = 'DEFAULT' group by loan_id, account_id
        )
        select d.loan_id,
               count(*) filter (where t.booked_at >= d.default_at - interval 91 day and t.booked_at < d.default_at),
               count(*) filter (where t.booked_at >= d.default_at)
        from defaulted d left join tx t on t.account_id = d.account_id and t.description = 'LOAN REPAYMENT ' || d.loan_id
        where d.default_at - interval 91 day >= d.origination_date + interval 31 day
          and (select count(distinct loan_id) from status s where s.account_id = d.account_id) = 1
        group by d.loan_id
        """
    ).fetchall()
    assert len(rows) >= 5
    before = np.array([r[1] for r in rows])
    assert all(r[2] == 0 for r in rows)
    assert before.mean() < 2.6  # three instalments fall due in 91 days when every one is paid
