"""`finlake generate`: synthetic Bronze data for a retail bank, deterministic for a seed.

Stages (each its own module, each drawing from its own named random stream):
population (customers, accounts) -> loans -> behaviour (transactions, month by month) ->
risk (balances, pre-origination drivers, default draw) -> records (clean Bronze rows, versions,
ingest dates) -> dirt (defects, re-deliveries, noise) -> writer (CSV, manifest, truth).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from finlake.contracts import bronze
from finlake.generate import distress, risk, text
from finlake.generate.behaviour import Behaviour, Details
from finlake.generate.config import HISTORY_DAYS, GeneratorConfig
from finlake.generate.dirt import Delivered, check_vocabulary, make_dirty
from finlake.generate.fx import fx_rate_delivery
from finlake.generate.holders import HOLDER_MODEL, holder_records
from finlake.generate.loans import FEATURE_WINDOW, NEWEST_BACKFILL_LOAN, Loans, make_loans
from finlake.generate.manifest import auc, build_manifest
from finlake.generate.population import make_accounts, make_customers
from finlake.generate.records import (
    DEFAULT,
    LATE,
    Records,
    account_records,
    customer_records,
    final_status,
    loan_ids,
    loan_records,
    status_paths,
    transaction_records,
)
from finlake.generate.timeline import Timeline
from finlake.generate.writer import MANIFEST, MONTH_TRUTH, TRUTH, existing_state, publish, write_bronze
from finlake.lake import Lake

__all__ = ["GenerateResult", "GeneratorConfig", "generate"]


@dataclass(frozen=True)
class GenerateResult:
    skipped: bool  # Bronze for these arguments was already there
    manifest_path: str
    rows: dict[str, int]  # rows per entity, dirty ones included
    seconds: float


class _Clock:
    def __init__(self, log: Callable[[str], None]):
        self.started = time.monotonic()
        self.log = log

    def say(self, message: str) -> None:
        self.log(f"generate: {message} [{time.monotonic() - self.started:.1f}s]")


def generate(lake_root: str, config: GeneratorConfig, log: Callable[[str], None] = print) -> GenerateResult:
    """Write Bronze for `config` into the lake, or skip if this lake already holds exactly that."""
    config.validate()
    lake = Lake.local(lake_root)
    clock = _Clock(log)
    manifest_path = str(Path(lake.generator) / MANIFEST)
    previous = existing_state(lake, config.arguments())
    if previous is not None:
        rows = {name: int(e["rows"]) for name, e in previous["entities"].items()}
        log(f"generate: Bronze already generated for these arguments; skipping ({lake.bronze})")
        return GenerateResult(True, manifest_path, rows, 0.0)

    check_vocabulary()
    timeline = Timeline.of(config)
    delivered, truth, summary = _build(config, timeline, clock)
    staging = Path(lake.generator) / f".staging-{config.seed}-{time.time_ns()}"
    try:
        clock.say(f"writing CSV under {lake.bronze}")
        files, drift = write_bronze(staging, delivered, _drift_days(delivered, config), config.seed)
        manifest = build_manifest(config.arguments(), timeline, files, delivered, drift, summary, _model())
        publish(staging, lake, manifest, truth)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    rows = {name: d.table.num_rows for name, d in delivered.items()}
    seconds = time.monotonic() - clock.started
    clock.say(
        f"done: {len(files)} files, " + ", ".join(f"{n} {r:,}" for n, r in rows.items())
        + f" ({sum(rows.values()) / max(seconds, 1e-9):,.0f} rows/s); manifest {manifest_path}"
    )  # fmt: skip
    return GenerateResult(False, manifest_path, rows, seconds)


def _drift_days(delivered: dict[str, Delivered], config: GeneratorConfig) -> dict[str, int]:
    from finlake.generate.writer import drift_days

    return drift_days(delivered, config.seed) if config.dirty_rate > 0 else {}


def _build(
    config: GeneratorConfig, timeline: Timeline, clock: _Clock
) -> tuple[dict[str, Delivered], dict[str, pa.Table], dict[str, object]]:
    seed = config.seed
    customers = make_customers(config.customers, timeline, seed)
    accounts = make_accounts(customers, timeline, seed)
    loans = make_loans(customers, accounts, timeline, seed)
    clock.say(f"{customers.n:,} customers, {accounts.n:,} accounts, {loans.n:,} loans; {HISTORY_DAYS} days of history")
    details = Details.build(loan_ids(np.arange(loans.n)).to_pylist())
    events = Behaviour(customers, accounts, loans, timeline, details, seed).all_events()
    pre_distress = risk.Ledger.book(events, accounts, timeline.history_start)
    drivers = risk.drivers(pre_distress, customers, loans, timeline.history_start)
    outcomes = risk.draw_outcomes(drivers, loans, seed)
    outcomes = risk.Outcomes(
        outcomes.probability,
        outcomes.observable_probability,
        outcomes.is_default & (loans.origination < timeline.start),
    )
    # Distress before defaults (and false alarms), after origination only: the drivers above stay as drawn.
    default_day, late_day = _status_days(loans, outcomes, timeline, seed)
    episodes = distress.draw_episodes(loans, default_day, late_day, loans.origination < timeline.start, seed)
    events = distress.apply_distress(events, loans, episodes, default_day, details, timeline, seed)
    ledger = risk.Ledger.book(events, accounts, timeline.history_start)
    clock.say(f"{len(events):,} transactions booked")
    month_truth = distress.month_truth(loans, episodes, default_day, outcomes.probability, timeline)
    borrower = np.zeros(customers.n, dtype=bool)
    borrower[loans.customer] = True
    records: list[Records] = [
        customer_records(customers, borrower, timeline, seed),
        account_records(accounts, timeline, seed),
        loan_records(loans, outcomes, timeline, seed),
        transaction_records(ledger, accounts, details, timeline),
    ]
    clock.say("clean records built; adding dirt at rate " + f"{config.dirty_rate:g}")
    delivered = {r.entity.name: make_dirty(r, config.dirty_rate, seed, timeline.end) for r in records}
    delivered["fx_rates"] = fx_rate_delivery(timeline)  # reference data: real ECB rates, delivered clean
    for held in holder_records(customers, accounts, timeline, seed):  # own streams: the files above are unchanged
        delivered[held.entity.name] = make_dirty(held, config.dirty_rate, seed, timeline.end)
    statuses = final_status(records[2])
    truth = _truth(loans, outcomes, drivers, statuses, timeline)
    summary = _loan_summary(loans, outcomes, timeline, statuses)
    summary["early_warning"] = distress.summary(month_truth, episodes, default_day)
    monthly = distress.truth_table(month_truth, loan_ids(np.arange(loans.n)))
    return delivered, {TRUTH: truth, MONTH_TRUTH: monthly}, summary


def _status_days(loans: Loans, outcomes: risk.Outcomes, timeline: Timeline, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per loan, the day it defaulted and the day it went LATE (records.status_paths), else -1."""
    loan, status, day = status_paths(loans, outcomes, timeline, seed)
    default_day, late_day = np.full(loans.n, -1), np.full(loans.n, -1)
    default_day[loan[status == DEFAULT]] = day[status == DEFAULT]
    late_day[loan[status == LATE]] = day[status == LATE]
    return default_day, late_day


def _truth(
    loans: Loans, outcomes: risk.Outcomes, d: dict[str, np.ndarray], statuses: dict[str, str], timeline: Timeline
) -> pa.Table:
    """loan_truth.csv: the agreed first three columns, then what explains them."""
    ids = loan_ids(np.arange(loans.n))
    status = [statuses[i] for i in ids.to_pylist()]
    is_default = np.isin(np.array(status), bronze.DEFAULT_LOAN_STATUSES)
    assert (is_default == outcomes.is_default).all(), "truth and Bronze statuses disagree"

    def number(values: np.ndarray, digits: int) -> pa.Array:
        return pa.array(np.round(values.astype(float), digits)).cast(pa.string())

    return pa.table(
        {
            "loan_id": ids,
            "true_default_probability": number(outcomes.probability, 6),
            "is_default": text.integers(is_default.astype(int)),
            "observable_default_probability": number(outcomes.observable_probability, 6),
            "status": pa.array(status, type=pa.string()),
            "origination_date": text.dates(loans.origination),
            "outcome_observed": text.integers((loans.origination < timeline.start).astype(int)),
            "payment_to_income": number(d["pti"], 6),
            "annual_income": number(d["annual_income"], 2),
            "overdraft_days": text.integers(d["overdraft_days"]),
            "cash_withdrawal_share": number(d["cash_share"], 6),
            "balance_volatility": number(d["balance_volatility"], 2),
            "volatility_to_inflow": number(d["volatility"], 6),
            "history_days": text.integers(d["history_days"]),
        }
    )


def _loan_summary(
    loans: Loans, outcomes: risk.Outcomes, timeline: Timeline, statuses: dict[str, str]
) -> dict[str, object]:
    observed = loans.origination < timeline.start
    p, y = outcomes.probability[observed], outcomes.is_default[observed]
    true_auc = auc(p, y)
    observable_auc = auc(outcomes.observable_probability[observed], y)
    counts: dict[str, int] = {}
    for s in statuses.values():
        counts[s] = counts.get(s, 0) + 1
    return {
        "loans": int(loans.n),
        "with_observed_outcome": int(observed.sum()),
        "defaults": int(y.sum()),
        "default_rate": round(float(y.mean()), 4) if y.size else None,
        "mean_true_probability": round(float(p.mean()), 4) if p.size else None,
        "auc_true_probability": None if true_auc is None else round(true_auc, 4),
        "auc_observable_probability": None if observable_auc is None else round(observable_auc, 4),
        "status_counts": dict(sorted(counts.items())),
        "feature_window_days": FEATURE_WINDOW,
        # Loans granted from the first ingest date on have no drawn outcome (at most days - 1 old at
        # the end); every older loan's outcome is resolved by then (the youngest is NEWEST_BACKFILL_LOAN
        # days older still). Training labels only loans at least this old (finlake/ml/labels.py).
        "label_min_loan_age_days": int(timeline.end - timeline.start) + 1 + NEWEST_BACKFILL_LOAN // 2,
        "truth_file": f"_generator/{TRUTH}",
    }


def _model() -> dict[str, object]:
    return {
        "formula": "logit p = intercept + sum(coefficient * driver) + type_effect[loan_type] + N(0, noise_sd)",
        "intercept": risk.INTERCEPT,
        "coefficients": risk.COEFFICIENTS,
        "type_effect": risk.TYPE_EFFECT,
        "noise_sd": risk.NOISE_SD,
        "account_holders": HOLDER_MODEL,  # dispositions and cards: no direct effect (generate/holders.py)
    }
