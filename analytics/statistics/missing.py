"""What an analysis lacks when the data cannot support it, in the words people read.

A user may bring only some of the feeds: then an analysis has nothing (or too little)
to compute on. It writes rows that say why, or none, and never fails a test; the
statistics step's summary, the report and the dashboard all say "Not enough data for
<subject>: <what is missing>." with the words of this module (no heavy imports here:
the dashboard reads it too).
"""

from __future__ import annotations

import pandas as pd

#: The analyses, as the sentence "Not enough data for ..." names them.
PRODUCT_DIAGNOSIS = "the product diagnosis"
AB_TEST_PLAN = "the A/B test plan"
SOCIAL_SALES_LAG = "the social-to-sales lag"
MARKOV_ATTRIBUTION = "the Markov attribution"
CAMPAIGN_PLAN = "the campaign plan"

#: ``ab_test_plan.status`` of the single row of a plan without a usable baseline.
NOT_ENOUGH_DATA = "not_enough_data"
#: ``hypothesis_tests.decision`` of a test that could not run.
INSUFFICIENT_DATA = "insufficient_data"

#: Days a platform x category pair needs in both daily feeds (``MIN_DAYS`` + 1, the
#: differencing takes one): kept equal to social_sales_lag's by a test.
SOCIAL_MIN_ALIGNED_DAYS = 85


def sentence(subject: str, why: str) -> str:
    """The sentence ``Not enough data for <subject>: <why>.`` for people."""
    return f"Not enough data for {subject}: {why.rstrip('.')}."


def product_diagnosis(diagnostics: pd.DataFrame) -> str | None:
    """Why no product could be tested (``p_value`` null on every row); None when one was.

    Args:
        diagnostics: one row per product with ``reviews`` and ``p_value`` (the test's
            p-value, or its Holm adjustment: both are null exactly when not tested).
    """
    if diagnostics.empty:
        return "no products (marts.product_review_profile is empty)"
    if diagnostics["p_value"].notna().any():
        return None
    reviews = pd.to_numeric(diagnostics["reviews"], errors="coerce").fillna(0)
    if not (reviews > 0).any():
        return "no valid reviews of any product"
    return "no product has both reviews and a baseline with reviews"


def social_lag(has_mentions: bool, has_units: bool, common_categories: int) -> str:
    """Why no platform x category pair was analysed.

    Args:
        has_mentions: the social trends hold a valid daily mention.
        has_units: the marketplace sales hold a valid daily unit count.
        common_categories: product categories present in both.
    """
    if not has_mentions and not has_units:
        return "no social trends and no marketplace sales"
    if not has_mentions:
        return "no social trends (daily mentions per platform and category)"
    if not has_units:
        return "no marketplace sales (daily units per category)"
    if common_categories == 0:
        return "no product category in both the social trends and the marketplace sales"
    return (
        f"no platform and category with {SOCIAL_MIN_ALIGNED_DAYS} consecutive days known in "
        "both the social trends and the marketplace sales"
    )


def campaign_plan(has_targets: bool, has_spend: bool) -> str:
    """Why the campaign plan has no row at all (no audience and no channel)."""
    missing = []
    if not has_targets:
        missing.append("no consented customer on a target list")
    if not has_spend:
        missing.append("no campaign with a spend")
    return " and ".join(missing) or "no plan item"
