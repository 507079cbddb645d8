"""The annuity-implied annual rate: checked against textbook instalments computed by hand."""

from __future__ import annotations

import numpy as np

from finlake.pkdd99.rates import implied_annual_rate


def test_textbook_instalments_give_back_their_rate():
    # 100,000 over 360 months at 6 % a year (0.5 % a month) costs 599.55 a month (standard table);
    # 10,000 over 12 months at 12 % a year costs 888.49; 60,000 over 60 months at 0 % costs 1,000.
    rates = implied_annual_rate(
        np.array([100_000, 10_000, 60_000]), np.array([599.55, 888.49, 1_000.0]), np.array([360, 12, 60])
    )
    assert abs(rates[0] - 6.0) < 0.005
    assert abs(rates[1] - 12.0) < 0.005
    assert rates[2] == 0.0


def test_payments_below_the_principal_imply_a_negative_rate():
    (rate,) = implied_annual_rate(np.array([12_000]), np.array([900.0]), np.array([12]))
    assert rate < 0


def test_unusable_inputs_give_no_rate():
    rates = implied_annual_rate(np.array([np.nan, 1_000, 1_000]), np.array([100.0, 0.0, 100.0]), np.array([12, 12, 0]))
    assert np.isnan(rates).all()
