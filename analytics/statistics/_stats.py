"""Test procedures and effect sizes shared by the analyses (SciPy and statsmodels).

Each procedure checks its assumptions first and picks the test they allow; the
choice and the checks are returned in words (``method_reason``) so that a reader
sees why. The procedures are the ones the analyses run, and the ones the unit
tests in ``tests/analytics/statistics/`` prove (planted effects detected, false-positive rate
near alpha on shuffled labels).

Rules (documented in ``models/marts/evidence/_evidence__docs.md``):

- two means (:func:`compare_means`): Welch's t-test when each group is either
  consistent with a normal distribution (Shapiro-Wilk on up to 5,000 values,
  D'Agostino-Pearson above) or large enough for the central limit theorem by
  Cochran's rule (n >= max(30, 25 g1^2), g1 = sample skewness); otherwise
  Mann-Whitney U. Levene's test (median-centred, Brown-Forsythe) is reported: Welch
  does not need equal variances, and unequal spreads mean a Mann-Whitney result is
  a statement about P(A > B), not about medians;
- two proportions (:func:`compare_proportions`): the pooled two-proportion z-test
  when every expected count of the 2 x 2 table is at least 5, else Fisher's exact
  test;
- k groups x 2 outcomes (:func:`compare_rates`): Pearson's chi-square test of
  independence when every expected count is at least 5, else its permutation
  p-value (margins fixed, 9,999 resamples). The permutation null is drawn as whole
  tables with the observed margins (``scipy.stats.random_table``, Patefield's
  algorithm): shuffling the outcomes of the n units gives exactly that distribution
  of tables, and a table costs k x 2 numbers where a shuffle costs n, so memory and
  time do not grow with the rows (9,999 shuffles of 380,000 sessions would take
  28 GiB);
- every test two-sided.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Significance level of the assumption checks (normality, expected counts are rules).
ASSUMPTION_ALPHA = 0.05
#: Shapiro-Wilk up to this many values (SciPy's p-value is exact enough), D'Agostino above.
SHAPIRO_MAX_N = 5000
#: Cochran's rule for the central limit theorem: n >= max(CLT_MIN_N, 25 * skewness^2).
CLT_MIN_N = 30
CLT_SKEWNESS_FACTOR = 25.0
#: Smallest expected count of a contingency table for the asymptotic tests.
MIN_EXPECTED_COUNT = 5.0
#: Bootstrap resamples of an effect size's confidence interval.
BOOTSTRAP_RESAMPLES = 2000
#: BCa intervals up to this many observations in both groups; percentile above, where the
#: two agree closely and BCa's jackknife (n statistics of n values) would cost n^2 work.
BCA_MAX_N = 5000
#: Values per bootstrap batch (resamples x observations), to bound memory at any scale.
BOOTSTRAP_BATCH_VALUES = 1_000_000
#: Resamples of the permutation p-value of a chi-square test with small expected counts.
PERMUTATION_RESAMPLES = 9999
#: Random tables per batch of that null distribution (each k x 2 numbers, whatever n).
PERMUTATION_BATCH = 1000
#: Confidence level of every effect-size interval.
CONFIDENCE = 0.95

WELCH = "Welch t-test"
MANN_WHITNEY = "Mann-Whitney U test"
Z_TEST = "two-proportion z-test"
FISHER = "Fisher exact test"
CHI_SQUARE = "chi-square test of independence"
CHI_SQUARE_PERMUTATION = "chi-square test of independence (permutation p-value)"


class InsufficientData(ValueError):
    """The groups are too small or too uniform for any test."""


@dataclass(frozen=True)
class Comparison:
    """The outcome of one test: which one, why, and its statistic and p-value."""

    method: str
    method_reason: str
    statistic_name: str
    statistic: float
    p_value: float
    degrees_of_freedom: float | None = None


@dataclass(frozen=True)
class EffectSize:
    """An effect size with its confidence interval (``CONFIDENCE``)."""

    name: str
    value: float
    ci_low: float
    ci_high: float
    ci_method: str


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream of one analysis or test, from the run's seed and its name.

    Each name gets its own stream, so adding a test or an analysis does not move the
    draws of the others.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _number(value: float) -> str:
    """A number in a sentence: 3 significant digits, tiny p-values as '<0.0001'."""
    if 0 < abs(value) < 0.0001:
        return "<0.0001"
    return f"{value:.3g}"


# --- two means ------------------------------------------------------------------------------


def _normality_p_value(values: FloatArray) -> tuple[str, float]:
    if len(values) <= SHAPIRO_MAX_N:
        return "Shapiro-Wilk", float(stats.shapiro(values).pvalue)
    return "D'Agostino-Pearson", float(stats.normaltest(values).pvalue)


def _mean_is_safe(label: str, values: FloatArray) -> tuple[bool, str]:
    """Whether a t-test may use this group's mean, and the checks in words."""
    n = len(values)
    if np.ptp(values) == 0:
        return True, f"{label}: n={n}, every value {values[0]:g}"
    test, p_value = _normality_p_value(values)
    skewness = float(stats.skew(values))
    needed = max(CLT_MIN_N, math.ceil(CLT_SKEWNESS_FACTOR * skewness**2))
    if p_value >= ASSUMPTION_ALPHA:
        return True, f"{label}: n={n}, {test} p={_number(p_value)} (consistent with normal)"
    large = n >= needed
    return large, (
        f"{label}: n={n}, {test} p={_number(p_value)} (not normal), skewness "
        f"{skewness:.2f} -> Cochran's rule needs n>={needed}: " + ("met" if large else "not met")
    )


def compare_means(a: Sequence[float] | FloatArray, b: Sequence[float] | FloatArray) -> Comparison:
    """Two independent samples: Welch's t-test or Mann-Whitney U, as the checks allow.

    Raises:
        InsufficientData: a group has fewer than 3 values, or no value varies at all.
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if len(x) < 3 or len(y) < 3:
        raise InsufficientData(f"groups of {len(x)} and {len(y)} values (3 needed in each)")
    if np.ptp(np.concatenate([x, y])) == 0:
        raise InsufficientData("every value is the same")
    safe_a, words_a = _mean_is_safe("A", x)
    safe_b, words_b = _mean_is_safe("B", y)
    levene = stats.levene(x, y, center="median")
    spreads_differ = bool(levene.pvalue < ASSUMPTION_ALPHA)
    spread = f"Levene (median) p={_number(float(levene.pvalue))}: variances " + (
        "differ" if spreads_differ else "do not differ detectably"
    )
    if safe_a and safe_b:
        result = stats.ttest_ind(x, y, equal_var=False)
        reason = (
            f"{words_a}; {words_b}: both sample means are close enough to normal, so the "
            f"means are compared. {spread}; Welch's t does not assume equal variances."
        )
        return Comparison(
            WELCH, reason, "t", float(result.statistic), float(result.pvalue), float(result.df)
        )
    result = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
    reading = (
        "so the result is about P(A > B), not about medians"
        if spreads_differ
        else "so a significant result reads as a shift in location"
    )
    reason = (
        f"{words_a}; {words_b}: a sample mean is not safe for a t-test, so the rank-based "
        f"Mann-Whitney U test is used. {spread}, {reading}."
    )
    return Comparison(MANN_WHITNEY, reason, "U", float(result.statistic), float(result.pvalue))


def _hedges_g(x: FloatArray, y: FloatArray, axis: int = -1) -> FloatArray:
    """Hedges' g along ``axis``: Cohen's d (pooled SD) times the small-sample factor J."""
    nx, ny = x.shape[axis], y.shape[axis]
    pooled = ((nx - 1) * x.var(axis=axis, ddof=1) + (ny - 1) * y.var(axis=axis, ddof=1)) / (
        nx + ny - 2
    )
    correction = 1 - 3 / (4 * (nx + ny) - 9)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = (x.mean(axis=axis) - y.mean(axis=axis)) / np.sqrt(pooled)
    return np.asarray(correction * d, dtype=np.float64)


def _rank_biserial(x: FloatArray, y: FloatArray, axis: int = -1) -> FloatArray:
    """Rank-biserial correlation = Cliff's delta = P(A > B) - P(A < B), from U of A."""
    u = stats.mannwhitneyu(x, y, axis=axis).statistic
    return np.asarray(2 * u / (x.shape[axis] * y.shape[axis]) - 1, dtype=np.float64)


def mean_effect_size(
    a: Sequence[float] | FloatArray,
    b: Sequence[float] | FloatArray,
    method: str,
    rng: np.random.Generator,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> EffectSize:
    """Hedges' g for Welch's t, rank-biserial correlation for Mann-Whitney; bootstrap CI.

    Each group is resampled on its own (``scipy.stats.bootstrap``). The interval is
    BCa up to ``BCA_MAX_N`` observations, percentile above them, and percentile when
    BCa cannot be computed (degenerate jackknife).
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if method == WELCH:
        name, statistic = "Hedges' g", _hedges_g
    else:
        name, statistic = "rank-biserial correlation", _rank_biserial
    value = float(statistic(x, y))
    low, high, ci_method = math.nan, math.nan, ""
    total = len(x) + len(y)
    intervals = ("BCa", "percentile") if total <= BCA_MAX_N else ("percentile",)
    for interval in intervals:
        with np.errstate(divide="ignore", invalid="ignore"):
            result = stats.bootstrap(
                (x, y),
                statistic,
                n_resamples=resamples,
                vectorized=True,
                axis=-1,
                confidence_level=CONFIDENCE,
                method=interval,
                rng=rng,
                batch=max(1, BOOTSTRAP_BATCH_VALUES // total),
            )
        low = float(result.confidence_interval.low)
        high = float(result.confidence_interval.high)
        ci_method = f"{interval} bootstrap, {resamples} resamples per group"
        if not (math.isnan(low) or math.isnan(high)):
            break
    return EffectSize(name, value, low, high, ci_method)


# --- proportions ----------------------------------------------------------------------------


def two_proportion_z(successes_a: int, n_a: int, successes_b: int, n_b: int) -> tuple[float, float]:
    """The pooled two-proportion z-test (statsmodels): z and its two-sided p-value."""
    z, p_value = proportions_ztest([successes_a, successes_b], [n_a, n_b])
    return float(z), float(p_value)


def _expected_counts(table: npt.NDArray[np.int64]) -> FloatArray:
    rows = table.sum(axis=1, keepdims=True)
    columns = table.sum(axis=0, keepdims=True)
    return np.asarray(rows * columns / table.sum(), dtype=np.float64)


def compare_proportions(successes_a: int, n_a: int, successes_b: int, n_b: int) -> Comparison:
    """Two independent proportions: pooled z-test, or Fisher's exact test for small counts.

    Raises:
        InsufficientData: an empty group, or no success or no failure at all.
    """
    if n_a < 1 or n_b < 1:
        raise InsufficientData(f"groups of {n_a} and {n_b} (1 needed in each)")
    table = np.array([[successes_a, n_a - successes_a], [successes_b, n_b - successes_b]])
    if (table < 0).any():
        raise InsufficientData("more successes than trials")
    if table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
        raise InsufficientData("no success or no failure in either group")
    smallest = float(_expected_counts(table).min())
    if smallest >= MIN_EXPECTED_COUNT:
        z, p_value = two_proportion_z(successes_a, n_a, successes_b, n_b)
        reason = (
            f"smallest expected count of the 2x2 table {smallest:.1f} >= "
            f"{MIN_EXPECTED_COUNT:g}: the normal approximation of the pooled z-test holds"
        )
        return Comparison(Z_TEST, reason, "z", z, p_value)
    result = stats.fisher_exact(table, alternative="two-sided")
    reason = (
        f"smallest expected count of the 2x2 table {smallest:.1f} < {MIN_EXPECTED_COUNT:g}: "
        "the z-test's normal approximation is doubtful, Fisher's exact test is used"
    )
    return Comparison(FISHER, reason, "odds ratio", float(result.statistic), float(result.pvalue))


def risk_difference(successes_a: int, n_a: int, successes_b: int, n_b: int) -> EffectSize:
    """Difference of the proportions A - B with Newcombe's hybrid score interval."""
    low, high = confint_proportions_2indep(
        successes_a, n_a, successes_b, n_b, method="newcomb", compare="diff", alpha=1 - CONFIDENCE
    )
    value = successes_a / n_a - successes_b / n_b
    return EffectSize(
        "risk difference", value, float(low), float(high), "Newcombe hybrid score interval"
    )


# --- k groups x 2 outcomes ------------------------------------------------------------------


def _table(successes: Sequence[int], totals: Sequence[int]) -> npt.NDArray[np.int64]:
    hits = np.asarray(successes, dtype=np.int64)
    trials = np.asarray(totals, dtype=np.int64)
    return np.column_stack([hits, trials - hits])


def compare_rates(
    successes: Sequence[int], totals: Sequence[int], rng: np.random.Generator
) -> Comparison:
    """Success rates of k groups: chi-square test of independence (permutation if small).

    Raises:
        InsufficientData: fewer than two non-empty groups, or no success or no failure.
    """
    table = _table(successes, totals)
    if (table < 0).any():
        raise InsufficientData("more successes than trials")
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2:
        raise InsufficientData(f"{len(table)} non-empty group(s) (2 needed)")
    if table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
        raise InsufficientData("no success or no failure in any group")
    smallest = float(_expected_counts(table).min())
    dof = float((len(table) - 1) * (table.shape[1] - 1))
    if smallest >= MIN_EXPECTED_COUNT:
        result = stats.chi2_contingency(table, correction=False)
        reason = (
            f"{len(table)} groups; smallest expected count {smallest:.1f} >= "
            f"{MIN_EXPECTED_COUNT:g}: the chi-square approximation holds"
        )
        return Comparison(
            CHI_SQUARE, reason, "chi-square", float(result.statistic), float(result.pvalue), dof
        )
    statistic, p_value = _permutation_chi_square(table, rng)
    reason = (
        f"{len(table)} groups; smallest expected count {smallest:.1f} < {MIN_EXPECTED_COUNT:g}: "
        f"p-value from {PERMUTATION_RESAMPLES} permutations of the outcomes (margins fixed, "
        "drawn as random tables)"
    )
    return Comparison(CHI_SQUARE_PERMUTATION, reason, "chi-square", statistic, p_value, dof)


def _permutation_chi_square(
    table: npt.NDArray[np.int64], rng: np.random.Generator
) -> tuple[float, float]:
    """Pearson's chi-square and its permutation p-value, in memory independent of n.

    Shuffling the outcomes over the units (margins fixed) gives a table drawn from the
    multivariate hypergeometric distribution of the tables with those margins;
    ``scipy.stats.random_table`` draws such tables directly (Patefield's algorithm:
    O(cells x log n) time, a constant workspace), ``PERMUTATION_BATCH`` at a time.
    The p-value is SciPy's Monte Carlo one, (1 + tables whose statistic reaches the
    observed) / (1 + resamples), as that of a permutation test.
    """
    expected = _expected_counts(table).ravel()
    tables = stats.random_table(table.sum(axis=1), table.sum(axis=0), seed=rng)

    def draw(size: tuple[int, int]) -> npt.NDArray[np.int64]:
        drawn = tables.rvs(size=size[0], method="patefield")
        return np.asarray(drawn, dtype=np.int64).reshape(size)

    def statistic(observed: FloatArray, axis: int) -> FloatArray:
        return np.asarray(np.sum((observed - expected) ** 2 / expected, axis=axis))

    result = stats.monte_carlo_test(
        table.ravel(),
        draw,
        statistic,
        vectorized=True,
        n_resamples=PERMUTATION_RESAMPLES,
        batch=PERMUTATION_BATCH,
        alternative="greater",
        axis=-1,
    )
    return float(result.statistic), float(result.pvalue)


def _cramers_v(table: npt.NDArray[np.int64]) -> float:
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return 0.0
    return float(stats.contingency.association(table, method="cramer"))


def cramers_v(
    successes: Sequence[int],
    totals: Sequence[int],
    rng: np.random.Generator,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> EffectSize:
    """Cramér's V of the k x 2 table with a percentile bootstrap interval.

    A bootstrap resample of the n units is a multinomial draw over the table's
    cells with the observed cell shares (each unit sits in exactly one cell).
    """
    table = _table(successes, totals)
    n = int(table.sum())
    shares = table.ravel() / n
    draws = rng.multinomial(n, shares, size=resamples).reshape(resamples, *table.shape)
    values = np.array([_cramers_v(draw) for draw in draws])
    low, high = np.quantile(values, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    return EffectSize(
        "Cramér's V",
        _cramers_v(table),
        float(low),
        float(high),
        f"percentile bootstrap, {resamples} multinomial resamples of the units",
    )


def percentile_interval(values: FloatArray, alpha: float) -> tuple[float, float]:
    """The ``1 - alpha`` percentile interval of bootstrap or simulated values."""
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


# --- multiple testing -----------------------------------------------------------------------


def holm(p_values: Sequence[float]) -> FloatArray:
    """Holm-adjusted p-values of a family (statsmodels ``multipletests``)."""
    if len(p_values) == 0:
        return np.array([], dtype=np.float64)
    adjusted = multipletests(np.asarray(p_values, dtype=np.float64), method="holm")[1]
    return np.asarray(adjusted, dtype=np.float64)


def holm_where_tested(p_values: pd.Series) -> pd.Series:
    """:func:`holm` over the non-missing entries; a missing p-value (NaN) stays NaN.

    The family is the tests that ran: an untested row neither counts towards the
    adjustment nor gets an adjusted p-value.
    """
    adjusted = pd.Series(np.nan, index=p_values.index, dtype=float)
    tested = p_values.notna()
    if tested.any():
        adjusted[tested] = holm(p_values[tested].to_numpy(float))
    return adjusted
