"""The one feature computation: encoded arrays in, registry-ordered feature columns out.

Both :func:`features.history_batch.build_features` (a cohort) and
:func:`features.history_case.case_features` (one request) call :func:`compute`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from features.dash import QUESTION_IDS
from features.history_events import PersonHistory, criminal_history_features, separation_features
from features.history_incidents import Columns, Window, incident_features
from features.history_input import INCIDENT_FLAGS, AssessmentEvents, HistoryInput, Queries
from features.registry import FEATURES
from features.timeline import IntArray, Timeline, dense_codes, last_value, prefix, ratio, window_sum

Progress = Callable[[str], None]


def _dyad_codes(inp: HistoryInput) -> tuple[IntArray, IntArray, IntArray]:
    inc, ass, q = inp.incidents, inp.assessments, inp.queries
    people = (inc.victim, inc.perp, ass.victim, ass.perp, q.victim, q.perp)
    width = 1 + max(int(a.max(initial=0)) for a in people)
    codes = dense_codes(
        inc.victim * width + inc.perp, ass.victim * width + ass.perp, q.victim * width + q.perp
    )
    return codes[0], codes[1], codes[2]


def assessment_features(
    assessments: AssessmentEvents, queries: Queries, dyad_ass: IntArray, dyad_q: IntArray
) -> Columns:
    """Earlier DASH assessments of the same dyad: count, change in yes-count, share of fear."""
    tl = Timeline.build(dyad_ass, assessments.time, tiebreak=assessments.yes_count)
    past = Window.of(tl, dyad_q, queries.time)
    yes_now = queries.yes.sum(axis=1, dtype=np.int64)
    last_yes, found = last_value(past.tl.sorted_values(assessments.yes_count), past.lo, past.hi)
    q2_yes = window_sum(prefix(past.tl.sorted_values(assessments.q2_yes)), past.lo, past.hi)
    q2_known = window_sum(prefix(past.tl.sorted_values(assessments.q2_known)), past.lo, past.hi)
    return {
        "dash_yes_count_change": np.where(found, (yes_now - last_yes).astype(np.float64), np.nan),
        "prior_q2_yes_share": ratio(q2_yes, q2_known),
        "dyad_prior_assessments": past.ever(),
    }


def current_incident_features(queries: Queries) -> Columns:
    """Return the current incident's offence code, severity and flags."""
    out: Columns = {"offence_category": queries.offence, "severity": queries.severity}
    out |= {flag: queries.flags[flag] for flag in INCIDENT_FLAGS}
    return out


def dash_features(queries: Queries) -> Columns:
    """Encode DASH answers (1 yes, 0 no, NaN unknown), yes and unknown counts, officer grade."""
    encoded = np.where(queries.yes, 1.0, np.where(queries.no, 0.0, np.nan))
    out: Columns = {f"dash_{q}": encoded[:, i] for i, q in enumerate(QUESTION_IDS)}
    yes = queries.yes.sum(axis=1, dtype=np.int64)
    known = yes + queries.no.sum(axis=1, dtype=np.int64)
    out["dash_yes_count"] = yes
    out["dash_unknown_count"] = len(QUESTION_IDS) - known
    out["officer_grade"] = queries.grade
    return out


def _cast(columns: Columns) -> Columns:
    out: Columns = {}
    for feature in FEATURES:
        out[feature.name] = np.asarray(columns[feature.name], dtype=feature.dtype)
    return out


def compute(inp: HistoryInput, progress: Progress | None = None) -> Columns:
    """Compute every registered feature for every query, in registry order."""
    note = progress or (lambda _stage: None)
    q = inp.queries
    dyad_inc, dyad_ass, dyad_q = _dyad_codes(inp)
    note("incident history")
    columns = incident_features(inp.incidents, q, dyad_inc, dyad_q)
    note("earlier assessments")
    columns |= assessment_features(inp.assessments, q, dyad_ass, dyad_q)
    note("history events")
    history = PersonHistory.build(inp.events, q)
    columns |= separation_features(history)
    columns |= criminal_history_features(history)
    note("current incident and DASH")
    columns |= current_incident_features(q)
    columns |= dash_features(q)
    missing = {f.name for f in FEATURES} - set(columns)
    if missing:  # pragma: no cover - guarded by the registry tests
        raise KeyError(f"features without a kernel: {sorted(missing)}")
    return _cast(columns)
