"""History rule inputs of a cohort: every channel answered for every assessment at once.

Incidents, history events and earlier MARAC referrals are looked up strictly before each
assessment's ``completed_at`` (``t``) as :data:`features.rules.history_specs.CHANNELS` states,
with :func:`features.rules.windows.lookup` on the features' timeline kernel, one lookup per
channel. (Stacking every channel under one key space and searching once costs less in numpy
calls but more in time on a large cohort: each search then runs over every channel's rows.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.engine.timeline import IntArray, dense_codes, value_at
from features.rules.config import Thresholds
from features.rules.history_specs import Channel, Source, channels, combine, window_ns
from features.rules.windows import lookup, to_ns

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Frame:
    """People and pairs as integer codes; incidents, events and assessments as arrays."""

    t: IntArray  # each assessment's completed_at
    keys: dict[tuple[str, str], IntArray]  # (table, key) -> per-row code
    queries: dict[str, IntArray]  # dyad / victim / perp of each assessment
    times: dict[tuple[str, str], IntArray]  # (table, "start" | "end") -> per-row ns
    kind: IntArray  # per event: code of its kind in kind_codes
    kind_codes: dict[Any, int]
    named: BoolArray  # per event: counterpart recorded
    has_end: BoolArray


def _frame(tables: Mapping[str, Any], cur: IntArray) -> _Frame:
    a, inc, ev = tables["dash_assessments"], tables["incidents"], tables["history_events"]
    other = np.asarray(ev["counterpart_id"], dtype=object)
    named = ~pd.isna(other)
    ids = [np.asarray(inc[c], dtype=object) for c in ("victim_id", "perpetrator_id")]
    people = np.concatenate([*ids, np.asarray(ev["person_id"], dtype=object), other[named]])
    code = pd.factorize(people)[0].astype(np.int64)
    m, k = len(ids[0]), len(other)
    victim, perp, person = code[:m], code[m : 2 * m], code[2 * m : 2 * m + k]
    counterpart = np.full(k, -1, dtype=np.int64)
    counterpart[named] = code[2 * m + k :]
    top = int(code.max(initial=0)) + 1
    pair, referral, conviction, query = dense_codes(
        victim * top + perp,
        np.where(named, person * top + counterpart, -1),
        np.where(named, counterpart * top + person, -1),
        victim[cur] * top + perp[cur],
    )  # fmt: skip
    end = np.asarray(ev["end_date"])
    has_end = ~pd.isna(end)
    ends = np.zeros(k, dtype=np.int64)
    ends[has_end] = to_ns(end[has_end])
    t = to_ns(a["completed_at"])
    kinds, kind_names = pd.factorize(np.asarray(ev["kind"], dtype=object))
    referred = np.asarray(a["referred_to_marac"]).astype(bool)
    return _Frame(
        t=t,
        keys={("incidents", "dyad"): pair, ("incidents", "victim"): victim,
              ("events", "person"): person, ("events", "referral"): referral,
              ("events", "conviction"): conviction, ("referred", "dyad"): query[referred],
              ("referred", "victim"): victim[cur][referred]},
        queries={"dyad": query, "victim": victim[cur], "perp": perp[cur]},
        times={("incidents", "start"): to_ns(inc["occurred_at"]),
               ("events", "start"): to_ns(ev["event_date"]), ("events", "end"): ends,
               ("referred", "start"): t[referred]},
        kind=kinds, kind_codes={k: i for i, k in enumerate(kind_names.tolist())},
        named=named, has_end=has_end,
    )  # fmt: skip


def _rows(f: _Frame, source: Source) -> tuple[IntArray, IntArray]:
    """Return the keys and times of a source's rows."""
    keys, times = f.keys[source.table, source.key], f.times[source.table, source.time]
    if source.table != "events":
        return keys, times
    mask = np.isin(f.kind, [f.kind_codes[k] for k in source.kinds if k in f.kind_codes])
    if source.counterpart != "any":
        mask &= f.named if source.counterpart == "named" else ~f.named
    if source.time == "end":
        mask &= f.has_end
    return keys[mask], times[mask]


def _answer(f: _Frame, channel: Channel, th: Thresholds) -> IntArray:
    """Answer one channel for every assessment with one timeline lookup."""
    rows = [_rows(f, source) for source in channel.sources]
    keys = np.concatenate([k for k, _ in rows]) if len(rows) > 1 else rows[0][0]
    times = np.concatenate([t for _, t in rows]) if len(rows) > 1 else rows[0][1]
    windows = (window_ns(channel, th),) if channel.window else ()
    found = lookup(keys, times, f.queries[channel.query], f.t, windows)
    if channel.reduce == "count":
        return found.count(0)
    if channel.reduce == "total":
        return found.total()
    last = found.last()
    return np.where(last >= 0, f.t - value_at(times, np.maximum(last, 0)), -1)


def channel_answers(f: _Frame, th: Thresholds) -> dict[str, IntArray]:
    """Answer every channel for every assessment (arrays in assessment order)."""
    return {channel.name: _answer(f, channel, th) for channel in channels(th)}


def history_inputs(tables: Mapping[str, Any], cur: IntArray, th: Thresholds) -> dict[str, Any]:
    """Return every history input of each assessment (arrays in assessment order)."""
    f = _frame(tables, cur)
    incident_t = f.times["incidents", "start"][cur]
    return combine(channel_answers(f, th), f.t, incident_t, th)
