"""Incident-history kernels: prior incidents and escalation, cut at the current incident's time."""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np

from features.engine.encoded import IncidentEvents, Queries
from features.engine.timeline import (
    FloatArray,
    IntArray,
    Probe,
    Timeline,
    days,
    distinct_before,
    prefix,
    ratio,
    running_max,
    slope,
    sorted_ranks,
    value_at,
    window_sum,
)

Columns = dict[str, IntArray | FloatArray]
SLOPE_LAST_N = 5
# The window lengths (ns) the dyad features read (the perpetrator's and victim's read the
# first): every query is located at its cut and at the start of each window by one search.
D30, D90, D180, D182, D365 = (days(n) for n in (30, 90, 180, 182, 365))
WINDOWS: Final[tuple[int, ...]] = (D365, D30, D90, D180, D182)
_SHIFTS: Final[IntArray] = np.array([0, *WINDOWS], dtype=np.int64)[:, None]
_AT_CUT: Final[IntArray] = _SHIFTS[:1]
_DAY: Final[float] = float(days(1))


class Window(NamedTuple):
    """Where each query sits among its key's events: ``lo`` key start, ``hi`` before ``at``.

    ``since[i]`` is the position of ``at - windows[i]`` and ``recent[i]`` the count of events
    in ``[at - windows[i], at)``; other lengths are searched when asked for.
    """

    tl: Timeline
    probe: Probe
    lo: IntArray
    hi: IntArray
    since: IntArray
    recent: IntArray
    windows: tuple[int, ...]

    @classmethod
    def of(cls, tl: Timeline, keys: IntArray, at: IntArray) -> Window:
        """Locate every query (key, cut time) in a timeline."""
        probe = Probe.of(keys, at)
        return cls.located(tl, probe, probe.ranks(tl.clock, _AT_CUT), ())

    @classmethod
    def located(
        cls, tl: Timeline, probe: Probe, ranks: IntArray, windows: tuple[int, ...]
    ) -> Window:
        """Locate every query at once; ``ranks`` rows are key start, cut, then ``windows``."""
        pos = tl.locate(probe, ranks[: 2 + len(windows)])
        lo, hi, since = pos[0], pos[1], pos[2:]
        return cls(tl, probe, lo, hi, since, hi - since, windows)

    @property
    def at(self) -> IntArray:
        """Return each query's cut time."""
        return self.probe.at

    def ever(self) -> IntArray:
        """Count events of the key strictly before the cut."""
        return self.hi - self.lo

    def pos_ago(self, ns: int) -> IntArray:
        """Return the position of ``at - ns`` in the key's events."""
        if ns in self.windows:
            pos: IntArray = self.since[self.windows.index(ns)]
            return pos
        ranks = self.probe.ranks(self.tl.clock, np.array([[ns]], dtype=np.int64))
        searched: IntArray = self.tl.locate(self.probe, ranks[1:])[0]
        return searched

    def last(self, ns: int) -> IntArray:
        """Count events in ``[at - ns, at)``."""
        if ns in self.windows:
            count: IntArray = self.recent[self.windows.index(ns)]
            return count
        return self.hi - self.pos_ago(ns)


def _windows(
    incidents: IncidentEvents, queries: Queries, dyad_events: IntArray, dyad_queries: IntArray
) -> tuple[Window, Window, Window]:
    """Locate the queries among the dyad's, the perpetrator's and the victim's incidents.

    The three timelines share one clock (the incident times) and so one search for the ranks.
    """
    ranked = sorted_ranks(incidents.time)
    probe = Probe.of(dyad_queries, queries.incident_time)
    ranks = probe.ranks(ranked[0], _SHIFTS)

    def person(keys: IntArray, query_keys: IntArray) -> Window:
        tl = Timeline.build(keys, incidents.time, ranked=ranked)
        return Window.located(tl, probe.rekey(query_keys), ranks, WINDOWS[:1])

    tl = Timeline.build(dyad_events, incidents.time, incidents.severity, ranked)
    dyad = Window.located(tl, probe, ranks, WINDOWS)
    return dyad, person(incidents.perp, queries.perp), person(incidents.victim, queries.victim)


def _prior_counts(
    dyad: Window, perp: Window, victim: Window, dyad_codes: IntArray, since_last: IntArray
) -> Columns:
    # The perpetrator's distinct dyads before the cut (the window starts at the key's start).
    distinct = window_sum(distinct_before(dyad_codes[perp.tl.order]), perp.lo, perp.hi)
    dyad_ever = dyad.ever()
    return {
        "dyad_incidents_30d": dyad.last(D30),
        "dyad_incidents_90d": dyad.last(D90),
        "dyad_incidents_365d": dyad.last(D365),
        "dyad_incidents_ever": dyad_ever,
        "perp_incidents_365d": perp.last(D365),
        "perp_incidents_ever": perp.ever(),
        "perp_other_victims_ever": distinct - np.minimum(dyad_ever, 1),
        "victim_incidents_365d": victim.last(D365),
        "days_since_last_dyad_incident": np.where(dyad_ever > 0, since_last / _DAY, np.nan),
    }


def _severity_trend(dyad: Window, severity: IntArray) -> Columns:
    sev = dyad.tl.sorted_values(severity)
    sums = prefix(sev)
    lo_n = np.maximum(dyad.lo, dyad.hi - SLOPE_LAST_N)
    k = dyad.hi - lo_n
    sum_iy = window_sum(prefix(np.arange(len(sev), dtype=np.int64) * sev), lo_n, dyad.hi)
    trend = slope(window_sum(sums, lo_n, dyad.hi), sum_iy, lo_n, k)  # NaN below 2 incidents
    # Mean severity before, and in, the last 180 days: the windows lo..mid and mid..hi.
    cuts = np.array((dyad.lo, dyad.pos_ago(D180), dyad.hi))
    earlier, recent = ratio(window_sum(sums, cuts[:-1], cuts[1:]), cuts[1:] - cuts[:-1])
    return {
        "dyad_severity_slope_last5": trend,
        "dyad_severity_recent_vs_earlier": recent - earlier,
    }


def _gap_ratio(
    dyad: Window, times: IntArray, last_time: IntArray, since_last: IntArray
) -> FloatArray:
    n = dyad.ever()
    spread = last_time - value_at(times, dyad.lo)
    gap = ratio(since_last.astype(np.float64) * (n - 1), spread)
    return np.where(n >= 2, gap, np.nan)


def incident_features(
    incidents: IncidentEvents, queries: Queries, dyad_events: IntArray, dyad_queries: IntArray
) -> Columns:
    """Compute the prior-incident and incident-escalation features of every query."""
    dyad, perp, victim = _windows(incidents, queries, dyad_events, dyad_queries)
    times = dyad.tl.sorted_values(incidents.time)
    last_time = value_at(times, dyad.hi - 1)  # the last incident's time, where there is one
    since_last = dyad.at - last_time
    out = _prior_counts(dyad, perp, victim, dyad_events, since_last)
    c182, c365 = dyad.last(D182), dyad.last(D365)
    out["dyad_rate_ratio_6m"] = (c182 + 1) / (c365 - c182 + 1)
    out |= _severity_trend(dyad, incidents.severity)
    top = running_max(dyad.tl, incidents.severity, dyad.probe.keys, dyad.lo, dyad.hi)
    out["severity_vs_prior_dyad_max"] = queries.severity - top
    out["dyad_gap_ratio"] = _gap_ratio(dyad, times, last_time, since_last)
    return out
