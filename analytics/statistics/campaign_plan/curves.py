"""Response curves of the channels and the budget split that equalises their marginal ROAS.

Revenue = a * spend^b per campaign type; b is the slope of the log-log OLS regression
(statsmodels) of attributed revenue on spend over the type's campaigns, pooled over
the types when a type has too few, clipped to ``EXPONENT_BOUNDS``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import statsmodels.api as sm
from scipy import optimize

from .._stats import FloatArray
from ..markov_attribution import apportion

#: The response exponent b is clipped to this range (concave, never flat).
EXPONENT_BOUNDS = (0.2, 0.95)
#: b when no regression is possible at all (fewer than 3 campaigns with revenue).
DEFAULT_EXPONENT = 0.5
#: A type gets its own log-log fit from this many campaigns with revenue on.
MIN_CAMPAIGNS_OWN_FIT = 5
#: Each type's budget stays within these multiples of its current share of the budget.
SCALE_BOUNDS = (0.5, 2.0)


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
    return fit_exponent_arrays(
        names,
        codes,
        campaigns["spend"].to_numpy(dtype=np.float64),
        campaigns["revenue"].to_numpy(dtype=np.float64),
    )


def fit_exponent_arrays(
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
