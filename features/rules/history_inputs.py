"""History rule inputs: counts and ages of earlier incidents and events, as of each assessment.

Incidents, history events and earlier MARAC referrals are looked up strictly before the
assessment's ``completed_at`` (``t``), by the victim, the perpetrator or the pair of them
(the dyad), with :func:`features.rules.windows.lookup` on the features' timeline kernel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.engine.timeline import IntArray, dense_codes
from features.rules.config import NS_PER_DAY, Thresholds
from features.rules.windows import lookup, to_ns
from features.vocab import PERIOD_KINDS

CONVICTION_KINDS: Final[tuple[str, ...]] = ("da_conviction", "violent_conviction")
ORDER_KIND: Final[str] = "licence_or_community_order"
MARAC_KIND: Final[str] = "marac_referral"
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Frame:
    """People as integer codes; incidents, events and assessments as arrays."""

    t: IntArray  # each assessment's completed_at
    cur: IntArray  # row of each assessment's incident
    victim: IntArray  # per incident
    perp: IntArray  # per incident
    inc_t: IntArray
    person: IntArray  # per event
    other: IntArray  # per event: counterpart code, -1 if not recorded
    kind: npt.NDArray[np.object_]
    ev_t: IntArray
    ev_end: IntArray
    has_end: BoolArray
    referred: BoolArray  # per assessment

    def events(self, *kinds: str) -> BoolArray:
        """Return the mask of events of the given kinds."""
        return np.isin(self.kind, list(kinds))


def _frame(tables: Mapping[str, Any], cur: IntArray) -> _Frame:
    a, inc, ev = tables["dash_assessments"], tables["incidents"], tables["history_events"]
    other = np.asarray(ev["counterpart_id"], dtype=object)
    known = ~pd.isna(other)
    ids = [
        np.asarray(inc["victim_id"], dtype=object),
        np.asarray(inc["perpetrator_id"], dtype=object),
    ]
    people = np.concatenate([*ids, np.asarray(ev["person_id"], dtype=object), other[known]])
    person = pd.factorize(people)[0].astype(np.int64)
    m, k = len(ids[0]), len(other)
    counterpart = np.full(k, -1, dtype=np.int64)
    counterpart[known] = person[2 * m + k :]
    end = np.asarray(ev["end_date"])
    has_end = ~pd.isna(end)
    ends = np.zeros(k, dtype=np.int64)
    ends[has_end] = to_ns(end[has_end])
    return _Frame(
        t=to_ns(a["completed_at"]), cur=cur, victim=person[:m], perp=person[m : 2 * m],
        inc_t=to_ns(inc["occurred_at"]), person=person[2 * m : 2 * m + k], other=counterpart,
        kind=np.asarray(ev["kind"], dtype=object), ev_t=to_ns(ev["event_date"]), ev_end=ends,
        has_end=has_end, referred=np.asarray(a["referred_to_marac"]).astype(bool),
    )  # fmt: skip


def _age(f: _Frame, times: IntArray, last: IntArray) -> dict[str, IntArray]:
    """Return ages (ns and whole days) of each query's found event, -1 where none."""
    found = last >= 0
    age = np.full(len(f.t), -1, dtype=np.int64)
    age[found] = f.t[found] - times[last[found]]
    days = np.where(found, age // NS_PER_DAY, -1).astype(np.int64)
    return {"ns": age, "days": days}


def _in_window(f: _Frame, window: int) -> IntArray:
    """1 where the current incident itself lies in ``[t - window, t)`` (it is counted once)."""
    s = f.inc_t[f.cur]
    return ((s >= f.t - window) & (s < f.t)).astype(np.int64)


def _incident_counts(f: _Frame, th: Thresholds, dyads: IntArray) -> dict[str, IntArray]:
    v, d = f.victim[f.cur], dyads[f.cur]
    esc, third = th.esc_window_ns, th.csc_third_window_ns
    by_dyad = lookup(dyads, f.inc_t, d, f.t, (esc,)).count(0)
    by_victim = lookup(f.victim, f.inc_t, v, f.t, (third,)).count(0)
    return {
        "dyad_incidents": by_dyad - _in_window(f, esc) + 1,
        "victim_incidents": by_victim - _in_window(f, third) + 1,
    }


def _marac(f: _Frame, pair: IntArray, ev_pair: IntArray, q_pair: IntArray) -> dict[str, Any]:
    """Last MARAC referral of the dyad, of the victim without a perpetrator, and of any kind."""
    marac = f.events(MARAC_KIND)
    named, unnamed = marac & (f.other >= 0), marac & (f.other < 0)
    v = f.victim[f.cur]
    times = np.concatenate([f.ev_t[named], f.t[f.referred]])
    keys = np.concatenate([ev_pair[named], pair[f.cur][f.referred]])
    dyad = _age(f, times, lookup(keys, times, q_pair, f.t).last())
    alone = _age(f, f.ev_t[unnamed], lookup(f.person[unnamed], f.ev_t[unnamed], v, f.t).last())
    every_t = np.concatenate([f.ev_t[marac], f.t[f.referred]])
    every_k = np.concatenate([f.person[marac], f.victim[f.cur][f.referred]])
    every = _age(f, every_t, lookup(every_k, every_t, v, f.t).last())
    return {
        "marac_age_ns": dyad["ns"], "marac_age_days": dyad["days"],
        "marac_victim_age_ns": alone["ns"], "marac_victim_age_days": alone["days"],
        "marac_any_age_ns": every["ns"], "marac_any_age_days": every["days"],
    }  # fmt: skip


def _convictions(f: _Frame, th: Thresholds, ev_pair: IntArray, q_pair: IntArray) -> IntArray:
    """Count the perpetrator's DA or violent convictions that the DVDS rule counts."""
    conv = f.events(*CONVICTION_KINDS)
    p, w = f.perp[f.cur], th.dvds_unspent_ns
    if not th.dvds_other_victims_only:  # rules v1: every conviction, any victim, any age
        return lookup(f.person[conv], f.ev_t[conv], p, f.t).total()
    known = conv & (f.other >= 0)
    n_known = lookup(f.person[known], f.ev_t[known], p, f.t, (w,)).count(0)
    same = lookup(ev_pair[known], f.ev_t[known], q_pair, f.t, (w,)).count(0)
    return np.asarray(n_known - same, dtype=np.int64)


def _either(f: _Frame, mask: BoolArray, times: IntArray, window: int) -> IntArray:
    """Count events of ``mask`` (at ``times``) of the victim or perpetrator in the window."""
    count = np.zeros(len(f.t), dtype=np.int64)
    for who in (f.victim[f.cur], f.perp[f.cur]):
        count += lookup(f.person[mask], times, who, f.t, (window,)).count(0)
    return count


def _triggers(f: _Frame, th: Thresholds) -> dict[str, Any]:
    v, w = f.victim[f.cur], th.trigger_ns
    release = f.events("release_from_custody")
    rel = _age(f, f.ev_t[release], lookup(f.person[release], f.ev_t[release], f.perp[f.cur],
                                          f.t).last())  # fmt: skip
    periods = f.events(*sorted(PERIOD_KINDS))
    ended = periods & f.has_end
    changes = _either(f, periods, f.ev_t[periods], w) + _either(f, ended, f.ev_end[ended], w)
    contact = f.events("child_contact_proceedings")
    mine = {k: f.events(k) for k in ("new_relationship", "separation", "csc_referral")}
    per_victim = {k: lookup(f.person[m], f.ev_t[m], v, f.t, (w,)) for k, m in mine.items()}
    csc = mine["csc_referral"]
    referral = _age(f, f.ev_t[csc], per_victim["csc_referral"].last())
    return {
        "release_age_ns": rel["ns"], "release_age_days": rel["days"],
        "order_changes": changes,
        "contact_proceedings": _either(f, contact, f.ev_t[contact], w),
        "new_relationships": per_victim["new_relationship"].count(0),
        "separations": per_victim["separation"].count(0),
        "csc_referral_age_ns": referral["ns"], "csc_referral_age_days": referral["days"],
    }  # fmt: skip


def _order_active(f: _Frame) -> BoolArray:
    orders = f.events(ORDER_KIND)
    ended = orders & f.has_end
    p = f.perp[f.cur]
    started = lookup(f.person[orders], f.ev_t[orders], p, f.t).total()
    stopped = lookup(f.person[ended], f.ev_end[ended], p, f.t).total()
    return np.asarray(started - stopped > 0, dtype=bool)


def history_inputs(tables: Mapping[str, Any], cur: IntArray, th: Thresholds) -> dict[str, Any]:
    """Return every history input of each assessment (arrays in assessment order)."""
    f = _frame(tables, cur)
    top = int(max(f.victim.max(initial=0), f.perp.max(initial=0), f.person.max(initial=0))) + 1
    known = f.other >= 0
    pair, referral, conviction, query = dense_codes(
        f.victim * top + f.perp,
        np.where(known, f.person * top + f.other, -1),  # a referral: victim, then perpetrator
        np.where(known, f.other * top + f.person, -1),  # a conviction: perpetrator, then victim
        f.victim[f.cur] * top + f.perp[f.cur],
    )
    return {
        **_incident_counts(f, th, pair),
        **_marac(f, pair, referral, query),
        "relevant_convictions": _convictions(f, th, conviction, query),
        "order_active": _order_active(f),
        **_triggers(f, th),
    }
