"""Point-in-time kernels over events sorted by (key, time): one engine for a cohort or one case.

A :class:`Timeline` sorts events by an integer key (dyad, person, person-and-kind) and time in
integer nanoseconds. Times are replaced by their rank among the distinct event times, so the
packed ``key * span + rank`` fits in int64 at any clock resolution and one ``searchsorted``
answers "how many events of this key strictly before x" for every query at once. Windows,
prefix sums, running maxima and slopes are then integer arithmetic on those positions, which
is why the batch path (a million queries) and the single-case path (one query over its own
few rows) give bit-identical results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
NS_PER_DAY: Final[int] = 86_400 * 1_000_000_000
_MAX_SHIFT: Final[int] = 1 << 20


def days(n: int) -> int:
    """Return ``n`` days in nanoseconds."""
    return n * NS_PER_DAY


def _sorted_ranks(values: IntArray) -> tuple[IntArray, IntArray]:
    """Return the sorted distinct values and each value's index among them (dense rank)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.cumsum(new) - 1
    return ordered[new], ranks


def dense_codes(*columns: IntArray) -> list[IntArray]:
    """Map several int64 key columns onto one dense code space 0..k-1 (equal in, equal out)."""
    stacked = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    _, inverse = _sorted_ranks(stacked)
    bounds = np.cumsum([0, *(len(c) for c in columns)])
    return [inverse[bounds[i] : bounds[i + 1]] for i in range(len(columns))]


# Below this many queries, plain searchsorted beats re-ordering the queries first.
_SMALL: Final[int] = 4096


@dataclass(frozen=True)
class Probe:
    """Query keys and cut times, with orders that make each lookup a sorted, cache-friendly search.

    Results never depend on these orders; they only keep big searches from jumping around.
    """

    keys: IntArray
    at: IntArray
    by_time: IntArray | None
    by_key: IntArray | None

    @classmethod
    def of(cls, keys: IntArray, at: IntArray) -> Probe:
        """Prepare queries (key, cut time); orders are computed only for large batches."""
        if len(at) < _SMALL:
            return cls(keys, at, None, None)
        by_time = np.argsort(at, kind="stable")
        time_rank = np.empty(len(at), dtype=np.int64)
        time_rank[by_time] = np.arange(len(at), dtype=np.int64)
        by_key = np.argsort(keys * len(at) + time_rank, kind="stable")
        return cls(keys, at, by_time, by_key)

    def search(self, sorted_values: IntArray, queries: IntArray, by: IntArray | None) -> IntArray:
        """Return ``searchsorted(sorted_values, queries)``, searching in the order ``by``."""
        if by is None:
            return sorted_values.searchsorted(queries)
        out = np.empty(len(queries), dtype=np.int64)
        out[by] = sorted_values.searchsorted(queries[by])
        return out


@dataclass(frozen=True)
class Timeline:
    """Events sorted by (key, time, tiebreak) with their time ranks packed into one int64."""

    keys: IntArray
    times: IntArray
    order: IntArray
    clock: IntArray
    packed: IntArray
    span: int
    width: int

    @classmethod
    def build(cls, keys: IntArray, times: IntArray, tiebreak: IntArray | None = None) -> Timeline:
        """Sort events by key, time and a small non-negative ``tiebreak`` among equal times.

        The tiebreak (e.g. severity) makes "the last event" independent of row order when
        several events share a time.
        """
        clock, ranks = _sorted_ranks(times)
        span = len(clock) + 1
        width = 1 if tiebreak is None or len(tiebreak) == 0 else int(tiebreak.max()) + 1
        packed = (keys * span + ranks) * width
        if tiebreak is not None:
            packed = packed + tiebreak
        order = np.argsort(packed, kind="stable").astype(np.int64)
        return cls(keys[order], times[order], order, clock, packed[order], span, width)

    def before(self, probe: Probe, shift: int = 0, key_add: int = 0) -> IntArray:
        """Return each query's position: events of a lower key, or same key and time < cut.

        The cut is ``probe.at - shift`` and the key ``probe.keys + key_add`` (a constant
        offset keeps the probe's key order).
        """
        rank = probe.search(self.clock, probe.at - shift, probe.by_time)
        query = ((probe.keys + key_add) * self.span + rank) * self.width
        return probe.search(self.packed, query, probe.by_key)

    def start(self, probe: Probe, key_add: int = 0) -> IntArray:
        """Return the sorted position of each query key's first event."""
        query = (probe.keys + key_add) * self.span * self.width
        return probe.search(self.packed, query, probe.by_key)

    def sorted_values(self, values: npt.NDArray[np.int64]) -> IntArray:
        """Return per-event values in the timeline's sorted order."""
        return np.asarray(values[self.order], dtype=np.int64)


def prefix(values: IntArray) -> IntArray:
    """Return exclusive prefix sums: ``out[i]`` is the sum of the first ``i`` values."""
    out = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=out[1:])
    return out


def window_sum(sums: IntArray, lo: IntArray, hi: IntArray) -> IntArray:
    """Return the sum of sorted values at positions ``lo..hi-1`` from prefix sums."""
    return np.asarray(sums[hi] - sums[lo], dtype=np.int64)


def ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """Divide elementwise, giving NaN where the denominator is zero."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    safe = np.where(den == 0, 1.0, den)
    return np.where(den == 0, np.nan, num / safe)


def last_value(
    values: IntArray, lo: IntArray, hi: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Return the sorted value at ``hi-1`` and whether the window ``lo..hi-1`` is non-empty."""
    found = hi > lo
    if len(values) == 0:
        return np.zeros(len(hi), dtype=np.int64), found
    idx = np.where(found, hi - 1, 0)
    return np.asarray(values[idx], dtype=np.int64), found


def running_max(
    tl: Timeline, values: IntArray, keys: IntArray, lo: IntArray, hi: IntArray
) -> FloatArray:
    """Return the maximum of values in ``0..2**20`` at ``lo..hi-1`` of each key (NaN if empty).

    ``lo`` must be the key's first position, so the running maximum over the whole sorted
    array (keys shifted into the high bits) never mixes keys.
    """
    shifted = tl.keys * _MAX_SHIFT + tl.sorted_values(values)
    cummax = np.maximum.accumulate(shifted) if len(shifted) else shifted
    last, found = last_value(cummax, lo, hi)
    return np.where(found, (last - keys * _MAX_SHIFT).astype(np.float64), np.nan)


def slope(sum_y: IntArray, sum_iy: IntArray, lo: IntArray, k: IntArray) -> FloatArray:
    """Least-squares slope of y on x = 0..k-1 from window sums of y and of (position * y)."""
    sum_xy = sum_iy - lo * sum_y
    sum_x = k * (k - 1) // 2
    sum_xx = (k - 1) * k * (2 * k - 1) // 6
    return ratio(k * sum_xy - sum_x * sum_y, k * sum_xx - sum_x * sum_x)


def distinct_first(groups: IntArray) -> IntArray:
    """Flag (1) the first occurrence of each value in ``groups``, in order; 0 elsewhere."""
    flags = np.zeros(len(groups), dtype=np.int64)
    if len(groups):
        _, first = np.unique(groups, return_index=True)
        flags[first] = 1
    return flags
