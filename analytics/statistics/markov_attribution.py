"""Data-driven attribution: a first-order Markov chain over channel paths, removal effects.

The method (documented in ``models/marts/evidence/_markov_attribution__docs.md``):

- **Paths.** A converting path is the ordered channels of one conversion's touchpoints
  (``marts.attribution_touchpoints``, the touchpoints of one model: they are the same
  under every model), ending in ``conversion``. A non-converting path is a journey of
  sessions with a channel (``core.fct_sessions``) that are not a touchpoint of any
  conversion: a visitor's such sessions in start order, a journey taking every session
  that started within ``attribution_lookback_days`` (dbt var) of its first one, the next
  session starting the next journey; it ends in ``null``.
- **Chain.** States ``start``, the channels, ``conversion`` and ``null`` (absorbing);
  the transition probabilities are the observed transition counts of the paths divided
  by the counts out of each state (maximum likelihood). Repeated channels stay
  (a self-loop does not change where the chain is absorbed).
- **Removal effect.** P(conversion) is the probability of absorption in ``conversion``
  from ``start``, solved exactly from the fundamental matrix of the absorbing chain
  (``(I - Q) x = r``, SciPy's LU solver), not simulated. Removing a channel sends every
  transition into it to ``null``; its removal effect is
  ``1 - P(conversion without it) / P(conversion)``.
- **Credits.** The conversions are shared among the channels with at least one
  converting path in proportion to their removal effects, so that they add up to the
  number of conversions exactly (10 decimals, largest remainders); a channel that never
  appears on a converting path gets none (in a first-order chain it can reach a
  conversion through transitions of other journeys, an artefact the credit ignores).
- **Revenue.** The same chain carries the conversion revenue on the transitions into
  ``conversion`` (the mean revenue of the conversions whose path ends in that channel):
  the expected revenue per path is solved like P(conversion), the revenue removal effect
  is ``1 - E[revenue without the channel] / E[revenue]``, and the total conversion
  revenue is shared in proportion to those effects, to the cent exactly.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import linalg

from ..project import dbt_var
from ..warehouse import Warehouse
from . import missing
from .base import Outcome, Settings

#: The name of the model in marts.channel_attribution.
MODEL = "markov"
#: The heuristic model whose touchpoints give the converting paths (any model: the same).
TOUCHPOINT_MODEL = "linear"
#: The model the summary compares the credits with.
COMPARED_MODEL = "last_touch"
#: dbt var of the touchpoints' lookback window, and its default (dbt_project.yml).
LOOKBACK_VAR = "attribution_lookback_days"
DEFAULT_LOOKBACK_DAYS = 30
START = "start"
CONVERSION = "conversion"
NULL = "null"
#: Credits in units of 1e-10 (numeric(18, 10)), revenue in cents.
CREDIT_UNITS = 10**10
CENTS = 100

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ChannelPath:
    """One journey: its channels in order, whether it converted, and its revenue in cents."""

    channels: tuple[str, ...]
    converted: bool
    revenue_cents: int = 0


@dataclass(frozen=True)
class Chain:
    """A first-order absorbing Markov chain fitted on paths (maximum likelihood).

    ``transient`` is Q over the transient states ``(start, *channels)``; ``to_conversion``
    the probability of each transient state moving into ``conversion``; ``value`` the
    expected revenue that move brings (probability x mean revenue of the conversions
    entered from that state).
    """

    channels: tuple[str, ...]
    transient: FloatArray
    to_conversion: FloatArray
    value: FloatArray

    def absorption(self, rewards: FloatArray, removed: str | None = None) -> float:
        """Expected reward collected from ``start`` until absorption, without ``removed``.

        Solves ``(I - Q) x = rewards`` (x = what each state collects on the way to
        absorption); a removed channel collects nothing and passes nothing on, i.e. every
        transition into it ends in ``null``.
        """
        transient = self.transient.copy()
        collected = rewards.copy()
        if removed is not None:
            state = 1 + self.channels.index(removed)
            transient[state, :] = 0.0
            collected[state] = 0.0
        size = transient.shape[0]
        solution = linalg.solve(np.eye(size) - transient, collected)
        return float(solution[0])

    def conversion_probability(self, removed: str | None = None) -> float:
        """P(absorption in ``conversion`` from ``start``), optionally without a channel."""
        return self.absorption(self.to_conversion, removed)

    def expected_revenue(self, removed: str | None = None) -> float:
        """Expected conversion revenue (cents) per path, optionally without a channel."""
        return self.absorption(self.value, removed)


def fit_chain(paths: Iterable[ChannelPath]) -> Chain:
    """The maximum-likelihood chain of the paths (transition counts / counts out of a state)."""
    transitions: Counter[tuple[str, str]] = Counter()
    revenue_into_conversion: Counter[str] = Counter()
    for path in paths:
        if not path.channels:
            continue
        states = (START, *path.channels, CONVERSION if path.converted else NULL)
        transitions.update(itertools.pairwise(states))
        if path.converted:
            revenue_into_conversion[path.channels[-1]] += path.revenue_cents
    channels = tuple(sorted({state for pair in transitions for state in pair} - _SPECIAL))
    index = {state: position for position, state in enumerate((START, *channels))}
    size = len(index)
    counts = np.zeros((size, size))
    into_conversion = np.zeros(size)
    into_null = np.zeros(size)
    revenue = np.zeros(size)
    for (source, target), count in sorted(transitions.items()):
        row = index[source]
        if target == CONVERSION:
            into_conversion[row] += count
            revenue[row] = revenue_into_conversion[source]
        elif target == NULL:
            into_null[row] += count
        else:
            counts[row, index[target]] += count
    out = counts.sum(axis=1) + into_conversion + into_null
    out[out == 0] = 1.0  # only an unused start state (no paths): every row stays 0
    return Chain(
        channels=channels,
        transient=counts / out[:, None],
        to_conversion=into_conversion / out,
        value=revenue / out,
    )


_SPECIAL = frozenset({START, CONVERSION, NULL})


def removal_effects(chain: Chain) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Per channel: removal effect on conversions, on revenue, and P(conversion) without it.

    Effects are NaN when the chain never converts (or converts without revenue, for the
    revenue effect): there is nothing to remove.
    """
    probability = chain.conversion_probability()
    revenue = chain.expected_revenue()
    conversion_effects: dict[str, float] = {}
    revenue_effects: dict[str, float] = {}
    without: dict[str, float] = {}
    for channel in chain.channels:
        removed_probability = chain.conversion_probability(removed=channel)
        without[channel] = removed_probability
        conversion_effects[channel] = (
            _effect(removed_probability, probability) if probability > 0 else math.nan
        )
        revenue_effects[channel] = (
            _effect(chain.expected_revenue(removed=channel), revenue) if revenue > 0 else math.nan
        )
    return conversion_effects, revenue_effects, without


def _effect(removed: float, full: float) -> float:
    """``1 - removed / full``, kept within [0, 1] against floating-point noise."""
    return min(1.0, max(0.0, 1.0 - removed / full))


def apportion(total_units: int, weights: dict[str, float]) -> dict[str, int]:
    """``total_units`` split in proportion to ``weights`` in whole units, adding up exactly.

    Largest remainders: every key gets the floor of its exact share, the units left over
    go one each to the largest fractional parts (ties: key order). All weights zero (or
    no key): every key gets 0 and nothing is distributed.
    """
    keys = sorted(weights)
    weight_total = math.fsum(weights[key] for key in keys)
    if not keys or weight_total <= 0 or total_units == 0:
        return dict.fromkeys(keys, 0)
    exact = {key: total_units * weights[key] / weight_total for key in keys}
    units = {key: math.floor(exact[key]) for key in keys}
    left = total_units - sum(units.values())
    by_remainder = sorted(keys, key=lambda key: (-(exact[key] - units[key]), key))
    for key in by_remainder[:left]:
        units[key] += 1
    return units


@dataclass(frozen=True)
class Attribution:
    """The markov result: one row per channel, and the figures of the whole chain."""

    channels: pd.DataFrame
    conversion_probability: float
    total_paths: int
    total_conversions: int
    total_revenue_cents: int


def attribute(paths: Sequence[ChannelPath]) -> Attribution:
    """Markov credits per channel from the paths (pure: no warehouse)."""
    chain = fit_chain(paths)
    conversion_effects, revenue_effects, without = removal_effects(chain)
    converting = [path for path in paths if path.converted and path.channels]
    total_conversions = len(converting)
    total_revenue = sum(path.revenue_cents for path in converting)
    on_converting_paths = {channel for path in converting for channel in path.channels}
    eligible = {
        channel: (0.0 if math.isnan(effect) else effect)
        for channel, effect in conversion_effects.items()
        if channel in on_converting_paths
    }
    eligible_revenue = {
        channel: (0.0 if math.isnan(revenue_effects[channel]) else revenue_effects[channel])
        for channel in eligible
    }
    credits = apportion(total_conversions * CREDIT_UNITS, eligible)
    revenue_cents = apportion(total_revenue, eligible_revenue)
    if total_revenue and not any(revenue_cents.values()):
        # Revenue only on paths the revenue chain cannot tell apart: share it like conversions.
        revenue_cents = apportion(total_revenue, eligible)
    paths_with = Counter(channel for path in paths for channel in set(path.channels))
    converting_with = Counter(channel for path in converting for channel in set(path.channels))
    rows = []
    for channel in chain.channels:
        credit_units = credits.get(channel, 0)
        cents = revenue_cents.get(channel, 0)
        rows.append(
            {
                "channel": channel,
                "attributed_conversions": Decimal(credit_units).scaleb(-10),
                "attributed_revenue": Decimal(cents).scaleb(-2),
                "share_of_conversions": _share(credit_units, total_conversions * CREDIT_UNITS),
                "share_of_revenue": _share(cents, total_revenue),
                "removal_effect": _nan_to_none(conversion_effects[channel]),
                "revenue_removal_effect": _nan_to_none(revenue_effects[channel]),
                "conversion_probability_without_channel": without[channel],
                "paths": paths_with[channel],
                "converting_paths": converting_with[channel],
            }
        )
    return Attribution(
        channels=pd.DataFrame(rows, columns=_CHANNEL_COLUMNS),
        conversion_probability=chain.conversion_probability(),
        total_paths=sum(1 for path in paths if path.channels),
        total_conversions=total_conversions,
        total_revenue_cents=total_revenue,
    )


_CHANNEL_COLUMNS = [
    "channel",
    "attributed_conversions",
    "attributed_revenue",
    "share_of_conversions",
    "share_of_revenue",
    "removal_effect",
    "revenue_removal_effect",
    "conversion_probability_without_channel",
    "paths",
    "converting_paths",
]


def _share(part: int, whole: int) -> Decimal | None:
    """Part / whole at 4 decimals (half away from zero, as the marts round); None for 0."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


# --- paths from the warehouse -----------------------------------------------------------------


def lookback_days(project_dir: Path | None = None) -> int:
    """The dbt var ``attribution_lookback_days`` of dbt_project.yml (default 30).

    The project is found as :func:`analytics.project.dbt_var` finds it.
    """
    return int(dbt_var(LOOKBACK_VAR, DEFAULT_LOOKBACK_DAYS, project_dir))


def converting_paths(touchpoints: pd.DataFrame) -> list[ChannelPath]:
    """One path per conversion: its touchpoints' channels by position.

    ``touchpoints`` has conversion_key, touchpoint_position, channel, revenue_cents.
    """
    ordered = touchpoints.sort_values(["conversion_key", "touchpoint_position"], kind="stable")
    paths = []
    for _, rows in ordered.groupby("conversion_key", sort=True):
        paths.append(
            ChannelPath(
                channels=tuple(str(channel) for channel in rows["channel"]),
                converted=True,
                revenue_cents=int(rows["revenue_cents"].iloc[0]),
            )
        )
    return paths


def non_converting_paths(sessions: pd.DataFrame, lookback: int) -> list[ChannelPath]:
    """Journeys of the sessions that are no touchpoint: per visitor, windows of ``lookback`` days.

    ``sessions`` has visitor_key, session_key, session_start_at, channel. A visitor's
    sessions in start order (then session_key) form journeys: a journey takes every
    session that started at most ``lookback`` days after its first one; the next session
    starts the next journey.
    """
    if sessions.empty:
        return []
    ordered = sessions.assign(
        session_start_at=pd.to_datetime(sessions["session_start_at"])
    ).sort_values(["visitor_key", "session_start_at", "session_key"], kind="stable")
    window = pd.Timedelta(days=lookback)
    visitors = ordered["visitor_key"].to_numpy()
    starts = ordered["session_start_at"].to_numpy()
    channels = ordered["channel"].to_numpy()
    paths = []
    current: list[str] = []
    visitor: Any = None
    journey_start: Any = None
    for position in range(len(ordered)):
        new_visitor = visitors[position] != visitor
        if new_visitor or starts[position] - journey_start > window:
            if current:
                paths.append(ChannelPath(tuple(current), converted=False))
            current = []
            visitor = visitors[position]
            journey_start = starts[position]
        current.append(str(channels[position]))
    if current:
        paths.append(ChannelPath(tuple(current), converted=False))
    return paths


_TOUCHPOINTS_SQL = f"""
    select
        conversion_key,
        touchpoint_position,
        channel,
        cast(round(conversion_revenue * 100, 0) as bigint) as revenue_cents,
        conversion_at
    from marts.attribution_touchpoints
    where attribution_model = '{TOUCHPOINT_MODEL}'
"""

_SESSIONS_SQL = """
    select
        sessions.visitor_key,
        sessions.session_key,
        sessions.session_start_at,
        sessions.landing_traffic_source as channel
    from core.fct_sessions as sessions
    where
        sessions.landing_traffic_source is not null
        and not exists (
            select 1
            from marts.attribution_touchpoints as touchpoints
            where touchpoints.session_key = sessions.session_key
        )
"""


def _compared_shares(warehouse: Warehouse) -> dict[str, float]:
    frame = warehouse.frame(
        "select channel, share_of_conversions from marts.channel_attribution "
        f"where attribution_model = '{COMPARED_MODEL}'"
    )
    return {str(row.channel): float(row.share_of_conversions) for row in frame.itertuples()}


def run(warehouse: Warehouse, settings: Settings, results: dict[str, pd.DataFrame]) -> Outcome:
    """Markov attribution of the conversions of the warehouse: ``marts.markov_attribution``."""
    del settings, results  # deterministic, reads only the marts
    lookback = lookback_days()
    touchpoints = warehouse.frame(_TOUCHPOINTS_SQL)
    sessions = warehouse.frame(_SESSIONS_SQL)
    paths = converting_paths(touchpoints) + non_converting_paths(sessions, lookback)
    result = attribute(paths)
    latest: datetime | None = (
        pd.Timestamp(max(touchpoints["conversion_at"])).to_pydatetime()
        if len(touchpoints)
        else None
    )
    table = result.channels.assign(
        attribution_model=MODEL,
        total_paths=result.total_paths,
        total_conversions=result.total_conversions,
        total_revenue=Decimal(result.total_revenue_cents).scaleb(-2),
        conversion_probability=result.conversion_probability,
        latest_conversion_at=latest,
        lookback_days=lookback,
    )
    summary = _summary(result, _compared_shares(warehouse))
    return Outcome(tables={"markov_attribution": table}, summary=summary)


def _summary(result: Attribution, compared: dict[str, float]) -> list[str]:
    if result.total_conversions == 0:
        why = (
            "no web sessions with a traffic source and no conversions"
            if result.total_paths == 0
            else f"no conversions among the {result.total_paths:,} journeys"
        )
        return [f"Markov attribution: {missing.sentence(missing.MARKOV_ATTRIBUTION, why)}"]
    frame = result.channels
    lines = [
        f"Markov attribution (removal effect): {result.total_conversions:,} conversions over "
        f"{result.total_paths:,} paths, P(conversion) = {result.conversion_probability:.4f}."
    ]
    changes = sorted(
        (
            float(row.share_of_conversions or 0) - compared.get(str(row.channel), 0.0),
            str(row.channel),
            float(row.share_of_conversions or 0),
        )
        for row in frame.itertuples()
        if row.converting_paths
    )
    gains = [f"{c} {s:.1%} ({d * 100:+.1f} pts)" for d, c, s in reversed(changes) if d > 0.0005]
    losses = [f"{c} {s:.1%} ({d * 100:+.1f} pts)" for d, c, s in changes if d < -0.0005]
    lines.append(f"  vs {COMPARED_MODEL}, gain: " + (", ".join(gains) or "none"))
    lines.append(f"  vs {COMPARED_MODEL}, lose: " + (", ".join(losses) or "none"))
    return lines
