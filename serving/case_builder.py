"""Turn a validated :class:`ScoreRequest` into a :class:`features.case.Case`, and check time order.

Point-in-time rules (each failure names its field): the assessment is not completed before its
incident; earlier incidents happened before the current incident; history events and earlier
assessments are dated before the assessment; earlier assessments belong to listed incidents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from features.case import Case
from features.dash import QUESTION_IDS
from serving.schemas import (
    AssessmentIn,
    HistoryEventIn,
    IncidentIn,
    PriorAssessmentIn,
    ScoreRequest,
)

ErrorDict = dict[str, Any]
INCIDENT_FIELDS: Final[tuple[str, ...]] = tuple(IncidentIn.model_fields)
EVENT_FIELDS: Final[tuple[str, ...]] = tuple(HistoryEventIn.model_fields)
_TIME_FIELDS: Final[frozenset[str]] = frozenset(
    {"occurred_at", "event_date", "end_date", "completed_at"}
)
_ASSESSMENT_SCALARS: Final[tuple[str, ...]] = (
    "assessment_id",
    "officer_id",
    "officer_grade",
    "referred_to_marac",
    "dvds_concern",
    "marac_consent",
)


_QUESTIONS: Final[frozenset[str]] = frozenset(QUESTION_IDS)
_PRIOR_ASSESSMENT_FIELDS: Final[tuple[str, ...]] = (
    *_ASSESSMENT_SCALARS,
    "incident_id",
    "completed_at",
    *QUESTION_IDS,
)

_EPOCH: Final[datetime] = datetime(1970, 1, 1)
_MICROSECOND: Final[timedelta] = timedelta(microseconds=1)
_NAT: Final[int] = int(np.iinfo(np.int64).min)


def _datetimes(values: list[datetime | None]) -> npt.NDArray[np.datetime64]:
    """Naive-UTC datetimes (or None) as datetime64[ns], without numpy's slow object parsing."""
    micros = [_NAT if v is None else (v - _EPOCH) // _MICROSECOND for v in values]
    ns = np.array(micros, dtype=np.int64)
    ns = np.where(ns == _NAT, ns, ns * 1000)
    return ns.view("datetime64[ns]")


def _column(name: str, values: list[Any]) -> npt.NDArray[Any]:
    if name in _TIME_FIELDS:
        return _datetimes(values)
    return np.array(values, dtype=object)


class LazyColumns(Mapping[str, npt.NDArray[Any]]):
    """Columns of request rows, each built on first use and kept.

    The features and rules read a few of each table's columns (times, people, kinds); the
    rest (officer, area, most flags) are only read if a point-in-time check fails, so they
    are never built for a sound request.
    """

    def __init__(self, names: tuple[str, ...], build: Callable[[str], npt.NDArray[Any]]) -> None:
        self._names, self._build = names, build
        self._built: dict[str, npt.NDArray[Any]] = {}

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        """Return one column, building it on first use."""
        column = self._built.get(name)
        if column is None:
            if name not in self._names:
                raise KeyError(name)
            column = self._built[name] = self._build(name)
        return column

    def __iter__(self) -> Iterator[str]:
        """Iterate over the column names."""
        return iter(self._names)

    def __len__(self) -> int:
        """Return the number of columns."""
        return len(self._names)


def _columns(rows: Sequence[Any], names: tuple[str, ...]) -> LazyColumns:
    return LazyColumns(names, lambda n: _column(n, [getattr(r, n) for r in rows]))


def _assessment_row(a: AssessmentIn, incident_id: str) -> dict[str, Any]:
    row: dict[str, Any] = {n: getattr(a, n) for n in _ASSESSMENT_SCALARS}
    row["incident_id"] = incident_id
    row["completed_at"] = a.completed_at
    row.update(a.answers.__dict__)
    return row


def _answer_columns(rows: list[PriorAssessmentIn]) -> dict[str, npt.NDArray[Any]]:
    answers = np.empty((len(rows), len(QUESTION_IDS)), dtype=object)
    for i, r in enumerate(rows):
        answers[i] = list(r.answers.__dict__.values())  # fields are declared in QUESTION_IDS order
    return {q: answers[:, j] for j, q in enumerate(QUESTION_IDS)}


def _prior_assessment_columns(rows: list[PriorAssessmentIn]) -> LazyColumns:
    answers: dict[str, npt.NDArray[Any]] = {}

    def build(name: str) -> npt.NDArray[Any]:
        if name in _QUESTIONS:
            if not answers:  # all 27 answer columns come from one pass over the rows
                answers.update(_answer_columns(rows))
            return answers[name]
        return _column(name, [getattr(r, name) for r in rows])

    return LazyColumns(_PRIOR_ASSESSMENT_FIELDS, build)


def to_case(req: ScoreRequest) -> Case:
    """Build the single-case view the features and rules read (columnar, time-sorted)."""
    incidents = sorted(req.prior_incidents, key=lambda r: r.occurred_at)
    events = sorted(req.history_events, key=lambda r: r.event_date)
    prior = sorted(req.prior_assessments, key=lambda r: r.completed_at)
    return Case(
        assessment=_assessment_row(req.assessment, req.incident.incident_id),
        incident=dict(req.incident.__dict__),
        incidents=_columns(incidents, INCIDENT_FIELDS),
        history_events=_columns(events, EVENT_FIELDS),
        prior_assessments=_prior_assessment_columns(prior),
    )


def _error(loc: tuple[str | int, ...], msg: str) -> ErrorDict:
    return {"loc": list(loc), "msg": msg, "type": "value_error.point_in_time"}


def _not_before(
    rows: Sequence[Any], field: str, limit: datetime, where: str, what: str
) -> list[ErrorDict]:
    return [
        _error((where, i, field), f"must be before {what}")
        for i, r in enumerate(rows)
        if getattr(r, field) >= limit
    ]


def _duplicates(rows: Sequence[Any], field: str, where: str, taken: set[str]) -> list[ErrorDict]:
    seen, out = set(taken), []
    for i, r in enumerate(rows):
        value = getattr(r, field)
        if value in seen:
            out.append(_error((where, i, field), f"duplicate {field}"))
        seen.add(value)
    return out


def time_order_errors(req: ScoreRequest) -> list[ErrorDict]:
    """Return every point-in-time or linking failure of a request (empty when it is sound)."""
    t, occurred = req.assessment.completed_at, req.incident.occurred_at
    errors: list[ErrorDict] = []
    if t < occurred:
        errors.append(
            _error(("assessment", "completed_at"), "must not be before incident.occurred_at")
        )
    errors += _not_before(
        req.prior_incidents, "occurred_at", occurred, "prior_incidents", "incident.occurred_at"
    )
    errors += _not_before(
        req.history_events, "event_date", t, "history_events", "assessment.completed_at"
    )
    errors += _not_before(
        req.prior_assessments, "completed_at", t, "prior_assessments", "assessment.completed_at"
    )
    errors += _links(req)
    return errors


def _links(req: ScoreRequest) -> list[ErrorDict]:
    current = req.incident.incident_id
    errors = _duplicates(req.prior_incidents, "incident_id", "prior_incidents", {current})
    errors += _duplicates(req.history_events, "event_id", "history_events", set())
    errors += _duplicates(
        req.prior_assessments, "assessment_id", "prior_assessments", {req.assessment.assessment_id}
    )
    errors += _duplicates(req.prior_assessments, "incident_id", "prior_assessments", {current})
    known = {r.incident_id for r in req.prior_incidents}
    errors += [
        _error(("prior_assessments", i, "incident_id"), "must match one of prior_incidents")
        for i, r in enumerate(req.prior_assessments)
        if r.incident_id not in known
    ]
    return errors
