"""The A/B test plan (analytics/statistics/ab_test_plan.py) and the sample-ratio-mismatch check.

The sample size is checked against the textbook formula for Cohen's h, the power
against a simulation of the planned experiments (the analysis's own simulation, and
its empirical power must sit within a couple of points of the target), the windows
against hand-made daily traffic, and the SRM check against hand-computed chi-squares.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.cli import main
from analytics.statistics import Settings
from analytics.statistics import ab_test_plan as ab

SETTINGS = Settings(alpha=0.05, seed=42)


def textbook_per_arm(baseline: float, treatment: float, alpha: float, power: float) -> float:
    """n = 2 ((z_(1 - alpha/2) + z_power) / h)^2 per arm (Cohen 1988, ch. 6).

    h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)); 2 asin(sqrt(p-hat)) has variance 1/n, so the
    difference of the two arms has 2/n.
    """
    h = 2 * math.asin(math.sqrt(treatment)) - 2 * math.asin(math.sqrt(baseline))
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return float(2 * (z / h) ** 2)


@pytest.mark.slow
@pytest.mark.parametrize(("baseline", "mde"), [(0.30, 0.10), (0.05, 0.20), (0.14, 0.05)])
def test_sample_size_is_the_textbook_one(baseline: float, mde: float) -> None:
    treatment = baseline * (1 + mde)
    per_arm = ab.sample_size_per_arm(baseline, treatment, 0.05, 0.8)
    # NormalIndPower adds the (negligible) far tail of the two-sided test: at most one more.
    assert per_arm - textbook_per_arm(baseline, treatment, 0.05, 0.8) == pytest.approx(0.5, abs=1)


def test_detectable_rate_inverts_the_sample_size() -> None:
    rate = ab.detectable_rate(0.30, 1000, 0.05, 0.8)
    assert rate is not None and rate > 0.30
    assert ab.sample_size_per_arm(0.30, rate, 0.05, 0.8) == pytest.approx(1000, abs=1)
    assert ab.detectable_rate(0.95, 3, 0.05, 0.8) is None  # nothing below 100% is detectable


@pytest.mark.slow
def test_simulated_power_and_false_positive_rate_match_the_plan() -> None:
    baseline, treatment = 0.30, 0.33
    per_arm = ab.sample_size_per_arm(baseline, treatment, 0.05, 0.8)
    generator = np.random.default_rng(1)
    power = ab.simulate_rejection_rate(baseline, treatment, per_arm, 0.05, 4000, generator)
    assert power == pytest.approx(0.8, abs=0.025)
    false_positives = ab.simulate_rejection_rate(baseline, baseline, per_arm, 0.05, 4000, generator)
    assert false_positives == pytest.approx(0.05, abs=0.015)


def traffic(daily: float = 30.0) -> ab.Traffic:
    return ab.Traffic(dt.date(2026, 1, 1), 10_000, 1_400, daily)


@pytest.mark.slow
def test_the_plan_rows() -> None:
    plan = ab.plan(traffic(), SETTINGS)
    assert list(plan.columns) == list(ab.COLUMNS)
    assert plan["plan_id"].tolist() == ["mde_05pct", "mde_10pct", "mde_20pct", "max_56_days"]
    assert plan["plan_order"].tolist() == [1, 2, 3, 4]
    for row in plan.to_dict("records"):
        assert row["baseline_conversion_rate"] == pytest.approx(0.14)
        assert row["baseline_ci_low"] < 0.14 < row["baseline_ci_high"]
        assert row["total_sample_size"] == 2 * row["sample_size_per_arm"]
        # the planned experiment has the planned power, and an A/A one the planned alpha
        assert row["simulated_power"] == pytest.approx(ab.POWER, abs=0.025), row["plan_id"]
        assert row["simulated_false_positive_rate"] == pytest.approx(0.05, abs=0.015)
        assert row["is_feasible"] == (row["days_needed"] <= ab.MAX_TEST_DAYS)
    fixed = plan[plan["scenario"] == "fixed_effect"]
    assert fixed["mde_relative"].tolist() == list(ab.MDE_GRID)
    for row in fixed.to_dict("records"):
        assert row["treatment_conversion_rate"] == pytest.approx(0.14 * (1 + row["mde_relative"]))
        assert row["days_needed"] == math.ceil(row["total_sample_size"] / 30.0)
    # bigger effects need fewer sessions
    assert fixed["sample_size_per_arm"].is_monotonic_decreasing
    longest = plan.iloc[-1]
    assert longest["sample_size_per_arm"] == math.floor(30.0 * ab.MAX_TEST_DAYS / 2)
    assert longest["days_needed"] == ab.MAX_TEST_DAYS and longest["is_feasible"]
    # 56 days of traffic detect exactly the lift whose sample size they hold
    detectable = longest["treatment_conversion_rate"]
    assert ab.sample_size_per_arm(0.14, detectable, 0.05, 0.8) == pytest.approx(
        longest["sample_size_per_arm"], abs=1
    )
    # so a planned MDE is feasible when it is at least that lift
    for row in fixed.to_dict("records"):
        assert row["is_feasible"] == (row["mde_relative"] >= longest["mde_relative"])


@pytest.mark.slow
def test_the_plan_without_traffic_or_baseline() -> None:
    # No baseline: one row that says so (more in statistics/test_not_enough_data.py).
    plan = ab.plan(ab.Traffic(dt.date(2026, 1, 1), 0, 0, 0.0), SETTINGS)
    assert plan["status"].tolist() == [ab.NOT_ENOUGH_DATA]
    assert not plan["is_feasible"].any()
    assert plan["sample_size_per_arm"].isna().all()
    assert plan["note"].iloc[0].startswith("Not enough data for the A/B test plan")
    # A baseline but no traffic in the last 28 days: planned, but no test is feasible.
    no_traffic = ab.plan(traffic(daily=0.0), SETTINGS)
    assert set(no_traffic["status"]) == {"planned"}
    assert no_traffic["days_needed"].iloc[:3].isna().all()
    assert not no_traffic["is_feasible"].any()


class DailySessions:
    """A warehouse with an as-of date and daily email sessions."""

    def frame(self, sql: str) -> pd.DataFrame:
        if "int_as_of_date" in sql:
            return pd.DataFrame({"as_of_date": [dt.date(2026, 1, 1)]})
        assert "landing_channel_group = 'email'" in sql
        return pd.DataFrame(
            {
                "session_date": [
                    dt.date(2024, 12, 31),  # before the baseline window
                    dt.date(2025, 1, 1),  # first day of the baseline window
                    dt.date(2025, 12, 3),  # last day before the traffic window
                    dt.date(2025, 12, 4),  # first day of the traffic window
                    dt.date(2025, 12, 31),  # last day of both windows
                    dt.date(2026, 1, 1),  # the as-of date itself: outside
                ],
                "sessions": [1000, 10, 20, 14, 28, 500],
                "converted_sessions": [900, 1, 2, 3, 4, 400],
            }
        )


def test_traffic_windows() -> None:
    measured = ab.read_traffic(DailySessions())  # type: ignore[arg-type]
    assert measured.as_of_date == dt.date(2026, 1, 1)
    assert measured.baseline_window == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert measured.traffic_window == (dt.date(2025, 12, 4), dt.date(2025, 12, 31))
    assert (measured.baseline_sessions, measured.baseline_conversions) == (72, 10)
    assert measured.daily_sessions == pytest.approx((14 + 28) / 28)  # empty days count as 0


# --- sample ratio mismatch ------------------------------------------------------------------


def test_srm_of_a_four_percent_imbalance() -> None:
    check = ab.sample_ratio_mismatch(10_000, 10_400)
    # expected 10,200 each: chi-square = 2 x 200^2 / 10,200 = 7.84, p = 0.0051
    assert check.statistic == pytest.approx(2 * 200**2 / 10_200)
    assert check.p_value == pytest.approx(0.0051, abs=0.0001)
    assert not check.is_mismatch  # not at the strict 0.001 an ongoing check needs
    assert "check the split again" in check.lines()[-1]
    assert ab.sample_ratio_mismatch(10_000, 10_400, alpha=0.01).is_mismatch
    assert ab.sample_ratio_mismatch(10_000, 10_600).is_mismatch  # p = 0.00003


def test_srm_of_even_and_designed_uneven_splits() -> None:
    even = ab.sample_ratio_mismatch(10_000, 10_000)
    assert even.p_value == pytest.approx(1.0) and not even.is_mismatch
    designed = ab.sample_ratio_mismatch(4_000, 6_000, expected_share=0.6)
    assert designed.p_value == pytest.approx(1.0) and not designed.is_mismatch
    assert ab.sample_ratio_mismatch(5_000, 5_000, expected_share=0.6).is_mismatch


@pytest.mark.parametrize(
    ("control", "treatment", "share"), [(-1, 5, 0.5), (0, 0, 0.5), (5, 5, 1.0), (5, 5, 0.0)]
)
def test_srm_refuses_nonsense(control: int, treatment: int, share: float) -> None:
    with pytest.raises(ValueError):
        ab.sample_ratio_mismatch(control, treatment, share)


def test_srm_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["srm", "--control", "10000", "--treatment", "10600"]) == 1
    assert "SAMPLE RATIO MISMATCH" in capsys.readouterr().out
    assert main(["srm", "--control", "10000", "--treatment", "10000"]) == 0
    assert "no sample ratio mismatch" in capsys.readouterr().out
    arguments = ["srm", "--control", "4000", "--treatment", "6000", "--expected-share", "0.6"]
    assert main(arguments) == 0
    assert main(["srm", "--control", "0", "--treatment", "0"]) == 2
