"""Which products get significantly more 1-2 star reviews than their peers.

dbt computes the descriptive profile of every product (``marts.product_review_profile``:
reviews, low-rating share, complaint tags, return requests, refunds, revenue trend and
the baseline each product is compared with). This step adds the test:

- Fisher's exact test, one-sided (the product's low-rating share is *above* the
  baseline's), on the 2 x 2 table (product, baseline) x (low rating, other rating).
  Exact at any count; unlike a binomial test against the baseline share it does not
  take the baseline for a known constant (a baseline of 0 low ratings in 50 reviews
  would make any 1-star review "significant");
- Holm's adjustment over every product tested (one review at least, a non-empty
  baseline);
- flagged when the Holm-adjusted p-value is below alpha and the share is above the
  baseline's.

The result is ``marts.product_diagnostics``: the profile's columns plus the test's.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ..warehouse import Warehouse
from . import missing
from ._format import p_relation, share
from ._stats import holm_where_tested
from .base import Outcome, Settings

#: Columns read from ``marts.product_review_profile`` (all of them, in table order).
PROFILE_COLUMNS = [
    "product_name",
    "category",
    "is_catalogue_product",
    "reviews",
    "average_rating",
    "low_rating_reviews",
    "low_rating_share",
    "top_complaint_tag",
    "top_complaint_tag_share",
    "top_complaint_tags",
    "return_requested_reviews",
    "return_request_rate",
    "total_transactions",
    "refunded_transactions",
    "refund_rate",
    "recent_revenue",
    "previous_revenue",
    "revenue_growth",
    "baseline_scope",
    "baseline_reviews",
    "baseline_low_rating_reviews",
    "baseline_low_rating_share",
]
#: Columns of ``marts.product_diagnostics``.
COLUMNS = [
    "product_name",
    "category",
    "is_catalogue_product",
    "reviews",
    "average_rating",
    "low_rating_reviews",
    "low_rating_share",
    "baseline_scope",
    "baseline_reviews",
    "baseline_low_rating_reviews",
    "baseline_low_rating_share",
    "low_rating_share_difference",
    "p_value",
    "p_value_holm",
    "alpha",
    "is_flagged",
    "top_complaint_tag",
    "top_complaint_tag_share",
    "top_complaint_tags",
    "return_requested_reviews",
    "return_request_rate",
    "total_transactions",
    "refunded_transactions",
    "refund_rate",
    "recent_revenue",
    "previous_revenue",
    "revenue_growth",
]
COUNT_COLUMNS = [
    "reviews",
    "low_rating_reviews",
    "baseline_reviews",
    "baseline_low_rating_reviews",
    "return_requested_reviews",
    "total_transactions",
    "refunded_transactions",
]

PROFILE_SQL = (
    f"select {', '.join(PROFILE_COLUMNS)} from marts.product_review_profile order by product_name"
)


def low_rating_p_value(low: int, reviews: int, baseline_low: int, baseline_reviews: int) -> float:
    """One-sided Fisher's exact p-value: is low / reviews above the baseline's share?

    NaN when the product or the baseline has no review (nothing to test).
    """
    if reviews <= 0 or baseline_reviews <= 0:
        return math.nan
    table = [[low, reviews - low], [baseline_low, baseline_reviews - baseline_low]]
    return float(stats.fisher_exact(table, alternative="greater").pvalue)


def diagnose(profile: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The profile with the test's columns: p_value, p_value_holm, is_flagged, ...

    Args:
        profile: one row per product with (at least) ``product_name``, ``reviews``,
            ``low_rating_reviews``, ``baseline_reviews`` and ``baseline_low_rating_reviews``.
        alpha: significance level of the flag.
    """
    frame = profile.copy()
    for column in COUNT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].fillna(0).astype("int64")
    k = frame["low_rating_reviews"].to_numpy(np.int64)
    n = frame["reviews"].to_numpy(np.int64)
    baseline_k = frame["baseline_low_rating_reviews"].to_numpy(np.int64)
    baseline_n = frame["baseline_reviews"].to_numpy(np.int64)
    frame["p_value"] = [
        low_rating_p_value(*counts) for counts in zip(k, n, baseline_k, baseline_n, strict=True)
    ]
    tested = frame["p_value"].notna().to_numpy()
    holm = holm_where_tested(frame["p_value"].astype(float)).to_numpy()
    frame["p_value_holm"] = holm
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = np.where(tested, k / n - baseline_k / baseline_n, np.nan)
    frame["low_rating_share_difference"] = np.round(difference, 4)
    # above the baseline, compared exactly on the counts: k / n > bk / bn
    above = tested & (k * baseline_n > baseline_k * n)
    frame["is_flagged"] = above & (np.nan_to_num(holm, nan=1.0) < alpha)
    frame["alpha"] = float(alpha)
    return frame


def answers(diagnostics: pd.DataFrame, alpha: float) -> list[str]:
    """The summary lines: which products are flagged, with the evidence."""
    lacking = missing.product_diagnosis(diagnostics)
    if lacking is not None:
        return [f"product_diagnostics: {missing.sentence(missing.PRODUCT_DIAGNOSIS, lacking)}"]
    tested = int(diagnostics["p_value"].notna().sum())
    flagged = diagnostics[diagnostics["is_flagged"]].sort_values(["p_value_holm", "product_name"])
    lines = [
        f"product_diagnostics: {len(flagged)} of {tested} products with reviews flagged "
        "(1-2 star share above its baseline, one-sided Fisher's exact test, Holm over "
        f"{tested} products, alpha {alpha:g})"
    ]
    for row in flagged.itertuples(index=False):
        growth = (
            "no revenue in the window before"
            if row.revenue_growth is None or row.revenue_growth != row.revenue_growth
            else f"revenue {float(row.revenue_growth):+.0%} over the last window"
        )
        lines.append(
            f"  {row.product_name} ({row.category}): {share(row.low_rating_share)} of "
            f"{row.reviews} reviews are 1-2 stars vs {share(row.baseline_low_rating_share)} "
            f"({row.baseline_scope} baseline, {row.baseline_reviews} reviews), "
            f"p{p_relation(float(row.p_value))}, Holm p{p_relation(float(row.p_value_holm))}; "
            f"top complaint {row.top_complaint_tag or '-'} "
            f"({share(row.top_complaint_tag_share)} of its 1-2 star reviews); "
            f"return requests {share(row.return_request_rate)}, refunds "
            f"{share(row.refund_rate)}; {growth}"
        )
    if flagged.empty and tested:
        closest = diagnostics.dropna(subset=["p_value"]).sort_values("p_value").iloc[0]
        lines.append(
            f"  closest: {closest['product_name']} ({share(closest['low_rating_share'])} vs "
            f"{share(closest['baseline_low_rating_share'])}, Holm p"
            f"{p_relation(float(closest['p_value_holm']))})"
        )
    return lines


def run(warehouse: Warehouse, settings: Settings, results: dict[str, pd.DataFrame]) -> Outcome:
    """Compute ``marts.product_diagnostics`` from ``marts.product_review_profile``."""
    del results  # reads the marts only
    diagnostics = diagnose(warehouse.frame(PROFILE_SQL), settings.alpha)[COLUMNS]
    return Outcome(
        tables={"product_diagnostics": diagnostics},
        summary=answers(diagnostics, settings.alpha),
    )
