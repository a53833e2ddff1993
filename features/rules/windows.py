"""As-of window lookups for the rule inputs, on the features' timeline kernel.

Every lookup asks, per query (a key and a cut time ``t`` in nanoseconds), about the events of
the same key strictly before ``t``: how many lie in ``[t - window, t)`` and which was the
latest. :class:`features.engine.timeline.Timeline` answers all queries and windows with one
search, the same kernel the features use. (One case's few rows are looked up in plain
Python: :mod:`features.rules.history_scalar`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from features.engine.timeline import IntArray, Probe, Timeline


def to_ns(values: Any) -> IntArray:
    """Convert datetimes (datetime64, Timestamps or ISO strings) to epoch nanoseconds."""
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(pd.Series(arr, dtype=object)).to_numpy(dtype="datetime64[ns]")
    return np.asarray(arr.astype("datetime64[ns]").astype(np.int64))


@dataclass(frozen=True)
class Lookup:
    """Each query's position among its key's events: at the key's start, at ``t``, at cuts."""

    start: IntArray
    at: IntArray
    cuts: tuple[IntArray, ...]
    order: IntArray  # sorted position -> event row

    def count(self, i: int) -> IntArray:
        """Count events in ``[t - windows[i], t)``."""
        return np.asarray(self.at - self.cuts[i], dtype=np.int64)

    def total(self) -> IntArray:
        """Count every event of the key before ``t``."""
        return np.asarray(self.at - self.start, dtype=np.int64)

    def last(self) -> IntArray:
        """Return the row of each query's latest event before ``t`` (ties: any), or -1."""
        found = self.at > self.start
        if not len(self.order):
            return np.full(len(self.at), -1, dtype=np.int64)
        rows = self.order[np.maximum(self.at - 1, 0)]
        return np.where(found, rows, -1).astype(np.int64)


def lookup(
    event_keys: IntArray,
    event_times: IntArray,
    query_keys: IntArray,
    query_times: IntArray,
    windows: Sequence[int] = (),
) -> Lookup:
    """Locate every query among the events of its key, at ``t`` and at ``t - window``."""
    tl = Timeline.build(np.asarray(event_keys, dtype=np.int64), event_times)
    probe = Probe.of(np.asarray(query_keys, dtype=np.int64), query_times)
    shifts = np.array([0, *windows], dtype=np.int64).reshape(-1, 1)
    pos = tl.locate(probe, probe.ranks(tl.clock, shifts))
    return Lookup(pos[0], pos[1], tuple(pos[2:]), tl.order)
