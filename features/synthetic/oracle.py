"""The oracle: true 365-day probabilities for every assessment, from the process's own formulas.

For an assessment completed at ``t`` (days) on dyad ``k`` with incidents ``t_i <= t``:

* ``p_serious_harm_365d = 1 - exp(-sum_seg overlap(seg, (t, t+365]) * rate * mark)``: serious
  incidents are a Poisson process with piecewise-constant intensity ``pi * lambda0``;
* ``p_repeat_violent_365d`` likewise with the violent intensity ``nu * lambda0`` (offspring
  are never violent);
* ``p_repeat_365d = 1 - exp(-(int lambda0 + alpha * H(t) * (1 - exp(-beta (u - t)))))`` with
  ``H(t) = sum_{t_i <= t} exp(-beta (t - t_i))`` and ``u = min(t + 365, end)``: on the event of
  no incident in the window, no new offspring arise, so the compensator is exactly this.

Both are exact given the simulated latent state (see :mod:`features.synthetic.process`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.labels import OUTCOME_DAYS
from features.synthetic.params import GeneratorParams
from features.synthetic.population import Dyads, FloatArray, IntArray
from features.synthetic.process import Events, Segments, within_dyad_rank


@dataclass(frozen=True)
class OracleProbabilities:
    """True probabilities per assessment, in the order of the assessments given."""

    p_serious: FloatArray
    p_repeat: FloatArray
    p_violent: FloatArray


def _segment_integrals(
    seg: Segments, dyad: IntArray, t: FloatArray, horizon: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return int lambda0, int pi*lambda0 and int nu*lambda0 over (t, t + horizon] per query."""
    start, stop = seg.start[dyad], seg.stop[dyad]
    lo = np.maximum(start, t[:, None])
    hi = np.minimum(stop, (t + horizon)[:, None])
    overlap = np.clip(hi - lo, 0.0, None)
    rate = seg.rate[dyad]
    mass = overlap * rate
    return (
        mass.sum(axis=1),
        (mass * seg.mark[dyad]).sum(axis=1),
        (mass * seg.violent[dyad]).sum(axis=1),
    )


def decayed_counts(events: Events, beta: float) -> FloatArray:
    """Return ``H_i = sum_{j <= i, same dyad} exp(-beta (t_i - t_j))`` for sorted events."""
    rank = within_dyad_rank(events.dyad)
    h = np.ones(events.time.size)
    gap = np.zeros(events.time.size)
    gap[1:] = np.diff(events.time)
    decay = np.exp(-beta * gap)
    for r in range(1, int(rank.max(initial=0)) + 1):
        at = np.flatnonzero(rank == r)
        h[at] = 1.0 + decay[at] * h[at - 1]
    return h


def _last_event_at_or_before(events: Events, dyad: IntArray, t: FloatArray) -> IntArray:
    """Return the index of each query's latest event of the same dyad with time <= t."""
    span = float(events.time.max(initial=0.0)) + 2.0 * OUTCOME_DAYS + 2.0
    packed = events.dyad * span + events.time
    pos = np.searchsorted(packed, dyad * span + t, side="right") - 1
    return np.asarray(pos, dtype=np.int64)


def oracle_probabilities(
    d: Dyads,
    p: GeneratorParams,
    seg: Segments,
    events: Events,
    query: tuple[IntArray, FloatArray],
) -> OracleProbabilities:
    """Return the true 365-day serious-harm, repeat and violent-repeat probabilities per query."""
    dyad, t = query
    beta = 1.0 / p.offspring_delay_days
    base, serious, violent = _segment_integrals(seg, dyad, t, float(OUTCOME_DAYS))
    h = decayed_counts(events, beta)
    last = _last_event_at_or_before(events, dyad, t)
    h_t = h[last] * np.exp(-beta * (t - events.time[last]))
    u = np.minimum(t + OUTCOME_DAYS, d.end[dyad])
    kernel = p.offspring_mean * h_t * (1.0 - np.exp(-beta * np.clip(u - t, 0.0, None)))
    return OracleProbabilities(
        p_serious=-np.expm1(-serious),
        p_repeat=-np.expm1(-(base + kernel)),
        p_violent=-np.expm1(-violent),
    )
