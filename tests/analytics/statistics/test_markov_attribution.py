"""Markov-chain attribution (removal effect) on hand-made paths with known answers."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.statistics.markov_attribution import (
    ChannelPath,
    apportion,
    attribute,
    converting_paths,
    fit_chain,
    lookback_days,
    non_converting_paths,
    removal_effects,
)


def _converted(*channels: str, revenue: int = 0) -> ChannelPath:
    return ChannelPath(channels, converted=True, revenue_cents=revenue)


def _lost(*channels: str) -> ChannelPath:
    return ChannelPath(channels, converted=False)


def _by_channel(paths: list[ChannelPath]) -> pd.DataFrame:
    return attribute(paths).channels.set_index("channel")


# --- published and hand-computed examples -------------------------------------------------------


def test_the_published_three_channel_example() -> None:
    """S. Bryl's example: C1>C2>C3>conversion, C1>null, C2>C3>null gives 0.2 / 0.4 / 0.4.

    P(conversion) = (2/3 * 1/2 + 1/3) * 1/2 = 1/3; without C1 1/6 (effect 1/2), without
    C2 or C3 0 (effect 1): credits 0.5, 1, 1 over 2.5.
    """
    paths = [_converted("C1", "C2", "C3", revenue=10_000), _lost("C1"), _lost("C2", "C3")]
    chain = fit_chain(paths)
    assert chain.conversion_probability() == pytest.approx(1 / 3, abs=1e-15)
    effects, revenue_effects, without = removal_effects(chain)
    assert effects == pytest.approx({"C1": 0.5, "C2": 1.0, "C3": 1.0}, abs=1e-15)
    assert revenue_effects == pytest.approx(effects, abs=1e-15)
    assert without == pytest.approx({"C1": 1 / 6, "C2": 0.0, "C3": 0.0}, abs=1e-15)
    rows = _by_channel(paths)
    assert rows["attributed_conversions"].to_dict() == {
        "C1": Decimal("0.2000000000"),
        "C2": Decimal("0.4000000000"),
        "C3": Decimal("0.4000000000"),
    }
    assert rows["attributed_revenue"].to_dict() == {
        "C1": Decimal("20.00"),
        "C2": Decimal("40.00"),
        "C3": Decimal("40.00"),
    }
    assert rows["paths"].to_dict() == {"C1": 2, "C2": 2, "C3": 2}
    assert rows["converting_paths"].to_dict() == {"C1": 1, "C2": 1, "C3": 1}


def test_a_two_channel_example_computed_by_hand() -> None:
    """A>conv (100), B>conv (300), A>B>null, B>null.

    start->A 1/2, start->B 1/2, A->conv 1/2, A->B 1/2, B->conv 1/3, B->null 2/3.
    P(conv) = 1/2 (1/2 + 1/2 * 1/3) + 1/2 * 1/3 = 1/2; without A 1/6 (effect 2/3),
    without B 1/4 (effect 1/2): A gets 2 * (2/3) / (7/6) = 8/7, B 6/7.
    Revenue: the steps into conversion are worth 100 from A, 300 from B; E = 100 per
    path (400 / 4); without A 50 (effect 1/2), without B 25 (effect 3/4): A 160, B 240.
    """
    paths = [
        _converted("A", revenue=10_000),
        _converted("B", revenue=30_000),
        _lost("A", "B"),
        _lost("B"),
    ]
    chain = fit_chain(paths)
    assert chain.conversion_probability() == pytest.approx(0.5, abs=1e-15)
    assert chain.expected_revenue() == pytest.approx(10_000, abs=1e-9)  # cents per path
    effects, revenue_effects, _ = removal_effects(chain)
    assert effects == pytest.approx({"A": 2 / 3, "B": 1 / 2}, abs=1e-15)
    assert revenue_effects == pytest.approx({"A": 1 / 2, "B": 3 / 4}, abs=1e-15)
    rows = _by_channel(paths)
    # 8/7 = 1.142857142857...: the unit left over by the floors goes to A's larger remainder.
    assert rows.loc["A", "attributed_conversions"] == Decimal("1.1428571429")
    assert rows.loc["B", "attributed_conversions"] == Decimal("0.8571428571")
    assert rows.loc["A", "attributed_revenue"] == Decimal("160.00")
    assert rows.loc["B", "attributed_revenue"] == Decimal("240.00")
    assert rows.loc["A", "share_of_conversions"] == Decimal("0.5714")
    assert rows.loc["B", "share_of_revenue"] == Decimal("0.6000")


def test_credits_add_up_to_the_conversions_and_revenue_exactly() -> None:
    rng = np.random.default_rng(7)
    channels = ["email", "adwords", "facebook", "direct", "organic"]
    paths = []
    for _ in range(400):
        length = int(rng.integers(1, 6))
        journey = tuple(str(rng.choice(channels)) for _ in range(length))
        if rng.random() < 0.3:
            paths.append(_converted(*journey, revenue=int(rng.integers(1, 50_000))))
        else:
            paths.append(_lost(*journey))
    result = attribute(paths)
    conversions = sum(1 for path in paths if path.converted)
    revenue = sum(path.revenue_cents for path in paths)
    assert sum(result.channels["attributed_conversions"], Decimal(0)) == conversions
    assert sum(result.channels["attributed_revenue"], Decimal(0)) * 100 == revenue
    # The maximum-likelihood chain converts exactly as often as its paths do.
    assert result.conversion_probability == pytest.approx(conversions / len(paths), rel=1e-12)
    assert result.total_paths == len(paths)
    assert result.total_conversions == conversions
    assert result.channels["removal_effect"].between(0, 1).all()


def test_a_channel_never_on_a_converting_path_gets_nothing() -> None:
    """D only leads to null; E leads into A (which converts) but never converted itself."""
    paths = [
        _converted("A", revenue=5_000),
        _converted("B", "A", revenue=7_000),
        _lost("B"),
        _lost("D"),
        _lost("E", "A"),
    ]
    rows = _by_channel(paths)
    assert rows.loc["D", "removal_effect"] == 0
    # In the chain E reaches a conversion through A's steps: an effect, but no credit.
    assert rows.loc["E", "removal_effect"] > 0
    for channel in ("D", "E"):
        assert rows.loc[channel, "attributed_conversions"] == 0
        assert rows.loc[channel, "attributed_revenue"] == 0
        assert rows.loc[channel, "converting_paths"] == 0
    assert sum(rows["attributed_conversions"], Decimal(0)) == 2
    assert sum(rows["attributed_revenue"], Decimal(0)) == Decimal("120.00")


def test_one_channel_takes_everything_and_no_conversion_gives_nothing() -> None:
    rows = _by_channel([_converted("email", revenue=1_234), _lost("email")])
    assert rows.loc["email", "removal_effect"] == 1
    assert rows.loc["email", "attributed_conversions"] == 1
    assert rows.loc["email", "attributed_revenue"] == Decimal("12.34")

    nothing = attribute([_lost("email"), _lost("direct", "email")])
    assert nothing.total_conversions == 0
    assert nothing.conversion_probability == 0
    assert (nothing.channels["attributed_conversions"] == 0).all()
    assert nothing.channels["removal_effect"].isna().all()
    assert nothing.channels["share_of_conversions"].isna().all()


def test_revenue_without_differences_is_shared_like_the_conversions() -> None:
    paths = [
        _converted("A", "B", revenue=1_000),
        _converted("B", revenue=1_000),
        _lost("A"),
        _lost("A", "B"),
    ]
    rows = _by_channel(paths)
    conversions = rows["attributed_conversions"].astype(float)
    revenue = rows["attributed_revenue"].astype(float)
    assert revenue.to_dict() == pytest.approx((conversions * 10).to_dict(), abs=0.01)


# --- the pieces ------------------------------------------------------------------------------


def test_apportion_rounds_by_largest_remainder_and_adds_up() -> None:
    assert apportion(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    # 3.5, 1.75, 1.75: floors 3, 1, 1; the two units left go to the 0.75 remainders.
    assert apportion(7, {"x": 0.5, "y": 0.25, "z": 0.25}) == {"x": 3, "y": 2, "z": 2}
    assert apportion(5, {"a": 0.0, "b": 0.0}) == {"a": 0, "b": 0}
    assert apportion(0, {"a": 1.0}) == {"a": 0}
    rng = np.random.default_rng(3)
    for _ in range(200):
        weights = {f"k{i}": float(w) for i, w in enumerate(rng.random(int(rng.integers(1, 9))))}
        total = int(rng.integers(0, 10**12))
        units = apportion(total, weights)
        assert sum(units.values()) == total
        exact = {
            k: Fraction(total) * Fraction(w) / Fraction(math.fsum(weights.values()))
            for k, w in weights.items()
        }
        assert all(abs(units[k] - exact[k]) < 1 + 1e-6 for k in weights)


def test_converting_paths_follow_the_touchpoint_positions() -> None:
    touchpoints = pd.DataFrame(
        {
            "conversion_key": ["k2", "k1", "k1", "k2", "k1"],
            "touchpoint_position": [1, 3, 1, 2, 2],
            "channel": ["email", "direct", "facebook", "organic", "email"],
            "revenue_cents": [500, 1_000, 1_000, 500, 1_000],
        }
    )
    assert converting_paths(touchpoints) == [
        _converted("facebook", "email", "direct", revenue=1_000),
        _converted("email", "organic", revenue=500),
    ]


def test_non_converting_journeys_span_the_lookback_from_their_first_session() -> None:
    day = dt.datetime(2025, 5, 1, 12)
    sessions = pd.DataFrame(
        {
            "visitor_key": ["v1", "v1", "v1", "v1", "v2", "anonymous:s9"],
            "session_key": ["s1", "s2", "s3", "s4", "s5", "s9"],
            "session_start_at": [
                day + dt.timedelta(days=30),  # exactly 30 days after s2: same journey
                day,
                day + dt.timedelta(days=30, seconds=1) + dt.timedelta(days=1),
                day + dt.timedelta(days=40),
                day,
                day,
            ],
            "channel": ["email", "facebook", "organic", "direct", "youtube", "adwords"],
        }
    )
    assert non_converting_paths(sessions, 30) == [
        _lost("adwords"),
        _lost("facebook", "email"),
        _lost("organic", "direct"),
        _lost("youtube"),
    ]
    assert non_converting_paths(sessions, 60) == [
        _lost("adwords"),
        _lost("facebook", "email", "organic", "direct"),
        _lost("youtube"),
    ]
    assert non_converting_paths(sessions.iloc[0:0], 30) == []


def test_the_lookback_is_the_dbt_var(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project.yml"
    project.write_text("name: x\nvars:\n  attribution_lookback_days: 14\n", encoding="utf-8")
    assert lookback_days(tmp_path) == 14
    assert lookback_days() == 30  # this checkout's dbt_project.yml
