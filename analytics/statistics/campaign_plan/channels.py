"""Each campaign type's economics, the budget window and the bootstrap of the outcomes.

A channel is a campaign type (the unit that has a spend): its attributed ROAS and CPA,
its spend in the ``BUDGET_WINDOW_DAYS`` days before the as-of date (the curve's
anchor), and the bootstrap over its campaigns behind the plan's intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .._stats import FloatArray
from .curves import ExponentFit, ResponseCurve, fit_exponent_arrays

#: The budget is the spend of this many days before the as-of date (as-of excluded).
BUDGET_WINDOW_DAYS = 90
#: Environment variable that sets another total budget (currency units).
BUDGET_VARIABLE = "CAMPAIGN_PLAN_BUDGET"
#: Bootstrap resamples of the campaigns (expected conversions and revenue intervals).
BOOTSTRAP_RESAMPLES = 2000

#: How the campaign types read for people (any other type: title case).
TYPE_NAMES = {
    "email": "Email",
    "social": "Social",
    "search": "Search",
    "display": "Display",
    "affiliate": "Affiliate",
    "video": "Video",
}


def type_name(campaign_type: str) -> str:
    """A campaign type as people read it: ``email`` -> ``Email``."""
    return TYPE_NAMES.get(campaign_type, campaign_type.title())


@dataclass(frozen=True)
class ChannelEconomics:
    """One campaign type: its history and its curve at the current spend."""

    campaign_type: str
    campaigns: int
    spend: float  #: all campaigns, currency units
    revenue: float  #: attributed revenue of all campaigns
    conversions: float  #: attributed conversions of all campaigns
    clicks: int
    platform_conversions: int
    current_spend: float  #: spend in the budget window
    fit: ExponentFit

    @property
    def roas(self) -> float | None:
        """Attributed revenue per unit of spend over all campaigns."""
        return self.revenue / self.spend if self.spend > 0 else None

    @property
    def cpa(self) -> float | None:
        """Spend per attributed conversion over all campaigns."""
        return self.spend / self.conversions if self.conversions > 0 else None

    @property
    def conversion_rate(self) -> float | None:
        """Platform conversions per click (what the hypothesis tests compare)."""
        return self.platform_conversions / self.clicks if self.clicks > 0 else None

    def curve(self, per_spend: float) -> ResponseCurve:
        """``per_spend`` (revenue or conversions per spend) at the current spend, concave."""
        if self.current_spend <= 0:
            return ResponseCurve(0.0, self.fit.exponent)
        scale = per_spend * self.current_spend ** (1 - self.fit.exponent)
        return ResponseCurve(scale, self.fit.exponent)


def economics(campaigns: pd.DataFrame, fits: Mapping[str, ExponentFit]) -> list[ChannelEconomics]:
    """The campaign types with spend: their totals and their spend in the window."""
    spent = campaigns[campaigns["spend"] > 0]
    result = []
    for campaign_type, rows in sorted(spent.groupby("campaign_type"), key=lambda item: item[0]):
        result.append(
            ChannelEconomics(
                campaign_type=str(campaign_type),
                campaigns=len(rows),
                spend=float(rows["spend"].sum()),
                revenue=float(rows["revenue"].sum()),
                conversions=float(rows["conversions"].sum()),
                clicks=int(rows["clicks"].sum()),
                platform_conversions=int(rows["platform_conversions"].sum()),
                current_spend=float(rows["window_spend"].sum()),
                fit=fits[str(campaign_type)],
            )
        )
    return result


def spend_in_window(campaigns: pd.DataFrame, window: tuple[date, date]) -> pd.Series:
    """Each campaign's spend spread evenly over its days [start_date, end_date], in ``window``.

    The spend is what the campaign has spent so far: a campaign still running after the
    window's end (or without an end date) spent it over its days up to the window's end.
    """
    first, last = window
    shares = []
    for row in campaigns.itertuples():
        start = row.start_date
        end = row.end_date if row.end_date is not None and not pd.isna(row.end_date) else last
        end = min(end, last)
        if start is None or pd.isna(start) or end < start:
            shares.append(0.0)
            continue
        days = (end - start).days + 1
        overlap = (min(end, last) - max(start, first)).days + 1
        shares.append(float(row.spend) * max(overlap, 0) / days)
    return pd.Series(shares, index=campaigns.index, dtype=np.float64)


def budget_window(campaigns: pd.DataFrame, as_of: date | None) -> tuple[date, date] | None:
    """The ``BUDGET_WINDOW_DAYS`` days before the as-of date, or before the last spend.

    When no campaign spent in the days before the as-of date (or there is none), the
    window ends on the last day a campaign with spend ran (not after the as-of date).
    Without an as-of date (no order loaded) the window ends on the last start or end
    date of a campaign with spend; None when there is none either (nothing to plan from,
    and no day that would depend on when the step runs).
    """
    spent = campaigns[(campaigns["spend"] > 0) & campaigns["start_date"].notna()]
    if as_of is None:
        days = [
            day
            for day in (*spent["start_date"], *spent["end_date"])
            if day is not None and not pd.isna(day)
        ]
        if not days:
            return None
        as_of = max(days) + timedelta(days=1)
    last = as_of - timedelta(days=1)
    window = (last - timedelta(days=BUDGET_WINDOW_DAYS - 1), last)
    if spent.empty or spend_in_window(spent, window).sum() > 0:
        return window
    ends = [min(last, d if d is not None and not pd.isna(d) else last) for d in spent["end_date"]]
    starts = list(spent["start_date"])
    running = [end for end, start in zip(ends, starts, strict=True) if start <= end]
    if not running:
        return window
    latest = max(running)
    return (latest - timedelta(days=BUDGET_WINDOW_DAYS - 1), latest)


def bootstrap_outcomes(
    campaigns: pd.DataFrame,
    channels: Sequence[ChannelEconomics],
    budgets: Sequence[float],
    rng: np.random.Generator,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> tuple[FloatArray, FloatArray]:
    """Revenue and conversions of each channel at its budget, per bootstrap resample.

    Each resample draws every type's campaigns with a spend with replacement (as many as
    it has; the types without budget too, for the pooled slope), refits the exponents
    (the same rule as the point estimate) and each channel's ROAS and conversions per
    spend; the current spend (the curve's anchor) stays. Returns two arrays of shape
    (resamples, channels).
    """
    spent = campaigns[campaigns["spend"] > 0]
    if spent.empty or not channels:  # no campaign spent anything: nothing to resample
        return np.zeros((resamples, len(channels))), np.zeros((resamples, len(channels)))
    names = sorted({str(name) for name in spent["campaign_type"]})
    codes = np.array([names.index(str(name)) for name in spent["campaign_type"]], dtype=int)
    spend = spent["spend"].to_numpy(dtype=np.float64)
    revenue_of = spent["revenue"].to_numpy(dtype=np.float64)
    conversions_of = spent["conversions"].to_numpy(dtype=np.float64)
    members = [np.flatnonzero(codes == code) for code in range(len(names))]
    positions = [names.index(channel.campaign_type) for channel in channels]
    revenue = np.zeros((resamples, len(channels)))
    conversions = np.zeros((resamples, len(channels)))
    for draw in range(resamples):
        picks = np.concatenate(
            [rows[rng.integers(0, len(rows), size=len(rows))] for rows in members]
        )
        fits = fit_exponent_arrays(names, codes[picks], spend[picks], revenue_of[picks])
        spend_sum = np.bincount(codes[picks], weights=spend[picks], minlength=len(names))
        revenue_sum = np.bincount(codes[picks], weights=revenue_of[picks], minlength=len(names))
        conversion_sum = np.bincount(
            codes[picks], weights=conversions_of[picks], minlength=len(names)
        )
        for column, (channel, code) in enumerate(zip(channels, positions, strict=True)):
            resampled = replace(channel, fit=fits[channel.campaign_type])
            budget = budgets[column]
            per_spend = revenue_sum[code] / spend_sum[code]
            revenue[draw, column] = resampled.curve(per_spend).revenue(budget)
            per_spend = conversion_sum[code] / spend_sum[code]
            conversions[draw, column] = resampled.curve(per_spend).revenue(budget)
    return revenue, conversions
