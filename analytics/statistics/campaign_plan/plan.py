"""The plan as data: the columns of ``marts.campaign_plan`` and what the brief needs besides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from .evidence import Evidence

COLUMNS = [
    "plan_item_order",
    "item_type",
    "item",
    "description",
    "audience_size",
    "current_spend",
    "budget",
    "budget_share",
    "budget_vs_current",
    "attributed_roas",
    "attributed_cpa",
    "conversion_rate",
    "response_exponent",
    "response_exponent_method",
    "campaigns_fitted",
    "marginal_roas",
    "markov_to_default_ratio",
    "expected_conversions",
    "expected_conversions_low",
    "expected_conversions_high",
    "expected_revenue",
    "expected_revenue_low",
    "expected_revenue_high",
    "expected_roas",
    "expected_cpa",
    "evidence_status",
    "evidence_test_ids",
    "justification",
    "attribution_model",
    "as_of_date",
    "budget_window_start",
    "budget_window_end",
    "interval_level",
]


@dataclass
class Plan:
    """The rows of ``marts.campaign_plan`` and what the brief needs besides."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    as_of: date | None = None
    window: tuple[date, date] | None = None
    budget: Decimal = Decimal(0)
    budget_source: str = ""
    optimised: bool = False
    attribution_model: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    empty_lists: list[str] = field(default_factory=list)
    #: What the plan lacks for want of data ("no campaign with a spend", ...), in words.
    missing: list[str] = field(default_factory=list)


def plan_table(plan: Plan, alpha: float) -> pd.DataFrame:
    """The rows of ``marts.campaign_plan`` (every column, Python values, None for null)."""
    common = {
        "attribution_model": plan.attribution_model or None,
        "as_of_date": plan.as_of,
        "budget_window_start": plan.window[0] if plan.window else None,
        "budget_window_end": plan.window[1] if plan.window else None,
        "interval_level": 1 - alpha,
    }
    records = [{**row, **common} for row in plan.rows]
    return pd.DataFrame(records, columns=COLUMNS, dtype=object)
