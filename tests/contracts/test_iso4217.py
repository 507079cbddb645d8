"""Issue 21 item 6: the contract accepts every active ISO 4217 code, as the pinned pycountry lists them."""

from __future__ import annotations

import pycountry

from finlake.contracts.bronze import ACCOUNTS, CURRENCIES, TRANSACTIONS
from finlake.contracts.iso4217 import ACTIVE_CURRENCIES, NOT_MONEY


def test_the_bundled_list_is_pycountrys():
    expected = sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY)
    assert list(ACTIVE_CURRENCIES) == expected


def test_the_contract_accepts_every_active_code():
    for entity in (ACCOUNTS, TRANSACTIONS):
        codes = next(c for c in entity.columns if c.name == "currency").codes
        assert set(codes) == set(ACTIVE_CURRENCIES)
    assert {"CZK", "EUR", "JPY", "BRL", "INR", "ZAR", "KRW"} <= set(CURRENCIES)
    assert not {"ZZZ", "EURO", "XXX", "DEM"} & set(CURRENCIES)  # made up, not money, withdrawn
