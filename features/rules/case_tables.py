"""One case as one-assessment tables, cut as the cohort's tables are.

The tables are column mappings (numpy arrays), not DataFrames: one case is a few rows and
pandas' per-frame cost would dominate; a column is built only when it is first read. Earlier
assessments referred to MARAC become ``marac_referral`` events of their incident's victim and
perpetrator (as the cohort path counts them); the current incident is dropped from the
history if a caller repeated it there.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from features.case import Case, check_case, to_datetimes
from features.contracts import ContractError, ContractFailure
from features.dash import QUESTION_IDS
from features.rules.inputs_table import REQUIRED

Columns = dict[str, npt.NDArray[Any]]


_TIMES = frozenset({"occurred_at", "completed_at", "event_date", "end_date"})


def _array(values: Any, column: str = "") -> npt.NDArray[Any]:
    """Return a column as an object array, or datetime64[ns] for a time column."""
    if column in _TIMES:
        if isinstance(values, np.ndarray) and values.dtype.kind == "M":
            return values.astype("datetime64[ns]")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a time zone: let pandas convert it to UTC
            try:
                return np.asarray(values, dtype="datetime64[ns]")
            except (TypeError, ValueError, UserWarning):
                return to_datetimes(values)
    return np.asarray(values, dtype=object)


def _missing_answers(case: Case) -> None:
    row = str(case.assessment.get("assessment_id", "-"))
    missing = [q for q in QUESTION_IDS if case.assessment.get(q) is None]
    if missing:
        raise ContractError(
            [ContractFailure("dash_assessments", row, q, "missing answer", "None") for q in missing]
        )


class LazyTable(Mapping[str, npt.NDArray[Any]]):
    """A first row (the case's own), then earlier rows: each column built when first read."""

    def __init__(self, first: Mapping[str, Any], columns: tuple[str, ...],
                 earlier: Mapping[str, Any] | None = None) -> None:  # fmt: skip
        self.first, self._earlier = first, earlier or {}
        self._built: Columns = {}
        if not self._earlier:  # one row: every column the first row has
            self._columns = tuple(c for c in columns if c in first)
        else:
            ids = self._earlier.get("incident_id", [])
            self._keep = _array(ids) != first.get("incident_id")
            self._columns = tuple(
                c for c in columns if c in first and (c in self._earlier or not len(ids))
            )
        self._names = frozenset(self._columns)

    def __getitem__(self, column: str) -> npt.NDArray[Any]:
        if column not in self._built:
            if column not in self._names:
                raise KeyError(column)
            out = _array([self.first[column]], column)
            if column in self._earlier:
                rest = _array(self._earlier[column], column)[self._keep]
                out = np.concatenate([out, rest])
            self._built[column] = out
        return self._built[column]

    def __contains__(self, column: object) -> bool:
        return column in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def first_value(table: Mapping[str, npt.NDArray[Any]], column: str) -> Any:
    """Return row 0 of a column (of a :class:`LazyTable`, without building the column)."""
    if isinstance(table, LazyTable) and column in table and column not in _TIMES:
        return table.first[column]  # what the column's object array would hold
    return table[column][0]


def _referrals(case: Case, incidents: LazyTable) -> Columns:
    """Earlier assessments referred to MARAC, as referral events of their dyad."""
    prior: Mapping[str, Any] = case.prior_assessments
    if "referred_to_marac" not in prior or not len(prior["referred_to_marac"]):
        return {}
    referred = np.asarray(prior["referred_to_marac"]).astype(bool)
    where = {i: n for n, i in enumerate(incidents["incident_id"].tolist())}
    rows = [where.get(i, -1) for i in _array(prior["incident_id"])[referred].tolist()]
    found = np.array([r >= 0 for r in rows], dtype=bool)
    at = np.array([r for r in rows if r >= 0], dtype=np.int64)
    n = len(at)
    return {
        "event_id": np.full(n, "prior-assessment", dtype=object),
        "person_id": incidents["victim_id"][at],
        "event_date": _array(prior["completed_at"], "event_date")[referred][found],
        "kind": np.full(n, "marac_referral", dtype=object),
        "end_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "counterpart_id": incidents["perpetrator_id"][at],
    }


def _events(case: Case, incidents: LazyTable) -> Columns:
    events = case.history_events
    n = len(events["event_date"]) if "event_date" in events else 0
    out: Columns = {}
    for column in REQUIRED["history_events"]:
        if column in events:
            out[column] = _array(events[column], column)
        elif column == "counterpart_id":  # not recorded: a repeat MARAC matches on the victim
            out[column] = np.full(n, None, dtype=object)
    extra = _referrals(case, incidents)
    if extra:
        for column in list(out):
            out[column] = np.concatenate([out[column], extra[column]])
    return out


def case_tables(case: Case) -> dict[str, Mapping[str, npt.NDArray[Any]]]:
    """Return the case as column tables with one assessment (point-in-time failures raise)."""
    failures = check_case(case)
    if failures:
        raise ContractError(failures)
    _missing_answers(case)
    # The case's assessment is of its current incident, whatever the caller wrote.
    first = {**case.assessment, "incident_id": case.incident.get("incident_id")}
    assessment = LazyTable(first, tuple(first))
    incidents = LazyTable(case.incident, REQUIRED["incidents"], case.incidents)
    return {
        "dash_assessments": assessment,
        "incidents": incidents,
        "history_events": _events(case, incidents),
    }
