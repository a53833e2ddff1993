"""Point-in-time kernels over events sorted by (key, time): one engine for a cohort or one case.

A :class:`Timeline` sorts events by an integer key (dyad, person, role) and time in
integer nanoseconds. Times are replaced by their rank among the distinct event times, so the
packed ``key * span + rank`` fits in int64 at any clock resolution and one ``searchsorted``
answers "how many events of this key strictly before x" for every query at once. Windows,
prefix sums, running maxima and slopes are then integer arithmetic on those positions, which
is why the batch path (a million queries) and the single-case path (one query over its own
few rows) give bit-identical results.

Every query is located at all its cuts (the key's start, the cut time, the cut minus each
window length) by one search over a stacked ``(rows, n)`` array, so the number of numpy calls
does not grow with the number of windows: that per-call overhead is what one case pays for.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Positions = npt.NDArray[np.signedinteger[Any]]  # int64 positions, or int32 counts used as such
NS_PER_DAY: Final[int] = 86_400 * 1_000_000_000
_MAX_SHIFT: Final[int] = 1 << 20
# Up to this many values, Python's sort beats numpy's per-call overhead (same result).
_TINY: Final[int] = 32


def days(n: int) -> int:
    """Return ``n`` days in nanoseconds."""
    return n * NS_PER_DAY


def sorted_ranks(values: IntArray) -> tuple[IntArray, IntArray]:
    """Return the sorted distinct values and each value's index among them (dense rank)."""
    if len(values) <= _TINY:
        distinct = np.array(sorted(set(values.tolist())), dtype=np.int64)
        ranks: IntArray = distinct.searchsorted(values)
        return distinct, ranks
    order = values.argsort(kind="stable")
    ordered = values[order]
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    dense = np.empty(len(values), dtype=np.int64)
    dense[order] = np.cumsum(new) - 1
    return ordered[new], dense


def dense_codes(*columns: IntArray) -> list[IntArray]:
    """Map several int64 key columns onto one dense code space 0..k-1 (equal in, equal out)."""
    stacked = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    _, inverse = sorted_ranks(stacked)
    bounds = [0, *accumulate(len(c) for c in columns)]
    return [inverse[bounds[i] : bounds[i + 1]] for i in range(len(columns))]


# Below this many queries, plain searchsorted beats re-ordering the queries first.
_SMALL: Final[int] = 4096


class Probe(NamedTuple):
    """Query keys and cut times, with orders that make each lookup a sorted, cache-friendly search.

    Results never depend on these orders; they only keep big searches from jumping around.
    (The kernels' small records are named tuples: one case builds a dozen, and a frozen
    dataclass costs several times more to construct.)
    """

    keys: IntArray
    at: IntArray
    by_time: IntArray | None
    by_key: IntArray | None

    @classmethod
    def of(cls, keys: IntArray, at: IntArray, by_time: IntArray | None = None) -> Probe:
        """Prepare queries (key, cut time); orders are computed only for large batches.

        ``by_time`` (an order that sorts ``at``, or each half of it: see :meth:`extend`) is
        reused when already known.
        """
        if len(at) < _SMALL:
            return cls(keys, at, None, None)
        if by_time is None:
            by_time = np.asarray(at.argsort(kind="stable"), dtype=np.int64)
        time_rank = np.empty(len(at), dtype=np.int64)
        time_rank[by_time] = np.arange(len(at), dtype=np.int64)
        by_key = np.asarray((keys * len(at) + time_rank).argsort(kind="stable"), dtype=np.int64)
        return cls(keys, at, by_time, by_key)

    def rekey(self, keys: IntArray) -> Probe:
        """Return a probe of other keys at the same cut times (reusing the time order)."""
        return Probe.of(keys, self.at, self.by_time)

    def extend(self, keys: IntArray) -> Probe:
        """Return these queries followed by the same cut times with other keys.

        The time order is the two halves' own (each half sorted), so it costs no new sort.
        """
        n, by_time = len(self.at), self.by_time
        twice = None if by_time is None else np.concatenate((by_time, by_time + n))
        keys = np.concatenate((self.keys, keys))
        return Probe.of(keys, np.concatenate((self.at, self.at)), twice)

    def search(self, sorted_values: IntArray, queries: IntArray, by: IntArray | None) -> IntArray:
        """Return ``searchsorted(sorted_values, queries)`` for queries of shape ``(..., n)``.

        Each row is searched in the query order ``by``.
        """
        if by is None:
            return sorted_values.searchsorted(queries)
        out = np.empty(queries.shape, dtype=np.int64)
        width = queries.shape[-1]
        for row, found in zip(queries.reshape(-1, width), out.reshape(-1, width), strict=True):
            found[by] = sorted_values.searchsorted(row[by])  # a row at a time: small temporaries
        return out

    def ranks(self, clock: IntArray, shifts: IntArray) -> IntArray:
        """Return each query's time ranks in ``clock``, shape ``(1 + len(shifts), n)``.

        ``shifts`` is a column ``(k, 1)``. Row 0 is zero (a key's first event); row ``1 + i``
        is the rank of ``at - shifts[i]``.
        """
        ranks = np.zeros((1 + len(shifts), len(self.at)), dtype=np.int64)
        ranks[1:] = self.search(clock, self.at - shifts, self.by_time)
        return ranks


class Timeline(NamedTuple):
    """Events sorted by (key, time, tiebreak) with their time ranks packed into one int64.

    ``packed // (span * width)`` is each sorted event's key; :meth:`sorted_values` puts any
    per-event column (times, values) in the sorted order.
    """

    order: IntArray
    clock: IntArray
    packed: IntArray
    span: int
    width: int

    @classmethod
    def build(
        cls,
        keys: IntArray,
        times: IntArray,
        tiebreak: IntArray | None = None,
        ranked: tuple[IntArray, IntArray] | None = None,
    ) -> Timeline:
        """Sort events by key, time and a small non-negative ``tiebreak`` among equal times.

        The tiebreak (e.g. severity) makes "the last event" independent of row order when
        several events share a time. ``ranked`` is ``sorted_ranks(times)`` if already known
        (timelines over the same times share their clock).
        """
        clock, ranks = sorted_ranks(times) if ranked is None else ranked
        span = len(clock) + 1
        packed = keys * span + ranks
        width = 1
        if tiebreak is not None and len(tiebreak):
            width = int(np.maximum.reduce(tiebreak)) + 1
            packed = packed * width + tiebreak
        order: IntArray = packed.argsort(kind="stable")
        return cls(order, clock, packed[order], span, width)

    def locate(self, probe: Probe, ranks: IntArray, key_add: int | IntArray = 0) -> IntArray:
        """Return each query's position at every row of ``ranks`` (from :meth:`Probe.ranks`).

        The position counts events of a lower key, or of the same key and a lower time rank:
        row 0 gives the key's first event, a cut's rank the events strictly before the cut.
        ``key_add`` is added to the probe's keys (a constant, or one per row as ``(rows, 1)``;
        a constant offset keeps the probe's key order).
        """
        query = ranks + probe.keys * self.span  # a new array: the rest is done in place
        if not isinstance(key_add, int) or key_add != 0:
            query += key_add * self.span
        if self.width != 1:
            query *= self.width
        if probe.by_key is None:  # the common small case, without one more call
            return self.packed.searchsorted(query)
        return probe.search(self.packed, query, probe.by_key)

    def sorted_values(self, values: IntArray) -> IntArray:
        """Return per-event values (last axis) in the timeline's sorted order."""
        return values[self.order] if values.ndim == 1 else values.take(self.order, axis=-1)


def prefix(values: IntArray) -> IntArray:
    """Return exclusive prefix sums along the last axis: ``out[..., i]`` sums the first ``i``."""
    out = np.zeros((*values.shape[:-1], values.shape[-1] + 1), dtype=np.int64)
    np.add.accumulate(values, axis=-1, out=out[..., 1:])  # cumsum, minus its per-call overhead
    return out


def window_sum(sums: IntArray, lo: IntArray, hi: IntArray) -> IntArray:
    """Return the sum of sorted values at positions ``lo..hi-1`` from prefix sums."""
    if sums.ndim == 1:  # plain indexing is the fast path for one dimension
        return sums[hi] - sums[lo]
    return sums.take(hi, axis=-1) - sums.take(lo, axis=-1)


def ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """Divide elementwise (as float64), giving NaN where the denominator is zero."""
    den = np.asarray(denominator)
    zero = den == 0
    out: FloatArray = np.true_divide(numerator, den + zero)
    out[zero] = np.nan
    return out


def last_value(
    values: IntArray, lo: Positions, hi: Positions
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Return the sorted value at ``hi-1`` and whether the window ``lo..hi-1`` is non-empty.

    Where the window is empty the value is meaningless (callers mask it with the flag).
    """
    return value_at(values, hi - 1), hi > lo


def running_max(
    tl: Timeline, values: IntArray, keys: IntArray, lo: IntArray, hi: IntArray
) -> FloatArray:
    """Return the maximum of values in ``0..2**20`` at ``lo..hi-1`` of each key (NaN if empty).

    ``lo`` must be the key's first position, so the running maximum over the whole sorted
    array (keys shifted into the high bits) never mixes keys.
    """
    shifted = tl.packed // (tl.span * tl.width) * _MAX_SHIFT + tl.sorted_values(values)
    cummax = np.maximum.accumulate(shifted) if len(shifted) else shifted
    last, found = last_value(cummax, lo, hi)
    return np.where(found, (last - keys * _MAX_SHIFT).astype(np.float64), np.nan)


def slope(sum_y: IntArray, sum_iy: IntArray, lo: IntArray, k: IntArray) -> FloatArray:
    """Least-squares slope of y on x = 0..k-1 from window sums of y and of (position * y).

    NaN where ``k < 2``. The slope is ``(k Sxy - Sx Sy) / (k Sxx - Sx**2)`` with ``Sx = k(k-1)/2``
    and ``k Sxx - Sx**2 = k**2 (k**2 - 1) / 12``; both integers are divided by ``k / 12`` first,
    which leaves the exact quotient, and so its float, unchanged.
    """
    sum_xy = sum_iy - lo * sum_y
    return ratio(6 * (2 * sum_xy - (k - 1) * sum_y), k * (k * k - 1))


def distinct_before(groups: IntArray) -> IntArray:
    """Return ``out[i]``: how many distinct values ``groups[:i]`` holds (prefix sums of firsts).

    ``out[hi] - out[lo]`` counts the values whose first occurrence lies in ``lo..hi-1``.
    """
    if len(groups) <= _TINY:
        seen: set[int] = set()
        counts = [0]
        for g in groups.tolist():
            seen.add(g)
            counts.append(len(seen))
        return np.array(counts, dtype=np.int64)
    first = np.zeros(len(groups), dtype=np.int64)
    first[np.unique(groups, return_index=True)[1]] = 1
    return prefix(first)


def value_at(values: IntArray, index: Positions) -> IntArray:
    """Return ``values[index]``; zeros if there are no values (callers mask those entries)."""
    return values[index] if len(values) else np.zeros(len(index), dtype=np.int64)
