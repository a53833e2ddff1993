"""Incident-history kernels: prior incidents and escalation, cut at the current incident's time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.history_input import IncidentEvents, Queries
from features.timeline import (
    FloatArray,
    IntArray,
    Probe,
    Timeline,
    days,
    distinct_first,
    last_value,
    prefix,
    ratio,
    running_max,
    slope,
    window_sum,
)

Columns = dict[str, IntArray | FloatArray]
SLOPE_LAST_N = 5


@dataclass(frozen=True)
class Window:
    """Where each query sits among its key's events: ``lo`` key start, ``hi`` before ``at``."""

    tl: Timeline
    probe: Probe
    lo: IntArray
    hi: IntArray

    @classmethod
    def of(cls, tl: Timeline, keys: IntArray, at: IntArray) -> Window:
        """Locate every query (key, cut time) in a timeline."""
        probe = Probe.of(keys, at)
        return cls(tl, probe, tl.start(probe), tl.before(probe))

    @property
    def at(self) -> IntArray:
        """Return each query's cut time."""
        return self.probe.at

    def ever(self) -> IntArray:
        """Count events of the key strictly before the cut."""
        return self.hi - self.lo

    def pos_ago(self, ns: int) -> IntArray:
        """Return the position of ``at - ns`` in the key's events."""
        return self.tl.before(self.probe, shift=ns)

    def last(self, ns: int) -> IntArray:
        """Count events in ``[at - ns, at)``."""
        return self.hi - self.pos_ago(ns)


def _prior_counts(dyad: Window, perp: Window, victim: Window, dyad_codes: IntArray) -> Columns:
    first = prefix(distinct_first(dyad_codes[perp.tl.order]))
    dyad_ever = dyad.ever()
    distinct = window_sum(first, perp.lo, perp.hi)
    last_time, found = last_value(dyad.tl.times, dyad.lo, dyad.hi)
    return {
        "dyad_incidents_30d": dyad.last(days(30)),
        "dyad_incidents_90d": dyad.last(days(90)),
        "dyad_incidents_365d": dyad.last(days(365)),
        "dyad_incidents_ever": dyad_ever,
        "perp_incidents_365d": perp.last(days(365)),
        "perp_incidents_ever": perp.ever(),
        "perp_other_victims_ever": distinct - (dyad_ever > 0).astype(np.int64),
        "victim_incidents_365d": victim.last(days(365)),
        "days_since_last_dyad_incident": np.where(
            found, (dyad.at - last_time) / float(days(1)), np.nan
        ),
    }


def _severity_trend(dyad: Window, severity: IntArray) -> Columns:
    sev = dyad.tl.sorted_values(severity)
    sums = prefix(sev)
    weighted = prefix(np.arange(len(sev), dtype=np.int64) * sev)
    lo_n = np.maximum(dyad.lo, dyad.hi - SLOPE_LAST_N)
    k = dyad.hi - lo_n
    trend = slope(window_sum(sums, lo_n, dyad.hi), window_sum(weighted, lo_n, dyad.hi), lo_n, k)
    mid = dyad.pos_ago(days(180))
    recent = ratio(window_sum(sums, mid, dyad.hi), dyad.hi - mid)
    earlier = ratio(window_sum(sums, dyad.lo, mid), mid - dyad.lo)
    return {
        "dyad_severity_slope_last5": np.where(k >= 2, trend, np.nan),
        "dyad_severity_recent_vs_earlier": recent - earlier,
    }


def _gap_ratio(dyad: Window) -> FloatArray:
    n = dyad.ever()
    last_time, found = last_value(dyad.tl.times, dyad.lo, dyad.hi)
    first_time, _ = last_value(dyad.tl.times, dyad.lo, dyad.lo + 1)
    since_last = (dyad.at - last_time).astype(np.float64)
    spread = (last_time - first_time).astype(np.float64)
    gap = ratio(since_last * (n - 1).astype(np.float64), spread)
    return np.where(found & (n >= 2), gap, np.nan)


def incident_features(
    incidents: IncidentEvents, queries: Queries, dyad_events: IntArray, dyad_queries: IntArray
) -> Columns:
    """Compute the prior-incident and incident-escalation features of every query."""
    at = queries.incident_time
    tl = Timeline.build(dyad_events, incidents.time, tiebreak=incidents.severity)
    dyad = Window.of(tl, dyad_queries, at)
    perp = Window.of(Timeline.build(incidents.perp, incidents.time), queries.perp, at)
    victim = Window.of(Timeline.build(incidents.victim, incidents.time), queries.victim, at)
    out = _prior_counts(dyad, perp, victim, dyad_events)
    c182, c365 = dyad.last(days(182)), dyad.last(days(365))
    out["dyad_rate_ratio_6m"] = (c182 + 1) / (c365 - c182 + 1).astype(np.float64)
    out |= _severity_trend(dyad, incidents.severity)
    top = running_max(dyad.tl, incidents.severity, dyad.probe.keys, dyad.lo, dyad.hi)
    out["severity_vs_prior_dyad_max"] = queries.severity - top
    out["dyad_gap_ratio"] = _gap_ratio(dyad)
    return out
