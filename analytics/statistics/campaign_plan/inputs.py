"""What the plan reads: campaigns, target lists, the tests and the attribution models."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ...warehouse import Warehouse
from .._read import as_date, built_as_of_date
from .channels import BUDGET_VARIABLE
from .evidence import hypothesis_results

_CAMPAIGNS_SQL = """
    select
        campaign_id,
        campaign_type,
        start_date,
        end_date,
        coalesce(total_spend, 0) as spend,
        coalesce(attributed_revenue, 0) as revenue,
        coalesce(attributed_conversions, 0) as conversions,
        coalesce(total_clicks, 0) as clicks,
        coalesce(total_conversions, 0) as platform_conversions,
        attribution_model
    from marts.campaign_performance
    where campaign_type is not null
"""

_AUDIENCES_SQL = """
    select campaign_type, description, list_order, target_customers, expected_value
    from marts.campaign_target_summary
"""

_TARGETS_SQL = """
    select campaign_type, customer_id, response_rate, value_if_responds, rfm_segment
    from marts.campaign_targets
"""

#: Default-model revenue of each campaign type's touchpoints, by traffic source.
_TYPE_SOURCES_SQL = """
    select
        performance.campaign_type,
        touchpoints.channel,
        sum(touchpoints.attributed_revenue) as revenue
    from marts.attribution_touchpoints as touchpoints
    inner join marts.campaign_performance as performance
        on
            touchpoints.campaign_id = performance.campaign_id
            and touchpoints.attribution_model = performance.attribution_model
    group by performance.campaign_type, touchpoints.channel
"""


def markov_ratios(type_sources: pd.DataFrame, channels: pd.DataFrame) -> dict[str, float]:
    """Per campaign type: markov / default-model revenue of its traffic sources, weighted.

    ``type_sources``: campaign_type, channel, revenue (default model). ``channels``:
    attribution_model, channel, attributed_revenue for the default model and markov. A
    type's ratio is the mean of its sources' ratios weighted by the type's revenue from
    each source; empty when channel_attribution has no markov rows.
    """
    if channels.empty or "markov" not in set(channels["attribution_model"]):
        return {}
    revenue = channels.pivot_table(
        index="channel", columns="attribution_model", values="attributed_revenue", aggfunc="sum"
    )
    default = [model for model in revenue.columns if model != "markov"]
    if not default:
        return {}
    ratio = (revenue["markov"] / revenue[default[0]].where(revenue[default[0]] > 0)).dropna()
    result: dict[str, float] = {}
    for campaign_type, rows in type_sources.groupby("campaign_type", sort=True):
        rows = rows[rows["channel"].isin(ratio.index) & (rows["revenue"] > 0)]
        if rows["revenue"].sum() > 0:
            weights = rows["revenue"].astype(float) / float(rows["revenue"].sum())
            result[str(campaign_type)] = float((weights * ratio[rows["channel"]].to_numpy()).sum())
    return result


def budget_override() -> float | None:
    """The total budget ``CAMPAIGN_PLAN_BUDGET`` sets, None when it is not set.

    Raises:
        ValueError: the variable is set to a negative, infinite or unreadable amount.
    """
    value = os.environ.get(BUDGET_VARIABLE, "").strip()
    if not value:
        return None
    budget = float(value)
    if not math.isfinite(budget) or budget < 0:
        raise ValueError(f"{BUDGET_VARIABLE} must be a non-negative amount, not {value!r}")
    return budget


@dataclass(frozen=True)
class Inputs:
    """The frames :func:`~.build.build_plan` plans from, as read from the warehouse."""

    campaigns: pd.DataFrame
    audiences: pd.DataFrame
    targets: pd.DataFrame
    tests: pd.DataFrame | None
    markov_ratios: dict[str, float]
    as_of: date | None


def read_inputs(warehouse: Warehouse, results: Mapping[str, pd.DataFrame]) -> Inputs:
    """The plan's inputs: the marts it reads, numbers as floats, dates as dates, sorted."""
    as_of = built_as_of_date(warehouse)
    campaigns = warehouse.frame(_CAMPAIGNS_SQL).sort_values("campaign_id", kind="stable")
    for column in ("spend", "revenue", "conversions", "clicks", "platform_conversions"):
        campaigns[column] = campaigns[column].astype(float)
    for column in ("start_date", "end_date"):
        campaigns[column] = [as_date(value) for value in campaigns[column]]
    audiences = warehouse.frame(_AUDIENCES_SQL)
    audiences["expected_value"] = audiences["expected_value"].astype(float)
    targets = warehouse.frame(_TARGETS_SQL).sort_values(
        ["campaign_type", "customer_id"], kind="stable"
    )
    models = sorted({str(model) for model in campaigns["attribution_model"].dropna()})
    channel_rows = warehouse.frame(
        "select attribution_model, channel, attributed_revenue from marts.channel_attribution "
        f"where attribution_model in ('markov', '{models[0] if models else ''}')"
    )
    ratios = markov_ratios(warehouse.frame(_TYPE_SOURCES_SQL), channel_rows)
    return Inputs(
        campaigns=campaigns.reset_index(drop=True),
        audiences=audiences,
        targets=targets.reset_index(drop=True),
        tests=hypothesis_results(warehouse, results),
        markov_ratios=ratios,
        as_of=as_of,
    )
