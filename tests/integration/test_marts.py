"""The marts hold correct figures on DuckDB and PostgreSQL (issue 2).

Three export sets are loaded with ``python -m loaders load`` and built with one
``dbt build`` per target (session fixtures of ``conftest.py``, shared with the other modules):

- sample exports of the generator (scale 0.25, seed 42), every documented defect in;
- the shared 40,000-row sales export alone (every other source absent);
- a small hand-written set reaching the documented rules the generator does not
  (``tests/integration/edge_cases.py``).

The five marts are compared column by column with an independent pandas computation
made from the export files on disk (``tests/integration/expected.py``): keys equal as
sets, money to the cent, KPIs to their 4 decimals, counts, dates, statuses and flags
equal. The planted truths that core and the marts show without statistics are checked
loosely, and both targets must hold identical marts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from analytics.sample_data import PLANTED_TRUTHS
from tests.integration import expected
from tests.integration.conftest import Build

pytestmark = pytest.mark.slow

#: Each mart and the columns that identify its rows.
MART_KEYS: dict[str, tuple[str, ...]] = {
    "customer_metrics": ("customer_id",),
    "product_performance": ("product",),
    "campaign_performance": ("campaign_id",),
    "monthly_revenue": ("month",),
    "country_statistics": ("country_code",),
}
#: Columns holding a comma-separated list whose order the docs do not fix.
CODE_LISTS = ("dq_issues",)


# --- comparing -------------------------------------------------------------------------------


def _normalised(value: Any, column: str, code_lists: tuple[str, ...]) -> Any:
    if value is None or (not isinstance(value, str | Decimal) and pd.isna(value)):
        return None
    if column in code_lists:
        return frozenset(value.split(","))
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _by_key(frame: pd.DataFrame, key: tuple[str, ...], what: str) -> dict[tuple, dict]:
    rows: dict[tuple, dict] = {}
    for row in frame.to_dict("records"):
        identity = tuple(_normalised(row[column], column, ()) for column in key)
        assert identity not in rows, f"{what}: key {identity} appears twice"
        rows[identity] = row
    return rows


def assert_same_rows(
    actual: pd.DataFrame,
    wanted: pd.DataFrame,
    key: tuple[str, ...],
    what: str,
    code_lists: tuple[str, ...] = CODE_LISTS,
) -> None:
    """Same columns, same keys, and every value equal (Decimals exactly, i.e. to the cent)."""
    assert sorted(actual.columns) == sorted(wanted.columns), f"{what}: columns differ"
    actual_rows, wanted_rows = _by_key(actual, key, what), _by_key(wanted, key, what)
    missing = sorted(set(wanted_rows) - set(actual_rows), key=repr)
    extra = sorted(set(actual_rows) - set(wanted_rows), key=repr)
    assert not missing and not extra, (
        f"{what}: keys differ; {len(missing)} missing, e.g. {missing[:5]}; "
        f"{len(extra)} unexpected, e.g. {extra[:5]}"
    )
    problems = []
    for column in wanted.columns:
        differences = [
            (identity, got, want)
            for identity, row in wanted_rows.items()
            if (got := _normalised(actual_rows[identity][column], column, code_lists))
            != (want := _normalised(row[column], column, code_lists))
        ]
        if differences:
            examples = "; ".join(
                f"{identity}: got {got!r}, expected {want!r}"
                for identity, got, want in differences[:5]
            )
            problems.append(f"  {column}: {len(differences)} rows differ, e.g. {examples}")
    assert not problems, f"{what} ({len(wanted_rows)} rows):\n" + "\n".join(problems)


# --- 1. generated data ---------------------------------------------------------------------


def test_dbt_build_passes_on_generated_data(generated_build: Build) -> None:
    assert generated_build.returncode == 0, generated_build.failures()


def test_as_of_date_is_the_day_after_the_latest_valid_order(
    generated_build: Build, expected_generated: expected.Marts
) -> None:
    as_of = generated_build.scalar("select as_of_date from intermediate.int_as_of_date")
    assert as_of == expected_generated.as_of_date


@pytest.mark.parametrize("mart", MART_KEYS)
def test_generated_mart_matches_an_independent_computation(
    generated_build: Build, expected_generated: expected.Marts, mart: str
) -> None:
    actual = generated_build.rows(f"marts.{mart}")
    assert_same_rows(
        actual, expected_generated[mart], MART_KEYS[mart], f"{mart} on {generated_build.target}"
    )


def test_the_independent_computation_sees_the_documented_defects(
    generated_exports: expected.Exports, expected_generated: expected.Marts
) -> None:
    # The comparison only proves something if the data exercises the rules.
    assert generated_exports.rejected["customers"] >= 1
    assert generated_exports.rejected["transactions"] >= 1
    assert generated_exports.rejected["campaigns"] >= 1
    assert generated_exports.rejected["sales"] >= 2
    campaigns = expected_generated.campaign_performance
    assert {"completed", "overspent"} <= set(campaigns["status"])
    assert campaigns["dq_issues"].notna().any() and campaigns["avg_conversion_rate"].isna().any()
    customers = expected_generated.customer_metrics
    assert (~customers["has_known_customer"].astype(bool)).any()
    assert customers["has_known_customer"].astype(bool).any()
    assert expected_generated.country_statistics["country_code"].isna().any()


# --- 1b. the rules the generator does not reach ---------------------------------------------


def test_dbt_build_passes_on_edge_cases(edge_cases_build: Build) -> None:
    assert edge_cases_build.returncode == 0, edge_cases_build.failures()


def test_edge_cases_as_of_date_ignores_far_away_orders(
    edge_cases_build: Build, expected_edge_cases: expected.Marts
) -> None:
    # An order of 2026-06-01 (before the load day, long after the 99th percentile)
    # and orders after the load day must not move it.
    assert expected_edge_cases.as_of_date == dt.date(2025, 5, 1)
    as_of = edge_cases_build.scalar("select as_of_date from intermediate.int_as_of_date")
    assert as_of == expected_edge_cases.as_of_date


@pytest.mark.parametrize("mart", MART_KEYS)
def test_edge_cases_mart_matches_an_independent_computation(
    edge_cases_build: Build, expected_edge_cases: expected.Marts, mart: str
) -> None:
    actual = edge_cases_build.rows(f"marts.{mart}")
    what = f"{mart} on {edge_cases_build.target} (edge cases)"
    assert_same_rows(actual, expected_edge_cases[mart], MART_KEYS[mart], what)


def test_the_edge_cases_reach_the_rules(
    edge_cases_exports: expected.Exports, expected_edge_cases: expected.Marts
) -> None:
    assert edge_cases_exports.rejected == {
        "customers": 2,
        "transactions": 2,
        "campaigns": 2,
        "events": 0,
        "reviews": 1,
        "sales": 4,
        "social_trends": 0,
        "marketplace_sales": 0,
    }
    statuses = set(expected_edge_cases.campaign_performance["status"])
    assert statuses == {"planned", "active", "completed", "overspent", "unknown"}
    products = expected_edge_cases.product_performance
    uncategorized = products[products["category"] == "uncategorized"]
    assert set(uncategorized["product"]) == {
        "Mystery Gadget",
        "Vintage Radio",
        "Garden Hose Pro",
        "Garden Gnome",
    }
    months = expected_edge_cases.monthly_revenue.set_index("month")
    assert months.loc[dt.date(2025, 2, 1), "total_transactions"] == 0


# --- 2. the shared sales export alone ----------------------------------------------------------


def test_dbt_build_passes_on_the_shared_sales_file_alone(shared_sales_build: Build) -> None:
    assert shared_sales_build.returncode == 0, shared_sales_build.failures()


@pytest.mark.parametrize(
    "mart", ["customer_metrics", "monthly_revenue", "country_statistics", "product_performance"]
)
def test_shared_sales_mart_matches_an_independent_computation(
    shared_sales_build: Build, expected_shared_sales: expected.Marts, mart: str
) -> None:
    actual = shared_sales_build.rows(f"marts.{mart}")
    what = f"{mart} on {shared_sales_build.target} (shared sales file)"
    assert_same_rows(actual, expected_shared_sales[mart], MART_KEYS[mart], what)


def test_models_of_missing_sources_are_empty(
    shared_sales_build: Build, expected_shared_sales: expected.Marts
) -> None:
    def count(relation: str) -> int:
        return int(shared_sales_build.scalar(f"select count(*) from {relation}"))

    # Only the sales feed exists: every model of another source is built, and empty.
    for relation in (
        "core.dim_customers",
        "core.dim_campaigns",
        "core.fct_transactions",
        "core.fct_events",
        "core.fct_reviews",
        "core.fct_review_tags",
        "core.fct_social_trends_daily",
        "core.fct_marketplace_sales_daily",
        "marts.campaign_performance",
        "marts.country_statistics",
    ):
        assert count(relation) == 0, relation
    # product_performance lists the catalogue (a seed), with no sale at all.
    assert count("marts.product_performance where total_transactions > 0") == 0
    assert count("marts.product_performance") == len(expected_shared_sales.product_performance)
    # Every buyer is known only to the CSV: no name, country, city or consent.
    assert count("marts.customer_metrics") == len(expected_shared_sales.customer_metrics) > 0
    assert count("marts.customer_metrics where has_known_customer or full_name is not null") == 0


# --- 3. planted truths -----------------------------------------------------------------------


def test_consent_spend_customers_with_consent_spend_more(generated_build: Build) -> None:
    """PLANTED_TRUTHS["consent_spend"]: about 1.3x the average order value, in both feeds."""
    orders = generated_build.rows("core.fct_orders")
    customers = generated_build.rows("core.dim_customers")[["customer_id", "has_marketing_consent"]]
    revenue = orders[orders["is_revenue"].astype(bool)].merge(customers, on="customer_id")
    revenue["total_amount"] = revenue["total_amount"].astype(float)
    truth = PLANTED_TRUTHS["consent_spend"]
    for source, ratio in (
        ("transactions", truth["transactions_amount_ratio"]),
        ("sales_csv", truth["sales_csv_value_ratio"]),
    ):
        feed = revenue[revenue["order_source"] == source]
        means = feed.groupby(feed["has_marketing_consent"].astype(bool))["total_amount"].mean()
        assert means[True] / means[False] == pytest.approx(ratio, abs=0.15), source


def test_campaign_conversion_email_converts_better_than_display(generated_build: Build) -> None:
    """PLANTED_TRUTHS["campaign_conversion"]: conversions / clicks 8% for Email, 2% for Display."""
    campaigns = generated_build.rows("marts.campaign_performance")
    valid = campaigns[campaigns["is_valid"].astype(bool)]
    totals = valid.groupby("campaign_type")[["total_conversions", "total_clicks"]].sum()
    rate = totals["total_conversions"].astype(float) / totals["total_clicks"].astype(float)
    truth = PLANTED_TRUTHS["campaign_conversion"]
    assert rate["email"] > 2 * rate["display"]
    assert rate["email"] == pytest.approx(truth["email_conversion_rate"], rel=0.5)
    assert rate["display"] == pytest.approx(truth["display_conversion_rate"], rel=0.5)


def test_discount_quantity_discounts_come_with_larger_baskets(generated_build: Build) -> None:
    """PLANTED_TRUTHS["discount_quantity"]: mean quantity 2.5 discounted, 1.5 at full price."""
    transactions = generated_build.rows("core.fct_transactions")
    valid = transactions[transactions["is_valid"].astype(bool)]
    discounted = valid["discount_amount"].astype(float) > 0
    quantity = valid["quantity"].astype(float)
    truth = PLANTED_TRUTHS["discount_quantity"]
    assert quantity[discounted].mean() == pytest.approx(truth["mean_quantity_discounted"], abs=0.2)
    assert quantity[~discounted].mean() == pytest.approx(truth["mean_quantity_full_price"], abs=0.2)


def test_low_rated_product_has_the_most_low_ratings(generated_build: Build) -> None:
    """PLANTED_TRUTHS["low_rated_product"]: 40% of 1-2 stars for it, 10% for the others."""
    reviews = generated_build.rows("core.fct_reviews")
    rated = reviews[reviews["rating"].notna()]
    is_low = rated["rating"].astype(int) <= 2
    truth = PLANTED_TRUTHS["low_rated_product"]
    its = rated["product_name"] == truth["product"]
    assert is_low[its].mean() == pytest.approx(truth["low_rating_share"], abs=0.15)
    assert is_low[~its].mean() == pytest.approx(truth["other_products_low_rating_share"], abs=0.05)
    assert is_low[its].mean() > 2.5 * is_low[~its].mean()


# --- 4. both targets alike -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("data", ["generated", "shared_sales", "edge_cases"])
def test_marts_are_identical_on_duckdb_and_postgres(
    request: pytest.FixtureRequest, data: str
) -> None:
    on_postgres: Build = request.getfixturevalue(f"postgres_{data}")  # skips without a server
    on_duckdb: Build = request.getfixturevalue(f"duckdb_{data}")
    for mart, key in MART_KEYS.items():
        assert_same_rows(
            on_postgres.rows(f"marts.{mart}"),
            on_duckdb.rows(f"marts.{mart}"),
            key,
            f"{mart} ({data}): PostgreSQL against DuckDB",
            code_lists=(),
        )
