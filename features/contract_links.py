"""The links between the input tables: assessment -> incident -> people, events -> people."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from features.contract_failures import ContractFailure


def _missing_refs(
    table: str, frame: pd.DataFrame, column: str, allowed: pd.Series, target: str
) -> list[ContractFailure]:
    if column not in frame.columns:
        return []  # the missing column is already reported by the table's own contract
    bad = frame.index[~frame[column].isin(allowed)]
    return [
        ContractFailure(
            table, str(i), column, f"references a missing {target}", str(frame.at[i, column])
        )
        for i in bad
    ]


def check_references(tables: Mapping[str, pd.DataFrame]) -> list[ContractFailure]:
    """Check the links between tables: assessment -> incident -> people, events -> people."""
    failures: list[ContractFailure] = []
    people, incidents = tables["people"], tables["incidents"]
    assessments, events = tables["dash_assessments"], tables["history_events"]
    if "person_id" not in people.columns or "incident_id" not in incidents.columns:
        return failures  # without the key columns there is nothing to link to
    ids = people["person_id"]
    failures += _missing_refs("incidents", incidents, "victim_id", ids, "people.person_id")
    failures += _missing_refs("incidents", incidents, "perpetrator_id", ids, "people.person_id")
    failures += _missing_refs("history_events", events, "person_id", ids, "people.person_id")
    if "counterpart_id" in events.columns:
        linked = events[events["counterpart_id"].notna()]
        failures += _missing_refs(
            "history_events", linked, "counterpart_id", ids, "people.person_id"
        )
    failures += _missing_refs(
        "dash_assessments",
        assessments,
        "incident_id",
        incidents["incident_id"],
        "incidents.incident_id",
    )
    failures += _assessment_after_incident(incidents, assessments)
    if "oracle" in tables:
        failures += _missing_refs(
            "oracle",
            tables["oracle"],
            "assessment_id",
            assessments["assessment_id"],
            "dash_assessments.assessment_id",
        )
    return failures


def _assessment_after_incident(
    incidents: pd.DataFrame, assessments: pd.DataFrame
) -> list[ContractFailure]:
    needed = {"incident_id", "occurred_at"} <= set(incidents.columns) and {
        "incident_id",
        "completed_at",
    } <= set(assessments.columns)
    if not needed:
        return []
    try:
        lookup = incidents.drop_duplicates("incident_id").set_index("incident_id")["occurred_at"]
        occurred = pd.to_datetime(assessments["incident_id"].map(lookup), errors="coerce")
        completed = pd.to_datetime(assessments["completed_at"], errors="coerce")
    except (TypeError, ValueError):
        return []  # unparseable dates are already reported by the table contracts
    bad = assessments.index[occurred.notna() & completed.notna() & (completed < occurred)]
    return [
        ContractFailure(
            "dash_assessments",
            str(i),
            "completed_at",
            "must not be before its incident's occurred_at",
            str(assessments.at[i, "completed_at"]),
        )
        for i in bad
    ]
