"""Single-case path: one :class:`~features.case.Case` -> encoded arrays -> the shared kernels.

Rows dated at or after the cut are ignored by the kernels themselves, so a case carrying
later history still gets the same features (serving should still reject it with
:func:`features.case.validate_case`).
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.case import Case
from features.dash import QUESTION_IDS
from features.engine.compute import compute
from features.engine.config import FeatureConfig
from features.engine.encoded import (
    GRADE_CODE,
    INCIDENT_FLAGS,
    KIND_CODE,
    OFFENCE_CODE,
    HistoryInput,
    IncidentEvents,
    PersonEvents,
    Queries,
    assessment_events,
)
from features.engine.registry import feature_names
from features.engine.timeline import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]

_EMPTY = np.zeros(0, dtype=np.int64)
_NAT: Final[int] = int(np.iinfo(np.int64).min)
_DATETIME_NS: Final = np.dtype("datetime64[ns]")
_ANSWERS: Final = itemgetter(*QUESTION_IDS)
_FLAGS: Final = itemgetter(*INCIDENT_FLAGS)


def _ns_array(values: npt.ArrayLike) -> IntArray:
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(arr).to_numpy(dtype=_DATETIME_NS)
    ns: IntArray = arr.astype(_DATETIME_NS, copy=False).view(np.int64)
    return ns


def _ns(value: Any) -> int:
    if type(value) is pd.Timestamp:  # what the case's mappings usually hold: no conversion
        return int(value.value)
    return int(pd.Timestamp(value).value)


class _People:
    """Local person codes: the victim is 0, the perpetrator 1, anyone else from 2."""

    def __init__(self, victim: str, perp: str) -> None:
        self.codes: dict[str, int] = {victim: 0, perp: 1}

    def encode(self, ids: npt.ArrayLike) -> IntArray:
        codes = self.codes
        return np.array(
            [codes.setdefault(str(i), len(codes)) for i in np.asarray(ids)], dtype=np.int64
        )


def _answer_matrix(columns: Mapping[str, Any], n: int) -> tuple[BoolArray, BoolArray]:
    if n == 0:
        empty = np.zeros((0, len(QUESTION_IDS)), dtype=bool)
        return empty, empty
    answers = np.array([columns[q] for q in QUESTION_IDS], dtype=object).T
    return answers == "yes", answers == "no"


def _query(case: Case) -> Queries:
    inc, ass = case.incident, case.assessment
    answers = np.fromiter(_ANSWERS(ass), dtype=object, count=len(QUESTION_IDS))
    yes, no = (answers == "yes")[None], (answers == "no")[None]
    values = [
        _ns(inc["occurred_at"]),
        _ns(ass["completed_at"]),
        OFFENCE_CODE[str(inc["offence_category"])],
        int(inc["severity"]),
        GRADE_CODE[str(ass["officer_grade"])],
        *[int(bool(flag)) for flag in _FLAGS(inc)],
    ]
    # One array, one row (a length-1 view) per field: victim 0, perpetrator 1, then the values.
    victim, perp, incident_time, time, offence, severity, grade, *flags = np.array(
        [0, 1, *values], dtype=np.int64
    )[:, None]
    return Queries(
        victim=victim,
        perp=perp,
        incident_time=incident_time,
        time=time,
        offence=offence,
        severity=severity,
        grade=grade,
        flags=dict(zip(INCIDENT_FLAGS, flags, strict=True)),
        yes=yes,
        no=no,
    )


def _prior_assessments(
    case: Case, victim: IntArray, perp: IntArray
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    rows = {str(i): k for k, i in enumerate(np.asarray(case.incidents["incident_id"]))}
    ids = np.asarray(case.prior_assessments["incident_id"])
    found = np.array([rows.get(str(i), -1) for i in ids], dtype=np.int64)
    keep = found >= 0
    at = found[keep]
    return victim[at], perp[at], keep


def _events(case: Case) -> PersonEvents:
    ev = case.history_events
    codes = {case.perpetrator_id: 1, case.victim_id: 0}  # the victim wins if the ids are equal
    person = np.asarray(ev["person_id"], dtype=object)
    code = np.array([codes.get(p, -1) for p in person], dtype=np.int64)
    kinds = np.array([KIND_CODE[str(k)] for k in ev["kind"]], dtype=np.int64)
    end = _ns_array(ev["end_date"]) if len(person) else _EMPTY
    start = _ns_array(ev["event_date"]) if len(person) else _EMPTY
    keep = code >= 0
    if not keep.all():  # events of people other than the victim and the perpetrator
        code, kinds, start, end = code[keep], kinds[keep], start[keep], end[keep]
    return PersonEvents(code, kinds, start, end, end != _NAT)


def encode_case(case: Case) -> HistoryInput:
    """Encode one case into the kernels' arrays (one query: the case's assessment)."""
    people = _People(case.victim_id, case.perpetrator_id)
    inc = case.incidents
    victim, perp = people.encode(inc["victim_id"]), people.encode(inc["perpetrator_id"])
    times = _ns_array(inc["occurred_at"]) if len(victim) else _EMPTY
    severity = np.asarray(inc["severity"], dtype=np.int64)
    a_victim, a_perp, keep = _prior_assessments(case, victim, perp)
    pa = case.prior_assessments
    yes, no = _answer_matrix(pa, len(keep))
    a_time = _ns_array(pa["completed_at"]) if len(keep) else _EMPTY
    if not keep.all():  # prior assessments of incidents the case does not list
        a_time, yes, no = a_time[keep], yes[keep], no[keep]
    return HistoryInput(
        incidents=IncidentEvents(victim, perp, times, severity),
        assessments=assessment_events(a_victim, a_perp, a_time, yes, no),
        events=_events(case),
        queries=_query(case),
    )


def case_features(case: Case, config: FeatureConfig | None = None) -> FloatArray:
    """Return one case's features as a float64 vector in registry order (NaN = missing)."""
    del config  # the audit attributes are not part of the model's input
    columns = compute(encode_case(case))
    return np.concatenate(list(columns.values()), dtype=np.float64)


def case_features_dict(case: Case, config: FeatureConfig | None = None) -> dict[str, float]:
    """Return one case's features by name (registry order)."""
    return dict(zip(feature_names(), case_features(case, config).tolist(), strict=True))
