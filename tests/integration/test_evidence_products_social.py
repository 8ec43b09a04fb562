"""Product diagnosis and the social-trend-to-sales lag, on DuckDB and PostgreSQL.

On the generated build of each target (scale 0.25, seed 42; the fixture has run
``python -m analytics analyze`` after ``dbt build``):

- ``marts.product_review_profile`` agrees with aggregates of the core tables, and
  ``marts.product_diagnostics`` flags the planted product (Wireless Earbuds Pro) and no
  other, with ``battery`` as its top complaint and the p-values SciPy gives for the
  profile's counts;
- ``marts.social_sales_lag_summary`` finds the planted lead: TikTok leads sales in every
  category at exactly 7 days, no other platform leads any category;
- both targets hold the same numbers.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from scipy import stats

from analytics.sample_data import PLANTED_TRUTHS
from analytics.statistics import product_diagnostics as diagnostics
from analytics.statistics import social_sales_lag as lag
from tests.integration.conftest import Build

pytestmark = pytest.mark.slow

LOW_RATED = PLANTED_TRUTHS["low_rated_product"]
SOCIAL = PLANTED_TRUTHS["social_lead"]


def _table(build: Build, name: str) -> pd.DataFrame:
    assert build.returncode == 0, build.failures()
    return build.rows(f"marts.{name}")


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


# --- product diagnosis -------------------------------------------------------------------------


def test_the_planted_product_alone_is_flagged_for_battery(generated_build: Build) -> None:
    products = _table(generated_build, "product_diagnostics").set_index("product_name")
    assert products["is_flagged"].sum() == 1, products[products["is_flagged"]].index.tolist()
    row = products.loc[LOW_RATED["product"]]
    assert row["is_flagged"]
    assert row["top_complaint_tag"] == "battery"
    assert _number(row["top_complaint_tag_share"]) > 0.5
    assert row["top_complaint_tags"].startswith("battery:")
    assert row["p_value_holm"] < 0.05 and row["alpha"] == 0.05
    assert _number(row["low_rating_share"]) > 2 * _number(row["baseline_low_rating_share"])
    # the side effects of the planted truth show in the descriptive columns
    others = products.drop(index=LOW_RATED["product"])
    assert (
        _number(row["return_request_rate"]) > 2 * others["return_request_rate"].map(_number).mean()
    )
    assert _number(row["refund_rate"]) > others["refund_rate"].map(_number).mean()
    assert "Wireless Earbuds Pro (Audio)" in generated_build.output


def test_profile_counts_match_the_core_tables(generated_build: Build) -> None:
    profile = _table(generated_build, "product_review_profile").set_index("product_name")
    reviews = generated_build.rows("core.fct_reviews")
    valid = reviews[reviews["is_valid"].astype(bool)]
    counts = valid.groupby("product_name").agg(
        reviews=("review_id", "size"),
        low=("rating", lambda ratings: int((ratings.astype(int) <= 2).sum())),
        returns=("has_requested_return", lambda flags: int(flags.astype(bool).sum())),
    )
    assert profile["reviews"].sum() == len(valid)
    for product, row in counts.iterrows():
        assert profile.loc[product, "reviews"] == row["reviews"], product
        assert profile.loc[product, "low_rating_reviews"] == row["low"], product
        assert profile.loc[product, "return_requested_reviews"] == row["returns"], product
    transactions = generated_build.rows("core.fct_transactions")
    transactions = transactions[transactions["is_valid"].astype(bool)]
    refunded = transactions[transactions["status"] == "refunded"].groupby("product_name").size()
    for product, count in refunded.items():
        assert profile.loc[product, "refunded_transactions"] == count, product


def test_p_values_are_fishers_test_of_the_profile_counts(generated_build: Build) -> None:
    products = _table(generated_build, "product_diagnostics")
    tested = products[products["p_value"].notna()]
    assert len(tested) == int((products["reviews"] > 0).sum())
    for row in tested.itertuples(index=False):
        table = [
            [row.low_rating_reviews, row.reviews - row.low_rating_reviews],
            [
                row.baseline_low_rating_reviews,
                row.baseline_reviews - row.baseline_low_rating_reviews,
            ],
        ]
        expected = stats.fisher_exact(table, alternative="greater").pvalue
        assert row.p_value == pytest.approx(expected, rel=1e-9), row.product_name
        assert row.p_value_holm >= row.p_value
    # the baseline: the other products of the category, or every other product
    in_category = products.groupby("category")["reviews"].transform("sum") - products["reviews"]
    everywhere = products["reviews"].sum() - products["reviews"]
    by_category = products["baseline_scope"] == "category"
    assert (products.loc[by_category, "baseline_reviews"] == in_category[by_category]).all()
    assert (in_category[by_category] >= 100).all() and (in_category[~by_category] < 100).all()
    assert (products.loc[~by_category, "baseline_reviews"] == everywhere[~by_category]).all()


# --- social trend to sales lag -----------------------------------------------------------------


def test_tiktok_leads_sales_by_seven_days_in_every_category(generated_build: Build) -> None:
    summary = _table(generated_build, "social_sales_lag_summary")
    platform = SOCIAL["platform"].lower()
    categories = set(generated_build.rows("core.fct_marketplace_sales_daily")["category"])
    leading = summary[summary["leads_sales"]]
    assert set(leading["platform"]) == {platform}
    assert set(leading["category"]) == categories
    assert (leading["best_lag_days"] == SOCIAL["lag_days"]).all()
    assert (leading["granger_lag_days"] == SOCIAL["lag_days"]).all()
    assert (leading["p_value_holm"] < 0.05).all() and (leading["granger_p_value_holm"] < 0.05).all()
    slopes = leading["units_per_mention"].astype(float)
    assert slopes.between(
        0.6 * SOCIAL["units_per_mention"], 1.3 * SOCIAL["units_per_mention"]
    ).all()
    others = summary[summary["platform"] != platform]
    assert not others["is_significant"].any()
    assert others["best_correlation"].astype(float).max() < leading["best_correlation"].min() / 2
    # every pair of the six platforms and the categories, 29 lags each, one best lag
    assert len(summary) == 6 * len(categories)
    lags = _table(generated_build, "social_sales_lag")
    assert len(lags) == len(summary) * (lag.MAX_LAG_DAYS + 1)
    assert (lags.groupby(["platform", "category"])["is_best_lag"].sum() == 1).all()
    assert "Sales follow a trend after 7 days" in generated_build.output
    assert f"Platform correlating most: {platform}" in generated_build.output


def test_the_planted_lag_is_a_sharp_peak(generated_build: Build) -> None:
    lags = _table(generated_build, "social_sales_lag")
    tiktok = lags[lags["platform"] == SOCIAL["platform"].lower()]
    mean = tiktok.groupby("lag_days")["correlation"].mean()
    assert mean.idxmax() == SOCIAL["lag_days"]
    assert mean.drop(SOCIAL["lag_days"]).max() < mean[SOCIAL["lag_days"]] / 2
    significant = tiktok[tiktok["is_significant"]]
    assert set(significant["lag_days"]) == {SOCIAL["lag_days"]}


# --- both targets ------------------------------------------------------------------------------


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float | Decimal) or isinstance(right, float | Decimal):
        if left is None or right is None:
            return left is right
        a, b = float(left), float(right)
        return (math.isnan(a) and math.isnan(b)) or b == pytest.approx(a, rel=1e-7, abs=1e-12)
    return bool(left == right)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("product_review_profile", ["product_name"]),
        ("product_diagnostics", ["product_name"]),
        ("social_sales_lag", ["platform", "category", "lag_days"]),
        ("social_sales_lag_summary", ["platform", "category"]),
    ],
)
def test_identical_results_on_duckdb_and_postgres(
    duckdb_generated: Build, request: pytest.FixtureRequest, table: str, key: list[str]
) -> None:
    on_postgres: Build = request.getfixturevalue("postgres_generated")  # skips without a server
    left = _table(duckdb_generated, table).sort_values(key).reset_index(drop=True)
    right = _table(on_postgres, table).sort_values(key).reset_index(drop=True)
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right) and len(left) > 0
    for column in left.columns:
        differing = [
            (tuple(left.loc[i, key]), left.loc[i, column], right.loc[i, column])
            for i in range(len(left))
            if not _same(left.loc[i, column], right.loc[i, column])
        ]
        assert not differing, f"{table}.{column}: {differing[:3]}"
    if table == "product_diagnostics":
        assert list(left.columns) == diagnostics.COLUMNS
