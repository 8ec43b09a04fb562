"""The plan's reasons in words: each channel's justification and the caveats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .._format import number
from .channels import ChannelEconomics, type_name
from .curves import EXPONENT_BOUNDS, SCALE_BOUNDS, ResponseCurve
from .evidence import Evidence
from .plan import Plan


def channel_justification(
    channel: ChannelEconomics,
    budget: float,
    curve: ResponseCurve,
    optimised: bool,
    cited: Sequence[Evidence],
    caveat: str,
) -> str:
    """Why a channel gets its budget: its economics, its curve and the tests it rests on."""
    change = budget / channel.current_spend
    direction = "more" if change > 1.0005 else "less" if change < 0.9995 else "the same"
    fit = channel.fit
    if fit.method == "own_fit":
        how = f"log-log fit on its {fit.campaigns} campaigns, slope {fit.raw_slope:.2f}"
    elif fit.method == "pooled_fit":
        how = f"slope {fit.raw_slope:.2f} pooled over {fit.campaigns} campaigns of every type"
    else:
        how = "too few campaigns to fit, default"
    words = [
        f"Attributed ROAS {channel.roas:.2f}, CPA {channel.cpa:,.2f};"
        if channel.roas is not None and channel.cpa is not None
        else f"Attributed ROAS {number(channel.roas)};",
        f"diminishing returns b = {fit.exponent:.2f} ({how}).",
    ]
    if optimised:
        words.append(
            f"{direction.capitalize()} budget than now ({change:.2f}x): marginal ROAS at the "
            f"planned budget {curve.marginal(budget):.2f}."
        )
    else:
        words.append("Budget kept at its current share: no validated difference to act on.")
    words += [item.sentence for item in cited]
    if caveat:
        words.append(caveat)
    return " ".join(words)


def caveats(
    plan: Plan, active: Sequence[ChannelEconomics], markov_ratios: Mapping[str, float]
) -> list[str]:
    """What the plan's numbers do not say: assumptions, attribution, the curves' range."""
    lines = [
        "Target-list response rates are planning assumptions (dbt var target_response_rates), "
        "not measurements: the audience revenue is what those rates imply.",
        f"ROAS and CPA are web revenue and conversions attributed by the {plan.attribution_model} "
        "model to the campaigns' landing sessions; offline and unattributed effects are not in.",
        "The response curves come from differences between campaigns (cross-section), not from "
        "experiments; b is clipped to "
        f"{EXPONENT_BOUNDS[0]:g}..{EXPONENT_BOUNDS[1]:g}, and budgets stay within "
        f"{SCALE_BOUNDS[0]:g}x..{SCALE_BOUNDS[1]:g}x of the current mix because the curves "
        "are only trusted near the spend they were fitted on.",
        "Channel intervals show the uncertainty of the expected value (bootstrap over the "
        "campaigns), not the luck of a single campaign.",
    ]
    low_return = [
        type_name(channel.campaign_type)
        for channel in active
        if channel.roas is not None and channel.roas * channel.fit.exponent < 1
    ]
    if low_return:
        lines.append(
            "At the margin, every extra unit of spend on "
            + ", ".join(low_return)
            + " returns less than one unit of attributed revenue: the total budget itself "
            "deserves a review."
        )
    shifted = [
        f"{type_name(name)} {ratio:.2f}x"
        for name, ratio in sorted(markov_ratios.items())
        if ratio is not None and abs(ratio - 1) >= 0.1
    ]
    if shifted:
        lines.append(
            "The data-driven (markov) attribution credits these channels' traffic differently "
            f"from {plan.attribution_model}: " + ", ".join(shifted) + " (ratio of revenue "
            "credited); the ROAS above would move accordingly."
        )
    if plan.empty_lists:
        lines.append("No customer qualifies for: " + ", ".join(plan.empty_lists) + ".")
    return lines
