"""One case as a one-assessment cohort, so a case and its cohort row are graded by one path.

The tables are plain column mappings (numpy arrays), not DataFrames: one case is a few rows
and pandas' per-frame cost would dominate. Earlier assessments referred to MARAC become
``marac_referral`` events of their incident's victim and perpetrator (as the cohort path counts
them); the current incident is dropped from the history if a caller repeated it there.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
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


def _incidents(case: Case) -> Columns:
    current, earlier = case.incident, case.incidents
    ids = _array(earlier["incident_id"]) if "incident_id" in earlier else np.array([])
    keep = ids != current.get("incident_id")
    out: Columns = {}
    for column in REQUIRED["incidents"]:
        if column in current and column in earlier:
            rest = _array(earlier[column], column)[keep]
            out[column] = np.concatenate([_array([current[column]], column), rest])
        elif column in current and not len(ids):
            out[column] = _array([current[column]], column)
    return out


def _referrals(case: Case, incidents: Columns) -> Columns:
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


def _events(case: Case, incidents: Columns) -> Columns:
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


def case_tables(case: Case) -> dict[str, Columns]:
    """Return the case as column tables with one assessment (point-in-time failures raise)."""
    failures = check_case(case)
    if failures:
        raise ContractError(failures)
    _missing_answers(case)
    assessment = {k: _array([v], k) for k, v in case.assessment.items()}
    # The case's assessment is of its current incident, whatever the caller wrote.
    assessment["incident_id"] = _array([case.incident.get("incident_id")])
    incidents = _incidents(case)
    return {
        "dash_assessments": assessment,
        "incidents": incidents,
        "history_events": _events(case, incidents),
    }
