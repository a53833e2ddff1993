"""The one feature computation: encoded arrays in, registry-ordered feature columns out.

Both :func:`features.engine.batch.build_features` (a cohort) and
:func:`features.engine.single_case.case_features` (one request) call :func:`compute`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np

from features.dash import QUESTION_IDS
from features.engine.encoded import INCIDENT_FLAGS, AssessmentEvents, HistoryInput, Queries
from features.engine.event_history import (
    PersonHistory,
    criminal_history_features,
    separation_features,
)
from features.engine.incident_history import Columns, Window, incident_features
from features.engine.registry import FEATURES
from features.engine.timeline import (
    IntArray,
    Timeline,
    last_value,
    prefix,
    ratio,
    sorted_ranks,
    window_sum,
)

Progress = Callable[[str], None]
# DASH answer code (2 * yes + no) -> encoded answer: unknown, no, yes (yes wins over no).
_ANSWER_VALUE: Final = np.array([np.nan, 0.0, 1.0, 1.0])
_DASH_NAMES: Final[tuple[str, ...]] = tuple(f"dash_{q}" for q in QUESTION_IDS)
_DTYPES: Final[tuple[tuple[str, np.dtype[Any]], ...]] = tuple(
    (f.name, np.dtype(f.dtype)) for f in FEATURES
)
_NAMES: Final[frozenset[str]] = frozenset(f.name for f in FEATURES)


def _dyad_codes(inp: HistoryInput) -> tuple[IntArray, IntArray, IntArray]:
    inc, ass, q = inp.incidents, inp.assessments, inp.queries
    victims = np.concatenate((inc.victim, ass.victim, q.victim))
    perps = np.concatenate((inc.perp, ass.perp, q.perp))
    # victim * width + perp is injective and ordered for any width above every perp code
    width = 1 + int(np.maximum.reduce(perps, initial=0))
    _, codes = sorted_ranks(victims * width + perps)
    a, b = len(inc.victim), len(inc.victim) + len(ass.victim)
    return codes[:a], codes[a:b], codes[b:]


def _yes_count(queries: Queries) -> IntArray:
    count: IntArray = np.add.reduce(queries.yes, axis=1, dtype=np.int64)  # .sum(), minus a layer
    return count


def assessment_features(
    assessments: AssessmentEvents, queries: Queries, dyad_ass: IntArray, dyad_q: IntArray
) -> Columns:
    """Earlier DASH assessments of the same dyad: count, change in yes-count, share of fear."""
    tl = Timeline.build(dyad_ass, assessments.time, tiebreak=assessments.yes_count)
    past = Window.of(tl, dyad_q, queries.time)
    last_yes, found = last_value(tl.sorted_values(assessments.yes_count), past.lo, past.hi)
    q2 = np.array((assessments.q2_yes, assessments.q2_known), dtype=np.int64)
    q2_yes, q2_known = window_sum(prefix(tl.sorted_values(q2)), past.lo, past.hi)
    return {
        "dash_yes_count_change": np.where(
            found, (_yes_count(queries) - last_yes).astype(np.float64), np.nan
        ),
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
    code = queries.yes.view(np.uint8) * 2 + queries.no.view(np.uint8)
    out: Columns = dict(zip(_DASH_NAMES, _ANSWER_VALUE[code].T, strict=True))
    yes = _yes_count(queries)
    known = yes + np.add.reduce(queries.no, axis=1, dtype=np.int64)
    out["dash_yes_count"] = yes
    out["dash_unknown_count"] = len(QUESTION_IDS) - known
    out["officer_grade"] = queries.grade
    return out


def _cast(columns: Columns) -> Columns:
    out: Columns = {}
    try:
        for name, dtype in _DTYPES:
            column = columns[name]
            out[name] = column if column.dtype is dtype else np.asarray(column, dtype=dtype)
    except KeyError:  # pragma: no cover - guarded by the registry tests
        missing = sorted(_NAMES.difference(columns))
        raise KeyError(f"features without a kernel: {missing}") from None
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
    del history  # a cohort's history counts are large: free them before the DASH columns
    note("current incident and DASH")
    columns |= current_incident_features(q)
    columns |= dash_features(q)
    return _cast(columns)  # raises KeyError naming any registered feature without a kernel
