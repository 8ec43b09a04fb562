"""How many days after a social-media trend do marketplace sales move, and on which platform.

The series: daily mentions per platform and product category
(``core.fct_social_trends_daily``: its ``category`` is the product category of the
topic, the catalogue's categories, so it matches ``fct_marketplace_sales_daily.category``
directly) and the daily units the marketplaces sold in that category. Both are summed
in SQL (one ``group by`` each), never row by row in pandas.

Per platform x category the procedure is (details and reasons in
``models/marts/evidence/_social_sales_lag__docs.md``):

1. **Complete days.** A day on which a topic (or a marketplace x product series) that
   reports before and after it is missing, rejected or invalid would read as a dip of
   the total; such a day is interpolated linearly from its neighbours instead.
2. **Detrend.** First difference (removes the level, trends, the season and steps
   such as the pre-Christmas weeks) minus the mean difference of the weekday (removes
   the weekly cycle, which would otherwise put correlation peaks at lags 7, 14, 21,
   28 whatever the platform), winsorized at the median +- ``WINSOR_LIMIT`` robust
   standard deviations (single extreme days would otherwise decide the correlation).
3. **Prewhiten.** An autoregressive model of the detrended mentions (order by AIC,
   at most ``MAX_AR_ORDER``) filters both series (Box-Jenkins). Bursts make the
   mentions autocorrelated; without this the Pearson p-values of a cross-correlation
   are too small, and the correlation of a lag leaks into its neighbours.
4. **Cross-correlate** the filtered mentions of day t - lag with the filtered units of
   day t for lag 0..``MAX_LAG_DAYS``: Pearson's r, its p-value (``scipy.stats.pearsonr``)
   and n. Holm over every lag of every pair (one family).
5. **Best lag**: the lag with the largest positive correlation; significant when its
   Holm p-value is below alpha. **Granger**: ``grangercausalitytests`` on the
   detrended series at the best lag (at least 1), the ssr F-test's p-value, Holm over
   the pairs. A pair *leads sales* when both are significant.
6. **Trend categories** (meme, entertainment, ...): the mentions of a pair's topics of
   one trend category alone, correlated at the pair's best lag the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal, stats
from statsmodels.tsa.ar_model import ar_select_order
from statsmodels.tsa.stattools import grangercausalitytests

from ..warehouse import Warehouse
from . import missing
from ._format import p_relation
from ._stats import FloatArray, IntArray, holm_where_tested
from .base import Outcome, Settings

#: Lags tested, in days: mentions of day t - lag against units of day t.
MAX_LAG_DAYS = 28
#: Highest order of the autoregressive prewhitening filter (chosen by AIC below it).
MAX_AR_ORDER = 14
#: Pairs with fewer aligned days (after differencing) are not analysed.
MIN_DAYS = 3 * MAX_LAG_DAYS
#: Detrended values beyond the median +- this many robust standard deviations are clipped.
WINSOR_LIMIT = 3.0

#: Columns of ``marts.social_sales_lag`` and ``marts.social_sales_lag_summary``.
LAG_COLUMNS = [
    "platform",
    "category",
    "lag_days",
    "correlation",
    "p_value",
    "p_value_holm",
    "n_days",
    "is_significant",
    "is_best_lag",
]
SUMMARY_COLUMNS = [
    "platform",
    "category",
    "first_date",
    "last_date",
    "n_days",
    "mentions_per_day",
    "units_per_day",
    "prewhitening_ar_order",
    "best_lag_days",
    "best_correlation",
    "p_value",
    "p_value_holm",
    "is_significant",
    "units_per_mention",
    "granger_lag_days",
    "granger_f_statistic",
    "granger_p_value",
    "granger_p_value_holm",
    "leads_sales",
    "alpha",
    "trend_categories",
    "top_trend_category",
    "top_trend_category_correlation",
    "top_trend_category_p_value",
]

# --- reading the warehouse (aggregated in SQL) -------------------------------------------------

MENTIONS_SQL = """
select
    trend_date as day,
    platform,
    category,
    trend_category,
    sum(mentions) as value,
    count(*) as reported
from core.fct_social_trends_daily
where
    is_valid
    and mentions is not null
    and trend_date is not null
    and platform is not null
    and category is not null
group by trend_date, platform, category, trend_category
"""

MENTION_SPANS_SQL = """
select
    platform,
    category,
    trend_category,
    min(trend_date) as first_day,
    max(trend_date) as last_day
from core.fct_social_trends_daily
where
    is_valid
    and mentions is not null
    and trend_date is not null
    and platform is not null
    and category is not null
group by platform, category, trend_category, topic
"""

UNITS_SQL = """
select
    sale_date as day,
    category,
    sum(units_sold) as value,
    count(*) as reported
from core.fct_marketplace_sales_daily
where is_valid and units_sold is not null and sale_date is not null and category is not null
group by sale_date, category
"""

UNIT_SPANS_SQL = """
select
    category,
    min(sale_date) as first_day,
    max(sale_date) as last_day
from core.fct_marketplace_sales_daily
where is_valid and units_sold is not null and sale_date is not null and category is not null
group by category, marketplace, product_name
"""


def complete_days(daily: pd.DataFrame, spans: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Daily totals per key, one column per key, gaps of missing series interpolated.

    Args:
        daily: one row per ``day`` and key: ``value`` (the day's total) and ``reported``
            (how many series, e.g. topics, it sums).
        spans: one row per series: its key, ``first_day`` and ``last_day``.
        keys: the key columns.

    Returns:
        A frame indexed by every day from the first to the last of ``daily``, one column
        per key (a tuple of the key values): the total when every series alive that day
        (first_day <= day <= last_day) reported, 0 when none is alive, interpolated
        linearly between complete days otherwise; NaN before the first and after the
        last complete day.
    """
    if daily.empty:
        return pd.DataFrame()
    daily = daily.assign(day=pd.to_datetime(daily["day"]))
    days = pd.date_range(daily["day"].min(), daily["day"].max(), freq="D")
    values = daily.pivot_table(index="day", columns=keys, values="value", aggfunc="sum")
    reported = daily.pivot_table(index="day", columns=keys, values="reported", aggfunc="sum")
    values = values.reindex(index=days).astype(float)
    reported = reported.reindex(index=days, columns=values.columns).fillna(0.0)
    # series alive per day: +1 on the first day, -1 the day after the last, cumulated
    starts = spans.assign(day=pd.to_datetime(spans["first_day"]), change=1.0)
    ends = spans.assign(day=pd.to_datetime(spans["last_day"]) + pd.Timedelta(days=1), change=-1.0)
    changes = pd.concat([starts, ends])[[*keys, "day", "change"]]
    alive = (
        changes.pivot_table(index="day", columns=keys, values="change", aggfunc="sum")
        .reindex(index=days.union(pd.DatetimeIndex(changes["day"].unique())), fill_value=0.0)
        .fillna(0.0)
        .cumsum()
        .reindex(index=days, columns=values.columns)
        .fillna(0.0)
    )
    values = values.mask(alive.eq(0) & reported.eq(0), 0.0)
    values = values.mask(reported.lt(alive))
    return values.interpolate(method="linear", limit_area="inside")


# --- the statistics of one pair of series ------------------------------------------------------


def detrend(values: Sequence[float] | FloatArray, weekdays: Sequence[int] | IntArray) -> FloatArray:
    """First differences minus the mean difference of their weekday (0..6).

    The result is one value shorter than ``values``: element i is the change from day
    i to day i + 1, whose weekday is ``weekdays[i + 1]``.
    """
    change = np.diff(np.asarray(values, dtype=np.float64))
    weekday = np.asarray(weekdays, dtype=np.int64)[1:]
    means = np.zeros(7)
    for day in range(7):
        picked = change[weekday == day]
        if len(picked):
            means[day] = picked.mean()
    return np.asarray(change - means[weekday], dtype=np.float64)


def winsorize(values: FloatArray, limit: float = WINSOR_LIMIT) -> FloatArray:
    """Clip to the median +- ``limit`` robust standard deviations (1.4826 x MAD).

    Bursts and calendar peaks (Black Friday, the first day of a season) are days many
    standard deviations out; a Pearson correlation of two such series is decided by a
    handful of coinciding extreme days, and its p-value is far too small. The standard
    deviation stands in when the MAD is 0 (mostly constant series); a constant series is
    returned as it is.
    """
    centre = float(np.median(values))
    spread = float(stats.median_abs_deviation(values, scale="normal"))
    if spread == 0:
        spread = float(np.std(values))
    if spread == 0:
        return values
    return np.clip(values, centre - limit * spread, centre + limit * spread)


@dataclass(frozen=True)
class Prewhitening:
    """An AR filter fitted to one series, applied to it and to the series it explains."""

    order: int
    coefficients: FloatArray

    @classmethod
    def fit(cls, series: FloatArray, max_order: int = MAX_AR_ORDER) -> Prewhitening:
        """AR(p) of ``series`` with p <= ``max_order`` chosen by AIC (statsmodels)."""
        max_order = max(0, min(max_order, len(series) // 10))
        if max_order == 0 or np.ptp(series) == 0:
            return cls(0, np.zeros(0))
        selected = ar_select_order(series, maxlag=max_order, ic="aic", trend="c")
        lags = selected.ar_lags or []
        if not lags:
            return cls(0, np.zeros(0))
        params = np.asarray(selected.model.fit().params, dtype=np.float64)
        coefficients = np.zeros(max(lags))
        for lag, value in zip(lags, params[1:], strict=True):
            coefficients[lag - 1] = value
        return cls(max(lags), coefficients)

    def apply(self, series: FloatArray) -> FloatArray:
        """e_t = x_t - sum_k phi_k x_(t-k), dropping the first ``order`` values."""
        if self.order == 0:
            return series
        filtered = signal.lfilter(np.concatenate([[1.0], -self.coefficients]), [1.0], series)
        return np.asarray(filtered[self.order :], dtype=np.float64)


def lagged_correlation(x: FloatArray, y: FloatArray, lag: int) -> tuple[float, float, int]:
    """Pearson's r of x (day t - lag) with y (day t), its two-sided p-value, and n."""
    n = len(x) - lag
    if n < 3:
        return math.nan, math.nan, max(n, 0)
    left, right = x[: len(x) - lag], y[lag:]
    if np.ptp(left) == 0 or np.ptp(right) == 0:
        return math.nan, math.nan, n
    result = stats.pearsonr(left, right)
    return float(result.statistic), float(result.pvalue), n


def cross_correlations(
    mentions: FloatArray, units: FloatArray, max_lag: int = MAX_LAG_DAYS
) -> tuple[pd.DataFrame, Prewhitening]:
    """Prewhitened cross-correlations of two detrended series for lags 0..max_lag.

    Returns:
        One row per lag (``lag_days``, ``correlation``, ``p_value``, ``n_days``) and the
        prewhitening filter (fitted to ``mentions``).
    """
    whitening = Prewhitening.fit(mentions)
    x, y = whitening.apply(mentions), whitening.apply(units)
    rows = [(lag, *lagged_correlation(x, y, lag)) for lag in range(max_lag + 1)]
    frame = pd.DataFrame(rows, columns=["lag_days", "correlation", "p_value", "n_days"])
    return frame, whitening


def best_lag(lags: pd.DataFrame) -> int | None:
    """The lag of the largest positive correlation (the smallest lag on ties); None if none."""
    positive = lags[lags["correlation"] > 0]
    if positive.empty:
        return None
    ordered = positive.sort_values(["correlation", "lag_days"], ascending=[False, True])
    return int(ordered["lag_days"].iloc[0])


def granger(mentions: FloatArray, units: FloatArray, lag: int) -> tuple[float, float]:
    """Granger test 'mentions help predict units' at ``lag``: ssr F statistic and p-value."""
    lag = max(lag, 1)
    data = np.column_stack([units, mentions])
    if len(data) <= 3 * lag + 1 or np.ptp(mentions) == 0 or np.ptp(units) == 0:
        return math.nan, math.nan
    result = grangercausalitytests(data, maxlag=[lag])
    f_statistic, p_value = result[lag][0]["ssr_ftest"][:2]
    return float(f_statistic), float(p_value)


def units_per_mention(x: FloatArray, y: FloatArray, lag: int) -> float:
    """Least-squares slope of y (day t) on x (day t - lag): units per extra mention."""
    left, right = x[: len(x) - lag], y[lag:]
    if len(left) < 3 or np.ptp(left) == 0:
        return math.nan
    return float(stats.linregress(left, right).slope)


# --- every pair --------------------------------------------------------------------------------

TREND_COLUMNS = [
    "platform",
    "category",
    "trend_category",
    "lag_days",
    "correlation",
    "p_value",
    "p_value_holm",
    "n_days",
]


@dataclass(frozen=True)
class LagAnalysis:
    """The result tables, plus the trend-category correlations behind the answers."""

    #: ``marts.social_sales_lag``: one row per platform x category x lag.
    lags: pd.DataFrame
    #: ``marts.social_sales_lag_summary``: one row per platform x category.
    summary: pd.DataFrame
    #: One row per platform x category x trend category, at the pair's best lag.
    trends: pd.DataFrame


def _aligned(mentions: pd.Series, units: pd.Series) -> pd.DataFrame:
    """The longest run of consecutive days on which both series are known."""
    both = pd.concat([mentions.rename("mentions"), units.rename("units")], axis=1).dropna()
    if both.empty:
        return both
    runs = (both.index.to_series().diff() != pd.Timedelta(days=1)).cumsum()
    return both[(runs == runs.value_counts().sort_index().idxmax()).to_numpy()]


def _pair(
    platform: str,
    category: str,
    both: pd.DataFrame,
    trend_series: dict[str, pd.Series],
    max_lag: int,
) -> tuple[pd.DataFrame, dict[str, object], list[dict[str, object]]]:
    """Lags, summary row (without the family-wide columns) and trend rows of one pair."""
    weekdays = both.index.day_of_week.to_numpy()
    x_change = detrend(both["mentions"].to_numpy(float), weekdays)
    y_change = detrend(both["units"].to_numpy(float), weekdays)
    x, y = winsorize(x_change), winsorize(y_change)
    lags, whitening = cross_correlations(x, y, max_lag)
    lags.insert(0, "category", category)
    lags.insert(0, "platform", platform)
    row: dict[str, object] = {
        "platform": platform,
        "category": category,
        "first_date": both.index[0].date(),
        "last_date": both.index[-1].date(),
        "n_days": len(x),
        "mentions_per_day": float(both["mentions"].mean()),
        "units_per_day": float(both["units"].mean()),
        "prewhitening_ar_order": whitening.order,
    }
    best = best_lag(lags)
    lags["is_best_lag"] = lags["lag_days"] == best
    trends: list[dict[str, object]] = []
    if best is None:
        return lags, row, trends
    chosen = lags[lags["is_best_lag"]].iloc[0]
    f_statistic, granger_p = granger(x, y, best)
    row |= {
        "best_lag_days": best,
        "best_correlation": float(chosen["correlation"]),
        "units_per_mention": units_per_mention(
            whitening.apply(x_change), whitening.apply(y_change), best
        ),
        "granger_lag_days": max(best, 1),
        "granger_f_statistic": f_statistic,
        "granger_p_value": granger_p,
    }
    for trend_category, series in sorted(trend_series.items()):
        values = series.reindex(both.index)
        if values.isna().any():
            continue
        own = winsorize(detrend(values.to_numpy(float), weekdays))
        filtering = Prewhitening.fit(own)
        r, p, n = lagged_correlation(filtering.apply(own), filtering.apply(y), best)
        trends.append(
            {
                "platform": platform,
                "category": category,
                "trend_category": trend_category,
                "lag_days": best,
                "correlation": r,
                "p_value": p,
                "n_days": n,
            }
        )
    return lags, row, trends


def analyse(
    mentions: pd.DataFrame,
    units: pd.DataFrame,
    trend_mentions: pd.DataFrame | None = None,
    alpha: float = 0.05,
    max_lag: int = MAX_LAG_DAYS,
) -> LagAnalysis:
    """Cross-correlations, best lags and Granger tests of every platform x category.

    Args:
        mentions: daily mentions, indexed by day, one column per (platform, category);
            NaN where unknown.
        units: daily units sold, indexed by day, one column per category.
        trend_mentions: like ``mentions``, one column per (platform, category,
            trend_category): the mentions of the topics of one trend category.
        alpha: significance level.
        max_lag: the largest lag tested, in days.
    """
    lag_frames: list[pd.DataFrame] = []
    rows: list[dict[str, object]] = []
    trend_rows: list[dict[str, object]] = []
    trend_columns = [] if trend_mentions is None else list(trend_mentions.columns)
    for platform, category in sorted(mentions.columns):
        if category not in units.columns:
            continue
        both = _aligned(mentions[(platform, category)], units[category])
        if len(both) - 1 < max(MIN_DAYS, 3 * max_lag):
            continue
        trend_series = {
            str(column[2]): trend_mentions[column]
            for column in trend_columns
            if trend_mentions is not None and tuple(column[:2]) == (platform, category)
        }
        lags, row, trends = _pair(str(platform), str(category), both, trend_series, max_lag)
        lag_frames.append(lags)
        rows.append(row)
        trend_rows.extend(trends)
    if not lag_frames:
        return LagAnalysis(
            pd.DataFrame(columns=LAG_COLUMNS),
            pd.DataFrame(columns=SUMMARY_COLUMNS),
            pd.DataFrame(columns=TREND_COLUMNS),
        )

    lags = pd.concat(lag_frames, ignore_index=True)
    lags["p_value_holm"] = holm_where_tested(lags["p_value"])
    lags["is_significant"] = (lags["p_value_holm"] < alpha) & (lags["correlation"] > 0)

    trends = pd.DataFrame(trend_rows, columns=[c for c in TREND_COLUMNS if c != "p_value_holm"])
    trends["p_value_holm"] = holm_where_tested(trends["p_value"].astype(float))
    trends = trends.sort_values(
        ["platform", "category", "correlation", "trend_category"],
        ascending=[True, True, False, True],
        na_position="last",
    )

    summary = pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS)
    best = lags[lags["is_best_lag"]].set_index(["platform", "category"])
    keys = pd.MultiIndex.from_frame(summary[["platform", "category"]])
    summary["p_value"] = best["p_value"].reindex(keys).to_numpy()
    summary["p_value_holm"] = best["p_value_holm"].reindex(keys).to_numpy()
    summary["is_significant"] = best["is_significant"].reindex(keys).fillna(False).to_numpy(bool)
    summary["granger_p_value_holm"] = holm_where_tested(summary["granger_p_value"].astype(float))
    summary["leads_sales"] = summary["is_significant"].to_numpy(bool) & (
        summary["granger_p_value_holm"].to_numpy(float) < alpha
    )
    summary["alpha"] = float(alpha)
    known = trends[trends["correlation"].notna()]
    known = known.assign(
        label=known["trend_category"]
        + ":"
        + known["correlation"].map(lambda r: f"{round(r, 2) + 0.0:.2f}")
    )
    listed = known.groupby(["platform", "category"], sort=False).agg(
        trend_categories=("label", ", ".join),
        top_trend_category=("trend_category", "first"),
        top_trend_category_correlation=("correlation", "first"),
        top_trend_category_p_value=("p_value", "first"),
    )
    for column in listed.columns:
        summary[column] = listed[column].reindex(keys).to_numpy()
    return LagAnalysis(
        lags[LAG_COLUMNS].reset_index(drop=True),
        summary[SUMMARY_COLUMNS],
        trends[TREND_COLUMNS].reset_index(drop=True),
    )


# --- the step ----------------------------------------------------------------------------------


def _numbers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return frame.astype({column: float for column in columns})


def read_series(warehouse: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Daily mentions per pair, per pair and trend category, and daily units per category."""
    daily = _numbers(warehouse.frame(MENTIONS_SQL), ["value", "reported"])
    spans = warehouse.frame(MENTION_SPANS_SQL)
    unit_daily = _numbers(warehouse.frame(UNITS_SQL), ["value", "reported"])
    unit_spans = warehouse.frame(UNIT_SPANS_SQL)
    pair_keys = ["platform", "category"]
    by_pair = daily.groupby(["day", *pair_keys], as_index=False)[["value", "reported"]].sum()
    mentions = complete_days(by_pair, spans, pair_keys)
    trend_mentions = complete_days(daily, spans, [*pair_keys, "trend_category"])
    units = complete_days(unit_daily, unit_spans, ["category"])
    return mentions, trend_mentions, units


def _range(values: pd.Series) -> str:
    low, high = float(values.min()), float(values.max())
    return f"{low:.2f}" if round(low, 2) == round(high, 2) else f"{low:.2f}..{high:.2f}"


def answers(result: LagAnalysis, alpha: float, lacking: str | None = None) -> list[str]:
    """The summary lines: the lag, the platform that correlates most, the trend categories.

    ``lacking`` says why nothing was analysed (:func:`analytics.statistics.missing.social_lag`),
    when nothing was.
    """
    summary, lags = result.summary, result.lags
    if summary.empty:
        why = lacking or missing.social_lag(True, True, 1)
        return [f"social_sales_lag: {missing.sentence(missing.SOCIAL_SALES_LAG, why)}"]
    lines = [
        f"social_sales_lag: {len(summary)} platform x category pairs, lags 0..{MAX_LAG_DAYS} "
        f"days: prewhitened cross-correlation of differenced series, Holm over {len(lags):,} "
        f"lag tests; Granger ssr F-test at the best lag, Holm over the pairs; alpha {alpha:g}"
    ]
    leading = summary[summary["leads_sales"]]
    if leading.empty:
        lines.append("  No platform's mentions lead marketplace sales significantly.")
    else:
        counts = leading["best_lag_days"].astype(int).value_counts()
        typical = int(counts.sort_index().idxmax())
        lines.append(
            f"  Sales follow a trend after {typical} days: {len(leading)} pair(s) lead sales, "
            f"{int(counts[typical])} of them at lag {typical}"
            + (
                ""
                if len(counts) == 1
                else " (other lags: "
                + ", ".join(
                    f"{lag}: {n}" for lag, n in counts.sort_index().items() if lag != typical
                )
                + ")"
            )
            + "."
        )
        for platform, group in leading.groupby("platform", sort=True):
            lines.append(
                f"  {platform}: leads sales in {len(group)} of "
                f"{int((summary['platform'] == platform).sum())} categories at lag(s) "
                f"{', '.join(str(v) for v in sorted(set(group['best_lag_days'].astype(int))))}, "
                f"r {_range(group['best_correlation'])}, Granger p"
                f"{p_relation(float(group['granger_p_value'].max()), '<=')}, "
                f"{_range(group['units_per_mention'])} units per mention"
            )
    by_platform = (
        summary.assign(correlation=summary["best_correlation"].astype(float).fillna(0.0))
        .groupby("platform")
        .agg(
            correlation=("correlation", "mean"),
            significant=("is_significant", "sum"),
            pairs=("category", "count"),
        )
        .sort_values(["correlation"], ascending=False)
    )
    top = by_platform.index[0]
    rest = "; ".join(
        f"{name} {row.correlation:.2f} ({int(row.significant)} of {int(row.pairs)} significant)"
        for name, row in by_platform.iloc[1:].iterrows()
    )
    lines.append(
        f"  Platform correlating most: {top} (mean best-lag r "
        f"{by_platform['correlation'].iloc[0]:.2f}, {int(by_platform['significant'].iloc[0])} "
        f"of {int(by_platform['pairs'].iloc[0])} categories significant); then {rest}"
    )
    trends = result.trends.merge(
        leading[["platform", "category"]], on=["platform", "category"], how="inner"
    )
    moving = trends[(trends["p_value_holm"] < alpha) & (trends["correlation"] > 0)]
    if moving.empty:
        lines.append("  Trend categories moving sales: none significant on its own.")
    else:
        counted = (
            moving.groupby("trend_category")["category"].nunique().sort_values(ascending=False)
        )
        lines.append(
            "  Trend categories whose topics alone lead sales (Holm over "
            f"{len(result.trends)} trend-category tests): "
            + ", ".join(
                f"{name} ({n} categor{'y' if n == 1 else 'ies'})" for name, n in counted.items()
            )
            + "; on "
            + ", ".join(sorted(moving["platform"].unique()))
        )
    return lines


def run(warehouse: Warehouse, settings: Settings, results: dict[str, pd.DataFrame]) -> Outcome:
    """Compute ``marts.social_sales_lag`` and ``marts.social_sales_lag_summary``."""
    del results  # reads the marts only
    mentions, trend_mentions, units = read_series(warehouse)
    result = analyse(mentions, units, trend_mentions, alpha=settings.alpha)
    common = {str(column[1]) for column in mentions.columns} & {str(c) for c in units.columns}
    lacking = missing.social_lag(not mentions.empty, not units.empty, len(common))
    return Outcome(
        tables={
            "social_sales_lag": result.lags,
            "social_sales_lag_summary": result.summary,
        },
        summary=answers(result, settings.alpha, lacking),
    )
