"""The timeline kernels against brute force, in both the small and the re-ordered large mode."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.engine import timeline
from features.engine.timeline import (
    Probe,
    Timeline,
    dense_codes,
    distinct_before,
    prefix,
    running_max,
    slope,
    sorted_ranks,
    window_sum,
)

events = st.lists(
    st.tuples(st.integers(0, 4), st.integers(-50, 50), st.integers(0, 5)), max_size=60
)
queries = st.lists(st.tuples(st.integers(0, 5), st.integers(-60, 60)), min_size=1, max_size=30)


def _arrays(rows: list[tuple[int, ...]]) -> list[np.ndarray]:
    return [np.array(col, dtype=np.int64) for col in zip(*rows, strict=True)]


# (queries below which no search order is built, inputs up to which Python ranks them)
MODES = pytest.mark.parametrize("mode", [(4096, 32), (0, 0)], ids=["small", "large"])


@contextmanager
def _mode(mode: tuple[int, int]) -> Iterator[None]:
    old = timeline._SMALL, timeline._TINY
    timeline._SMALL, timeline._TINY = mode
    try:
        yield
    finally:
        timeline._SMALL, timeline._TINY = old


@MODES
@settings(max_examples=150, deadline=None)
@given(events=events, qs=queries, shift=st.integers(0, 40))
def test_positions_match_brute_force(mode: tuple[int, int], events, qs, shift: int) -> None:
    if not events:
        events = [(0, 0, 0)]
    k, t, v = _arrays(events)
    qk, qt = _arrays(qs)
    with _mode(mode):
        tl = Timeline.build(k, t, tiebreak=v)
        probe = Probe.of(qk, qt)
        lo, hi, mid = tl.locate(probe, probe.ranks(tl.clock, np.array([[0], [shift]])))
    for i, (key, at) in enumerate(qs):
        assert hi[i] - lo[i] == sum(1 for e in events if e[0] == key and e[1] < at)
        assert hi[i] - mid[i] == sum(1 for e in events if e[0] == key and at - shift <= e[1] < at)
    sev = tl.sorted_values(v)
    top = running_max(tl, v, qk, lo, hi)
    for i, (key, at) in enumerate(qs):
        earlier = [e[2] for e in events if e[0] == key and e[1] < at]
        assert (np.isnan(top[i]) and not earlier) or top[i] == max(earlier)
        assert window_sum(prefix(sev), lo[i : i + 1], hi[i : i + 1])[0] == sum(earlier)


@given(st.lists(st.integers(1, 5), min_size=2, max_size=12))
def test_slope_matches_polyfit(ys: list[int]) -> None:
    y = np.array(ys, dtype=np.int64)
    idx = np.arange(len(y), dtype=np.int64) + 7  # a window that does not start at zero
    got = slope(np.array([y.sum()]), np.array([(idx * y).sum()]), np.array([7]), np.array([len(y)]))
    assert got[0] == pytest.approx(np.polyfit(np.arange(len(y)), y, 1)[0], abs=1e-9)


@MODES
@settings(max_examples=100, deadline=None)
@given(events=events, qs=queries, shift=st.integers(0, 40))
def test_stacked_rows_and_keys_match_one_search_each(
    mode: tuple[int, int], events, qs, shift: int
) -> None:
    if not events:
        events = [(0, 0, 0)]
    k, t, v = _arrays(events)
    qk, qt = _arrays(qs)
    with _mode(mode):
        tl = Timeline.build(k, t, v, ranked=sorted_ranks(t))
        probe = Probe.of(qk, qt).rekey(qk + 1)  # other keys, same cut times and time order
        ranks = probe.ranks(tl.clock, np.array([[0], [shift]]))
        stacked = tl.locate(probe, ranks[[0, 1, 2, 1]], np.array([[0], [0], [0], [-1]]))
        alone = [tl.locate(probe, ranks[row : row + 1])[0] for row in range(3)]
        unshifted = tl.locate(Probe.of(qk, qt), ranks[1:2])[0]
    for row in range(3):
        assert (stacked[row] == alone[row]).all()
    assert (stacked[3] == unshifted).all()


@MODES
@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 5), max_size=70))
def test_ranks_and_distinct_counts_match_brute_force(
    mode: tuple[int, int], values: list[int]
) -> None:
    arr = np.array(values, dtype=np.int64)
    with _mode(mode):
        clock, ranks = sorted_ranks(arr)
        before = distinct_before(arr)
    assert clock.tolist() == sorted(set(values))
    assert ranks.tolist() == [clock.tolist().index(x) for x in values]
    assert before.tolist() == [len(set(values[:i])) for i in range(len(values) + 1)]


def test_dense_codes_are_consistent_across_columns() -> None:
    a, b = dense_codes(np.array([10, 5, 10]), np.array([5, 99]))
    assert a[0] == a[2] == 1 and a[1] == b[0] == 0 and b[1] == 2
