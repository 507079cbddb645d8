"""Every named query in athena/ on the small lake, against expectations computed in plain Python."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import small_lake as data

from finlake.catalog.crawler import crawl
from finlake.contracts.gold import risk_band
from finlake.query.local import LocalEngine
from finlake.query.named import named_queries

D = Decimal


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> LocalEngine:
    # A lake of its own: Iceberg metadata names absolute file paths, so a copied lake would read the original's.
    lake = data.build_small_lake(str(tmp_path_factory.mktemp("named") / "lake"))
    crawl(lake)  # Bronze; Silver and Gold are read from the Iceberg catalog
    return LocalEngine(lake)


def assert_rows(actual: list[tuple], expected: list[tuple]) -> None:
    assert len(actual) == len(expected), (actual, expected)
    for got, want in zip(actual, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (got, want)


def latest_scores() -> dict[str, float]:
    return data.SCORING_RUNS[data.LATEST_RUN][1]


def expect_top_high_risk_customers(top_n: int) -> list[tuple]:
    rows = []
    for customer, p in latest_scores().items():
        if p >= 0.25:  # HIGH band
            exposure = data.open_exposure(customer)
            rows.append((customer, p, exposure, p * float(exposure)))
    rows.sort(key=lambda r: (-r[1], -r[3], r[0]))
    return [
        (rank, c, data.SEGMENT[c], data.DISTRICT[c], p, exposure, loss, data.LATEST_RUN)
        for rank, (c, p, exposure, loss) in enumerate(rows[:top_n], start=1)
    ]


def expect_default_rate_by_segment() -> list[tuple]:
    rows = []
    for dimension, pick in (
        ("segment", lambda loan: data.SEGMENT[loan[1]]),
        ("loan_type", lambda loan: loan[3]),
        ("district", lambda loan: data.DISTRICT[loan[1]]),
    ):
        groups = defaultdict(list)
        for loan in data.LOANS:
            groups[pick(loan)].append(loan)
        for value, loans in groups.items():
            defaulted = [loan for loan in loans if loan[6] in data.DEFAULTED]
            principal = sum((loan[4] for loan in loans), D(0))
            defaulted_principal = sum((loan[4] for loan in defaulted), D(0))
            rate = round(len(defaulted) / len(loans), 4)
            rows.append((dimension, value, len(loans), len(defaulted), rate, principal, defaulted_principal))
    return sorted(rows, key=lambda r: (r[0], -r[4], r[1]))


def expect_loan_portfolio_summary() -> list[tuple]:
    def summary(name: str, loans: list[tuple]) -> tuple:
        open_loans = [loan for loan in loans if loan[6] in data.OPEN]
        defaulted = [loan for loan in loans if loan[6] in data.DEFAULTED]
        rates = [float(loan[5]) for loan in loans]
        principal = [float(loan[4]) for loan in loans]
        weighted = sum(r * p for r, p in zip(rates, principal, strict=True)) / sum(principal)
        return (
            name,
            len(loans),
            len(open_loans),
            len(defaulted),
            sum((loan[4] for loan in loans), D(0)),
            sum((loan[4] for loan in open_loans), D(0)),
            round(sum(rates) / len(rates), 4),
            round(weighted, 4),
            round(len(defaulted) / len(loans), 4),
        )

    by_type = defaultdict(list)
    for loan in data.LOANS:
        by_type[loan[3]].append(loan)
    return [summary(t, by_type[t]) for t in sorted(by_type)] + [summary("ALL", data.LOANS)]


def expect_monthly_transaction_volumes(first: str, last: str) -> list[tuple]:
    rows = []
    months = sorted({t[2].strftime("%Y-%m") for t in data.TRANSACTIONS})
    for month in [m for m in months if first <= m <= last]:
        txns = [t for t in data.TRANSACTIONS if t[2].strftime("%Y-%m") == month]
        credits = [t for t in txns if t[4] == "CREDIT"]
        debits = [t for t in txns if t[4] == "DEBIT"]
        cash = [t for t in txns if t[5] in ("ATM", "BRANCH")]
        credit_amount = sum((t[3] for t in credits), D(0))
        debit_amount = sum((t[3] for t in debits), D(0))
        rows.append(
            (
                month,
                len(txns),
                len(credits),
                len(debits),
                credit_amount,
                debit_amount,
                credit_amount - debit_amount,
                len(cash),
                sum((t[3] for t in cash), D(0)),
                len({t[1] for t in txns}),
            )
        )
    return rows


def expect_compliance_cash_report(month: str) -> list[tuple]:
    rows = []
    for alert_id, rule, account, first, last, txns, window in data.ALERTS:
        if first.strftime("%Y-%m") != month:
            continue
        amounts = [amount for _, amount in txns]
        rows.append(
            (
                alert_id,
                rule,
                account,
                data.ACCOUNT_OWNER[account],
                first,
                last,
                (last.date() - first.date()).days,
                len(txns),
                sum(amounts, D(0)),
                max(amounts),
                D("10000.00"),
                window,
                ",".join(t for t, _ in txns),
            )
        )
    return sorted(rows, key=lambda r: (-r[8], r[0]))


def expect_product_recommendations_by_product() -> list[tuple]:
    groups = defaultdict(list)
    for customer, product, _, priority in data.RECOMMENDATIONS:
        groups[(product, data.SEGMENT[customer])].append(priority)
    per_product = defaultdict(int)
    for (product, _), priorities in groups.items():
        per_product[product] += len(priorities)
    rows = [
        (product, segment, len(p), round(len(p) / per_product[product], 4), min(p), sum(x == 1 for x in p))
        for (product, segment), p in groups.items()
    ]
    return sorted(rows, key=lambda r: (r[0], -r[2], r[1]))


def expect_high_risk_new_entrants() -> list[tuple]:
    previous = data.SCORING_RUNS["R1"][1]
    rows = [
        (c, p, "HIGH", data.LATEST_RUN[-1], data.LATEST_RUN)
        for c, p in latest_scores().items()
        if p >= 0.25 and not previous.get(c, 0.0) >= 0.25
    ]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def expect_loans_whose_risk_rose() -> list[tuple]:
    latest = max(row[2] for row in data.EARLY_WARNING)
    rows = [
        (loan, c, month, p, before, risk_band(p), data.EARLY_WARNING_MODEL_VERSION)
        for loan, c, month, p, before, rose in data.EARLY_WARNING
        if rose and month == latest
    ]
    return sorted(rows, key=lambda r: (-r[3], r[0]))


EXPECTATIONS = {
    "top_high_risk_customers": ({"top_n": "3"}, lambda: expect_top_high_risk_customers(3)),
    "default_rate_by_segment": ({}, expect_default_rate_by_segment),
    "loan_portfolio_summary": ({}, expect_loan_portfolio_summary),
    "monthly_transaction_volumes": (
        {"from_month": "2024-02", "to_month": "2024-03"},
        lambda: expect_monthly_transaction_volumes("2024-02", "2024-03"),
    ),
    "compliance_cash_report": ({"month": "2024-02"}, lambda: expect_compliance_cash_report("2024-02")),
    "product_recommendations_by_product": ({}, expect_product_recommendations_by_product),
    "high_risk_new_entrants": ({}, expect_high_risk_new_entrants),
    "loans_whose_risk_rose": ({}, expect_loans_whose_risk_rose),
}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_matches_an_independent_expectation(engine, name):
    if name not in EXPECTATIONS:
        pytest.fail(f"athena/{name}.sql has no expectation in {__file__}: add one")
    params, expect = EXPECTATIONS[name]
    result = engine.run(named_queries()[name], params)
    assert_rows(result.rows, expect())


def test_the_expectations_are_not_empty():
    # A query that returns nothing would match an empty expectation: make sure each one has rows.
    for name, (_, expect) in EXPECTATIONS.items():
        assert expect(), name


def test_top_n_limits_the_list(engine):
    result = engine.run(named_queries()["top_high_risk_customers"], {"top_n": "1"})
    assert [row[1] for row in result.rows] == ["C4"]


def test_every_dashboard_view_is_created_and_readable(engine):
    views = sorted(p.stem for p in (Path(__file__).parents[2] / "athena" / "views").glob("*.sql"))
    assert views and engine.view_errors == {}
    for view in views:
        assert view in engine.tables["gold"]
        engine.con.execute(f"SELECT count(*) FROM gold.{view}").fetchall()
