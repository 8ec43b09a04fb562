"""The business questions: the project's dbt analyses (``analyses/*.sql``), in answer order.

Written once here for everything that answers them: the text report
(:mod:`analytics.reporting.report`), the HTML report (:mod:`analytics.reporting.html`) and the
dashboard (:mod:`analytics.dashboard.answers`). It imports nothing of the project, so
each of them can read it without importing another.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The business questions (analyses/_analyses.yml), in the order they are answered.
QUESTIONS: dict[str, str] = {
    "top_10_customers": "Who are the 10 best customers?",
    "top_product_by_revenue": "Which product brings the most revenue?",
    "best_campaign_by_roi": "Which campaign has the best ROI?",
    "revenue_by_month": "How does revenue evolve month by month?",
    "top_country_by_revenue": "Which country brings the most revenue?",
    # The growth questions (analyses/_growth_analyses.yml).
    "high_value_customers_at_risk": "How many high-value customers are at risk, what is at stake?",
    "one_time_buyer_share": "What share of the customers bought only once?",
    "best_cohort": "Which acquisition cohort keeps its customers best?",
    "best_converting_traffic_source": "Which traffic source converts best?",
    "attribution_model_comparison": (
        "Which channel does each attribution model credit most, and where do they disagree?"
    ),
}


@dataclass(frozen=True)
class Analysis:
    """One compiled dbt analysis."""

    name: str
    question: str
    sql: str
