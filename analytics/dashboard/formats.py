"""How a number or a column name reads for people: one rule per kind of value.

The dashboard's tables, headlines and charts format through these functions, so a
p-value, a share or an amount reads the same wherever it appears:

* a p-value: four decimals, below 0.0001 as ``<0.0001`` (a float's underflow is no
  more precise than that);
* a share (a fraction, 0.25): a percentage with one decimal, ``25.0%`` (``5,189.4%``);
* a rate the marts already hold in percent (3.1): two decimals and a sign, ``3.10%``;
* an amount of money: thousands separated, two decimals; a count: whole, separated;
* a missing value: an em dash (:data:`MISSING`), never "None" or "nan".

Which kind a column holds follows from its name (:func:`kind`), as the HTML report
decides it. Column names and coded values (``cant_lose``, ``reject_null``) become
words with :func:`label` and :func:`words`. No Streamlit here: the HTML report and the
text output can use the same rules.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from ..statistics import _format

#: What a missing value reads as.
MISSING = "—"

#: Columns holding a fraction (0.25 = 25%), shown as percentages.
FRACTIONS = frozenset(
    {
        "roi",
        "budget_share",
        "share_of_conversions",
        "share_of_revenue",
        "retention_rate",
        "low_rating_share",
        "baseline_low_rating_share",
        "top_complaint_tag_share",
        "return_request_rate",
        "refund_rate",
        "baseline_conversion_rate",
        "mde_relative",
        "treatment_conversion_rate",
        "simulated_power",
        "simulated_false_positive_rate",
        "one_time_buyer_share",
        "one_time_buyer_revenue_share",
    }
)
#: Columns the marts already hold in percent (3.1 = 3.1%): a sign, no scaling.
PERCENT_UNITS = frozenset(
    {"ctr", "avg_ctr", "avg_conversion_rate", "marketing_consent_rate", "budget_roi"}
)
#: Columns of money (currency units).
_MONEY_WORDS = ("revenue", "spend", "spent", "budget", "ltv", "value", "price", "amount", "cost")
#: Columns that are ratios without a unit (ROAS, effect sizes, correlations ...).
_RATIO_WORDS = ("roas", "cpa", "cpc", "ratio", "correlation", "effect_size", "estimate", "score")

#: Column names that do not read well as their words alone.
LABELS: dict[str, str] = {
    "ctr": "CTR",
    "avg_ctr": "CTR",
    "cpc": "CPC",
    "avg_cpc": "CPC",
    "cpa": "CPA",
    "avg_cpa": "CPA",
    "roas": "ROAS",
    "roi": "ROI",
    "budget_roi": "Budget ROI",
    "p_value": "p-value",
    "p_value_holm": "p-value (Holm)",
    "granger_p_value_holm": "Granger p-value (Holm)",
    "n_a": "n (A)",
    "n_b": "n (B)",
    "estimate_a": "Estimate (A)",
    "estimate_b": "Estimate (B)",
    "group_a": "Group A",
    "group_b": "Group B",
    "test_id": "Test",
    "effect_size_ci_low": "Effect 95% CI low",
    "effect_size_ci_high": "Effect 95% CI high",
    "mde_relative": "Detectable lift",
    "historic_ltv": "Historic LTV",
    "avg_price": "Average price",
    "best_lag_days": "Best lag (days)",
    "days_needed": "Days needed",
    "max_test_days": "Longest acceptable test (days)",
    "is_feasible": "Feasible",
    "is_flagged": "Flagged",
    "leads_sales": "Leads sales",
    "top_complaint_tag": "Top complaint",
    "top_complaint_tag_share": "Top complaint share",
    "top_complaint_tags": "Complaint tags",
    "low_rating_share": "Share of 1-2 star reviews",
    "baseline_low_rating_share": "Baseline share of 1-2 star reviews",
    "campaign_type": "Channel",
    "total_spend": "Spend",
    "total_spent": "Total spent",
    "spend_note": "Note",
    "metric_value": "Value",
    "metric_unit": "Unit",
    "revenue_at_stake": "Revenue at stake",
    "item": "Item",
    "item_type": "Type",
    "expected_roas": "Expected ROAS",
    "expected_revenue_low": "Expected revenue (low)",
    "expected_revenue_high": "Expected revenue (high)",
    "simulated_false_positive_rate": "Simulated false-positive rate",
    "sample_size_per_arm": "Sample per arm",
    "daily_eligible_sessions": "Eligible sessions per day",
    "total_transactions": "Orders",
    "avg_transaction_amount": "Average order value",
    "avg_transaction_value": "Average order value",
    "first_purchase_date": "First order",
    "last_purchase_date": "Last order",
    "unique_customers": "Customers",
    "total_customers": "Customers",
    "avg_customer_value": "Revenue per customer",
    "marketing_consent_rate": "Consent rate",
    "attributed_conversions": "Conversions",
    "total_conversions": "Conversions",
    "attribution_model": "Attribution model",
    "total_sales": "Units sold",
    "predicted_ltv_12m": "Predicted LTV 12m",
    "average_churn_risk_score": "Churn risk (0-100)",
}

#: Coded values whose words need more than their underscores turned into spaces.
VALUES: dict[str, str] = {
    "cant_lose": "Can't lose",
    "cannot_lose": "Can't lose",
    "reject_null": "H0 rejected",
    "fail_to_reject": "H0 not rejected",
    "fail_to_reject_null": "H0 not rejected",
    "insufficient_data": "Not enough data",
    "not_enough_data": "Not enough data",
    "fixed_effect": "Fixed lift",
    "fixed_duration": "Fixed duration",
}

_CODE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$|^[a-z][a-z0-9]*$")


def is_missing(value: Any) -> bool:
    """None, NaN, NaT and pandas' NA."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def p_value(value: Any) -> str:
    """A p-value as the statistics step writes it (``0.0123``, ``<0.0001``), or MISSING."""
    return _format.p_value(value, missing=MISSING)


def share(value: Any) -> str:
    """A fraction as the statistics step writes one (0.25 -> ``25.0%``), else :data:`MISSING`."""
    return _format.share(value, missing=MISSING)


def change(value: Any) -> str:
    """A relative change with its sign: 0.05 -> ``+5.0%``."""
    if is_missing(value) or math.isinf(float(value)):
        return MISSING
    return f"{float(value):+,.1%}"


def percent_units(value: Any) -> str:
    """A rate already in percent: 3.1 -> ``3.10%``."""
    return MISSING if is_missing(value) else f"{float(value):,.2f}%"


def money(value: Any) -> str:
    """An amount: ``1,234.50``."""
    return MISSING if is_missing(value) else f"{float(value):,.2f}"


def count(value: Any) -> str:
    """A whole number: ``1,234``."""
    return MISSING if is_missing(value) else f"{int(value):,}"


def ratio(value: Any) -> str:
    """A ratio without a unit (ROAS, an effect size): ``2.35``."""
    return MISSING if is_missing(value) else f"{float(value):,.2f}"


def kind(name: str) -> str:
    """How column ``name`` is formatted: p_value, share, percent_units, money, ratio or plain.

    Counts and text are ``plain`` (a count column holds integers and reads as one).
    """
    if name.startswith("p_value") or "_p_value" in name:
        return "p_value"
    if name in FRACTIONS:
        return "share"
    if name in PERCENT_UNITS:
        return "percent_units"
    if any(word in name for word in _RATIO_WORDS):
        return "ratio"
    if any(word in name for word in _MONEY_WORDS):
        return "money"
    return "plain"


FORMATTERS = {
    "p_value": p_value,
    "share": share,
    "percent_units": percent_units,
    "money": money,
    "ratio": ratio,
}


def cell(value: Any, name: str) -> str:
    """The text of one value of column ``name`` (missing as :data:`MISSING`)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    formatter = FORMATTERS.get(kind(name))
    if formatter is not None and isinstance(value, int | float):
        return formatter(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return words(value)


def label(name: str) -> str:
    """A column name in words: ``attributed_revenue`` -> ``Attributed revenue``."""
    if name in LABELS:
        return LABELS[name]
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def words(value: Any, *, code: bool = False) -> str:
    """A coded value in words (``cant_lose`` -> ``Can't lose``); other text unchanged.

    Only values that look like codes (lowercase words joined by underscores) change;
    a name from the user's exports stays exactly as it is. With ``code`` (a column of
    codes, such as the RFM segment) a single lowercase word is capitalised too
    (``champions`` -> ``Champions``).
    """
    if is_missing(value):
        return MISSING
    text = str(value)
    if text in VALUES:
        return VALUES[text]
    if ("_" in text or code) and _CODE.match(text):
        spaced = text.replace("_", " ")
        return spaced[:1].upper() + spaced[1:]
    return text


def is_snake_case(text: str) -> bool:
    """Whether ``text`` still reads as a code (words joined by underscores)."""
    return "_" in text and bool(_CODE.match(text))
