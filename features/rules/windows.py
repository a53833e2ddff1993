"""As-of window counts for many queries at once, on :class:`features.engine.asof.EventIndex`.

Queries are sorted by (key, time) once per key kind: ``searchsorted`` with sorted needles walks
the index in order instead of jumping at random, several times faster on a million rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.engine.asof import EventIndex, IntArray
from features.rules.config import Thresholds


@dataclass(frozen=True)
class Queries:
    """Query keys and times sorted by (key, time), with the permutation that sorted them."""

    keys: IntArray
    times: IntArray
    order: IntArray

    def unsort(self, values: IntArray) -> IntArray:
        """Return per-query values in the original query order."""
        out = np.empty_like(values)
        out[self.order] = values
        return out


@dataclass(frozen=True)
class Clock:
    """Bounds shared by every index so one horizon covers every window and all history."""

    origin: int
    latest: int
    horizon: int

    @classmethod
    def of(cls, th: Thresholds, *times: IntArray) -> Clock:
        """Return a clock spanning every given time and long enough for every window."""
        present = [t for t in times if len(t)]
        origin = min(int(t.min()) for t in present)
        latest = max(int(t.max()) for t in present)
        windows = (th.esc_window_s, th.rpt_window_s, th.csc_third_window_s)
        return cls(origin, latest, max(latest - origin + 1, *windows))

    def index(self, keys: IntArray, times: IntArray) -> EventIndex:
        """Index events by (key, time)."""
        return EventIndex.build(keys, times, self.horizon, origin=self.origin, latest=self.latest)

    def queries(self, keys: IntArray, times: IntArray) -> Queries:
        """Sort queries by (key, time) for fast lookups."""
        order = np.argsort(keys * (self.latest - self.origin + 1) + (times - self.origin))
        return Queries(keys[order], times[order], order.astype(np.int64))

    def count(self, idx: EventIndex, q: Queries, window: int | None = None) -> IntArray:
        """Count events of each query's key in ``[t - window, t)`` (all history if no window)."""
        span = self.horizon if window is None else window
        return q.unsort(idx.count_before(q.keys, q.times, span, self.horizon))

    def last_before(self, idx: EventIndex, q: Queries) -> IntArray:
        """Return the event index of each query's latest earlier event of its key, or -1."""
        return q.unsort(idx.last_before(q.keys, q.times, self.horizon))
