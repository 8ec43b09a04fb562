"""A/B test planning: ``marts.ab_test_plan``, and the sample-ratio-mismatch check.

The proposed test (see the ``ab_test_plan`` docs block): a new email campaign
creative against the current one, sessions landing from email split 50/50, the
metric their purchase conversion (``fct_sessions.is_converted``). From the data: the
baseline conversion rate (the 365 days before the as-of date) and the eligible
traffic (mean sessions per day over the 28 days before it). For each minimum
detectable effect of a small grid, statsmodels' ``NormalIndPower`` gives the
sessions per arm for the power wanted, hence the days of traffic; one more row
turns it around (what lift can a test of ``MAX_TEST_DAYS`` days detect). A
simulation of many experiments, analysed with the same pooled z-test, confirms
each power empirically and the false-positive rate of an A/A test.

Without a usable baseline (no session landing from email in the baseline window, or
none or all of them converted) nothing can be planned: the table then holds one row,
status ``not_enough_data``, whose note says what is missing, and no statistic is
computed. The as-of date is the build's (``intermediate.int_as_of_date``); a build without one
(no order loaded) plans from the day after the last web session instead.

:func:`sample_ratio_mismatch` checks a running experiment's split (chi-square
goodness of fit); ``python -m analytics srm`` prints it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize

from ..warehouse import Warehouse
from . import missing
from ._read import as_date, built_as_of_date
from ._stats import stream, two_proportion_z
from .base import Outcome, Settings

PROPOSED_TEST = (
    "New email campaign creative (subject line, content and landing page) against the "
    "current one; sessions landing from email split 50/50 at random"
)
METRIC = (
    "purchase conversion rate of sessions landing from email: converted sessions / "
    "sessions (fct_sessions.is_converted)"
)
ELIGIBLE_TRAFFIC = "sessions whose landing traffic source is in channel group email"
RANDOMISATION_UNIT = "session"
#: The channel group of the eligible sessions' landing traffic source (seed
#: channel_aliases: `email`, `newsletter`, `klaviyo`, ... whatever the export calls it).
TRAFFIC_SOURCE = "email"
#: Relative minimum detectable effects planned (0.10 = +10% of the baseline rate).
MDE_GRID: tuple[float, ...] = (0.05, 0.10, 0.20)
#: The recommended one of the grid (highlighted in the summary).
DEFAULT_MDE = 0.10
#: Power wanted: the chance to detect an effect of the MDE's size.
POWER = 0.8
#: The baseline rate is measured over this many days before the as-of date.
BASELINE_DAYS = 365
#: Daily eligible sessions: mean over this many days before the as-of date.
TRAFFIC_DAYS = 28
#: A test longer than this is not feasible (seasonality, novelty, decisions waiting).
MAX_TEST_DAYS = 56
#: Simulated experiments per plan row (binomial draws, the same pooled z-test).
SIMULATED_EXPERIMENTS = 4000
#: Significance level of the sample-ratio-mismatch check (strict: it runs often).
SRM_ALPHA = 0.001
#: Below SRM_ALPHA's threshold but at most this p-value: the check says to watch the split.
WATCH_P_VALUE = 0.05
#: status of a row: planned, or not_enough_data (the single row of a plan without baseline).
PLANNED = "planned"
NOT_ENOUGH_DATA = missing.NOT_ENOUGH_DATA

COLUMNS: tuple[str, ...] = (
    "plan_order",
    "plan_id",
    "scenario",
    "status",
    "proposed_test",
    "metric",
    "eligible_traffic",
    "randomisation_unit",
    "as_of_date",
    "baseline_window_start",
    "baseline_window_end",
    "baseline_sessions",
    "baseline_conversions",
    "baseline_conversion_rate",
    "baseline_ci_low",
    "baseline_ci_high",
    "mde_relative",
    "mde_absolute",
    "treatment_conversion_rate",
    "effect_size_h",
    "alpha",
    "power",
    "sample_size_per_arm",
    "total_sample_size",
    "traffic_window_start",
    "traffic_window_end",
    "daily_eligible_sessions",
    "days_needed",
    "max_test_days",
    "is_feasible",
    "simulated_experiments",
    "simulated_power",
    "simulated_power_ci_low",
    "simulated_power_ci_high",
    "simulated_false_positive_rate",
    "note",
)


# --- the statistics -------------------------------------------------------------------------


def sample_size_per_arm(baseline: float, treatment: float, alpha: float, power: float) -> int:
    """Units per arm for a two-sided test of two proportions (Cohen's h, NormalIndPower)."""
    effect = abs(float(proportion_effectsize(treatment, baseline)))
    size = NormalIndPower().solve_power(
        effect_size=effect, alpha=alpha, power=power, ratio=1.0, alternative="two-sided"
    )
    return math.ceil(float(size))


def detectable_rate(baseline: float, per_arm: int, alpha: float, power: float) -> float | None:
    """The treatment rate above ``baseline`` detected with ``power`` at ``per_arm`` units.

    Inverts Cohen's h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)); None when no rate up to 1
    is detectable (too few units).
    """
    if per_arm < 2:
        return None
    effect = float(
        NormalIndPower().solve_power(
            effect_size=None, nobs1=per_arm, alpha=alpha, power=power, ratio=1.0
        )
    )
    angle = math.asin(math.sqrt(baseline)) + effect / 2
    if angle >= math.pi / 2:
        return None
    return math.sin(angle) ** 2


def simulate_rejection_rate(
    control_rate: float,
    treatment_rate: float,
    per_arm: int,
    alpha: float,
    experiments: int,
    rng: np.random.Generator,
) -> float:
    """Share of simulated experiments whose pooled z-test rejects at ``alpha``.

    Each experiment draws the conversions of both arms (numpy binomial) and runs
    the z-test of the analysis (statsmodels ``proportions_ztest``); an experiment
    without any conversion or without any non-conversion does not reject.
    """
    control = rng.binomial(per_arm, control_rate, size=experiments)
    treatment = rng.binomial(per_arm, treatment_rate, size=experiments)
    rejected = 0
    for hits_control, hits_treatment in zip(control.tolist(), treatment.tolist(), strict=True):
        if hits_control + hits_treatment in (0, 2 * per_arm):
            continue
        _, p_value = two_proportion_z(hits_treatment, per_arm, hits_control, per_arm)
        rejected += p_value <= alpha
    return rejected / experiments


@dataclass(frozen=True)
class SampleRatioMismatch:
    """The chi-square goodness-of-fit check of an experiment's split."""

    control: int
    treatment: int
    expected_share: float
    alpha: float
    statistic: float
    p_value: float

    @property
    def total(self) -> int:
        """Units assigned to either arm."""
        return self.control + self.treatment

    @property
    def observed_share(self) -> float:
        """Share of the units in the treatment arm."""
        return self.treatment / self.total

    @property
    def is_mismatch(self) -> bool:
        """The split differs from the expected one at ``alpha``."""
        return self.p_value <= self.alpha

    def lines(self) -> list[str]:
        """The check for people."""
        expected_treatment = self.total * self.expected_share
        if self.is_mismatch:
            verdict = (
                "SAMPLE RATIO MISMATCH: the split is not the one designed. Do not read the "
                "results; look for the cause (assignment, redirects, tracking, bots) first."
            )
        elif self.p_value <= WATCH_P_VALUE:
            verdict = (
                f"no sample ratio mismatch at alpha {self.alpha:g}, but p <= "
                f"{WATCH_P_VALUE:g}: check the split again as more units arrive."
            )
        else:
            verdict = "no sample ratio mismatch: the split is consistent with the design."
        p_text = "<0.000001" if self.p_value < 1e-6 else f"{self.p_value:.6f}"
        return [
            f"control {self.control:,}, treatment {self.treatment:,} (total {self.total:,})",
            f"treatment share {self.observed_share:.4f}, expected {self.expected_share:.4f} "
            f"(expected {self.total - expected_treatment:,.1f} vs {expected_treatment:,.1f})",
            f"chi-square goodness of fit: statistic {self.statistic:.4f}, 1 df, "
            f"p-value {p_text}, alpha {self.alpha:g}",
            verdict,
        ]


def sample_ratio_mismatch(
    control: int, treatment: int, expected_share: float = 0.5, alpha: float = SRM_ALPHA
) -> SampleRatioMismatch:
    """Chi-square goodness of fit of the arms' counts against the designed split.

    Args:
        control: Units (sessions, users) assigned to the control arm so far.
        treatment: Units assigned to the treatment arm so far.
        expected_share: Designed share of the treatment arm (0.5 for a 50/50 test).
        alpha: Significance level; a strict one (0.001) because the check is repeated
            while the experiment runs and a false alarm stops it.

    Raises:
        ValueError: negative counts, no unit at all, or a share outside (0, 1).
    """
    if control < 0 or treatment < 0:
        raise ValueError("counts cannot be negative")
    if control + treatment == 0:
        raise ValueError("no unit assigned yet")
    if not 0 < expected_share < 1:
        raise ValueError("the expected share must lie strictly between 0 and 1")
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie strictly between 0 and 1")
    total = control + treatment
    expected = [total * (1 - expected_share), total * expected_share]
    result = stats.chisquare([control, treatment], f_exp=expected)
    return SampleRatioMismatch(
        control, treatment, expected_share, alpha, float(result.statistic), float(result.pvalue)
    )


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Traffic:
    """What the data say about the eligible sessions.

    ``as_of_date`` is None when neither the build nor any web session gives one.
    """

    as_of_date: dt.date | None
    baseline_sessions: int
    baseline_conversions: int
    daily_sessions: float
    #: Where the as-of date comes from, for the summary.
    as_of_source: str = "intermediate.int_as_of_date"

    @property
    def baseline_window(self) -> tuple[dt.date, dt.date] | None:
        """First and last day of the baseline measurement (None without an as-of date)."""
        return _window(self.as_of_date, BASELINE_DAYS)

    @property
    def traffic_window(self) -> tuple[dt.date, dt.date] | None:
        """First and last day of the daily-traffic measurement (None without an as-of date)."""
        return _window(self.as_of_date, TRAFFIC_DAYS)

    def missing(self) -> str | None:
        """What keeps the plan from having a usable baseline, in words; None when it has one."""
        window = self.baseline_window
        if window is None:
            return "no web sessions (nor an as-of date to plan from)"
        during = f"from {window[0]} to {window[1]}"
        sessions, conversions = self.baseline_sessions, self.baseline_conversions
        if sessions <= 0:
            return f"no email sessions {during} (sessions landing from email)"
        if conversions <= 0:
            return (
                f"none of the {sessions:,} email sessions {during} converted "
                "(a lift of a 0% baseline cannot be planned)"
            )
        if conversions >= sessions:
            return f"all {sessions:,} email sessions {during} converted (no room for a lift)"
        return None


def _window(as_of_date: dt.date | None, days: int) -> tuple[dt.date, dt.date] | None:
    if as_of_date is None:
        return None
    return as_of_date - dt.timedelta(days=days), as_of_date - dt.timedelta(days=1)


def _simulations(
    baseline: float,
    treatment: float,
    per_arm: int,
    settings: Settings,
    rng: np.random.Generator,
) -> dict[str, Any]:
    power = simulate_rejection_rate(
        baseline, treatment, per_arm, settings.alpha, SIMULATED_EXPERIMENTS, rng
    )
    low, high = proportion_confint(
        round(power * SIMULATED_EXPERIMENTS), SIMULATED_EXPERIMENTS, method="wilson"
    )
    false_positives = simulate_rejection_rate(
        baseline, baseline, per_arm, settings.alpha, SIMULATED_EXPERIMENTS, rng
    )
    return {
        "simulated_experiments": SIMULATED_EXPERIMENTS,
        "simulated_power": power,
        "simulated_power_ci_low": float(low),
        "simulated_power_ci_high": float(high),
        "simulated_false_positive_rate": false_positives,
    }


def _days(total: int, daily: float) -> int | None:
    return math.ceil(total / daily) if daily > 0 else None


def plan(traffic: Traffic, settings: Settings) -> pd.DataFrame:
    """The plan rows: one per MDE of the grid, one for the longest feasible test.

    Without a usable baseline (:meth:`Traffic.missing`), one ``not_enough_data`` row
    that says why, and nothing computed.
    """
    baseline_start, baseline_end = traffic.baseline_window or (None, None)
    traffic_start, traffic_end = traffic.traffic_window or (None, None)
    sessions, conversions = traffic.baseline_sessions, traffic.baseline_conversions
    common: dict[str, Any] = {
        "status": PLANNED,
        "proposed_test": PROPOSED_TEST,
        "metric": METRIC,
        "eligible_traffic": ELIGIBLE_TRAFFIC,
        "randomisation_unit": RANDOMISATION_UNIT,
        "as_of_date": traffic.as_of_date,
        "baseline_window_start": baseline_start,
        "baseline_window_end": baseline_end,
        "baseline_sessions": sessions,
        "baseline_conversions": conversions,
        "alpha": settings.alpha,
        "power": POWER,
        "traffic_window_start": traffic_start,
        "traffic_window_end": traffic_end,
        "daily_eligible_sessions": traffic.daily_sessions,
        "max_test_days": MAX_TEST_DAYS,
        "is_feasible": False,
    }
    lacking = traffic.missing()
    if lacking is not None:
        row = dict.fromkeys(COLUMNS) | common
        row.update(
            plan_order=1,
            plan_id=NOT_ENOUGH_DATA,
            status=NOT_ENOUGH_DATA,
            note=missing.sentence(missing.AB_TEST_PLAN, lacking),
        )
        return pd.DataFrame([row], columns=list(COLUMNS), dtype=object)
    baseline = conversions / sessions
    low, high = proportion_confint(conversions, sessions, method="wilson")
    common.update(baseline_conversion_rate=baseline, baseline_ci_low=low, baseline_ci_high=high)
    rng = stream(settings.seed, "ab_test_plan")
    rows: list[dict[str, Any]] = []
    for mde in MDE_GRID:
        row = dict.fromkeys(COLUMNS) | common
        row.update(plan_id=f"mde_{round(mde * 100):02d}pct", scenario="fixed_effect")
        row["mde_relative"] = mde
        rows.append(row)
        treatment = baseline * (1 + mde)
        row.update(mde_absolute=treatment - baseline, treatment_conversion_rate=treatment)
        if treatment >= 1:
            row["note"] = f"A {mde:.0%} lift would take the rate to 100% or more."
            continue
        per_arm = sample_size_per_arm(baseline, treatment, settings.alpha, POWER)
        days = _days(2 * per_arm, traffic.daily_sessions)
        row.update(
            effect_size_h=float(proportion_effectsize(treatment, baseline)),
            sample_size_per_arm=per_arm,
            total_sample_size=2 * per_arm,
            days_needed=days,
            is_feasible=days is not None and days <= MAX_TEST_DAYS,
            **_simulations(baseline, treatment, per_arm, settings, rng),
        )
        row["note"] = _note(row)
    row = dict.fromkeys(COLUMNS) | common
    row.update(plan_id=f"max_{MAX_TEST_DAYS}_days", scenario="fixed_duration")
    rows.append(row)
    per_arm = math.floor(traffic.daily_sessions * MAX_TEST_DAYS / 2)
    detectable = detectable_rate(baseline, per_arm, settings.alpha, POWER)
    if detectable is None:
        row.update(sample_size_per_arm=per_arm, total_sample_size=2 * per_arm)
        row["note"] = (
            f"{MAX_TEST_DAYS} days of traffic ({per_arm:,} sessions per arm) cannot detect "
            "any lift with the power wanted."
        )
    else:
        row.update(
            mde_relative=detectable / baseline - 1,
            mde_absolute=detectable - baseline,
            treatment_conversion_rate=detectable,
            effect_size_h=float(proportion_effectsize(detectable, baseline)),
            sample_size_per_arm=per_arm,
            total_sample_size=2 * per_arm,
            days_needed=MAX_TEST_DAYS,
            is_feasible=True,
            **_simulations(baseline, detectable, per_arm, settings, rng),
        )
        row["note"] = _note(row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    frame["plan_order"] = range(1, len(frame) + 1)
    return frame


def _note(row: dict[str, Any]) -> str:
    per_arm = row["sample_size_per_arm"]
    lift = (
        f"a {row['mde_relative']:+.1%} lift ({row['baseline_conversion_rate']:.2%} -> "
        f"{row['treatment_conversion_rate']:.2%})"
    )
    check = (
        f"simulated power {row['simulated_power']:.3f} over {row['simulated_experiments']:,} "
        f"experiments, A/A false-positive rate {row['simulated_false_positive_rate']:.3f}"
    )
    if row["scenario"] == "fixed_duration":
        return (
            f"In {MAX_TEST_DAYS} days ({per_arm:,} sessions per arm) the test detects {lift} "
            f"with power {POWER:.0%}; {check}."
        )
    if row["days_needed"] is None:
        return f"{lift} needs {per_arm:,} sessions per arm, but there is no eligible traffic."
    verdict = (
        "feasible"
        if row["is_feasible"]
        else f"longer than {MAX_TEST_DAYS} days: not feasible as planned"
    )
    return (
        f"{lift[0].upper()}{lift[1:]} needs {per_arm:,} sessions per arm: "
        f"{row['days_needed']:,} days at {row['daily_eligible_sessions']:.1f} eligible "
        f"sessions a day, {verdict}; {check}."
    )


#: The last plausible day with a web session: as the as-of rule of the orders (macro
#: as_of_date), stray far-future dates (more than 31 days after the 99th percentile of
#: the session days) do not count.
_LAST_SESSION_DAY_SQL = """
with

days as (
    select session_date from core.fct_sessions where session_date is not null
),

plausible as (
    select percentile_disc(0.99) within group (order by session_date) as day_p99
    from days
)

select max(days.session_date) as last_day
from days
cross join plausible
where days.session_date <= plausible.day_p99 + interval '31 days'
"""


def read_as_of_date(warehouse: Warehouse) -> tuple[dt.date | None, str]:
    """The as-of date to plan from, and where it comes from.

    The build's (``intermediate.int_as_of_date``); when it has none (no order loaded), the day
    after the last plausible web session (far-future session dates do not count, as
    for the orders); None when there is no session either.
    """
    as_of = built_as_of_date(warehouse)
    if as_of is not None:
        return as_of, "intermediate.int_as_of_date"
    last = warehouse.frame(_LAST_SESSION_DAY_SQL)
    last_day = as_date(last["last_day"].iloc[0]) if len(last) else None
    if last_day is None:
        return None, "none: no order and no web session"
    return last_day + dt.timedelta(days=1), "the day after the last web session (no order loaded)"


def read_traffic(warehouse: Warehouse) -> Traffic:
    """Baseline and daily traffic of the eligible sessions, from core.fct_sessions."""
    as_of_date, as_of_source = read_as_of_date(warehouse)
    if as_of_date is None:
        return Traffic(None, 0, 0, 0.0, as_of_source)
    daily = warehouse.frame(
        "select session_date, count(*) as sessions, "
        "sum(case when is_converted then 1 else 0 end) as converted_sessions "
        f"from core.fct_sessions where landing_channel_group = '{TRAFFIC_SOURCE}' "
        "group by session_date"
    )
    days = pd.to_datetime(daily["session_date"]).dt.date
    sessions = daily["sessions"].astype(int)
    converted = daily["converted_sessions"].astype(int)
    baseline_start, baseline_end = as_of_date - dt.timedelta(days=BASELINE_DAYS), as_of_date
    traffic_start = as_of_date - dt.timedelta(days=TRAFFIC_DAYS)
    in_baseline = (days >= baseline_start) & (days < baseline_end)
    in_traffic = (days >= traffic_start) & (days < as_of_date)
    return Traffic(
        as_of_date=as_of_date,
        baseline_sessions=int(sessions[in_baseline].sum()),
        baseline_conversions=int(converted[in_baseline].sum()),
        daily_sessions=float(sessions[in_traffic].sum()) / TRAFFIC_DAYS,
        as_of_source=as_of_source,
    )


def summary_lines(
    frame: pd.DataFrame, as_of_source: str = "intermediate.int_as_of_date"
) -> list[str]:
    """The plan for people: baseline and traffic, then one line per row."""
    first = frame.iloc[0]
    if first["status"] == NOT_ENOUGH_DATA:
        return [f"A/B test plan: {first['note']}"]
    lines = [f"A/B test plan: {PROPOSED_TEST}."]
    if as_of_source != "intermediate.int_as_of_date":
        lines.append(f"  as of {first['as_of_date']}: {as_of_source}")
    if first["baseline_conversion_rate"] is not None:
        lines.append(
            f"  baseline {first['baseline_conversion_rate']:.2%} "
            f"[{first['baseline_ci_low']:.2%}, {first['baseline_ci_high']:.2%}] of "
            f"{first['baseline_sessions']:,} email sessions ({first['baseline_window_start']} "
            f"to {first['baseline_window_end']}); {first['daily_eligible_sessions']:.1f} eligible "
            f"sessions a day (last {TRAFFIC_DAYS} days); alpha {first['alpha']:g}, power "
            f"{POWER:.0%}, two-sided"
        )
    rows = frame.to_dict("records")
    for row in rows:
        marker = " (default)" if row["mde_relative"] == DEFAULT_MDE else ""
        lines.append(f"  {row['plan_id']}{marker}: {row['note']}")
    feasible = [
        f"{row['mde_relative']:.0%}"
        for row in rows
        if row["scenario"] == "fixed_effect" and row["is_feasible"]
    ]
    longest = next((row for row in rows if row["scenario"] == "fixed_duration"), None)
    if feasible:
        lines.append(
            f"  verdict: feasible within {MAX_TEST_DAYS} days for an MDE of {', '.join(feasible)}."
        )
    elif longest is not None and longest["mde_relative"] is not None:
        lines.append(
            f"  verdict: no planned MDE fits in {MAX_TEST_DAYS} days at this traffic; a "
            f"{MAX_TEST_DAYS}-day test only detects lifts of {longest['mde_relative']:.0%} or "
            "more: test a bolder change, or pool more traffic (every campaign's sessions)."
        )
    return lines


def run(warehouse: Warehouse, settings: Settings, results: dict[str, pd.DataFrame]) -> Outcome:
    """Plan the proposed test from the warehouse's sessions."""
    del results  # reads the marts only
    traffic = read_traffic(warehouse)
    frame = plan(traffic, settings)
    return Outcome(
        tables={"ab_test_plan": frame}, summary=summary_lines(frame, traffic.as_of_source)
    )
