"""History rule inputs of one case: the same channels, answered in plain Python.

One case holds a few rows, where numpy's per-call cost would dominate; each channel of
:data:`features.rules.history_specs.CHANNELS` is answered by a loop over the rows of its
kinds, with person ids compared as they are (the cohort compares their integer codes, which
are equal exactly when the ids are). The property tests check both interpreters agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from features.rules.config import Thresholds
from features.rules.history_specs import Channel, Source, channels, combine, window_ns
from features.rules.windows import to_ns

Row = tuple[Any, Any]  # (key, time in ns)


class _Rows(NamedTuple):
    """The case's rows as keyed, timed Python lists, events grouped by kind."""

    t: int
    queries: dict[str, Any]
    plain: dict[tuple[str, str], list[Row]]  # (table, key) for incidents and referrals
    events: dict[str, list[tuple[Any, Any, bool, int, int | None]]]  # kind -> rows
    sources: dict[Source, list[Row]]  # each source's rows, once read


def _case_rows(tables: Mapping[str, Any], cur: int) -> _Rows:
    a, inc, ev = tables["dash_assessments"], tables["incidents"], tables["history_events"]
    t = int(to_ns(a["completed_at"])[0])
    victims, perps = (
        np.asarray(inc["victim_id"]).tolist(),
        np.asarray(inc["perpetrator_id"]).tolist(),
    )
    times = to_ns(inc["occurred_at"]).tolist()
    v, p = victims[cur], perps[cur]
    dyads = list(zip(victims, perps, strict=True))
    referred = [(v, p, t)] if bool(np.asarray(a["referred_to_marac"])[0]) else []
    plain: dict[tuple[str, str], list[Row]] = {
        ("incidents", "dyad"): list(zip(dyads, times, strict=True)),
        ("incidents", "victim"): list(zip(victims, times, strict=True)),
        ("referred", "dyad"): [((rv, rp), rt) for rv, rp, rt in referred],
        ("referred", "victim"): [(rv, rt) for rv, _, rt in referred],
    }
    other = np.asarray(ev["counterpart_id"], dtype=object)
    named = (~pd.isna(other)).tolist()
    end = np.asarray(ev["end_date"])
    has_end = (~pd.isna(end)).tolist()
    known_ends = iter(to_ns(end[np.asarray(has_end, dtype=bool)]).tolist())
    ends = [next(known_ends) if h else None for h in has_end]
    events: dict[str, list[tuple[Any, Any, bool, int, int | None]]] = {}
    columns = (np.asarray(ev["kind"]).tolist(), np.asarray(ev["person_id"]).tolist(),
               other.tolist(), named, to_ns(ev["event_date"]).tolist(), ends)  # fmt: skip
    for kind, person, who, known, start, stop in zip(*columns, strict=True):
        events.setdefault(kind, []).append((person, who, known, start, stop))
    return _Rows(t, {"dyad": (v, p), "victim": v, "perp": p}, plain, events, {})


_KEYS: dict[str, Callable[[Any, Any], Any]] = {
    "person": lambda person, other: person,
    "referral": lambda person, other: (person, other),
    "conviction": lambda person, other: (other, person),
}


def _source_rows(rows: _Rows, source: Source) -> list[Row]:
    """Return the (key, time) of a source's rows."""
    if source.table != "events":
        return rows.plain[source.table, source.key]
    want = {"any": None, "named": True, "unnamed": False}[source.counterpart]
    key, at = _KEYS[source.key], 3 if source.time == "start" else 4
    return [
        (key(row[0], row[1]), row[at])
        for kind in source.kinds
        for row in rows.events.get(kind, ())
        if (want is None or row[2] == want) and row[at] is not None
    ]


def _cached_rows(rows: _Rows, source: Source) -> list[Row]:
    """Return a source's rows, computed once per case (channels share sources)."""
    if source not in rows.sources:
        rows.sources[source] = _source_rows(rows, source)
    return rows.sources[source]


@lru_cache(maxsize=64)
def _plan(th: Thresholds) -> tuple[tuple[Channel, int], ...]:
    """Return a version's channels with their windows (thresholds are resolved once)."""
    return tuple((ch, window_ns(ch, th)) for ch in channels(th))


def _answer(channel: Channel, window: int, rows: _Rows) -> int:
    """Answer one channel for the case's assessment."""
    q, t = rows.queries[channel.query], rows.t
    since = t - window
    before = [time for src in channel.sources for key, time in _cached_rows(rows, src)
              if key == q and time < t]  # fmt: skip
    if channel.reduce == "count":
        return sum(1 for time in before if time >= since)
    if channel.reduce == "total":
        return len(before)
    return t - max(before) if before else -1


def case_history(tables: Mapping[str, Any], cur: int, th: Thresholds) -> dict[str, Any]:
    """Return every history input of a one-assessment table set, as Python scalars."""
    rows = _case_rows(tables, cur)
    answers = {ch.name: _answer(ch, window, rows) for ch, window in _plan(th)}
    incident_t = int(to_ns(tables["incidents"]["occurred_at"])[cur])
    return combine(answers, rows.t, incident_t, th)
