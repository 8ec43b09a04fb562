"""Why a section of the dashboard or the report has nothing to show, in one sentence.

A user may bring only some of the feeds (see the README's "Load your own exports"):
then some marts are empty and some statistics cannot be computed. Instead of an empty
chart, an error or a stack trace, each section says so: "Not enough data for the A/B
test plan: no email sessions from ... to ...". The reasons come from the result tables
where the statistics step writes them (``hypothesis_tests.method_reason``, the
``not_enough_data`` row of ``ab_test_plan``) and otherwise from the relations the
section reads, worded as the statistics step words them (the ``missing`` functions of
:mod:`analytics.statistics`).

Every function returns ``None`` when the section has something to show. The text
report and the HTML report call the same functions as the dashboard's pages, so the
three say the same thing.
"""

from __future__ import annotations

import pandas as pd

from ..statistics import missing
from .data import Query

#: Said when an evidence table is empty because the statistics step has not run.
NOT_RUN = "No results yet: the statistics step has not run on this build (`make analyze`)."


sentence = missing.sentence


def _count(query: Query, sql: str) -> int:
    frame = query(sql)
    if frame.empty:
        return 0
    value = frame.iloc[0, 0]
    return 0 if value is None or pd.isna(value) else int(value)


def evidence_has_run(query: Query) -> bool:
    """Whether the statistics step has filled the result tables of this build.

    ``hypothesis_tests`` always gets its six rows when the step runs, whatever the
    data (a test without data is a row that says so), and is empty before.
    """
    return _count(query, "select count(*) from marts.hypothesis_tests") > 0


# --- the core marts --------------------------------------------------------------------------


def revenue(trend: pd.DataFrame) -> str | None:
    """The overview's revenue trend (``data.revenue_over_time``)."""
    if not trend.empty:
        return None
    return sentence(
        "the revenue overview", "no revenue orders (the transactions and the sales feeds)"
    )


def customers(segments: pd.DataFrame) -> str | None:
    """The customer analytics (RFM segments, lifetime value, churn, cohorts)."""
    if not segments.empty:
        return None
    return sentence("the customer analytics", "no customers with an order")


def products(performance: pd.DataFrame) -> str | None:
    """Revenue per product (``marts.product_performance``)."""
    if performance.empty:
        return sentence("product revenue", "no products")
    if (performance["total_revenue"].fillna(0) != 0).any():
        return None
    return sentence("product revenue", "no product has revenue (no orders with a product)")


def campaigns(kpis: pd.DataFrame) -> str | None:
    """The campaign KPIs (``marts.campaign_performance``)."""
    return None if not kpis.empty else sentence("the campaign KPIs", "no campaigns")


def attribution(channels: pd.DataFrame) -> str | None:
    """The attribution models side by side (``marts.channel_attribution``)."""
    if not channels.empty:
        return None
    return sentence(
        "the attribution models",
        "no conversion with a web session before it (web events and orders)",
    )


# --- the evidence ----------------------------------------------------------------------------


def diagnosis(query: Query, diagnostics: pd.DataFrame) -> str | None:
    """The product diagnosis (``data.product_diagnostics``: p_value_holm per product)."""
    if diagnostics.empty:
        return _not_run_or(query, missing.PRODUCT_DIAGNOSIS, "no products")
    tested = diagnostics.rename(columns={"p_value_holm": "p_value"})
    why = missing.product_diagnosis(tested)
    return None if why is None else sentence(missing.PRODUCT_DIAGNOSIS, why)


def _not_run_or(query: Query, subject: str, why: str) -> str:
    return sentence(subject, why) if evidence_has_run(query) else NOT_RUN


def hypothesis_tests(tests: pd.DataFrame) -> list[str]:
    """One sentence per test that could not run (``decision = 'insufficient_data'``)."""
    if tests.empty:
        return [NOT_RUN]
    short = tests[tests["decision"] == missing.INSUFFICIENT_DATA]
    return [
        sentence(str(row["test_id"]), str(row["method_reason"] or "no reason given"))
        for row in short.to_dict("records")
    ]


def ab_plan(plan: pd.DataFrame) -> str | None:
    """The A/B test plan: the note of its not_enough_data row."""
    if plan.empty:
        return NOT_RUN
    short = plan[plan["status"] == missing.NOT_ENOUGH_DATA]
    return None if short.empty else str(short["note"].iloc[0])


def social_lag(query: Query, summary: pd.DataFrame) -> str | None:
    """The social-to-sales lag: which feed is missing when no pair was analysed."""
    if not summary.empty:
        return None
    if not evidence_has_run(query):
        return NOT_RUN
    valid_mentions = (
        "from core.fct_social_trends_daily where is_valid and mentions is not null "
        "and trend_date is not null and platform is not null and category is not null"
    )
    valid_units = (
        "from core.fct_marketplace_sales_daily where is_valid and units_sold is not null "
        "and sale_date is not null and category is not null"
    )
    mentions = _count(query, f"select count(*) {valid_mentions}")
    units = _count(query, f"select count(*) {valid_units}")
    common = _count(
        query,
        f"select count(*) from (select distinct category {valid_mentions}) as social "
        f"where category in (select category {valid_units})",
    )
    why = missing.social_lag(mentions > 0, units > 0, common)
    return sentence(missing.SOCIAL_SALES_LAG, why)


def next_campaign(query: Query, plan: pd.DataFrame) -> str | None:
    """The campaign plan: no rows at all (no audience and no channel)."""
    if not plan.empty:
        return None
    if not evidence_has_run(query):
        return NOT_RUN
    spent = _count(
        query,
        "select count(*) from marts.campaign_performance "
        "where campaign_type is not null and total_spend > 0",
    )
    targets = _count(
        query, "select coalesce(sum(target_customers), 0) from marts.campaign_target_summary"
    )
    return sentence(missing.CAMPAIGN_PLAN, missing.campaign_plan(targets > 0, spent > 0))


def channel_budget(plan: pd.DataFrame) -> str | None:
    """The plan's channel budget, when the plan has audiences but no channel."""
    if plan.empty or (plan["item_type"] == "channel").any():
        return None
    return sentence("the channel budget", "no campaign with a spend")
