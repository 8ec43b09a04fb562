"""Target lists and automated insights (issue 3) on DuckDB and PostgreSQL.

On the generated build of each target (session fixtures of ``conftest.py``):

- ``campaign_targets`` lists consented customers only, each on the list its lifecycle
  segment calls for, and ``campaign_target_summary`` counts the ones left out;
- the insights that do not need a model of their own are recomputed by pandas from the
  export files (``expected.py``): the share of one-time buyers, the fastest-growing and
  fastest-shrinking products, the campaign with the worst CPA and the country with the
  most untapped consented customers;
- both targets hold identical rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO
from tests.integration import expected
from tests.integration.conftest import Build
from tests.integration.test_marts import assert_same_rows

pytestmark = pytest.mark.slow

VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
MART_KEYS: dict[str, tuple[str, ...]] = {
    "campaign_targets": ("customer_id",),
    "campaign_target_summary": ("campaign_type",),
    "business_insights": ("insight_id",),
}
LIST_OF_SEGMENT = {
    "Lost": "win_back",
    "At Risk": "retention",
    "Regular": "cross_sell",
    "High Value": "loyalty",
}


@pytest.fixture(scope="module")
def generated_customers(generated_exports: expected.Exports) -> pd.DataFrame:
    """dim_customers as pandas computes it from the customers export."""
    return expected.customers_table(generated_exports, expected.Seeds.read(REPO / "seeds"))


def _insight(build: Build, insight_id: str) -> dict:
    insights = build.rows("marts.business_insights").set_index("insight_id")
    row: dict = insights.loc[insight_id].to_dict()
    return row


def test_target_lists_hold_consented_customers_of_the_right_segment(
    generated_build: Build, generated_customers: pd.DataFrame
) -> None:
    targets = generated_build.rows("marts.campaign_targets")
    ltv = generated_build.rows("marts.customer_ltv").set_index("customer_id")
    consent = dict(
        zip(
            generated_customers["customer_id"],
            generated_customers["has_marketing_consent"],
            strict=True,
        )
    )
    assert len(targets) > 0
    assert all(consent.get(customer) is True for customer in targets["customer_id"])
    for row in targets.to_dict("records"):
        segment = ltv.loc[row["customer_id"], "lifecycle_segment"]
        assert LIST_OF_SEGMENT[segment] == row["campaign_type"], row
    # Every consented customer of those segments is on a list, except the Regular
    # customers who did not buy from exactly one category and the Lost ones of low value.
    eligible = ltv[
        ltv.index.map(lambda customer: consent.get(customer) is True)
        & ltv["lifecycle_segment"].isin(["At Risk", "High Value"])
    ]
    listed = set(targets["customer_id"])
    assert set(eligible.index) <= listed


def test_target_summary_counts_the_customers_left_out(
    generated_build: Build, generated_customers: pd.DataFrame
) -> None:
    summary = generated_build.rows("marts.campaign_target_summary").set_index("campaign_type")
    targets = generated_build.rows("marts.campaign_targets")
    ltv = generated_build.rows("marts.customer_ltv")
    consent = dict(
        zip(
            generated_customers["customer_id"],
            generated_customers["has_marketing_consent"],
            strict=True,
        )
    )
    assert list(summary.sort_values("list_order").index) == [
        "win_back",
        "retention",
        "cross_sell",
        "loyalty",
    ]
    # retention and loyalty take every customer of their segment: the ones left out
    # are exactly those without consent (refused) or unknown to the customers export.
    for segment, campaign_type in (("At Risk", "retention"), ("High Value", "loyalty")):
        members = ltv.loc[ltv["lifecycle_segment"] == segment, "customer_id"]
        refused = sum(consent.get(customer) is False for customer in members)
        unknown = sum(customer not in consent for customer in members)
        row = summary.loc[campaign_type]
        assert row["excluded_without_consent"] == refused, campaign_type
        assert row["excluded_unknown_consent"] == unknown, campaign_type
        assert row["target_customers"] == (targets["campaign_type"] == campaign_type).sum()
        assert refused > 0 and row["target_customers"] > 0, campaign_type
    listed = targets.groupby("campaign_type")["expected_value"].sum()
    for campaign_type, value in listed.items():
        assert summary.loc[campaign_type, "expected_value"] == value


def test_one_time_buyer_share_matches_the_orders(
    generated_build: Build, expected_generated: expected.Marts
) -> None:
    orders = expected_generated.orders
    valid = orders[orders["is_revenue"] & orders["customer_id"].notna()]
    per_customer = valid.groupby("customer_id").size()
    one_time = int((per_customer == 1).sum())
    insight = _insight(generated_build, "one_time_buyer_share")
    assert insight["affected_customers"] == one_time
    share = Decimal(one_time) / Decimal(len(per_customer))
    assert insight["metric_value"] == share.quantize(Decimal("0.0001"))


def test_product_growth_insights_match_the_transactions(
    generated_build: Build,
    expected_generated: expected.Marts,
    generated_exports: expected.Exports,
) -> None:
    as_of = expected_generated.as_of_date
    assert as_of is not None
    window = dt.timedelta(days=int(VARS["insight_growth_window_days"]))
    minimum = int(VARS["insight_min_product_orders"])
    seeds = expected.Seeds.read(REPO / "seeds")
    transactions = expected.transactions_table(generated_exports, seeds, as_of)
    revenue = transactions[
        transactions["is_revenue"].astype(bool)
        & transactions["product_name"].notna()
        & transactions["order_date"].map(lambda d: as_of - 2 * window <= d < as_of)
    ].copy()
    revenue["recent"] = revenue["order_date"].map(lambda d: d >= as_of - window)
    growth = {}
    for product, group in revenue.groupby("product_name"):
        recent, previous = group[group["recent"]], group[~group["recent"]]
        if len(recent) >= minimum and len(previous) >= minimum:
            now, before = int(recent["total"].sum()), int(previous["total"].sum())
            growth[product] = (Decimal(now - before) / Decimal(before)).quantize(
                Decimal("0.0001"), rounding=ROUND_HALF_UP
            )
    assert len(growth) >= 10  # enough products to rank
    ranked = sorted(growth.items(), key=lambda item: (-item[1], item[0]))
    growing = _insight(generated_build, "fastest_growing_product")
    shrinking = _insight(generated_build, "fastest_shrinking_product")
    if ranked[0][1] > 0:
        assert (growing["subject"], growing["metric_value"]) == ranked[0]
    else:
        assert growing["subject"] is None and growing["severity"] == "info"
    ranked = sorted(growth.items(), key=lambda item: (item[1], item[0]))
    if ranked[0][1] < 0:
        assert (shrinking["subject"], shrinking["metric_value"]) == ranked[0]
    else:  # a season that lifts every product: nothing shrank, and the row says so
        assert shrinking["subject"] is None and shrinking["severity"] == "info"
        assert shrinking["recommendation"].startswith("No product shrank")


def test_worst_cpa_campaign_matches_the_campaigns(
    generated_build: Build, expected_generated: expected.Marts
) -> None:
    campaigns = expected_generated.campaign_performance
    converting = campaigns[
        campaigns["is_valid"].astype(bool)
        & (campaigns["total_conversions"].fillna(0).astype(int) > 0)
        & campaigns["avg_cpa"].notna()
    ]
    worst = converting.sort_values(["avg_cpa", "campaign_id"], ascending=[False, True]).iloc[0]
    insight = _insight(generated_build, "worst_cpa_campaign")
    assert insight["subject"] == worst["campaign_id"]
    assert insight["metric_value"] == worst["avg_cpa"]


def test_most_untapped_country_matches_the_customers(
    generated_build: Build, expected_generated: expected.Marts, generated_customers: pd.DataFrame
) -> None:
    orders = expected_generated.orders
    buyers = set(orders.loc[orders["is_revenue"] & orders["customer_id"].notna(), "customer_id"])
    customers = generated_customers
    consented = customers[
        customers["has_marketing_consent"].astype(bool) & customers["country_code"].notna()
    ]
    untapped = consented[~consented["customer_id"].isin(buyers)]
    counts = untapped.groupby("country_code").size().reset_index(name="untapped")
    best = counts.sort_values(["untapped", "country_code"], ascending=[False, True]).iloc[0]
    insight = _insight(generated_build, "most_untapped_consented_country")
    assert insight["subject"] == best["country_code"]
    assert insight["affected_customers"] == best["untapped"]


def test_every_insight_answers_on_generated_data(generated_build: Build) -> None:
    insights = generated_build.rows("marts.business_insights")
    assert list(insights.sort_values("insight_order")["insight_id"]) == [
        "high_value_customers_at_risk",
        "one_time_buyer_share",
        "best_cohort_3_month_retention",
        "fastest_growing_product",
        "fastest_shrinking_product",
        "worst_cpa_campaign",
        "most_untapped_consented_country",
    ]
    # A year of generated data answers every question (the last 90 days before
    # Christmas lift every product, so none may have shrunk: see the product test).
    answered = insights[insights["insight_id"] != "fastest_shrinking_product"]
    assert answered["metric_value"].notna().all(), insights[["insight_id", "metric_value"]]
    assert insights["recommendation"].str.len().gt(20).all()


@pytest.mark.postgres
def test_targeting_and_insights_are_identical_on_duckdb_and_postgres(
    request: pytest.FixtureRequest,
) -> None:
    on_postgres: Build = request.getfixturevalue("postgres_generated")  # skips without a server
    on_duckdb: Build = request.getfixturevalue("duckdb_generated")
    for mart, key in MART_KEYS.items():
        assert_same_rows(
            on_postgres.rows(f"marts.{mart}"),
            on_duckdb.rows(f"marts.{mart}"),
            key,
            f"{mart} (generated): PostgreSQL against DuckDB",
            code_lists=(),
        )
