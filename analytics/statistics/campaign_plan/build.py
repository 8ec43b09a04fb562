"""The plan from its inputs: audience rows, channel rows and the total, pure (no warehouse)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .._stats import percentile_interval as interval
from ..base import Settings
from .audiences import simulate_audience
from .channels import (
    BUDGET_VARIABLE,
    BUDGET_WINDOW_DAYS,
    bootstrap_outcomes,
    budget_window,
    economics,
    spend_in_window,
    type_name,
)
from .curves import SCALE_BOUNDS, allocate, fit_exponents, to_cents
from .evidence import (
    CONSENT_TEST,
    EMAIL_DISPLAY_TEST,
    TYPES_TEST,
    better_of_email_display,
    channel_evidence,
    email_display_claim,
    read_evidence,
)
from .justification import caveats, channel_justification
from .plan import COLUMNS, Plan


def _money(value: float | None) -> Decimal | None:
    if value is None or math.isnan(value):
        return None
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _ratio(value: float | None) -> Decimal | None:
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _divide(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def build_plan(
    campaigns: pd.DataFrame,
    audiences: pd.DataFrame,
    targets: pd.DataFrame,
    tests: pd.DataFrame | None,
    markov_ratios: Mapping[str, float],
    as_of: date | None,
    settings: Settings,
    budget_override: float | None = None,
) -> Plan:
    """The plan from frames (pure: no warehouse). See the module docstring for the rules.

    ``campaigns``: campaign_type, start_date, end_date, spend, revenue, conversions,
    clicks, platform_conversions, attribution_model. ``audiences``: campaign_type,
    description, target_customers, expected_value (campaign_target_summary).
    ``targets``: campaign_type, response_rate, value_if_responds, rfm_segment.
    """
    rng = np.random.default_rng(settings.seed)
    alpha = settings.alpha
    plan = Plan(as_of=as_of)
    campaigns = campaigns.copy()
    window = budget_window(campaigns, as_of)
    plan.window = window
    campaigns["window_spend"] = (
        spend_in_window(campaigns, window) if len(campaigns) and window is not None else 0.0
    )
    models = sorted({str(m) for m in campaigns.get("attribution_model", []) if m is not None})
    plan.attribution_model = models[0] if models else ""

    order = 0
    consent = read_evidence(tests, CONSENT_TEST, "Customers with marketing consent spend more")
    plan.evidence.append(consent)
    for row in audiences.sort_values(
        ["expected_value", "campaign_type"], ascending=[False, True]
    ).itertuples():
        members = targets[targets["campaign_type"] == row.campaign_type]
        if int(row.target_customers) == 0 or members.empty:
            plan.empty_lists.append(str(row.campaign_type))
            continue
        outcome = simulate_audience(
            members["response_rate"].astype(float).tolist(),
            members["value_if_responds"].astype(float).tolist(),
            rng,
            alpha,
        )
        segments = members["rfm_segment"].fillna("unsegmented").value_counts(normalize=True)
        mix = ", ".join(
            f"{name} {share:.0%}" for name, share in segments.head(3).items() if share >= 0.005
        )
        rate = float(members["response_rate"].astype(float).mean())
        order += 1
        plan.rows.append(
            {
                "plan_item_order": order,
                "item_type": "audience",
                "item": str(row.campaign_type),
                "description": str(row.description),
                "audience_size": int(row.target_customers),
                "expected_conversions": outcome.responses,
                "expected_conversions_low": outcome.responses_interval[0],
                "expected_conversions_high": outcome.responses_interval[1],
                "expected_revenue": _money(outcome.revenue),
                "expected_revenue_low": _money(outcome.revenue_interval[0]),
                "expected_revenue_high": _money(outcome.revenue_interval[1]),
                "evidence_status": consent.status,
                "evidence_test_ids": consent.test_id,
                "justification": (
                    f"{int(row.target_customers):,} consented customers ({mix}); each "
                    f"responds with the assumed rate {rate:.0%} (var target_response_rates, "
                    "a planning assumption, not a measurement) and then brings their value "
                    f"if they respond. {consent.sentence}"
                ),
            }
        )

    fits = fit_exponents(campaigns[["campaign_type", "spend", "revenue"]]) if len(campaigns) else {}
    channels = economics(campaigns, fits) if len(campaigns) else []
    active = [channel for channel in channels if channel.current_spend > 0]
    current_total = math.fsum(channel.current_spend for channel in active)
    if budget_override is not None:
        total = budget_override
        plan.budget_source = f"set by {BUDGET_VARIABLE}"
    elif window is None:
        total = current_total
        plan.budget_source = "no campaign with a spend and a start date"
    else:
        total = current_total
        plan.budget_source = (
            f"the spend of the {BUDGET_WINDOW_DAYS} days {window[0]} to {window[1]}"
        )
    total_cents = round(total * 100) if active else 0
    plan.budget = Decimal(total_cents).scaleb(-2)

    types_evidence = read_evidence(
        tests, TYPES_TEST, "Conversion rates differ across campaign types"
    )
    plan.evidence.append(types_evidence)
    rates = {channel.campaign_type: channel.conversion_rate for channel in channels}
    email_display = email_display_claim(rates)
    pair_evidence = read_evidence(tests, EMAIL_DISPLAY_TEST, email_display)
    plan.evidence.append(pair_evidence)
    plan.optimised = types_evidence.status == "validated"

    revenue_curves = [channel.curve(channel.revenue / channel.spend) for channel in active]
    conversion_curves = [channel.curve(channel.conversions / channel.spend) for channel in active]
    shares = [channel.current_spend / current_total for channel in active] if active else []
    if plan.optimised:
        amounts = allocate(
            revenue_curves,
            total_cents / 100,
            lower=[SCALE_BOUNDS[0] * share * total_cents / 100 for share in shares],
            upper=[SCALE_BOUNDS[1] * share * total_cents / 100 for share in shares],
        )
    else:
        amounts = [share * total_cents / 100 for share in shares]
    budgets_cents = to_cents(amounts, total_cents)
    budgets = [cents / 100 for cents in budgets_cents]

    if active:
        revenue_draws, conversion_draws = bootstrap_outcomes(campaigns, active, budgets, rng)
    else:  # nothing to plan a budget for: no resampling at all
        revenue_draws = conversion_draws = np.zeros((0, 0))
    for position, channel in enumerate(active):
        budget = budgets[position]
        revenue = revenue_curves[position].revenue(budget)
        conversions = conversion_curves[position].revenue(budget)
        cited = [types_evidence]
        if channel.campaign_type in ("email", "display"):
            cited.append(pair_evidence)
        status, caveat = channel_evidence(
            channel.campaign_type,
            plan.optimised and budget > channel.current_spend * 1.0005,
            cited,
            better_of_email_display(rates),
        )
        order += 1
        plan.rows.append(
            {
                "plan_item_order": order,
                "item_type": "channel",
                "item": channel.campaign_type,
                "description": f"{type_name(channel.campaign_type)} campaigns",
                "current_spend": _money(channel.current_spend),
                "budget": Decimal(budgets_cents[position]).scaleb(-2),
                "budget_share": _ratio(_divide(budgets_cents[position], total_cents)),
                "budget_vs_current": _ratio(_divide(budget, channel.current_spend)),
                "attributed_roas": channel.roas,
                "attributed_cpa": channel.cpa,
                "conversion_rate": channel.conversion_rate,
                "response_exponent": channel.fit.exponent,
                "response_exponent_method": channel.fit.method,
                "campaigns_fitted": channel.fit.campaigns,
                "marginal_roas": revenue_curves[position].marginal(budget),
                "markov_to_default_ratio": markov_ratios.get(channel.campaign_type),
                "expected_conversions": conversions,
                "expected_conversions_low": interval(conversion_draws[:, position], alpha)[0],
                "expected_conversions_high": interval(conversion_draws[:, position], alpha)[1],
                "expected_revenue": _money(revenue),
                "expected_revenue_low": _money(interval(revenue_draws[:, position], alpha)[0]),
                "expected_revenue_high": _money(interval(revenue_draws[:, position], alpha)[1]),
                "expected_roas": _divide(revenue, budget),
                "expected_cpa": _divide(budget, conversions),
                "evidence_status": status,
                "evidence_test_ids": ", ".join(item.test_id for item in cited),
                "justification": channel_justification(
                    channel, budget, revenue_curves[position], plan.optimised, cited, caveat
                ),
            }
        )
    for channel in channels:
        if channel.current_spend > 0:
            continue
        order += 1
        plan.rows.append(
            {
                "plan_item_order": order,
                "item_type": "channel",
                "item": channel.campaign_type,
                "description": f"{type_name(channel.campaign_type)} campaigns",
                "current_spend": Decimal("0.00"),
                "budget": Decimal("0.00"),
                "budget_share": Decimal("0.0000") if total_cents else None,
                "attributed_roas": channel.roas,
                "attributed_cpa": channel.cpa,
                "conversion_rate": channel.conversion_rate,
                "response_exponent": channel.fit.exponent,
                "response_exponent_method": channel.fit.method,
                "campaigns_fitted": channel.fit.campaigns,
                "markov_to_default_ratio": markov_ratios.get(channel.campaign_type),
                "evidence_status": types_evidence.status,
                "evidence_test_ids": types_evidence.test_id,
                "justification": (
                    (
                        f"No spend between {window[0]} and {window[1]}"
                        if window is not None
                        else "No spend with a start date"
                    )
                    + ": no current operating point to plan from, so no budget (restarting "
                    "the channel is a test to plan, not an allocation)."
                ),
            }
        )
    if active:
        revenue = math.fsum(
            curve.revenue(b) for curve, b in zip(revenue_curves, budgets, strict=True)
        )
        conversions = math.fsum(
            curve.revenue(b) for curve, b in zip(conversion_curves, budgets, strict=True)
        )
        revenue_total = revenue_draws.sum(axis=1)
        conversion_total = conversion_draws.sum(axis=1)
        current_revenue = math.fsum(
            curve.revenue(channel.current_spend)
            for curve, channel in zip(revenue_curves, active, strict=True)
        )
        order += 1
        plan.rows.append(
            {
                "plan_item_order": order,
                "item_type": "total",
                "item": "all_channels",
                "description": "Every channel of the plan",
                "current_spend": _money(current_total),
                "budget": plan.budget,
                "budget_share": Decimal("1.0000"),
                "budget_vs_current": _ratio(_divide(total_cents / 100, current_total)),
                "attributed_roas": _divide(
                    math.fsum(c.revenue for c in active), math.fsum(c.spend for c in active)
                ),
                "attributed_cpa": _divide(
                    math.fsum(c.spend for c in active), math.fsum(c.conversions for c in active)
                ),
                "campaigns_fitted": sum(channel.campaigns for channel in active),
                "expected_conversions": conversions,
                "expected_conversions_low": interval(conversion_total, alpha)[0],
                "expected_conversions_high": interval(conversion_total, alpha)[1],
                "expected_revenue": _money(revenue),
                "expected_revenue_low": _money(interval(revenue_total, alpha)[0]),
                "expected_revenue_high": _money(interval(revenue_total, alpha)[1]),
                "expected_roas": _divide(revenue, total_cents / 100),
                "expected_cpa": _divide(total_cents / 100, conversions),
                "evidence_status": types_evidence.status,
                "evidence_test_ids": types_evidence.test_id,
                "justification": (
                    f"Budget {plan.budget:,.2f} ({plan.budget_source}). "
                    + (
                        "Split by equalising the marginal ROAS of the channels' response "
                        f"curves, each within {SCALE_BOUNDS[0]:g}x to {SCALE_BOUNDS[1]:g}x "
                        "its current share"
                        if plan.optimised
                        else "Split like the current spend: the channels are not shown to "
                        "differ, so the plan does not move money between them"
                    )
                    + f"; the same budget in the current mix would bring {current_revenue:,.0f}. "
                    + types_evidence.sentence
                ),
            }
        )
    plan.rows = [{**dict.fromkeys(COLUMNS), **row} for row in plan.rows]
    plan.caveats = caveats(plan, active, markov_ratios)
    if not any(row["item_type"] == "audience" for row in plan.rows):
        plan.missing.append(
            "no consented customer on a target list"
            if len(audiences)
            else "no target lists (no customer with an order)"
        )
    if not channels:
        plan.missing.append("no campaign with a spend")
    elif not active:
        plan.missing.append(
            "no campaign spend in the budget window"
            + (f" {window[0]} to {window[1]}" if window is not None else "")
        )
    return plan
