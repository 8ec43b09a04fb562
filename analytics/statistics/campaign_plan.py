"""The campaign plan: audiences, channel mix and budget from validated facts only.

The rules (documented in ``models/marts/evidence/_campaign_plan__docs.md``):

- **Audience.** The target lists of ``campaign_target_summary`` (consented customers
  only) with at least one customer, largest expected value first. Expected responses
  and revenue come from the lists' assumed response rates and each customer's value if
  they respond (``campaign_targets``); the interval is that of the outcome when each
  customer responds independently with the assumed rate (seeded simulation).
- **Channel mix.** A channel is a campaign type (the unit that has a spend). Its
  attributed ROAS and CPA are those of its campaigns (``campaign_performance``,
  web revenue of the default attribution model). Diminishing returns: revenue =
  a * spend^b, b the slope of the log-log OLS regression (statsmodels) of attributed
  revenue on spend over the type's campaigns (at least ``MIN_CAMPAIGNS_OWN_FIT``
  campaigns with revenue; else one slope pooled over every type, each with its own
  intercept), clipped to ``EXPONENT_BOUNDS``; a is calibrated so that the curve
  returns the type's attributed ROAS at its current spend (``a = ROAS * S^(1-b)``).
- **Budget.** The spend of the ``BUDGET_WINDOW_DAYS`` days before the as-of date
  (each campaign's spend spread evenly over its days), or ``CAMPAIGN_PLAN_BUDGET``.
  When the hypothesis tests show that campaign types convert differently
  (``campaign_type_conversion`` rejected), the budget is split by equalising the
  marginal ROAS of the curves (SciPy's brentq on the common marginal), each type kept
  within ``SCALE_BOUNDS`` of its current share; otherwise the difference between the
  channels is not established and the plan keeps the current mix.
- **Intervals.** Expected conversions and revenue at the planned budgets, with
  ``1 - alpha`` percentile intervals from a bootstrap over the campaigns of each type
  (``BOOTSTRAP_RESAMPLES``, seeded), refitting b, ROAS and conversions per spend.
- **Evidence.** Every row cites the hypothesis tests behind it (``hypothesis_tests``);
  a preference stands as validated only when its test rejected the null, otherwise the
  row says the difference is not established, or that it was not tested (the test is
  missing, or had not enough data to run).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from scipy import optimize

from ..warehouse import Warehouse
from . import missing as missing_words
from .base import Outcome, Settings
from .markov_attribution import apportion

#: The budget is the spend of this many days before the as-of date (as-of excluded).
BUDGET_WINDOW_DAYS = 90
#: Environment variable that sets another total budget (currency units).
BUDGET_VARIABLE = "CAMPAIGN_PLAN_BUDGET"
#: The response exponent b is clipped to this range (concave, never flat).
EXPONENT_BOUNDS = (0.2, 0.95)
#: b when no regression is possible at all (fewer than 3 campaigns with revenue).
DEFAULT_EXPONENT = 0.5
#: A type gets its own log-log fit from this many campaigns with revenue on.
MIN_CAMPAIGNS_OWN_FIT = 5
#: Each type's budget stays within these multiples of its current share of the budget.
SCALE_BOUNDS = (0.5, 2.0)
#: Bootstrap resamples of the campaigns (expected conversions and revenue intervals).
BOOTSTRAP_RESAMPLES = 2000
#: Simulated campaigns of the target lists (audience intervals).
AUDIENCE_SIMULATIONS = 2000
#: The hypothesis tests the plan cites.
TYPES_TEST = "campaign_type_conversion"
EMAIL_DISPLAY_TEST = "email_vs_display_conversion"
CONSENT_TEST = "consent_spend"
REJECTED = "reject_null"
#: The decision of a hypothesis test that could not run (too little data).
INSUFFICIENT = "insufficient_data"
#: Name of the brief in ``settings.reports_dir``.
BRIEF_NAME = "campaign_plan.md"
#: What the plan is, in the sentence "Not enough data for ...".
SUBJECT = missing_words.CAMPAIGN_PLAN

FloatArray = npt.NDArray[np.float64]


# --- response curves and allocation ------------------------------------------------------------


@dataclass(frozen=True)
class ResponseCurve:
    """Revenue of a channel as a concave function of its spend: ``scale * spend ** exponent``."""

    scale: float
    exponent: float

    def revenue(self, spend: float) -> float:
        """Expected revenue at ``spend``."""
        return float(self.scale * spend**self.exponent) if spend > 0 else 0.0

    def marginal(self, spend: float) -> float:
        """Marginal ROAS at ``spend``: revenue of the next unit of spend (infinite at 0)."""
        if self.scale <= 0:
            return 0.0
        if spend <= 0:
            return math.inf
        return float(self.scale * self.exponent * spend ** (self.exponent - 1))

    def spend_at(self, marginal: float) -> float:
        """The spend at which the marginal ROAS falls to ``marginal`` (> 0)."""
        if self.scale <= 0:
            return 0.0
        return float((self.scale * self.exponent / marginal) ** (1 / (1 - self.exponent)))


def allocate(
    curves: Sequence[ResponseCurve],
    total: float,
    lower: Sequence[float] | None = None,
    upper: Sequence[float] | None = None,
) -> list[float]:
    """Split ``total`` so that every curve has the same marginal ROAS, within the bounds.

    With concave curves (exponent below 1) the revenue is highest where the marginal
    ROAS are equal; a curve held at a bound has a marginal ROAS above (upper bound) or
    below (lower bound) the common one. The common marginal is found with SciPy's
    brentq on its logarithm. The bounds must leave room for the total
    (``sum(lower) <= total <= sum(upper)``).
    """
    count = len(curves)
    low = np.zeros(count) if lower is None else np.asarray(lower, dtype=np.float64)
    high = np.full(count, np.inf) if upper is None else np.asarray(upper, dtype=np.float64)
    if count == 0 or total <= 0:
        return [0.0] * count
    if low.sum() > total * (1 + 1e-12) or high.sum() < total * (1 - 1e-12):
        raise ValueError(f"bounds {low.sum():.2f}..{high.sum():.2f} cannot hold {total:.2f}")
    if all(curve.scale <= 0 for curve in curves):  # no returns anywhere: pro rata the bounds
        room = np.where(np.isfinite(high), high, low + 1.0)
        weights = room if room.sum() > 0 else np.ones(count)
        return [float(value) for value in total * weights / weights.sum()]

    def spends(log_marginal: float) -> FloatArray:
        marginal = math.exp(log_marginal)
        raw = np.array([curve.spend_at(marginal) for curve in curves])
        return np.asarray(np.clip(raw, low, high), dtype=np.float64)

    def excess(log_marginal: float) -> float:
        return float(spends(log_marginal).sum() - total)

    low_end, high_end = -1.0, 1.0
    while excess(low_end) < 0:  # a low marginal ROAS means much spend
        low_end -= 10.0
    while excess(high_end) > 0:
        high_end += 10.0
    root = optimize.brentq(excess, low_end, high_end, xtol=1e-14, rtol=1e-15, maxiter=500)
    result = spends(float(root))
    result *= total / result.sum()  # the root's last 1e-15: sums exactly as asked
    return [float(value) for value in result]


def to_cents(amounts: Sequence[float], total_cents: int) -> list[int]:
    """Amounts in cents that add up to ``total_cents`` exactly (largest remainders)."""
    keys = [f"{position:06d}" for position in range(len(amounts))]
    cents = apportion(total_cents, dict(zip(keys, amounts, strict=True)))
    return [cents[key] for key in keys]


# --- fitting the response exponents ------------------------------------------------------------


@dataclass(frozen=True)
class ExponentFit:
    """The response exponent b of a campaign type and how it was obtained."""

    exponent: float
    method: str  #: own_fit, pooled_fit or default
    raw_slope: float | None
    standard_error: float | None
    campaigns: int  #: campaigns with spend and revenue the slope was fitted on


def fit_exponents(campaigns: pd.DataFrame) -> dict[str, ExponentFit]:
    """The response exponent b per type from ``campaigns`` (campaign_type, spend, revenue)."""
    names = sorted({str(name) for name in campaigns["campaign_type"]})
    codes = np.array([names.index(str(name)) for name in campaigns["campaign_type"]], dtype=int)
    return _fit_exponents(
        names,
        codes,
        campaigns["spend"].to_numpy(dtype=np.float64),
        campaigns["revenue"].to_numpy(dtype=np.float64),
    )


def _fit_exponents(
    names: Sequence[str], codes: npt.NDArray[np.int_], spend: FloatArray, revenue: FloatArray
) -> dict[str, ExponentFit]:
    """:func:`fit_exponents` on arrays (``codes`` index ``names``): the bootstrap's fast path."""
    positive = (spend > 0) & (revenue > 0)
    fitted_codes = codes[positive]
    log_spend = np.log(spend[positive])
    log_revenue = np.log(revenue[positive])
    pooled = _pooled_fit(fitted_codes, log_spend, log_revenue)
    fits: dict[str, ExponentFit] = {}
    for code, name in enumerate(names):
        mine = fitted_codes == code
        own = _own_fit(log_spend[mine], log_revenue[mine])
        if own is not None:
            slope, error = own
            fits[name] = ExponentFit(_clip(slope), "own_fit", slope, error, int(mine.sum()))
        elif pooled is not None:
            slope, error, used = pooled
            fits[name] = ExponentFit(_clip(slope), "pooled_fit", slope, error, used)
        else:
            fits[name] = ExponentFit(DEFAULT_EXPONENT, "default", None, None, 0)
    return fits


def _clip(slope: float) -> float:
    return float(min(max(slope, EXPONENT_BOUNDS[0]), EXPONENT_BOUNDS[1]))


def _own_fit(log_spend: FloatArray, log_revenue: FloatArray) -> tuple[float, float] | None:
    """Slope and standard error of log revenue on log spend (statsmodels OLS)."""
    if len(log_spend) < MIN_CAMPAIGNS_OWN_FIT or np.ptp(log_spend) == 0:
        return None
    design = sm.add_constant(log_spend, has_constant="add")
    result = sm.OLS(log_revenue, design).fit()
    return float(result.params[1]), float(result.bse[1])


def _pooled_fit(
    codes: npt.NDArray[np.int_], log_spend: FloatArray, log_revenue: FloatArray
) -> tuple[float, float, int] | None:
    """One slope over every type, each type with its own intercept (type fixed effects)."""
    if len(codes) < 3:
        return None
    present = np.unique(codes)
    dummies = (codes[:, None] == present[None, :]).astype(np.float64)
    design = np.column_stack([dummies, log_spend])
    if len(codes) <= design.shape[1] or np.linalg.matrix_rank(design) < design.shape[1]:
        return None
    result = sm.OLS(log_revenue, design).fit()
    return float(result.params[-1]), float(result.bse[-1]), len(codes)


# --- channel economics ---------------------------------------------------------------------------


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


# --- bootstrap -------------------------------------------------------------------------------


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
        fits = _fit_exponents(names, codes[picks], spend[picks], revenue_of[picks])
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


def interval(values: FloatArray, alpha: float) -> tuple[float, float]:
    """The ``1 - alpha`` percentile interval of bootstrap or simulated values."""
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


# --- audiences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceOutcome:
    """Expected responses and revenue of a target list, with simulated intervals."""

    responses: float
    responses_interval: tuple[float, float]
    revenue: float
    revenue_interval: tuple[float, float]


def simulate_audience(
    rates: Sequence[float],
    values: Sequence[float],
    rng: np.random.Generator,
    alpha: float,
    simulations: int = AUDIENCE_SIMULATIONS,
) -> AudienceOutcome:
    """Each customer responds with their rate and then brings their value: the outcome.

    Expected values are exact (sums of rate and rate x value); the intervals are the
    percentiles of ``simulations`` simulated campaigns.
    """
    probability = np.asarray(rates, dtype=np.float64)
    worth = np.asarray(values, dtype=np.float64)
    responses = np.zeros(simulations)
    revenue = np.zeros(simulations)
    chunk = max(1, min(simulations, 2_000_000 // max(len(worth), 1)))
    for first in range(0, simulations, chunk):
        size = min(chunk, simulations - first)
        responded = rng.random((size, len(worth))) < probability
        responses[first : first + size] = responded.sum(axis=1)
        revenue[first : first + size] = responded @ worth
    return AudienceOutcome(
        responses=float(probability.sum()),
        responses_interval=interval(responses, alpha),
        revenue=float((probability * worth).sum()),
        revenue_interval=interval(revenue, alpha),
    )


# --- evidence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """What a hypothesis test says, in the plan's words."""

    test_id: str
    status: str  #: validated, not_established or not_tested
    sentence: str
    decision: str | None = None
    p_value_holm: float | None = None


def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.3g}"


def _p_value(value: float | None) -> str:
    """A p-value for people: below 0.0001 (0 included, an underflow) as '<0.0001'."""
    if value is None or math.isnan(value):
        return "-"
    return "<0.0001" if value < 0.0001 else f"{value:.2g}"


def read_evidence(tests: pd.DataFrame | None, test_id: str, claim: str) -> Evidence:
    """The test ``test_id`` behind ``claim`` (a sentence): validated only when rejected."""
    if tests is None or tests.empty or test_id not in set(tests["test_id"]):
        return Evidence(test_id, "not_tested", f"{claim}: not tested ({test_id} not run).")
    row = tests[tests["test_id"] == test_id].iloc[0]
    decision = str(row.get("decision"))
    if decision == INSUFFICIENT:
        reason = row.get("method_reason") or "no reason given"
        return Evidence(
            test_id,
            "not_tested",
            f"{claim}: not tested (not enough data for {test_id}: {reason}).",
            decision,
        )
    p_holm = row.get("p_value_holm")
    p_holm = None if p_holm is None or pd.isna(p_holm) else float(p_holm)
    effect = ""
    if row.get("effect_size") is not None and not pd.isna(row.get("effect_size")):
        effect = f", {row.get('effect_size_name', 'effect size')} {float(row['effect_size']):.3g}"
        low, high = row.get("effect_size_ci_low"), row.get("effect_size_ci_high")
        if low is not None and high is not None and not (pd.isna(low) or pd.isna(high)):
            effect += f" [{float(low):.3g}, {float(high):.3g}]"
    reference = f"{test_id}: Holm p {_p_value(p_holm)}{effect}"
    if decision == REJECTED:
        return Evidence(
            test_id, "validated", f"{claim}: validated ({reference}).", decision, p_holm
        )
    return Evidence(
        test_id,
        "not_established",
        f"{claim}: not established ({reference}, {decision}).",
        decision,
        p_holm,
    )


def _status(evidence: Sequence[Evidence]) -> str:
    statuses = {item.status for item in evidence}
    for status in ("not_tested", "not_established"):
        if status in statuses:
            return status
    return "validated"


def hypothesis_results(
    warehouse: Warehouse, results: Mapping[str, pd.DataFrame]
) -> pd.DataFrame | None:
    """The hypothesis tests of this run, else those in the warehouse, else None."""
    if "hypothesis_tests" in results:
        return results["hypothesis_tests"]
    if not warehouse.columns("hypothesis_tests"):
        return None
    frame = warehouse.frame("select * from marts.hypothesis_tests")
    return frame if not frame.empty else None


# --- the plan --------------------------------------------------------------------------------


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


_TYPE_NAMES = {
    "email": "Email",
    "social": "Social",
    "search": "Search",
    "display": "Display",
    "affiliate": "Affiliate",
    "video": "Video",
}


def _type_name(campaign_type: str) -> str:
    return _TYPE_NAMES.get(campaign_type, campaign_type.title())


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
    email_display = _email_display_claim(rates)
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
        status, caveat = _channel_evidence(
            channel.campaign_type,
            plan.optimised and budget > channel.current_spend * 1.0005,
            cited,
            _better_of_email_display(rates),
        )
        order += 1
        plan.rows.append(
            {
                "plan_item_order": order,
                "item_type": "channel",
                "item": channel.campaign_type,
                "description": f"{_type_name(channel.campaign_type)} campaigns",
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
                "justification": _channel_justification(
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
                "description": f"{_type_name(channel.campaign_type)} campaigns",
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
    plan.caveats = _caveats(plan, active, markov_ratios)
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


def _better_of_email_display(rates: Mapping[str, float | None]) -> str | None:
    """The campaign type of the two with the higher conversion rate (None: not both known)."""
    email, display = rates.get("email"), rates.get("display")
    if email is None or display is None:
        return None
    return "email" if email >= display else "display"


def _channel_evidence(
    campaign_type: str, increased: bool, cited: Sequence[Evidence], better: str | None
) -> tuple[str, str]:
    """The evidence status of a channel row, and a sentence when its increase is not backed.

    A budget increase is a preference for the channel over those it takes budget from:
    it stands as validated only with a pairwise test that rejected its null in the
    channel's favour (email_vs_display_conversion); the omnibus campaign_type_conversion
    shows that the types differ, not which one is better.
    """
    status = _status(cited)
    if not increased:
        return status, ""
    pairwise = [item for item in cited if item.test_id == EMAIL_DISPLAY_TEST]
    if pairwise and pairwise[0].status == "validated" and better == campaign_type:
        return status, ""
    return (
        "not_tested" if status == "not_tested" else "not_established",
        f"That {_type_name(campaign_type)} deserves more than the channels it takes budget "
        "from is not established by a pairwise test: the increase follows its attributed "
        "ROAS and response curve.",
    )


def _email_display_claim(rates: Mapping[str, float | None]) -> str:
    email, display = rates.get("email"), rates.get("display")
    if email is None or display is None:
        return "Email and Display campaigns convert differently"
    better, worse = ("Email", "Display") if email >= display else ("Display", "Email")
    high, low = max(email, display), min(email, display)
    return f"{better} converts better than {worse} ({high:.1%} vs {low:.1%} of clicks)"


def _channel_justification(
    channel: ChannelEconomics,
    budget: float,
    curve: ResponseCurve,
    optimised: bool,
    cited: Sequence[Evidence],
    caveat: str,
) -> str:
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
        else f"Attributed ROAS {_number(channel.roas)};",
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


def _caveats(
    plan: Plan, active: Sequence[ChannelEconomics], markov_ratios: Mapping[str, float]
) -> list[str]:
    caveats = [
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
        _type_name(channel.campaign_type)
        for channel in active
        if channel.roas is not None and channel.roas * channel.fit.exponent < 1
    ]
    if low_return:
        caveats.append(
            "At the margin, every extra unit of spend on "
            + ", ".join(low_return)
            + " returns less than one unit of attributed revenue: the total budget itself "
            "deserves a review."
        )
    shifted = [
        f"{_type_name(name)} {ratio:.2f}x"
        for name, ratio in sorted(markov_ratios.items())
        if ratio is not None and abs(ratio - 1) >= 0.1
    ]
    if shifted:
        caveats.append(
            "The data-driven (markov) attribution credits these channels' traffic differently "
            f"from {plan.attribution_model}: " + ", ".join(shifted) + " (ratio of revenue "
            "credited); the ROAS above would move accordingly."
        )
    if plan.empty_lists:
        caveats.append("No customer qualifies for: " + ", ".join(plan.empty_lists) + ".")
    return caveats


# --- the warehouse, the table and the brief ---------------------------------------------------


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


def _budget_override() -> float | None:
    value = os.environ.get(BUDGET_VARIABLE, "").strip()
    if not value:
        return None
    budget = float(value)
    if not math.isfinite(budget) or budget < 0:
        raise ValueError(f"{BUDGET_VARIABLE} must be a non-negative amount, not {value!r}")
    return budget


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


def _amount(value: Any) -> str:
    return "-" if value is None else f"{float(value):,.0f}"


def _range(row: Mapping[str, Any], column: str) -> str:
    return (
        f"{_amount(row[column])} ({_amount(row[column + '_low'])} to "
        f"{_amount(row[column + '_high'])})"
    )


def brief(plan: Plan, alpha: float) -> str:
    """The plan as a short Markdown brief for a marketing lead."""
    level = f"{1 - alpha:.0%}"
    audiences = [row for row in plan.rows if row["item_type"] == "audience"]
    channels = [row for row in plan.rows if row["item_type"] == "channel"]
    totals = [row for row in plan.rows if row["item_type"] == "total"]
    lines = [
        "# Campaign plan: the seed of the next campaign",
        "",
        f"As of {plan.as_of or '-'}. Budget **{plan.budget:,.2f}** ({plan.budget_source}). "
        f"Revenue and conversions are web figures attributed by the "
        f"`{plan.attribution_model or '-'}` model; ranges are {level} intervals.",
        "",
        *(
            [f"Not enough data for all of {SUBJECT}: {'; '.join(plan.missing)}.", ""]
            if plan.missing
            else []
        ),
        "## Who to target",
        "",
    ]
    if audiences:
        lines += [
            "| list | customers | expected responses | expected revenue |",
            "|---|---:|---:|---:|",
        ]
        for row in audiences:
            lines.append(
                f"| {row['item']}: {row['description']} | {row['audience_size']:,} | "
                f"{_range(row, 'expected_conversions')} | {_range(row, 'expected_revenue')} |"
            )
    else:
        lines.append("No target list has a customer.")
    lines += ["", "## Where the money goes", ""]
    if channels:
        lines += [
            "| channel | last period | plan | share | change | attributed ROAS | "
            "expected revenue | expected ROAS | marginal ROAS | evidence |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in channels:
            change = row.get("budget_vs_current")
            share = row["budget_share"]
            lines.append(
                f"| {row['description']} | {_amount(row['current_spend'])} | "
                f"{_amount(row['budget'])} | "
                f"{'-' if share is None else f'{float(share):.1%}'} | "
                f"{'-' if change is None else f'{float(change):.2f}x'} | "
                f"{_number(row['attributed_roas'])} | {_range(row, 'expected_revenue')} | "
                f"{_number(row['expected_roas'])} | {_number(row['marginal_roas'])} | "
                f"{row['evidence_status'].replace('_', ' ')} |"
            )
    else:
        lines.append("No campaign spend to plan from.")
    lines += ["", "## Expected results", ""]
    for row in totals:
        lines.append(
            f"- Conversions: {_range(row, 'expected_conversions')}; revenue: "
            f"{_range(row, 'expected_revenue')}; ROAS {_number(row['expected_roas'])} "
            f"(attributed ROAS of the same campaigns so far: {_number(row['attributed_roas'])})."
        )
    for row in audiences:
        lines.append(
            f"- Target list {row['item']}: {_range(row, 'expected_conversions')} responses, "
            f"{_range(row, 'expected_revenue')} revenue."
        )
    lines += ["", "## Evidence", ""]
    lines += [f"- {item.sentence}" for item in plan.evidence]
    lines.append(
        "- "
        + (
            "The channel mix is optimised because the channels are shown to differ."
            if plan.optimised
            else "The channel mix is kept: a difference between channels is not established."
        )
    )
    lines += ["", "## Caveats", ""]
    lines += [f"- {caveat}" for caveat in plan.caveats]
    return "\n".join(lines) + "\n"


def _summary(plan: Plan) -> list[str]:
    total = next((row for row in plan.rows if row["item_type"] == "total"), None)
    channels = [row for row in plan.rows if row["item_type"] == "channel" and row["budget"]]
    audiences = [row for row in plan.rows if row["item_type"] == "audience"]
    if not plan.rows:
        return [f"Campaign plan: {missing_words.sentence(SUBJECT, ' and '.join(plan.missing))}"]
    as_of = f"as of {plan.as_of}" if plan.as_of is not None else "no as-of date"
    lines = [
        f"Campaign plan ({as_of}): budget {plan.budget:,.2f}, "
        + ("mix optimised on marginal ROAS" if plan.optimised else "current mix kept")
        + "."
    ]
    lines += [f"  not enough data for part of it: {missing}" for missing in plan.missing]
    if channels:
        lines.append(
            "  split: "
            + ", ".join(
                f"{row['item']} {float(row['budget_share']):.1%} "
                f"({float(row['budget_vs_current']):.2f}x current)"
                for row in sorted(channels, key=lambda row: -float(row["budget"]))
            )
        )
    if total is not None:
        lines.append(
            f"  expected revenue {_range(total, 'expected_revenue')}, conversions "
            f"{_range(total, 'expected_conversions')}, ROAS {_number(total['expected_roas'])}"
        )
    if audiences:
        top = audiences[0]
        lines.append(
            f"  audience: {top['item']} ({top['audience_size']:,} customers, expected revenue "
            f"{_range(top, 'expected_revenue')}), {len(audiences)} list(s) in all"
        )
    lines.append(f"  evidence: {', '.join(f'{e.test_id} {e.status}' for e in plan.evidence)}")
    return lines


def run(warehouse: Warehouse, settings: Settings, results: dict[str, pd.DataFrame]) -> Outcome:
    """The campaign plan of the warehouse: ``marts.campaign_plan`` and the Markdown brief."""
    as_of_frame = warehouse.frame("select as_of_date from core.int_as_of_date")
    as_of = as_of_frame["as_of_date"].iloc[0] if len(as_of_frame) else None
    as_of = None if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).date()
    campaigns = warehouse.frame(_CAMPAIGNS_SQL).sort_values("campaign_id", kind="stable")
    for column in ("spend", "revenue", "conversions", "clicks", "platform_conversions"):
        campaigns[column] = campaigns[column].astype(float)
    for column in ("start_date", "end_date"):
        campaigns[column] = [
            None if value is None or pd.isna(value) else pd.Timestamp(value).date()
            for value in campaigns[column]
        ]
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
    plan = build_plan(
        campaigns.reset_index(drop=True),
        audiences,
        targets.reset_index(drop=True),
        hypothesis_results(warehouse, results),
        ratios,
        as_of,
        settings,
        _budget_override(),
    )
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    path = settings.reports_dir / BRIEF_NAME
    path.write_text(brief(plan, settings.alpha), encoding="utf-8")
    return Outcome(
        tables={"campaign_plan": plan_table(plan, settings.alpha)},
        summary=_summary(plan),
        files=[path],
    )
