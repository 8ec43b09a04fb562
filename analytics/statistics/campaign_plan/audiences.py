"""The target lists: expected responses and revenue, with simulated intervals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._stats import percentile_interval

#: Simulated campaigns of the target lists (audience intervals).
AUDIENCE_SIMULATIONS = 2000


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
        responses_interval=percentile_interval(responses, alpha),
        revenue=float((probability * worth).sum()),
        revenue_interval=percentile_interval(revenue, alpha),
    )
