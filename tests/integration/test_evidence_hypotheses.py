"""Hypothesis tests and the A/B test plan of the statistics step, on DuckDB and PostgreSQL.

On the generated build of each target (scale 0.25, seed 42; the fixture has run
``python -m analytics analyze`` after ``dbt build``):

- ``marts.hypothesis_tests`` holds every test; each effect the generator plants
  (analytics.sample_data.PLANTED_TRUTHS) is rejected after Holm's adjustment, in the
  planted direction and roughly at the planted size; the groups' estimates agree with
  SQL aggregates of the same warehouse;
- ``marts.ab_test_plan`` takes its baseline and traffic from fct_sessions, and its
  simulated power is within a couple of points of the target;
- both targets reach the same numbers and the same decisions.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from analytics.sample_data import PLANTED_TRUTHS
from analytics.statistics import ab_test_plan as ab
from analytics.statistics import hypothesis_tests as ht
from tests.integration.conftest import Build

pytestmark = pytest.mark.slow

#: Tests whose effect is planted, or built into the generator (traffic_source_conversion:
#: purchase sessions draw their traffic source from other weights than browsing ones).
PLANTED = (
    "discount_quantity",
    "consent_spend",
    "campaign_type_conversion",
    "email_vs_display_conversion",
    "traffic_source_conversion",
    "flagged_product_low_rating",
)


def _tests(build: Build) -> pd.DataFrame:
    assert build.returncode == 0, build.failures()
    return build.rows("marts.hypothesis_tests").set_index("test_id")


def _plan(build: Build) -> pd.DataFrame:
    assert build.returncode == 0, build.failures()
    return build.rows("marts.ab_test_plan").set_index("plan_id")


def test_every_test_is_there_and_holm_never_lowers_a_p_value(generated_build: Build) -> None:
    tests = _tests(generated_build)
    assert set(tests.index) == set(ht.TEST_IDS)
    assert sorted(tests["test_order"]) == list(range(1, len(ht.TEST_IDS) + 1))
    for test_id, row in tests.iterrows():
        assert row["p_value_holm"] >= row["p_value"], test_id
        assert row["alpha"] == 0.05
        assert row["decision"] == (
            "reject_null" if row["p_value_holm"] <= 0.05 else "fail_to_reject"
        )
        assert row["effect_size_ci_low"] <= row["effect_size_ci_high"], test_id
    assert "analyze" in generated_build.output and "hypothesis_tests" in generated_build.output


@pytest.mark.parametrize("test_id", PLANTED)
def test_planted_effects_are_rejected(generated_build: Build, test_id: str) -> None:
    row = _tests(generated_build).loc[test_id]
    assert row["decision"] == "reject_null", row["conclusion"]
    assert row["estimate_a"] > row["estimate_b"], row["conclusion"]
    assert row["effect_size"] > 0 and row["effect_size_ci_low"] > 0, row["conclusion"]


def test_discount_quantity_size(generated_build: Build) -> None:
    row = _tests(generated_build).loc["discount_quantity"]
    truth = PLANTED_TRUTHS["discount_quantity"]
    assert (row["group_a"], row["group_b"]) == ("discounted", "full price")
    assert row["method"] == "Welch t-test"  # 1 + Poisson: mildly skewed, thousands of rows
    assert row["estimate_a"] == pytest.approx(truth["mean_quantity_discounted"], abs=0.15)
    assert row["estimate_b"] == pytest.approx(truth["mean_quantity_full_price"], abs=0.1)
    mean_discounted = generated_build.scalar(
        "select avg(quantity) from core.fct_transactions where is_valid and discount_amount > 0"
    )
    assert row["estimate_a"] == pytest.approx(float(mean_discounted))
    valid = generated_build.scalar("select count(*) from core.fct_transactions where is_valid")
    assert row["n_a"] + row["n_b"] == valid


def test_consent_spend_size(generated_build: Build) -> None:
    row = _tests(generated_build).loc["consent_spend"]
    assert (row["group_a"], row["group_b"]) == ("with consent", "without consent")
    ratio = PLANTED_TRUTHS["consent_spend"]["transactions_amount_ratio"]
    assert row["estimate_a"] / row["estimate_b"] == pytest.approx(ratio, abs=0.15)


def test_campaign_conversion_sizes(generated_build: Build) -> None:
    tests = _tests(generated_build)
    rates = PLANTED_TRUTHS["campaign_conversion"]
    email = tests.loc["email_vs_display_conversion"]
    assert (email["group_a"], email["group_b"]) == ("email", "display")
    assert (
        0.5 * rates["email_conversion_rate"]
        < email["estimate_a"]
        < 1.25 * rates["email_conversion_rate"]
    )
    assert email["estimate_b"] == pytest.approx(rates["display_conversion_rate"], abs=0.006)
    clicks, conversions = (
        generated_build.scalar(
            f"select sum({column}) from core.dim_campaigns "
            "where is_valid and campaign_type = 'email' and clicks > 0"
        )
        for column in ("clicks", "conversions")
    )
    assert email["n_a"] == clicks
    assert email["estimate_a"] == pytest.approx(int(conversions) / int(clicks))
    across = tests.loc["campaign_type_conversion"]
    assert across["group_b"] == "display"  # planted lowest: 2% (video 2.5%)
    assert across["group_count"] == 6 and across["degrees_of_freedom"] == 5


def test_flagged_product_is_the_planted_one(generated_build: Build) -> None:
    row = _tests(generated_build).loc["flagged_product_low_rating"]
    truth = PLANTED_TRUTHS["low_rated_product"]
    assert row["group_a"] == truth["product"]
    assert row["estimate_a"] == pytest.approx(truth["low_rating_share"], abs=0.15)
    assert row["estimate_b"] == pytest.approx(truth["other_products_low_rating_share"], abs=0.03)
    assert row["effect_size_name"] == "risk difference"


def test_ab_test_plan_from_the_sessions(generated_build: Build) -> None:
    plan = _plan(generated_build)
    assert list(plan.sort_values("plan_order").index) == [
        "mde_05pct",
        "mde_10pct",
        "mde_20pct",
        f"max_{ab.MAX_TEST_DAYS}_days",
    ]
    as_of = generated_build.scalar("select as_of_date from intermediate.int_as_of_date")
    start = as_of - dt.timedelta(days=ab.BASELINE_DAYS)
    sessions, converted = (
        int(
            generated_build.scalar(
                f"select {expression} from core.fct_sessions "
                "where landing_channel_group = 'email' "
                f"and session_date >= '{start}' and session_date < '{as_of}'"
            )
        )
        for expression in ("count(*)", "sum(case when is_converted then 1 else 0 end)")
    )
    recent = generated_build.scalar(
        "select count(*) from core.fct_sessions where landing_channel_group = 'email' "
        f"and session_date >= '{as_of - dt.timedelta(days=ab.TRAFFIC_DAYS)}' "
        f"and session_date < '{as_of}'"
    )
    for plan_id, row in plan.iterrows():
        assert row["as_of_date"] == as_of
        assert (row["baseline_sessions"], row["baseline_conversions"]) == (sessions, converted)
        assert row["baseline_conversion_rate"] == pytest.approx(converted / sessions)
        assert row["daily_eligible_sessions"] == pytest.approx(int(recent) / ab.TRAFFIC_DAYS)
        # the simulated experiments have the planned power and an A/A one about alpha
        assert row["simulated_power"] == pytest.approx(row["power"], abs=0.03), plan_id
        assert row["simulated_false_positive_rate"] == pytest.approx(row["alpha"], abs=0.02)
        assert row["days_needed"] == (
            math.ceil(row["total_sample_size"] / row["daily_eligible_sessions"])
            if row["scenario"] == "fixed_effect"
            else ab.MAX_TEST_DAYS
        )


@pytest.mark.postgres
def test_identical_results_on_duckdb_and_postgres(
    duckdb_generated: Build, request: pytest.FixtureRequest
) -> None:
    on_postgres: Build = request.getfixturevalue("postgres_generated")  # skips without a server
    for reader, key in ((_tests, "test_order"), (_plan, "plan_order")):
        duckdb_rows = reader(duckdb_generated).sort_values(key)
        postgres_rows = reader(on_postgres).sort_values(key)
        assert list(duckdb_rows.index) == list(postgres_rows.index)
        for column in duckdb_rows.columns:
            for name, left, right in zip(
                duckdb_rows.index, duckdb_rows[column], postgres_rows[column], strict=True
            ):
                if isinstance(left, float) and not math.isnan(left):
                    assert right == pytest.approx(left, rel=1e-9, abs=1e-300), (name, column)
                else:
                    assert left == right, (name, column)
