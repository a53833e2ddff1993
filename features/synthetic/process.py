"""The incident process: a piecewise-constant base intensity plus Hawkes offspring, all vectorised.

Design (exact and fast):

* Each dyad's base intensity ``lambda0(s)`` is a deterministic function of its latent state:
  ``exp(log_rate) * escalation(s) * separation(s)`` on ``[t0, end)`` and 0 elsewhere, where
  ``escalation`` steps up by ``escalation_rate_step`` at the onset and again
  ``escalation_step_days`` later, and ``separation`` is ``separation_boost`` for
  ``separation_boost_days`` after the separation, then ``post_separation_factor``. The
  function is constant between at most six breakpoints per dyad, so it is stored as five
  segments (start, end, rate, mark probability) per dyad.
* The index incident (first police record) happens at ``t0``; after it, base incidents are a
  Poisson process with intensity ``lambda0``: per segment a Poisson count and uniform times.
* A base incident is serious with probability ``pi(s)`` (a logistic function of
  dangerousness, escalation step and the raised post-separation period), constant per
  segment. Serious incidents are therefore a Poisson process with intensity ``pi * lambda0``.
  A base incident is violent with probability ``nu(s) = pi + (1 - pi) v(s)`` (``v`` a logistic
  function of dangerousness and escalation step): serious incidents are always violent, and
  one uniform draw decides both marks (serious below ``pi``, violent below ``nu``). Violent
  incidents are a Poisson process with intensity ``nu * lambda0``.
* Every incident (base or offspring) has ``Poisson(alpha)`` offspring after ``Exponential``
  delays of mean ``1/beta`` (intensity ``alpha * beta * exp(-beta (s - t_i))``), killed after
  the end of contact; offspring are repeats of lower severity, never serious or violent. Offspring
  are generated generation by generation over all dyads at once.

Hence, given the latent state and the incidents up to ``t``, exactly:
``P(no serious in (t, t+h]) = exp(-int pi lambda0)`` and
``P(no incident in (t, t+h]) = exp(-int lambda0 - alpha sum_i e^{-beta(t - t_i)}
(1 - e^{-beta(u - t)}))`` with ``u = min(t + h, end)`` (see :mod:`features.synthetic.oracle`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from features.synthetic.params import GeneratorParams
from features.synthetic.population import BoolArray, Dyads, FloatArray, IntArray

_FAR = 1.0e6  # days; stands in for "never" inside segment arithmetic


@dataclass(frozen=True)
class Segments:
    """Piecewise-constant base intensity per dyad: arrays of shape (n_dyads, 5)."""

    start: FloatArray
    stop: FloatArray
    rate: FloatArray
    mark: FloatArray
    violent: FloatArray


@dataclass(frozen=True)
class Events:
    """Simulated incidents sorted by (dyad, time): dyad index, time in days, marks."""

    dyad: IntArray
    time: FloatArray
    serious: BoolArray
    offspring: BoolArray
    violent: BoolArray


def escalation_level(d: Dyads, p: GeneratorParams, idx: IntArray, s: FloatArray) -> IntArray:
    """Return the escalation step (0, 1 or 2) of dyads ``idx`` at times ``s``."""
    onset = d.esc[idx]
    return np.asarray(
        (s >= onset).astype(np.int64) + (s >= onset + p.escalation_step_days), dtype=np.int64
    )


def separation_phase(d: Dyads, p: GeneratorParams, idx: IntArray, s: FloatArray) -> IntArray:
    """Return 0 before separation, 1 in the raised-risk period after it, 2 afterwards."""
    sep = d.sep[idx]
    return np.asarray(
        (s >= sep).astype(np.int64) + (s >= sep + p.separation_boost_days), dtype=np.int64
    )


def intensity(
    d: Dyads, p: GeneratorParams, idx: IntArray, s: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return the base intensity and the serious and violent mark probabilities at ``s``."""
    esc = escalation_level(d, p, idx, s)
    phase = separation_phase(d, p, idx, s)
    sep_factor = np.array([1.0, p.separation_boost, p.post_separation_factor])[phase]
    alive = (s >= d.t0[idx]) & (s < d.end[idx])
    rate = np.exp(d.log_rate[idx]) * p.escalation_rate_step**esc * sep_factor * alive
    logit = (
        p.serious_logit
        + p.danger_on_serious * d.danger[idx]
        + p.escalation_on_serious * esc
        + p.separation_on_serious * (phase == 1)
    )
    serious = 1.0 / (1.0 + np.exp(-logit))
    other = p.violent_logit + p.danger_on_violent * d.danger[idx] + p.escalation_on_violent * esc
    violent = serious + (1.0 - serious) / (1.0 + np.exp(-other))
    return rate, serious, violent


def segments(d: Dyads, p: GeneratorParams) -> Segments:
    """Cut each dyad's base intensity into constant segments between its breakpoints."""
    lo, hi = d.t0[:, None], np.minimum(d.end, _FAR)[:, None]
    points = np.column_stack(
        [
            d.t0,
            d.esc,
            d.esc + p.escalation_step_days,
            d.sep,
            d.sep + p.separation_boost_days,
            np.minimum(d.end, _FAR),
        ]
    )
    points = np.sort(np.clip(np.minimum(points, _FAR), lo, hi), axis=1)
    start, stop = points[:, :-1], points[:, 1:]
    idx = np.repeat(np.arange(d.n, dtype=np.int64), start.shape[1])
    mid = ((start + stop) / 2).ravel()
    rate, mark, violent = intensity(d, p, idx, mid)
    shape = start.shape
    return Segments(start, stop, rate.reshape(shape), mark.reshape(shape), violent.reshape(shape))


def _base_events(
    d: Dyads, seg: Segments, rng: np.random.Generator
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """Return dyad, time and both mark probabilities of base incidents after the index one."""
    length = np.clip(np.minimum(seg.stop, d.horizon) - seg.start, 0.0, None)
    counts = rng.poisson(seg.rate * length).ravel()
    cell = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    times = seg.start.ravel()[cell] + rng.random(cell.size) * length.ravel()[cell]
    dyad = cell // seg.start.shape[1]
    return dyad, times, seg.mark.ravel()[cell], seg.violent.ravel()[cell]


def _offspring(
    d: Dyads, p: GeneratorParams, dyad: IntArray, time: FloatArray, rng: np.random.Generator
) -> tuple[IntArray, FloatArray]:
    """Return all descendants of the given incidents, generation by generation."""
    out_dyad, out_time = [], []
    limit = np.minimum(d.end, d.horizon)
    while dyad.size:
        k = rng.poisson(p.offspring_mean, dyad.size)
        dyad = np.repeat(dyad, k)
        time = np.repeat(time, k) + rng.exponential(p.offspring_delay_days, dyad.size)
        keep = time < limit[dyad]
        dyad, time = dyad[keep], time[keep]
        out_dyad.append(dyad)
        out_time.append(time)
    return np.concatenate(out_dyad), np.concatenate(out_time)


def _to_seconds(days: FloatArray) -> FloatArray:
    return np.asarray(np.round(days * 86_400.0) / 86_400.0, dtype=np.float64)


def simulate_events(
    d: Dyads, p: GeneratorParams, seg: Segments, rng: np.random.Generator
) -> Events:
    """Simulate every dyad's incidents over the observation period (index, base, offspring)."""
    all_idx = np.arange(d.n, dtype=np.int64)
    _, mark0, violent0 = intensity(d, p, all_idx, d.t0)
    b_dyad, b_time, b_mark, b_violent = _base_events(d, seg, rng)
    dyad = np.concatenate([all_idx, b_dyad])
    time = np.concatenate([d.t0, b_time])
    u = rng.random(dyad.size)
    serious = u < np.concatenate([mark0, b_mark])
    violent = u < np.concatenate([violent0, b_violent])
    o_dyad, o_time = _offspring(d, p, dyad, time, rng)
    dyad = np.concatenate([dyad, o_dyad])
    time = _to_seconds(np.concatenate([time, o_time]))
    serious = np.concatenate([serious, np.zeros(o_dyad.size, dtype=bool)])
    violent = np.concatenate([violent, np.zeros(o_dyad.size, dtype=bool)])
    offspring = np.concatenate(
        [np.zeros(serious.size - o_dyad.size, bool), np.ones(o_dyad.size, bool)]
    )
    order = np.lexsort((time, dyad))
    return Events(dyad[order], time[order], serious[order], offspring[order], violent[order])


def within_dyad_rank(dyad: IntArray) -> IntArray:
    """Return each event's position within its dyad (events sorted by dyad)."""
    n = dyad.size
    first = np.ones(n, dtype=bool)
    first[1:] = dyad[1:] != dyad[:-1]
    starts = np.flatnonzero(first)
    group_start = starts[np.cumsum(first) - 1]
    return np.asarray(np.arange(n) - group_start, dtype=np.int64)


def cumulative_before(flag: npt.NDArray[np.bool_], dyad: IntArray) -> IntArray:
    """Count earlier flagged events of the same dyad (events sorted by dyad and time)."""
    c = np.cumsum(flag.astype(np.int64)) - flag
    rank = within_dyad_rank(dyad)
    base = c[np.arange(dyad.size) - rank]
    return np.asarray(c - base, dtype=np.int64)
