"""Vectorised as-of window kernels over (key, time) events: the shared engine of history lookups.

Events and queries carry an integer group key (e.g. a dyad or person code) and a time in
integer seconds. Keys and times are packed into one sortable int64 so a single
``searchsorted`` answers every query at once; the same functions serve one case (arrays of
a few rows) and a whole cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
SECONDS_PER_DAY = 86_400


def to_seconds(values: pd.Series | npt.NDArray[np.datetime64]) -> IntArray:
    """Convert datetimes to integer seconds since the epoch."""
    arr = values.to_numpy(dtype="datetime64[s]") if isinstance(values, pd.Series) else values
    return np.asarray(np.asarray(arr, dtype="datetime64[s]").astype(np.int64))


@dataclass(frozen=True)
class EventIndex:
    """Events sorted by (key, time), packed into one int64 per event for fast window counts."""

    packed: IntArray
    order: IntArray
    origin: int
    span: int

    @classmethod
    def build(
        cls, keys: IntArray, times: IntArray, horizon_seconds: int, *, origin: int, latest: int
    ) -> EventIndex:
        """Index events; ``origin``/``latest`` bound every event and query time used later."""
        span = latest - origin + 2 * horizon_seconds + 2
        packed = keys * span + (times - origin + horizon_seconds)
        order = np.argsort(packed, kind="stable")
        return cls(packed=packed[order], order=order, origin=origin, span=span)

    def _pack(self, keys: IntArray, times: IntArray, horizon_seconds: int) -> IntArray:
        return keys * self.span + (times - self.origin + horizon_seconds)

    def count_before(
        self, keys: IntArray, times: IntArray, window_seconds: int, horizon_seconds: int
    ) -> IntArray:
        """Count events of the same key with ``time - window <= t_event < time``."""
        hi = np.searchsorted(self.packed, self._pack(keys, times, horizon_seconds), side="left")
        lo = np.searchsorted(
            self.packed, self._pack(keys, times - window_seconds, horizon_seconds), side="left"
        )
        return np.asarray(hi - lo, dtype=np.int64)

    def count_after(
        self, keys: IntArray, times: IntArray, window_seconds: int, horizon_seconds: int
    ) -> IntArray:
        """Count events of the same key with ``time < t_event <= time + window``."""
        lo = np.searchsorted(self.packed, self._pack(keys, times, horizon_seconds), side="right")
        hi = np.searchsorted(
            self.packed, self._pack(keys, times + window_seconds, horizon_seconds), side="right"
        )
        return np.asarray(hi - lo, dtype=np.int64)

    def last_before(self, keys: IntArray, times: IntArray, horizon_seconds: int) -> IntArray:
        """Return the index of each query's latest earlier event of the same key, or -1."""
        if len(self.packed) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        pos = (
            np.searchsorted(self.packed, self._pack(keys, times, horizon_seconds), side="left") - 1
        )
        found = pos >= 0
        safe = np.where(found, pos, 0)
        same_key = found & ((self.packed[safe] // self.span) == keys)
        return np.where(same_key, self.order[safe], -1).astype(np.int64)
