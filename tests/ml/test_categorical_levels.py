"""A categorical with more levels than the loans can estimate is left out of the model's inputs."""

from __future__ import annotations

from finlake.ml.features import MIN_LOANS_PER_LEVEL, estimable_categoricals
from finlake.ml.training import _estimable


def test_a_categorical_is_kept_only_with_enough_loans_per_level():
    levels = {"segment": 3, "district": 77, "card_class": 4}
    kept, left_out = estimable_categoricals(("segment", "district", "card_class"), levels, loans=524)
    assert kept == ("segment", "card_class")  # 524 / 20 = 26.2 levels at most
    assert list(left_out) == ["district"] and "77 levels for 524 loans" in left_out["district"]
    kept, left_out = estimable_categoricals(("district",), {"district": 12}, loans=12 * MIN_LOANS_PER_LEVEL)
    assert kept == ("district",) and left_out == {}


def test_levels_are_counted_as_the_model_sees_them(spark):
    # " north", "NORTH" and "north" are one level after trimming and upper-casing; a null is UNKNOWN
    rows = [(" north", "A"), ("NORTH", "B"), ("north", None), ("south", "C")] * 20 + [(None, "D")]
    table = spark.createDataFrame(rows, "district string, code string")
    kept, left_out = _estimable(table, ("district", "code"))
    assert kept == ("district",)  # 3 levels (NORTH, SOUTH, UNKNOWN) <= 81 / 20; code has 5 (A-D, UNKNOWN)
    assert "5 levels for 81 loans" in left_out["code"]
