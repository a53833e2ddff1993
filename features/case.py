"""One case as the online path sees it: an assessment, its incident and the history before it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from features.contracts import SCHEMAS, ContractError, ContractFailure

Columns = Mapping[str, npt.NDArray[Any]]  # column name -> values (a dict, or built lazily)


def _empty_columns(table: str) -> Columns:
    return {name: np.array([], dtype=object) for name in SCHEMAS[table].columns}


@dataclass(frozen=True)
class Case:
    """A single assessment with everything known strictly before it was completed.

    ``incidents`` holds earlier incidents involving the victim or the perpetrator (any
    partner), ``history_events`` the victim's and perpetrator's events, and
    ``prior_assessments`` the assessments of those earlier incidents; each is columnar
    (column name -> numpy array), sorted by time, and excludes the current incident.
    """

    assessment: Mapping[str, Any]
    incident: Mapping[str, Any]
    incidents: Columns = field(default_factory=lambda: _empty_columns("incidents"))
    history_events: Columns = field(default_factory=lambda: _empty_columns("history_events"))
    prior_assessments: Columns = field(default_factory=lambda: _empty_columns("dash_assessments"))

    @property
    def assessed_at(self) -> pd.Timestamp:
        """Return the time the assessment was completed (the as-of point)."""
        return pd.Timestamp(self.assessment["completed_at"])

    @property
    def victim_id(self) -> str:
        """Return the victim's person id."""
        return str(self.incident["victim_id"])

    @property
    def perpetrator_id(self) -> str:
        """Return the perpetrator's person id."""
        return str(self.incident["perpetrator_id"])


def _columns(frame: pd.DataFrame, order_by: str) -> Columns:
    frame = frame.sort_values(order_by, kind="stable")
    return {c: frame[c].to_numpy() for c in frame.columns}


def case_from_tables(tables: Mapping[str, pd.DataFrame], assessment_id: str) -> Case:
    """Cut one case out of validated cohort tables, keeping only rows before the assessment."""
    assessments, incidents = tables["dash_assessments"], tables["incidents"]
    events = tables["history_events"]
    assessment = assessments.loc[assessments["assessment_id"] == assessment_id].iloc[0]
    incident = incidents.loc[incidents["incident_id"] == assessment["incident_id"]].iloc[0]
    t = assessment["completed_at"]
    people = [incident["victim_id"], incident["perpetrator_id"]]
    involved = incidents["victim_id"].isin(people) | incidents["perpetrator_id"].isin(people)
    prior = incidents[
        involved
        & (incidents["occurred_at"] < t)
        & (incidents["incident_id"] != incident["incident_id"])
    ]
    prior_events = events[events["person_id"].isin(people) & (events["event_date"] < t)]
    prior_assess = assessments[
        assessments["incident_id"].isin(prior["incident_id"]) & (assessments["completed_at"] < t)
    ]
    return Case(
        assessment={str(k): v for k, v in assessment.items()},
        incident={str(k): v for k, v in incident.items()},
        incidents=_columns(prior, "occurred_at"),
        history_events=_columns(prior_events, "event_date"),
        prior_assessments=_columns(prior_assess, "completed_at"),
    )


def to_datetimes(values: Any) -> npt.NDArray[np.datetime64]:
    """Return times (datetime64, Timestamps, ISO strings, None) as datetime64[ns]."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[ns]")
    return np.asarray(pd.to_datetime(pd.Series(arr, dtype=object)).to_numpy("datetime64[ns]"))


def _after(
    table: str, column: str, values: npt.NDArray[Any], t: pd.Timestamp
) -> list[ContractFailure]:
    if len(values) == 0:
        return []
    stamps = to_datetimes(values)
    late = np.flatnonzero(stamps >= t.to_datetime64())
    return [
        ContractFailure(
            table, str(i), column, "must be before the assessment's completed_at",
            str(pd.Timestamp(stamps[i])),
        )
        for i in late.tolist()
    ]  # fmt: skip


def check_case(case: Case) -> list[ContractFailure]:
    """Return every point-in-time violation in a case (history dated at or after the assessment)."""
    t = case.assessed_at
    failures = _after("incidents", "occurred_at", case.incidents["occurred_at"], t)
    failures += _after("history_events", "event_date", case.history_events["event_date"], t)
    failures += _after(
        "prior_assessments", "completed_at", case.prior_assessments["completed_at"], t
    )
    if pd.Timestamp(case.incident["occurred_at"]) > t:
        failures.append(
            ContractFailure(
                "incident",
                "0",
                "occurred_at",
                "must not be after the assessment's completed_at",
                str(case.incident["occurred_at"]),
            )
        )
    return failures


def validate_case(case: Case) -> Case:
    """Raise :class:`ContractError` naming every field dated at or after the assessment."""
    failures = check_case(case)
    if failures:
        raise ContractError(failures)
    return case
