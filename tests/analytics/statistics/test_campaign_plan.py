"""The campaign plan: allocation on known response curves, fits, intervals and evidence."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize

from analytics.statistics.base import Settings
from analytics.statistics.campaign_plan import (
    EXPONENT_BOUNDS,
    MIN_CAMPAIGNS_OWN_FIT,
    ResponseCurve,
    allocate,
    brief,
    budget_window,
    build_plan,
    fit_exponents,
    plan_table,
    read_evidence,
    simulate_audience,
    spend_in_window,
    to_cents,
)

AS_OF = date(2026, 1, 1)
SETTINGS = Settings(alpha=0.05, seed=42, reports_dir=Path("unused"))


# --- allocation ------------------------------------------------------------------------------


def test_equal_curves_split_the_budget_equally() -> None:
    curves = [ResponseCurve(100.0, 0.5)] * 4
    assert allocate(curves, 1_000.0) == pytest.approx([250.0] * 4, rel=1e-12)
    assert to_cents([250.0] * 4, 100_000) == [25_000] * 4
    # Three ways: the cent left over goes to one of them, the total stays exact.
    cents = to_cents(allocate([ResponseCurve(10.0, 0.3)] * 3, 100.0), 10_000)
    assert sorted(cents) == [3_333, 3_333, 3_334]


def test_a_steeper_curve_gets_more_and_the_split_has_the_closed_form() -> None:
    """With a common b, equal marginals a_t b B_t^(b-1) give B_t proportional to a_t^(1/(1-b))."""
    curves = [ResponseCurve(1.0, 0.5), ResponseCurve(2.0, 0.5), ResponseCurve(3.0, 0.5)]
    budgets = allocate(curves, 1_400.0)
    assert budgets == pytest.approx([100.0, 400.0, 900.0], rel=1e-10)
    marginals = [curve.marginal(b) for curve, b in zip(curves, budgets, strict=True)]
    assert max(marginals) - min(marginals) < 1e-12
    # A steeper exponent at the same level at the current spend also draws more budget.
    flat, steep = ResponseCurve(10.0, 0.3), ResponseCurve(10.0, 0.8)
    low, high = allocate([flat, steep], 500.0)
    assert high > low


def test_the_split_maximises_the_revenue() -> None:
    rng = np.random.default_rng(11)
    for _ in range(20):
        curves = [
            ResponseCurve(float(rng.uniform(0.5, 50)), float(rng.uniform(0.2, 0.95)))
            for _ in range(int(rng.integers(2, 6)))
        ]
        total = float(rng.uniform(100, 100_000))
        budgets = allocate(curves, total)
        assert sum(budgets) == pytest.approx(total, rel=1e-12)
        best = sum(curve.revenue(b) for curve, b in zip(curves, budgets, strict=True))
        # A general-purpose optimiser finds nothing better (SLSQP on the simplex).
        found = optimize.minimize(
            lambda x, curves=curves: -sum(c.revenue(v) for c, v in zip(curves, x, strict=True)),
            np.full(len(curves), total / len(curves)),
            method="SLSQP",
            bounds=[(0, total)] * len(curves),
            constraints=[{"type": "eq", "fun": lambda x, total=total: x.sum() - total}],
        )
        assert -found.fun <= best * (1 + 1e-9)
        # Moving a little money between any two channels loses revenue.
        for giver in range(len(curves)):
            for taker in range(len(curves)):
                if giver != taker:
                    moved = list(budgets)
                    step = 0.01 * moved[giver]
                    moved[giver] -= step
                    moved[taker] += step
                    assert sum(c.revenue(v) for c, v in zip(curves, moved, strict=True)) <= best


def test_bounds_hold_and_the_free_channels_share_one_marginal() -> None:
    curves = [ResponseCurve(50.0, 0.5), ResponseCurve(1.5, 0.5), ResponseCurve(2.0, 0.5)]
    lower, upper = [100.0, 100.0, 100.0], [200.0, 400.0, 400.0]
    budgets = allocate(curves, 600.0, lower, upper)
    assert sum(budgets) == pytest.approx(600.0, rel=1e-12)
    assert budgets[0] == pytest.approx(200.0)  # held at its upper bound: its marginal is higher
    assert curves[0].marginal(budgets[0]) > curves[1].marginal(budgets[1])
    # The other two share 400 like unbounded curves would: in proportion to a^2, 144 and 256.
    assert budgets[1:] == pytest.approx([144.0, 256.0], rel=1e-9)
    assert curves[1].marginal(budgets[1]) == pytest.approx(curves[2].marginal(budgets[2]))
    # Held at its lower bound, a curve's marginal is below the others'.
    weak = [ResponseCurve(0.01, 0.5), ResponseCurve(1.0, 0.5)]
    held = allocate(weak, 300.0, [100.0, 100.0], [300.0, 300.0])
    assert held == pytest.approx([100.0, 200.0], rel=1e-12)
    assert weak[0].marginal(held[0]) < weak[1].marginal(held[1])
    with pytest.raises(ValueError):
        allocate(curves, 2_000.0, lower, upper)


def test_budgets_in_cents_add_up_to_the_total_exactly() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        curves = [
            ResponseCurve(float(rng.uniform(0, 20)), float(rng.uniform(0.2, 0.95)))
            for _ in range(int(rng.integers(1, 7)))
        ]
        total_cents = int(rng.integers(1, 10**9))
        cents = to_cents(allocate(curves, total_cents / 100), total_cents)
        assert sum(cents) == total_cents
        assert all(value >= 0 for value in cents)


# --- fitting ---------------------------------------------------------------------------------


def _campaigns(rng: np.random.Generator, exponents: dict[str, float], count: int) -> pd.DataFrame:
    rows = []
    for campaign_type, exponent in exponents.items():
        spend = np.exp(rng.uniform(np.log(200), np.log(20_000), size=count))
        revenue = 30 * spend**exponent * rng.lognormal(0, 0.1, size=count)
        rows += [
            {"campaign_type": campaign_type, "spend": float(s), "revenue": float(r)}
            for s, r in zip(spend, revenue, strict=True)
        ]
    return pd.DataFrame(rows)


def test_the_exponent_is_the_log_log_slope_clipped() -> None:
    rng = np.random.default_rng(1)
    campaigns = _campaigns(rng, {"email": 0.6, "search": 0.05, "video": 1.3}, 40)
    fits = fit_exponents(campaigns)
    assert fits["email"].method == "own_fit"
    assert fits["email"].exponent == pytest.approx(0.6, abs=0.05)
    assert fits["search"].exponent == EXPONENT_BOUNDS[0]
    assert fits["video"].exponent == EXPONENT_BOUNDS[1]
    assert fits["search"].raw_slope == pytest.approx(0.05, abs=0.05)
    # It is statsmodels' OLS slope of log revenue on log spend.
    email = campaigns[campaigns["campaign_type"] == "email"]
    ols = sm.OLS(np.log(email["revenue"]), sm.add_constant(np.log(email["spend"]))).fit()
    assert fits["email"].raw_slope == pytest.approx(float(ols.params.iloc[1]), rel=1e-12)


def test_few_campaigns_borrow_the_pooled_slope_and_none_the_default() -> None:
    rng = np.random.default_rng(2)
    campaigns = _campaigns(rng, {"email": 0.5, "display": 0.5}, 30)
    few = _campaigns(rng, {"video": 0.5}, MIN_CAMPAIGNS_OWN_FIT - 1)
    # Zero-revenue campaigns are not fitted (log 0) but count in the ROAS.
    zero = pd.DataFrame([{"campaign_type": "video", "spend": 500.0, "revenue": 0.0}])
    fits = fit_exponents(pd.concat([campaigns, few, zero], ignore_index=True))
    assert fits["video"].method == "pooled_fit"
    assert fits["video"].campaigns == 30 + 30 + MIN_CAMPAIGNS_OWN_FIT - 1
    assert fits["video"].exponent == pytest.approx(0.5, abs=0.05)
    lonely = fit_exponents(pd.DataFrame([{"campaign_type": "x", "spend": 1.0, "revenue": 2.0}]))
    assert lonely["x"].method == "default"


# --- windows ---------------------------------------------------------------------------------


def test_spend_is_spread_over_the_campaign_days() -> None:
    campaigns = pd.DataFrame(
        {
            "start_date": [
                date(2025, 9, 24),
                date(2025, 12, 1),
                date(2025, 1, 1),
                date(2025, 12, 22),
                date(2025, 12, 27),
            ],
            "end_date": [
                date(2025, 10, 3),
                date(2025, 12, 10),
                date(2025, 3, 1),
                None,
                date(2026, 2, 1),
            ],
            "spend": [1_000.0, 500.0, 800.0, 100.0, 50.0],
        }
    )
    window = budget_window(campaigns, AS_OF)
    assert window == (date(2025, 10, 3), date(2025, 12, 31))
    # 1 of 10 days, all 10 of 10, none; one without end date and one still running spent
    # what they spent so far in their days up to the window's end.
    assert spend_in_window(campaigns, window).to_list() == pytest.approx(
        [100.0, 500.0, 0.0, 100.0, 50.0]
    )
    # No spend in the 90 days before the as-of date: the 90 days up to the last spend.
    old = campaigns.iloc[[2]]
    assert budget_window(old, AS_OF) == (date(2025, 3, 1) - timedelta(days=89), date(2025, 3, 1))


# --- audiences and evidence --------------------------------------------------------------------


def test_audience_outcome_is_exact_in_expectation_and_simulated_around_it() -> None:
    rng = np.random.default_rng(9)
    values = list(rng.uniform(10, 500, size=400))
    outcome = simulate_audience([0.1] * 400, values, rng, 0.05)
    assert outcome.responses == pytest.approx(40.0)
    assert outcome.revenue == pytest.approx(0.1 * sum(values))
    assert outcome.responses_interval[0] < 40 < outcome.responses_interval[1]
    assert outcome.revenue_interval[0] < outcome.revenue < outcome.revenue_interval[1]
    certain = simulate_audience([1.0, 1.0], [5.0, 7.0], rng, 0.05)
    assert certain.revenue_interval == (12.0, 12.0)


def _tests(decision: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "test_id": test_id,
                "decision": decision,
                "p_value_holm": 0.0 if decision == "reject_null" else 0.4,
                "effect_size_name": "risk difference",
                "effect_size": 0.05,
                "effect_size_ci_low": 0.04,
                "effect_size_ci_high": 0.06,
            }
            for test_id in (
                "consent_spend",
                "campaign_type_conversion",
                "email_vs_display_conversion",
            )
        ]
    )


def test_a_claim_stands_only_on_a_rejected_null() -> None:
    validated = read_evidence(_tests("reject_null"), "consent_spend", "Consent matters")
    assert validated.status == "validated"
    assert "Holm p <0.0001" in validated.sentence
    assert "[0.04, 0.06]" in validated.sentence
    weak = read_evidence(_tests("fail_to_reject"), "consent_spend", "Consent matters")
    assert weak.status == "not_established"
    assert "not established" in weak.sentence
    missing = read_evidence(None, "consent_spend", "Consent matters")
    assert missing.status == "not_tested"
    assert "not tested" in missing.sentence


# --- the whole plan ------------------------------------------------------------------------------


def _plan_inputs(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rows = []
    economics = {
        "email": (8.0, 0.5),
        "display": (0.4, 0.5),
        "search": (1.2, 0.4),
        "affiliate": (3.0, 0.5),
    }
    for campaign_type, (roas, exponent) in economics.items():
        for number in range(12):
            start = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 330)))
            smallest = 50 if campaign_type == "email" else 500  # email is cheap, as in the data
            spend = float(np.exp(rng.uniform(np.log(smallest), np.log(10 * smallest))))
            revenue = roas * 1_000 ** (1 - exponent) * spend**exponent * rng.lognormal(0, 0.3)
            rows.append(
                {
                    "campaign_id": f"{campaign_type}-{number}",
                    "campaign_type": campaign_type,
                    "start_date": start,
                    "end_date": start + timedelta(days=30),
                    "spend": spend,
                    "revenue": revenue,
                    "conversions": revenue / 100,
                    "clicks": 1_000,
                    "platform_conversions": {
                        "email": 80,
                        "display": 20,
                        "search": 50,
                        "affiliate": 60,
                    }[campaign_type],
                    "attribution_model": "position_based",
                }
            )
    audiences = pd.DataFrame(
        {
            "campaign_type": ["loyalty", "win_back"],
            "description": ["High-value customers", "Lost customers"],
            "target_customers": [50, 0],
            "expected_value": [750.0, 0.0],
        }
    )
    targets = pd.DataFrame(
        {
            "campaign_type": ["loyalty"] * 50,
            "response_rate": [0.15] * 50,
            "value_if_responds": [100.0] * 50,
            "rfm_segment": ["champions"] * 30 + ["loyal_customers"] * 20,
        }
    )
    return pd.DataFrame(rows), audiences, targets


@pytest.mark.slow
def test_the_plan_adds_up_and_its_intervals_hold_the_expected_values() -> None:
    campaigns, audiences, targets = _plan_inputs(np.random.default_rng(4))
    plan = build_plan(campaigns, audiences, targets, _tests("reject_null"), {}, AS_OF, SETTINGS)
    table = plan_table(plan, SETTINGS.alpha)
    channels = table[table["item_type"] == "channel"]
    total = table[table["item_type"] == "total"].iloc[0]
    assert sum(channels["budget"], Decimal(0)) == total["budget"] == plan.budget > 0
    current = spend_in_window(campaigns, plan.window).sum()  # type: ignore[arg-type]
    assert float(plan.budget) == pytest.approx(current, abs=0.005)
    for row in table.to_dict("records"):
        for measure in ("expected_revenue", "expected_conversions"):
            assert row[f"{measure}_low"] <= row[measure] <= row[f"{measure}_high"], row["item"]
    # Email returns most at the margin: it gets more than now, display less.
    change = channels.set_index("item")["budget_vs_current"].astype(float)
    assert change["email"] > 1 > change["display"]
    assert plan.optimised
    statuses = channels.set_index("item")["evidence_status"]
    assert statuses["email"] == "validated"  # a pairwise test backs email over display
    assert statuses["display"] == "validated"  # its cut too
    assert change["affiliate"] > 1
    assert statuses["affiliate"] == "not_established"  # no pairwise test backs affiliate
    justification = channels.set_index("item")["justification"]["affiliate"]
    assert "not established by a pairwise test" in justification
    assert set(table["item_type"]) == {"audience", "channel", "total"}
    assert plan.empty_lists == ["win_back"]
    audience = table[table["item_type"] == "audience"].iloc[0]
    assert audience["expected_revenue"] == Decimal("750.00")
    assert audience["evidence_test_ids"] == "consent_spend"
    # Reruns with the same seed give the same plan.
    again = build_plan(campaigns, audiences, targets, _tests("reject_null"), {}, AS_OF, SETTINGS)
    pd.testing.assert_frame_equal(plan_table(again, SETTINGS.alpha), table)


@pytest.mark.slow
def test_without_validated_differences_the_plan_keeps_the_current_mix() -> None:
    campaigns, audiences, targets = _plan_inputs(np.random.default_rng(4))
    for tests in (None, _tests("fail_to_reject")):
        plan = build_plan(campaigns, audiences, targets, tests, {}, AS_OF, SETTINGS)
        table = plan_table(plan, SETTINGS.alpha)
        assert not plan.optimised
        channels = table[table["item_type"] == "channel"]
        assert channels["budget_vs_current"].astype(float).to_list() == pytest.approx(
            [1.0] * len(channels), abs=1e-3
        )
        expected = "not_tested" if tests is None else "not_established"
        assert set(table["evidence_status"]) == {expected}
        text = brief(plan, SETTINGS.alpha)
        assert "not tested" in text if tests is None else "not established" in text


@pytest.mark.slow
def test_a_set_budget_is_split_exactly_and_the_brief_reads_well() -> None:
    campaigns, audiences, targets = _plan_inputs(np.random.default_rng(4))
    plan = build_plan(
        campaigns,
        audiences,
        targets,
        _tests("reject_null"),
        {"email": 1.3},
        AS_OF,
        SETTINGS,
        12_345.67,
    )
    table = plan_table(plan, SETTINGS.alpha)
    channels = table[table["item_type"] == "channel"]
    assert sum(channels["budget"], Decimal(0)) == Decimal("12345.67")
    assert channels.set_index("item")["markov_to_default_ratio"]["email"] == 1.3
    text = brief(plan, SETTINGS.alpha)
    for heading in (
        "# Campaign plan",
        "## Who to target",
        "## Where the money goes",
        "## Expected results",
        "## Evidence",
        "## Caveats",
    ):
        assert heading in text
    assert "12,345.67" in text
    assert "email_vs_display_conversion" in text
    assert "Email converts better than Display (8.0% vs 2.0% of clicks): validated" in text
    assert not math.isnan(float(table["interval_level"].iloc[0]))


@pytest.mark.slow
def test_a_channel_without_recent_spend_gets_no_budget() -> None:
    campaigns, audiences, targets = _plan_inputs(np.random.default_rng(4))
    old = campaigns[campaigns["campaign_type"] == "search"].head(6).copy()
    old["campaign_type"] = "video"
    old["campaign_id"] = [f"video-{number}" for number in range(len(old))]
    old["start_date"] = date(2025, 1, 1)
    old["end_date"] = date(2025, 2, 1)
    plan = build_plan(
        pd.concat([campaigns, old], ignore_index=True),
        audiences,
        targets,
        _tests("reject_null"),
        {},
        AS_OF,
        SETTINGS,
    )
    table = plan_table(plan, SETTINGS.alpha).set_index("item")
    video = table.loc["video"]
    assert video["budget"] == Decimal("0.00") == video["current_spend"]
    assert video["expected_revenue"] is None
    assert "No spend between" in video["justification"]
    channels = table[table["item_type"] == "channel"]
    assert sum(channels["budget"], Decimal(0)) == table.loc["all_channels", "budget"]
    assert "| Video campaigns | 0 | 0 |" in brief(plan, SETTINGS.alpha)


def test_bootstrap_without_any_spending_campaign_gives_empty_draws() -> None:
    # Only the sales feed loaded (no campaigns): the plan still runs, with nothing to draw.
    from analytics.statistics.campaign_plan import bootstrap_outcomes

    campaigns = pd.DataFrame(
        {"campaign_type": [], "spend": [], "revenue": [], "conversions": []}, dtype=float
    )
    revenue, conversions = bootstrap_outcomes(campaigns, [], [], np.random.default_rng(1), 50)
    assert revenue.shape == conversions.shape == (50, 0)
