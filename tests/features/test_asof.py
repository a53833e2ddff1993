from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from features.engine.asof import EventIndex

HORIZON = 1_000
times = st.integers(min_value=0, max_value=500)
keys = st.integers(min_value=0, max_value=4)
events = st.lists(st.tuples(keys, times), max_size=40)
queries = st.lists(st.tuples(keys, times), min_size=1, max_size=20)
windows = st.integers(min_value=0, max_value=HORIZON)


def _index(evts: list[tuple[int, int]]) -> EventIndex:
    k = np.array([e[0] for e in evts], dtype=np.int64)
    t = np.array([e[1] for e in evts], dtype=np.int64)
    return EventIndex.build(k, t, HORIZON, origin=0, latest=500)


def _arrays(qs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([q[0] for q in qs], dtype=np.int64), np.array(
        [q[1] for q in qs], dtype=np.int64
    )


@settings(max_examples=200, deadline=None)
@given(events, queries, windows)
def test_count_before_matches_brute_force(evts, qs, window) -> None:
    qk, qt = _arrays(qs)
    got = _index(evts).count_before(qk, qt, window, HORIZON)
    want = [sum(1 for k, t in evts if k == key and at - window <= t < at) for key, at in qs]
    assert got.tolist() == want


@settings(max_examples=200, deadline=None)
@given(events, queries, windows)
def test_count_after_matches_brute_force(evts, qs, window) -> None:
    qk, qt = _arrays(qs)
    got = _index(evts).count_after(qk, qt, window, HORIZON)
    want = [sum(1 for k, t in evts if k == key and at < t <= at + window) for key, at in qs]
    assert got.tolist() == want


@settings(max_examples=200, deadline=None)
@given(events, queries)
def test_last_before_finds_latest_earlier_event_of_same_key(evts, qs) -> None:
    qk, qt = _arrays(qs)
    got = _index(evts).last_before(qk, qt, HORIZON)
    for (key, at), pos in zip(qs, got.tolist(), strict=True):
        earlier = [t for k, t in evts if k == key and t < at]
        if not earlier:
            assert pos == -1
        else:
            assert evts[pos][0] == key and evts[pos][1] == max(earlier)
