"""One way to read a p-value and a share, and Holm's adjustment of the tests that ran."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from analytics.statistics import _format, _stats


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.01234, "0.0123"),
        (0.5, "0.5000"),
        (1.0, "1.0000"),
        (0.0001, "0.0001"),
        (0.00009, "<0.0001"),
        (0.0, "<0.0001"),  # an underflow is no more precise than the smallest bound
        (None, "-"),
        (math.nan, "-"),
        (pd.NA, "-"),
        (np.float32("nan"), "-"),
    ],
)
def test_a_p_value_has_four_decimals_and_a_floor(value: object, text: str) -> None:
    assert _format.p_value(value) == text


def test_a_p_value_after_p_keeps_its_relation_unless_it_is_a_bound() -> None:
    assert _format.p_relation(0.0029) == "=0.0029"
    assert _format.p_relation(0.0123, "<=") == "<=0.0123"
    assert _format.p_relation(0.0) == "<0.0001"
    assert _format.p_relation(None) == "-"
    assert _format.p_value(None, missing="—") == "—"


def test_a_share_is_a_percentage_with_one_decimal() -> None:
    assert _format.share(0.25) == "25.0%"
    assert _format.share(51.894) == "5,189.4%"
    assert _format.share(None) == "-" and _format.share(math.nan, missing="—") == "—"
    assert _format.number(2.3456) == "2.35" and _format.number(None) == "-"


def test_holm_where_tested_adjusts_the_family_that_ran_and_leaves_the_rest_missing() -> None:
    p_values = pd.Series([0.01, math.nan, 0.04, 0.03, math.nan], index=list("abcde"))
    adjusted = _stats.holm_where_tested(p_values)
    expected = multipletests([0.01, 0.04, 0.03], method="holm")[1]
    assert adjusted.index.tolist() == list("abcde")
    assert adjusted[["a", "c", "d"]].tolist() == pytest.approx(list(expected), rel=0, abs=0)
    assert adjusted[["b", "e"]].isna().all()
    assert _stats.holm_where_tested(pd.Series([math.nan, math.nan])).isna().all()
    assert _stats.holm_where_tested(pd.Series([], dtype=float)).empty
