"""Rule inputs for a whole cohort at once, from the tables, with the as-of window kernels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from features.contracts import ContractError, ContractFailure
from features.dash import ANSWERS, QUESTION_IDS
from features.engine.asof import IntArray, to_seconds
from features.rules.config import SECONDS_PER_DAY, Thresholds
from features.rules.inputs import (
    CONVICTION_KINDS,
    INCIDENT_FLAGS,
    MARAC_KIND,
    ORDER_KIND,
    RuleInputs,
)
from features.rules.windows import Clock, Queries
from features.vocab import GRADES, OFFENCE_CATEGORIES

REQUIRED: dict[str, tuple[str, ...]] = {
    "dash_assessments": (
        "assessment_id", "incident_id", "completed_at", *QUESTION_IDS,
        "officer_grade", "referred_to_marac", "dvds_concern",
    ),
    "incidents": (
        "incident_id", "occurred_at", "victim_id", "perpetrator_id", "offence_category",
        "severity", *INCIDENT_FLAGS,
    ),
    "history_events": ("person_id", "event_date", "kind", "end_date"),
}  # fmt: skip


def _check_columns(tables: Mapping[str, pd.DataFrame]) -> None:
    failures = [
        ContractFailure(name, "-", column, "missing column", "")
        for name, columns in REQUIRED.items()
        for column in columns
        if name not in tables or column not in tables[name].columns
    ]
    if failures:
        raise ContractError(failures)


def codes(
    values: pd.Series, vocabulary: Sequence[str], table: str, row_ids: pd.Series
) -> npt.NDArray[np.int64]:
    """Return each value's position in ``vocabulary``, raising ContractError naming bad rows."""
    found = pc.index_in(pa.array(values, from_pandas=True), value_set=pa.array(list(vocabulary)))
    out = np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    bad = np.flatnonzero(out < 0)
    if len(bad):
        raise ContractError(
            [
                ContractFailure(
                    table, str(row_ids.iloc[i]), str(values.name),
                    f"must be one of {list(vocabulary)}", str(values.iloc[i]),
                )
                for i in bad
            ]
        )  # fmt: skip
    return out


def answer_counts(assessments: pd.DataFrame) -> tuple[IntArray, IntArray, IntArray]:
    """Count yes / don't-know / not-answered per assessment (bad answers raise ContractError)."""
    n = len(assessments)
    yes, dont_know, not_answered = (np.zeros(n, dtype=np.int64) for _ in range(3))
    ids = assessments["assessment_id"]
    yes_i, dk_i, na_i = (ANSWERS.index(a) for a in ("yes", "dont_know", "not_answered"))
    for q in QUESTION_IDS:
        c = codes(assessments[q], ANSWERS, "dash_assessments", ids)
        yes += c == yes_i
        dont_know += c == dk_i
        not_answered += c == na_i
    return yes, dont_know, not_answered


def _current_incidents(tables: Mapping[str, pd.DataFrame]) -> IntArray:
    assessments, incidents = tables["dash_assessments"], tables["incidents"]
    pos = pd.Index(incidents["incident_id"]).get_indexer(assessments["incident_id"])
    bad = np.flatnonzero(pos < 0)
    if len(bad):
        raise ContractError(
            [
                ContractFailure(
                    "dash_assessments", str(assessments["assessment_id"].iloc[i]), "incident_id",
                    "references a missing incidents.incident_id",
                    str(assessments["incident_id"].iloc[i]),
                )
                for i in bad
            ]
        )  # fmt: skip
    return np.asarray(pos, dtype=np.int64)


@dataclass(frozen=True)
class _Frame:
    """The columns the history inputs need, as integer codes and epoch seconds."""

    t: IntArray  # assessment completed_at
    cur: IntArray  # row of each assessment's incident in ``incidents``
    inc_t: IntArray
    inc_victim: IntArray
    inc_perp: IntArray
    inc_dyad: IntArray
    ev_person: IntArray
    ev_kind: IntArray
    ev_t: IntArray
    ev_end: IntArray
    ev_has_end: npt.NDArray[np.bool_]
    referred: npt.NDArray[np.bool_]


def _frame(tables: Mapping[str, pd.DataFrame], cur: IntArray) -> _Frame:
    a, inc, ev = tables["dash_assessments"], tables["incidents"], tables["history_events"]
    people = pd.concat(
        [inc["victim_id"], inc["perpetrator_id"], ev["person_id"]], ignore_index=True
    )
    person, _ = pd.factorize(people)
    person = person.astype(np.int64)
    m = len(inc)
    victim, perp = person[:m], person[m : 2 * m]
    dyad, _ = pd.factorize(victim * (int(person.max(initial=0)) + 1) + perp)
    has_end = ev["end_date"].notna().to_numpy()
    ends = np.zeros(len(ev), dtype=np.int64)
    ends[has_end] = to_seconds(ev["end_date"][has_end])
    return _Frame(
        t=to_seconds(a["completed_at"]),
        cur=cur,
        inc_t=to_seconds(inc["occurred_at"]),
        inc_victim=victim,
        inc_perp=perp,
        inc_dyad=dyad.astype(np.int64),
        ev_person=person[2 * m :],
        ev_kind=ev["kind"].to_numpy(dtype=object),
        ev_t=to_seconds(ev["event_date"]),
        ev_end=ends,
        ev_has_end=has_end,
        referred=a["referred_to_marac"].to_numpy(dtype=bool),
    )


def _in_window(f: _Frame, window: int) -> IntArray:
    """1 where the current incident itself lies in ``[t - window, t)`` (it is counted once)."""
    s = f.inc_t[f.cur]
    return ((s >= f.t - window) & (s < f.t)).astype(np.int64)


def _incident_counts(f: _Frame, clock: Clock, th: Thresholds) -> dict[str, IntArray]:
    dyad = clock.queries(f.inc_dyad[f.cur], f.t)
    victim = clock.queries(f.inc_victim[f.cur], f.t)
    d_idx, v_idx = clock.index(f.inc_dyad, f.inc_t), clock.index(f.inc_victim, f.inc_t)
    esc, third = th.esc_window_s, th.csc_third_window_s
    return {
        "dyad_incidents": clock.count(d_idx, dyad, esc) - _in_window(f, esc) + 1,
        "victim_incidents": clock.count(v_idx, victim, third) - _in_window(f, third) + 1,
        **_marac(f, clock, victim),
    }


def _marac(f: _Frame, clock: Clock, victim: Queries) -> dict[str, IntArray]:
    from_events = f.ev_kind == MARAC_KIND
    keys = np.concatenate([f.ev_person[from_events], f.inc_victim[f.cur][f.referred]])
    times = np.concatenate([f.ev_t[from_events], f.t[f.referred]])
    last = clock.last_before(clock.index(keys, times), victim)
    age = np.full(len(f.t), -1, dtype=np.int64)
    found = last >= 0
    age[found] = f.t[found] - times[last[found]]
    days = np.where(age >= 0, age // SECONDS_PER_DAY, -1)
    return {"marac_age_s": age, "marac_age_days": days.astype(np.int64)}


def _perpetrator(f: _Frame, clock: Clock) -> dict[str, Any]:
    perp = clock.queries(f.inc_perp[f.cur], f.t)
    conv = np.zeros(len(f.ev_kind), dtype=bool)
    for kind in sorted(CONVICTION_KINDS):
        conv |= f.ev_kind == kind
    orders = f.ev_kind == ORDER_KIND
    ended = orders & f.ev_has_end
    n_conv = clock.count(clock.index(f.ev_person[conv], f.ev_t[conv]), perp)
    started = clock.count(clock.index(f.ev_person[orders], f.ev_t[orders]), perp)
    stopped = clock.count(clock.index(f.ev_person[ended], f.ev_end[ended]), perp)
    return {"relevant_convictions": n_conv, "order_active": started - stopped > 0}


def table_inputs(tables: Mapping[str, pd.DataFrame], th: Thresholds) -> RuleInputs:
    """Compute the rule inputs of every assessment (arrays in assessment order)."""
    _check_columns(tables)
    a, inc = tables["dash_assessments"], tables["incidents"]
    yes, dont_know, not_answered = answer_counts(a)
    cur = _current_incidents(tables)
    f = _frame(tables, cur)
    clock = Clock.of(th, f.t, f.inc_t, f.ev_t, f.ev_end[f.ev_has_end])
    return RuleInputs(
        yes_count=yes,
        dont_know_count=dont_know,
        not_answered_count=not_answered,
        officer_rank=codes(a["officer_grade"], GRADES, "dash_assessments", a["assessment_id"]),
        dvds_concern=a["dvds_concern"].to_numpy(dtype=bool),
        offence_code=codes(
            inc["offence_category"], OFFENCE_CATEGORIES, "incidents", inc["incident_id"]
        )[cur],
        severity=inc["severity"].to_numpy(dtype=np.int64)[cur],
        **{flag: inc[flag].to_numpy(dtype=bool)[cur] for flag in INCIDENT_FLAGS},
        **_incident_counts(f, clock, th),
        **_perpetrator(f, clock),
    )
