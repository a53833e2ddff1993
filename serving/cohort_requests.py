"""Build scoring request bodies from cohort tables: what a case system would send.

Used to fill the audit log with sample cases (``secondlook run``), by the benchmarks and by
the tests. Only history known before the assessment goes in the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from features.case import case_from_tables
from features.dash import QUESTION_IDS

ASSESSMENT_SCALARS = (
    "assessment_id",
    "completed_at",
    "officer_id",
    "officer_grade",
    "referred_to_marac",
    "dvds_concern",
)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _rows(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    frame = pd.DataFrame(dict(columns))
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _assessment(row: dict[str, Any], with_incident: bool) -> dict[str, Any]:
    out = {k: _plain(row[k]) for k in ASSESSMENT_SCALARS}
    out["answers"] = {q: row[q] for q in QUESTION_IDS}
    if with_incident:
        out["incident_id"] = row["incident_id"]
    return out


def case_request(tables: dict[str, pd.DataFrame], assessment_id: str) -> dict[str, Any]:
    """Return the JSON body scoring one assessment, with the history known before it."""
    case = case_from_tables(tables, assessment_id)
    incident = {k: _plain(v) for k, v in case.incident.items()}
    occurred = pd.Timestamp(case.incident["occurred_at"])
    prior = [r for r in _rows(case.incidents) if pd.Timestamp(r["occurred_at"]) < occurred]
    kept = {r["incident_id"] for r in prior}
    assessments = [
        _assessment(r, True) for r in _rows(case.prior_assessments) if r["incident_id"] in kept
    ]
    return {
        "incident": incident,
        "assessment": _assessment(dict(case.assessment), False),
        "prior_incidents": prior,
        "history_events": _rows(case.history_events),
        "prior_assessments": assessments,
    }
