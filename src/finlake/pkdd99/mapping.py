"""PKDD'99 source tables (`src_*`, see `load`) -> Bronze entity tables `out_<entity>` in DuckDB.

One function per entity gives, for every contract column, the SQL that fills it; `build_outputs`
checks those columns against the Bronze declaration, so a contract change cannot be missed here.
Fields the source does not have stay NULL (written as empty): names, e-mail, phone, address,
income. A value that cannot be mapped is passed through raw, so Silver quarantines it with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np

from finlake.contracts.bronze import ENTITIES
from finlake.fxrates import rate_rows
from finlake.pkdd99 import codes
from finlake.pkdd99.rates import implied_annual_rate

# A SELECT body: contract column -> SQL expression, and the FROM clause they are evaluated over.
Select = tuple[dict[str, str], str]

MACROS = (
    # birth_number YYMMDD with 50 added to the month for women -> the real YYMMDD.
    "CREATE OR REPLACE MACRO real_birth(b) AS "
    "substr(b, 1, 2) || lpad(CAST(try_cast(substr(b, 3, 2) AS INTEGER) % 50 AS VARCHAR), 2, '0') || substr(b, 5, 2)",
    "CREATE OR REPLACE MACRO birth_gender(b) AS "
    "CASE WHEN yymmdd(real_birth(b)) IS NULL THEN NULL "
    "WHEN try_cast(substr(b, 3, 2) AS INTEGER) > 50 THEN 'F' ELSE 'M' END",
)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _case(expr: str, mapping: dict[str, str], otherwise: str) -> str:
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in mapping.items())
    return f"CASE {expr} {whens} ELSE {otherwise} END"


def _values(rows: Sequence[tuple[object, ...]], names: str) -> str:
    body = ", ".join("(" + ", ".join(_lit(v) if isinstance(v, str) else str(v) for v in row) + ")" for row in rows)
    return f"(VALUES {body}) AS {names}"


# The owner of each account (exactly one per account in the real data; the lowest disp_id if not).
_OWNERS = (
    "(SELECT account_id, arg_min(client_id, try_cast(disp_id AS BIGINT)) AS client_id "
    "FROM src_disp WHERE upper(type) = 'OWNER' GROUP BY account_id) AS owner"
)


# The day a card was issued: `issued` is YYMMDD followed by a dummy time ("931107 00:00:00").
_ISSUED = "left(k.issued, 6)"
# The date each borrowing client's loan was granted (a client owns at most one account, which has at
# most one loan).
_CLIENT_LOAN = (
    "(SELECT d.client_id, min(yymmdd(l.date)) AS granted FROM src_disp d JOIN src_loan l USING (account_id) "
    "WHERE upper(d.type) = 'OWNER' GROUP BY d.client_id) AS cl"
)


def customers() -> Select:
    """One row per client; district name from district.asc, segment from the client's best card.

    A borrower's segment counts only cards issued strictly before the loan was granted, so it is the
    segment as of origination (a card issued later would leak into the loan's features through it);
    a client without a loan gets the segment of every card, as of the extract."""
    ranked = [(card, segment, rank) for rank, (card, segment) in enumerate(codes.CARD_SEGMENT.items(), start=1)]
    segment_of_card = "coalesce(s.segment, upper(k.type))"  # an unknown card type is passed through
    before_loan = f"(cl.granted IS NULL OR yymmdd({_ISSUED}) IS NULL OR yymmdd({_ISSUED}) < cl.granted)"
    client_segment = (
        f"(SELECT d.client_id, arg_min({segment_of_card}, coalesce(s.card_rank, 0)) AS segment "
        f"FROM src_disp d JOIN src_card k USING (disp_id) LEFT JOIN {_CLIENT_LOAN} ON cl.client_id = d.client_id "
        f"LEFT JOIN {_values(ranked, 's(card_type, segment, card_rank)')} ON s.card_type = upper(k.type) "
        f"WHERE {before_loan} GROUP BY d.client_id) AS seg"
    )
    # The relationship starts when the first account the client is on was opened.
    client_since = (
        "(SELECT d.client_id, min(yymmdd(a.date)) AS since "
        "FROM src_disp d JOIN src_account a USING (account_id) GROUP BY d.client_id) AS rel"
    )
    columns = {
        "customer_id": "c.client_id",
        "first_name": "NULL",
        "last_name": "NULL",
        "date_of_birth": "coalesce(strftime(yymmdd(real_birth(c.birth_number)), '%Y-%m-%d'), c.birth_number)",
        "gender": "birth_gender(c.birth_number)",
        "email": "NULL",
        "phone": "NULL",
        "street_address": "NULL",
        "city": "NULL",
        "district": "dist.A2",
        "postal_code": "NULL",
        "annual_income": "NULL",
        "employment_status": _lit(codes.EMPLOYMENT_STATUS),
        "segment": f"coalesce(seg.segment, {_lit(codes.NO_CARD_SEGMENT)})",
        "customer_since": "strftime(rel.since, '%Y-%m-%d')",
        "updated_at": _lit(codes.EXTRACT_TIMESTAMP),
    }
    source = (
        "src_client c LEFT JOIN src_district dist ON dist.A1 = c.district_id "
        f"LEFT JOIN {client_segment} ON seg.client_id = c.client_id "
        f"LEFT JOIN {client_since} ON rel.client_id = c.client_id"
    )
    return columns, source


def accounts() -> Select:
    """One row per account, owned by its OWNER disposition's client."""
    columns = {
        "account_id": "a.account_id",
        "customer_id": "owner.client_id",
        "account_type": _lit(codes.ACCOUNT_TYPE),
        "currency": _lit(codes.CURRENCY),
        "opened_date": "iso_date(a.date)",
        "closed_date": "NULL",
        "status": _lit(codes.ACCOUNT_STATUS),
        "credit_limit": "NULL",
        "updated_at": _lit(codes.EXTRACT_TIMESTAMP),
    }
    return columns, f"src_account a LEFT JOIN {_OWNERS} ON owner.account_id = a.account_id"


def loans() -> Select:
    """One row per loan; the borrower is the account's owner (only owners may take loans)."""
    granted = "yymmdd(l.date)"
    term = "try_cast(l.duration AS INTEGER)"
    columns = {
        "loan_id": "l.loan_id",
        "customer_id": "owner.client_id",
        "account_id": "l.account_id",
        "loan_type": _lit(codes.LOAN_TYPE),
        "principal": "l.amount",
        "interest_rate": "printf('%.4f', rate.interest_rate)",
        "term_months": "l.duration",
        "origination_date": "iso_date(l.date)",
        # Monthly instalments from one month after the grant: the last falls `term` months after it.
        "maturity_date": f"strftime({granted} + to_months({term}), '%Y-%m-%d')",
        "monthly_payment": "l.payments",
        "status": _case("upper(l.status)", codes.LOAN_STATUS, "upper(l.status)"),
        "updated_at": _lit(codes.EXTRACT_TIMESTAMP),
    }
    source = (
        f"src_loan l LEFT JOIN {_OWNERS} ON owner.account_id = l.account_id "
        "LEFT JOIN loan_rates rate ON rate.loan_id = l.loan_id"
    )
    return columns, source


def transactions() -> Select:
    """One row per transaction; a remittance matching one of the account's permanent orders
    (same partner bank, partner account and amount) is a standing-order payment."""
    bank_generated = (
        "(t.operation IS NULL OR upper(t.k_symbol) IN ("
        + ", ".join(_lit(k) for k in codes.BANK_GENERATED_K_SYMBOLS)
        + "))"
    )
    standing = f"(upper(t.operation) = {_lit(codes.STANDING_ORDER_OPERATION)} AND o.account_id IS NOT NULL)"
    channel = (
        f"CASE WHEN {bank_generated} THEN {_lit(codes.SYSTEM_CHANNEL)} "
        f"WHEN {standing} THEN {_lit(codes.STANDING_ORDER_CHANNEL)} "
        f"ELSE {_case('upper(t.operation)', codes.OPERATION_CHANNEL, 'upper(t.operation)')} END"
    )
    how = (
        f"CASE WHEN {bank_generated} THEN {_lit(codes.BANK_GENERATED_TEXT)} "
        f"WHEN {standing} THEN {_lit(codes.STANDING_ORDER_TEXT)} "
        f"ELSE {_case('upper(t.operation)', codes.OPERATION_TEXT, 'lower(t.operation)')} END"
    )
    purpose = _case("upper(t.k_symbol)", codes.K_SYMBOL_TEXT, "lower(t.k_symbol)")
    orders = (
        "(SELECT DISTINCT account_id, bank_to, account_to, try_cast(amount AS DECIMAL(18, 2)) AS amount "
        "FROM src_order) AS o"
    )
    columns = {
        "transaction_id": "t.trans_id",
        "account_id": "t.account_id",
        # The source has dates only: the booking time is midnight of the booking day.
        "booked_at": "coalesce(strftime(yymmdd(t.date), '%Y-%m-%dT00:00:00'), t.date)",
        "amount": "t.amount",
        "currency": _lit(codes.CURRENCY),
        "direction": _case("upper(t.type)", codes.DIRECTION, "upper(t.type)"),
        "channel": channel,
        "merchant_category": "upper(t.k_symbol)",
        "description": f"concat_ws(': ', {how}, {purpose})",
        "balance_after": "t.balance",
    }
    source = (
        f"src_trans t LEFT JOIN {orders} ON o.account_id = t.account_id AND o.bank_to = t.bank "
        "AND o.account_to = t.account AND o.amount = try_cast(t.amount AS DECIMAL(18, 2))"
    )
    return columns, source


def dispositions() -> Select:
    """One row per disposition; DISPONENT (a second person allowed to operate the account) is an
    AUTHORISED_USER. The source has no dates: valid_from and valid_to stay empty (held since the
    account opened, as far as the extract shows)."""
    columns = {
        "disposition_id": "d.disp_id",
        "account_id": "d.account_id",
        "customer_id": "d.client_id",
        "role": _case("upper(d.type)", codes.DISPOSITION_ROLE, "upper(d.type)"),
        "valid_from": "NULL",
        "valid_to": "NULL",
        "updated_at": _lit(codes.EXTRACT_TIMESTAMP),
    }
    return columns, "src_disp d"


def cards() -> Select:
    """One row per card, issued to a disposition; the issue date without its dummy time."""
    columns = {
        "card_id": "k.card_id",
        "disposition_id": "k.disp_id",
        "card_type": "upper(k.type)",
        "issued_date": f"iso_date({_ISSUED})",
        "updated_at": _lit(codes.EXTRACT_TIMESTAMP),
    }
    return columns, "src_card k"


SELECTS = {
    "customers": customers,
    "accounts": accounts,
    "loans": loans,
    "transactions": transactions,
    "dispositions": dispositions,
    "cards": cards,
}


def _create_loan_rates(con: duckdb.DuckDBPyConnection) -> None:
    loans_frame = con.execute(
        "SELECT loan_id, try_cast(amount AS DOUBLE) AS amount, try_cast(payments AS DOUBLE) AS payments, "
        "try_cast(duration AS DOUBLE) AS duration FROM src_loan"
    ).df()
    rates = implied_annual_rate(
        loans_frame["amount"].to_numpy(dtype=float, na_value=np.nan),
        loans_frame["payments"].to_numpy(dtype=float, na_value=np.nan),
        loans_frame["duration"].to_numpy(dtype=float, na_value=np.nan),
    )
    loan_rates = loans_frame[["loan_id"]].assign(interest_rate=rates)  # NaN -> NULL in DuckDB
    con.register("loan_rates_frame", loan_rates)
    con.execute(
        "CREATE OR REPLACE TABLE loan_rates AS SELECT loan_id, "
        "CASE WHEN isnan(interest_rate) THEN NULL ELSE interest_rate END AS interest_rate FROM loan_rates_frame"
    )
    con.unregister("loan_rates_frame")


def _create_fx_rates(con: duckdb.DuckDBPyConnection) -> None:
    """out_fx_rates: the ECB's CZK rates for the booking period (reference data, not in the source).

    PKDD'99 ends in 1998 and the ECB's series starts on 1999-01-04, so the only row is that first
    rate (35.107 CZK per euro): Gold converts every 1993-1998 amount with it and flags it as estimated."""
    import pyarrow as pa

    ((first, last),) = con.execute(  # fetchall: a half-read result would block the register below
        "SELECT min(try_cast(booked_at AS TIMESTAMP))::DATE, max(try_cast(booked_at AS TIMESTAMP))::DATE "
        "FROM out_transactions"
    ).fetchall()
    if first is None or last is None:
        raise AssertionError("pkdd99: no booked transaction to take the rates' period from")
    rows = rate_rows([codes.CURRENCY], first, last)
    columns = ENTITIES["fx_rates"].column_names
    frame = pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in columns})
    con.register("fx_rates_frame", frame)
    con.execute("CREATE OR REPLACE TABLE out_fx_rates AS SELECT * FROM fx_rates_frame ORDER BY rate_date, currency")
    con.unregister("fx_rates_frame")


def build_outputs(con: duckdb.DuckDBPyConnection) -> None:
    """Create `out_<entity>` for the Bronze entities, columns in contract order, rows by key (the
    source's six, then the ECB rates for their period)."""
    for macro in MACROS:
        con.execute(macro)
    _create_loan_rates(con)
    for name, make_select in SELECTS.items():
        entity = ENTITIES[name]
        columns, source = make_select()
        if list(columns) != entity.column_names:
            raise AssertionError(f"pkdd99 mapping for {name} does not match the Bronze contract columns")
        select = ", ".join(f'{expr} AS "{col}"' for col, expr in columns.items())
        key = f'"{entity.key}"'
        con.execute(
            f"CREATE OR REPLACE TABLE out_{name} AS SELECT * FROM (SELECT {select} FROM {source}) "
            f"ORDER BY try_cast({key} AS BIGINT) NULLS LAST, {key}"
        )
    _create_fx_rates(con)
