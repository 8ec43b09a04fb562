"""The low-rating test of product_diagnostics on synthetic review counts (fast).

The profile is built the way ``product_review_profile`` builds it (baseline: the other
products of the category when they have at least 100 reviews, otherwise every other
product). A product with 40% low ratings among peers at 10% is flagged; with every
product at the same rate, some product is flagged in about alpha of the repetitions
at most (Holm controls the chance of any false flag).
"""

from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pytest

from analytics.statistics import product_diagnostics as pd_

MIN_BASELINE_REVIEWS = 100


@pytest.fixture(autouse=True)
def _fast_holm(monkeypatch: pytest.MonkeyPatch) -> None:
    """statsmodels' Holm adjustment ends with ``gc.collect()`` (about 70 ms with pandas
    loaded); a no-op keeps the repetitions fast and changes no number."""
    monkeypatch.setattr(gc, "collect", lambda *_: 0)


CATEGORIES = {"Audio": 4, "Books": 4, "Fashion": 5, "Toys": 4, "Beauty": 4, "Sports": 5}


def profile(reviews: np.ndarray, low: np.ndarray, categories: list[str]) -> pd.DataFrame:
    """The columns the test reads, with the baseline of product_review_profile."""
    frame = pd.DataFrame(
        {
            "product_name": [f"P{i:02d}" for i in range(len(reviews))],
            "category": categories,
            "reviews": reviews,
            "low_rating_reviews": low,
        }
    )
    by_category = frame.groupby("category")[["reviews", "low_rating_reviews"]].transform("sum")
    category_n = by_category["reviews"] - frame["reviews"]
    category_k = by_category["low_rating_reviews"] - frame["low_rating_reviews"]
    overall_n = frame["reviews"].sum() - frame["reviews"]
    overall_k = frame["low_rating_reviews"].sum() - frame["low_rating_reviews"]
    in_category = category_n >= MIN_BASELINE_REVIEWS
    frame["baseline_scope"] = np.where(in_category, "category", "overall")
    frame["baseline_reviews"] = np.where(in_category, category_n, overall_n)
    frame["baseline_low_rating_reviews"] = np.where(in_category, category_k, overall_k)
    return frame


def draw(
    rng: np.random.Generator, per_product: float, planted_share: float | None = 0.40
) -> pd.DataFrame:
    """Every product at 10% low ratings; product P00 (Audio) at ``planted_share``."""
    categories = [name for name, count in CATEGORIES.items() for _ in range(count)]
    reviews = rng.poisson(per_product, len(categories)) + 1
    shares = np.full(len(categories), 0.10)
    if planted_share is not None:
        shares[0] = planted_share
    low = rng.binomial(reviews, shares)
    return profile(reviews, low, categories)


def test_the_planted_product_alone_is_flagged() -> None:
    result = pd_.diagnose(draw(np.random.default_rng(42), per_product=120), alpha=0.05)
    flagged = result[result["is_flagged"]]
    assert list(flagged["product_name"]) == ["P00"]
    row = flagged.iloc[0]
    assert row["baseline_scope"] == "category"
    assert row["p_value_holm"] < 0.05 and row["p_value"] <= row["p_value_holm"]
    assert row["low_rating_share_difference"] > 0.2
    assert (result["p_value_holm"] >= result["p_value"]).all()
    assert result["alpha"].eq(0.05).all()


@pytest.mark.slow
def test_detection_power_at_the_integration_scale() -> None:
    """About 45 reviews per product (scale 0.25): flagged in most repetitions.

    40% against 10% with 45 reviews and a Holm family of 26: the power is about 80%
    (41 of these 50 seeds); the bound of 35 fails a test with half that power.
    """
    hits = 0
    for seed in range(50):
        result = pd_.diagnose(draw(np.random.default_rng(seed), per_product=45), alpha=0.05)
        hits += bool(result.set_index("product_name").loc["P00", "is_flagged"])
    assert hits >= 35, f"flagged in {hits} of 50"


@pytest.mark.slow
def test_without_a_planted_product_a_false_flag_is_rare() -> None:
    """Family-wise error: any product flagged, 400 repetitions, at most about alpha.

    Fisher's exact test is conservative, so the rate sits below 5% (5% gives 20 +- 4.4
    of 400, 20% gives 80; the bound is 32); without the Holm adjustment some product
    would be flagged in most repetitions (see the last line).
    """
    any_flag = any_raw = 0
    repetitions = 400
    for seed in range(repetitions):
        data = draw(np.random.default_rng(10_000 + seed), per_product=60, planted_share=None)
        result = pd_.diagnose(data, alpha=0.05)
        any_flag += bool(result["is_flagged"].any())
        any_raw += bool((result["p_value"] < 0.05).any())
    assert any_flag <= 0.08 * repetitions, f"{any_flag} of {repetitions}"
    assert any_raw > 0.3 * repetitions  # the adjustment is what keeps the rate down


def test_an_empty_baseline_share_does_not_make_one_low_rating_significant() -> None:
    # 1 low rating in 10 reviews against 0 in 50: a binomial test against p = 0 would
    # give p = 0; Fisher's exact test does not take the baseline for known
    frame = pd.DataFrame(
        {
            "product_name": ["A", "B", "C"],
            "reviews": [10, 50, 0],
            "low_rating_reviews": [1, 0, 0],
            "baseline_reviews": [50, 10, 60],
            "baseline_low_rating_reviews": [0, 1, 1],
        }
    )
    result = pd_.diagnose(frame, alpha=0.05).set_index("product_name")
    assert result.loc["A", "p_value"] > 0.1
    assert not result["is_flagged"].any()
    # C has no review: not tested, not part of the Holm family
    assert math.isnan(result.loc["C", "p_value"]) and math.isnan(result.loc["C", "p_value_holm"])
    assert result.loc["A", "p_value_holm"] == min(1.0, 2 * result.loc["A", "p_value"])


def test_p_value_is_fishers_one_sided_exact_test() -> None:
    # hypergeometric tail by hand: 3 low of 4 reviews vs 1 of 6 (N=10, K=4 low)
    # P(X >= 3) = [C(4,3) C(6,1) + C(4,4) C(6,0)] / C(10,4) = (24 + 1) / 210
    assert math.isclose(pd_.low_rating_p_value(3, 4, 1, 6), 25 / 210)
    assert math.isnan(pd_.low_rating_p_value(0, 0, 1, 6))


def test_a_share_below_the_baseline_is_never_flagged() -> None:
    frame = pd.DataFrame(
        {
            "product_name": ["low", "high"],
            "reviews": [500, 500],
            "low_rating_reviews": [10, 300],
            "baseline_reviews": [500, 500],
            "baseline_low_rating_reviews": [300, 10],
        }
    )
    result = pd_.diagnose(frame).set_index("product_name")
    assert result.loc["low", "p_value"] > 0.99 and not result.loc["low", "is_flagged"]
    assert result.loc["high", "is_flagged"]


def test_summary_names_the_flagged_product_with_its_evidence() -> None:
    data = draw(np.random.default_rng(42), per_product=120)
    data["top_complaint_tag"] = np.where(data["product_name"] == "P00", "battery", "price")
    for column in (
        "low_rating_share",
        "baseline_low_rating_share",
        "top_complaint_tag_share",
        "return_request_rate",
        "refund_rate",
        "revenue_growth",
    ):
        data[column] = 0.25
    lines = pd_.answers(pd_.diagnose(data), 0.05)
    assert lines[0].startswith("product_diagnostics: 1 of 26 products")
    assert "P00 (Audio)" in lines[1] and "top complaint battery" in lines[1]
