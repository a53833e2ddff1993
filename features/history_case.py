"""Single-case path: one :class:`~features.case.Case` -> encoded arrays -> the shared kernels.

Rows dated at or after the cut are ignored by the kernels themselves, so a case carrying
later history still gets the same features (serving should still reject it with
:func:`features.case.validate_case`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.case import Case
from features.dash import QUESTION_IDS
from features.feature_config import FeatureConfig
from features.history_core import compute
from features.history_input import (
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
from features.registry import feature_names
from features.timeline import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]

_EMPTY = np.zeros(0, dtype=np.int64)


def _ns_array(values: npt.ArrayLike) -> IntArray:
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        arr = pd.to_datetime(arr).to_numpy(dtype="datetime64[ns]")
    return np.asarray(arr.astype("datetime64[ns]").view(np.int64))


def _ns(value: Any) -> int:
    return int(pd.Timestamp(value).value)


class _People:
    """Local person codes: the victim is 0, the perpetrator 1, anyone else from 2."""

    def __init__(self, victim: str, perp: str) -> None:
        self.codes: dict[str, int] = {victim: 0, perp: 1}

    def encode(self, ids: npt.ArrayLike) -> IntArray:
        codes = self.codes
        return np.fromiter(
            (codes.setdefault(str(i), len(codes)) for i in np.asarray(ids)), dtype=np.int64
        )


def _answer_matrix(columns: Mapping[str, Any], n: int) -> tuple[BoolArray, BoolArray]:
    if n == 0:
        empty = np.zeros((0, len(QUESTION_IDS)), dtype=bool)
        return empty, empty
    answers = np.array([columns[q] for q in QUESTION_IDS], dtype=object).T
    return answers == "yes", answers == "no"


def _query(case: Case) -> Queries:
    inc, ass = case.incident, case.assessment
    answers = [ass[q] for q in QUESTION_IDS]
    yes = np.array([[a == "yes" for a in answers]], dtype=bool)
    no = np.array([[a == "no" for a in answers]], dtype=bool)

    def one(value: int) -> IntArray:
        return np.array([value], dtype=np.int64)

    return Queries(
        victim=one(0),
        perp=one(1),
        incident_time=one(_ns(inc["occurred_at"])),
        time=one(_ns(ass["completed_at"])),
        offence=one(OFFENCE_CODE[str(inc["offence_category"])]),
        severity=one(int(inc["severity"])),
        grade=one(GRADE_CODE[str(ass["officer_grade"])]),
        flags={f: one(int(bool(inc[f]))) for f in INCIDENT_FLAGS},
        yes=yes,
        no=no,
    )


def _prior_assessments(
    case: Case, victim: IntArray, perp: IntArray
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    rows = {str(i): k for k, i in enumerate(np.asarray(case.incidents["incident_id"]))}
    ids = np.asarray(case.prior_assessments["incident_id"])
    found = np.fromiter((rows.get(str(i), -1) for i in ids), dtype=np.int64, count=len(ids))
    keep = found >= 0
    return victim[found[keep]], perp[found[keep]], keep


def _events(case: Case) -> PersonEvents:
    ev = case.history_events
    person = np.asarray(ev["person_id"], dtype=object)
    code = np.where(person == case.victim_id, 0, np.where(person == case.perpetrator_id, 1, -1))
    keep = code >= 0
    kinds = np.fromiter((KIND_CODE[str(k)] for k in ev["kind"]), dtype=np.int64)
    end = _ns_array(ev["end_date"]) if len(person) else _EMPTY
    has_end = end != np.iinfo(np.int64).min
    start = _ns_array(ev["event_date"]) if len(person) else _EMPTY
    return PersonEvents(
        code[keep].astype(np.int64), kinds[keep], start[keep], end[keep], has_end[keep]
    )


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
    return HistoryInput(
        incidents=IncidentEvents(victim, perp, times, severity),
        assessments=assessment_events(a_victim, a_perp, a_time[keep], yes[keep], no[keep]),
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
