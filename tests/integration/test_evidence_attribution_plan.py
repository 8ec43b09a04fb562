"""Data-driven attribution and the campaign plan on the generated data, on both targets.

The builds of ``conftest.py`` (scale 0.25, seed 42) have run ``python -m analytics analyze``
after ``dbt build``. Here:

- markov_attribution equals an independent computation: the paths rebuilt with pandas
  from attribution_touchpoints and fct_sessions following the documented rules, the
  chain's absorption probabilities found by iterating the chain (not by solving it);
- its credits and revenue add up exactly to the conversions and land in
  channel_attribution as the model ``markov``;
- the planted truth shows: awareness channels gain against last touch, closers lose;
- the campaign plan's budget is the window's spend split exactly, its intervals hold
  the expected values, and its evidence is that of hypothesis_tests;
- DuckDB and PostgreSQL hold the same results.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from tests.integration.conftest import Build

pytestmark = pytest.mark.slow

LOOKBACK = dt.timedelta(days=30)  # dbt_project.yml attribution_lookback_days
AWARENESS = ("facebook", "instagram", "youtube")
CLOSERS = ("direct", "organic")


def _succeeded(build: Build) -> None:
    assert build.returncode == 0, build.failures()


# --- an independent markov computation ------------------------------------------------------


def _paths(build: Build) -> list[tuple[tuple[str, ...], bool, Decimal]]:
    touchpoints = build.rows("marts.attribution_touchpoints")
    touchpoints = touchpoints[touchpoints["attribution_model"] == "linear"]
    paths: list[tuple[tuple[str, ...], bool, Decimal]] = []
    for _, rows in touchpoints.groupby("conversion_key"):
        rows = rows.sort_values("touchpoint_position")
        paths.append((tuple(rows["channel"]), True, Decimal(rows["conversion_revenue"].iloc[0])))
    touched = set(touchpoints["session_key"])
    sessions = build.rows("core.fct_sessions")
    sessions = sessions[
        sessions["landing_traffic_source"].notna() & ~sessions["session_key"].isin(touched)
    ]
    for _, visits in sessions.groupby("visitor_key"):
        visits = visits.sort_values(["session_start_at", "session_key"])
        journey: list[str] = []
        first: Any = None
        for visit in visits.itertuples():
            if journey and visit.session_start_at - first > LOOKBACK:
                paths.append((tuple(journey), False, Decimal(0)))
                journey = []
            if not journey:
                first = visit.session_start_at
            journey.append(visit.landing_traffic_source)
        paths.append((tuple(journey), False, Decimal(0)))
    return paths


def _iterated_absorption(
    paths: list[tuple[tuple[str, ...], bool, Decimal]], removed: str | None
) -> tuple[float, float]:
    """P(conversion) and expected revenue per path by iterating the chain's distribution."""
    steps: Counter[tuple[str, str]] = Counter()
    revenue_in: Counter[str] = Counter()
    for channels, converted, revenue in paths:
        states = ["start", *channels, "conversion" if converted else "null"]
        steps.update(itertools.pairwise(states))
        if converted:
            revenue_in[channels[-1]] += float(revenue)
    out = Counter[str]()
    for (source, _), count in steps.items():
        out[source] += count
    mass = {"start": 1.0}
    converted_mass = revenue_mass = 0.0
    for _ in range(10_000):
        following: dict[str, float] = {}
        for state, weight in mass.items():
            if state == removed:
                continue  # every step into a removed channel ends in null
            for (source, target), count in steps.items():
                if source != state:
                    continue
                flow = weight * count / out[state]
                if target == "conversion":
                    converted_mass += flow
                    revenue_mass += weight * revenue_in[state] / out[state]
                elif target != "null":
                    following[target] = following.get(target, 0.0) + flow
        mass = following
        if sum(mass.values()) < 1e-16:
            break
    return converted_mass, revenue_mass


@pytest.fixture(scope="module")
def markov_truth(duckdb_generated: Build) -> pd.DataFrame:
    paths = _paths(duckdb_generated)
    channels = sorted({c for channels, _, _ in paths for c in channels})
    on_converting = {c for channels, converted, _ in paths if converted for c in channels}
    probability, revenue = _iterated_absorption(paths, None)
    rows = []
    for channel in channels:
        without, revenue_without = _iterated_absorption(paths, channel)
        rows.append(
            {
                "channel": channel,
                "removal_effect": 1 - without / probability,
                "revenue_removal_effect": 1 - revenue_without / revenue,
                "eligible": channel in on_converting,
                "paths": sum(channel in channels for channels, _, _ in paths),
            }
        )
    truth = pd.DataFrame(rows).set_index("channel")
    weights = truth["removal_effect"].where(truth["eligible"], 0.0)
    conversions = sum(converted for _, converted, _ in paths)
    truth["attributed_conversions"] = conversions * weights / weights.sum()
    truth.attrs.update(probability=probability, paths=len(paths), conversions=conversions)
    return truth


def test_markov_matches_an_independent_computation(
    duckdb_generated: Build, markov_truth: pd.DataFrame
) -> None:
    _succeeded(duckdb_generated)
    markov = duckdb_generated.rows("marts.markov_attribution").set_index("channel")
    assert set(markov.index) == set(markov_truth.index)
    assert int(markov["total_paths"].iloc[0]) == markov_truth.attrs["paths"]
    assert float(markov["conversion_probability"].iloc[0]) == pytest.approx(
        markov_truth.attrs["probability"], rel=1e-9
    )
    for channel, truth in markov_truth.iterrows():
        row = markov.loc[channel]
        assert float(row["removal_effect"]) == pytest.approx(truth["removal_effect"], rel=1e-8)
        assert float(row["revenue_removal_effect"]) == pytest.approx(
            truth["revenue_removal_effect"], rel=1e-8
        )
        assert float(row["attributed_conversions"]) == pytest.approx(
            truth["attributed_conversions"], abs=1e-8
        )
        assert int(row["paths"]) == truth["paths"]


def test_markov_credits_add_up_and_land_in_channel_attribution(generated_build: Build) -> None:
    _succeeded(generated_build)
    conversions = generated_build.rows("intermediate.int_conversions")
    revenue = sum(conversions["revenue"], Decimal(0))
    markov = generated_build.rows("marts.markov_attribution")
    assert sum(markov["attributed_conversions"], Decimal(0)) == len(conversions) > 100
    assert sum(markov["attributed_revenue"], Decimal(0)) == revenue
    assert (markov["attribution_model"] == "markov").all()
    channels = generated_build.rows("marts.channel_attribution")
    landed = channels[channels["attribution_model"] == "markov"].set_index("channel").sort_index()
    credited = markov[markov["converting_paths"] > 0].set_index("channel").sort_index()
    assert set(landed.index) == set(credited.index)
    assert (landed["attributed_conversions"] == credited["attributed_conversions"]).all()
    assert (landed["attributed_revenue"] == credited["attributed_revenue"]).all()
    assert (landed["touched_conversions"] == credited["converting_paths"]).all()
    assert sum(landed["attributed_conversions"], Decimal(0)) == len(conversions)
    assert sum(landed["attributed_revenue"], Decimal(0)) == revenue
    comparison = generated_build.rows("marts.channel_attribution_comparison").set_index("channel")
    assert (
        comparison.loc[landed.index, "markov_conversions"] == landed["attributed_conversions"]
    ).all()


def test_markov_moves_credit_from_closers_to_awareness_channels(generated_build: Build) -> None:
    """Earlier visits come from awareness channels, purchases from direct and organic."""
    _succeeded(generated_build)
    channels = generated_build.rows("marts.channel_attribution")
    share = channels.pivot(
        index="channel", columns="attribution_model", values="share_of_conversions"
    ).astype(float)
    for channel in AWARENESS:
        assert share.loc[channel, "markov"] > share.loc[channel, "last_touch"] + 0.01, channel
    for channel in CLOSERS:
        assert share.loc[channel, "markov"] < share.loc[channel, "last_touch"] - 0.01, channel
    assert share["markov"].sum() == pytest.approx(1, abs=1e-3)


# --- the campaign plan -----------------------------------------------------------------------


def _window_spend(campaigns: pd.DataFrame, first: dt.date, last: dt.date) -> dict[str, float]:
    spend: Counter[str] = Counter()
    for row in campaigns.itertuples():
        if not row.total_spend or row.start_date is None:
            continue
        end = min(row.end_date or last, last)  # spent so far: up to the window's end
        overlap = (min(end, last) - max(row.start_date, first)).days + 1
        if overlap > 0:
            days = (end - row.start_date).days + 1
            spend[row.campaign_type] += float(row.total_spend) * overlap / days
    return dict(spend)


def test_the_plan_spends_the_last_90_days_budget_exactly(generated_build: Build) -> None:
    _succeeded(generated_build)
    plan = generated_build.rows("marts.campaign_plan")
    assert set(plan["item_type"]) == {"audience", "channel", "total"}
    as_of = generated_build.scalar("select as_of_date from intermediate.int_as_of_date")
    assert (plan["as_of_date"] == as_of).all()
    first, last = plan["budget_window_start"].iloc[0], plan["budget_window_end"].iloc[0]
    assert last == as_of - dt.timedelta(days=1)
    assert (last - first).days == 89
    campaigns = generated_build.rows("marts.campaign_performance")
    spend = _window_spend(campaigns, first, last)
    channels = plan[plan["item_type"] == "channel"].set_index("item")
    total = plan[plan["item_type"] == "total"].iloc[0]
    assert sum(channels["budget"], Decimal(0)) == total["budget"]
    assert float(total["budget"]) == pytest.approx(sum(spend.values()), abs=0.01)
    for campaign_type, current in spend.items():
        assert float(channels.loc[campaign_type, "current_spend"]) == pytest.approx(
            current, abs=0.01
        )
    for row in plan.to_dict("records"):
        for measure in ("expected_revenue", "expected_conversions"):
            assert row[f"{measure}_low"] <= row[measure] <= row[f"{measure}_high"]
    audiences = plan[plan["item_type"] == "audience"].set_index("item")
    summary = generated_build.rows("marts.campaign_target_summary").set_index("campaign_type")
    for item, row in audiences.iterrows():
        assert row["audience_size"] == summary.loc[item, "target_customers"] > 0
        assert abs(row["expected_revenue"] - summary.loc[item, "expected_value"]) <= Decimal(
            "0.01"
        ) * int(row["audience_size"])
    assert "written: " in generated_build.output and "campaign_plan.md" in generated_build.output


def test_the_plan_cites_the_hypothesis_tests(generated_build: Build) -> None:
    _succeeded(generated_build)
    plan = generated_build.rows("marts.campaign_plan").set_index("item")
    tests = generated_build.rows("marts.hypothesis_tests").set_index("test_id")
    decisions = tests["decision"].to_dict()
    email = plan.loc["email"]
    assert "email_vs_display_conversion" in email["evidence_test_ids"]
    pattern = r"email_vs_display_conversion: Holm p [^,)]+"
    assert re.search(pattern, email["justification"])
    # Planted: Email converts better than Display, and the types differ.
    assert decisions["email_vs_display_conversion"] == "reject_null"
    assert decisions["campaign_type_conversion"] == "reject_null"
    assert email["evidence_status"] == "validated"
    assert float(email["budget_vs_current"]) > 1 > float(plan.loc["display", "budget_vs_current"])
    for item, row in plan[plan["item_type"] == "channel"].iterrows():
        if row["budget_vs_current"] is not None and float(row["budget_vs_current"]) > 1.0005:
            expected = "validated" if item == "email" else "not_established"
            assert row["evidence_status"] == expected, item


# --- both targets alike ----------------------------------------------------------------------


def _same(got: Any, want: Any) -> bool:
    if got is None or want is None:
        return got is None and want is None
    if isinstance(got, float) or isinstance(want, float):
        return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)
    return bool(got == want)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("table", "key"), [("markov_attribution", "channel"), ("campaign_plan", "plan_item_order")]
)
def test_the_results_are_the_same_on_duckdb_and_postgres(
    request: pytest.FixtureRequest, table: str, key: str
) -> None:
    on_postgres: Build = request.getfixturevalue("postgres_generated")  # skips without a server
    on_duckdb: Build = request.getfixturevalue("duckdb_generated")
    got = on_postgres.rows(f"marts.{table}").sort_values(key).reset_index(drop=True)
    want = on_duckdb.rows(f"marts.{table}").sort_values(key).reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) > 0
    different = [
        (column, index, got.at[index, column], want.at[index, column])
        for column in got.columns
        for index in got.index
        if not _same(got.at[index, column], want.at[index, column])
    ]
    assert not different, f"{table}: {len(different)} values differ, e.g. {different[:3]}"
