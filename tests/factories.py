"""Row factories for hand-made test tables that meet every contract."""

from __future__ import annotations

import pandas as pd

from features.dash import QUESTION_IDS

_FLAGS = (
    "weapon",
    "strangulation",
    "alcohol_or_drugs",
    "children_present",
    "child_involved",
    "child_called_police",
    "victim_pregnant",
    "child_abuse_marker_at_address",
    "children_resident",
    "honour_based_abuse",
    "adult_at_risk",
)


def make_incident(
    incident_id: str, when: str, victim: str = "V1", perp: str = "X1", **kw: object
) -> dict[str, object]:
    """Return one valid incidents row; keyword arguments override fields."""
    row: dict[str, object] = {
        "incident_id": incident_id,
        "occurred_at": pd.Timestamp(when),
        "victim_id": victim,
        "perpetrator_id": perp,
        "officer_id": "OFF1",
        "area": "area_01",
        "crime_recorded": True,
        "offence_category": "violence_without_injury",
        "severity": 2,
        "injury": False,
        **{flag: False for flag in _FLAGS},
    }
    row.update(kw)
    return row


def make_assessment(
    assessment_id: str, incident_id: str, when: str, yes: int = 0, **kw: object
) -> dict[str, object]:
    """Return one valid dash_assessments row with the first ``yes`` answers 'yes'."""
    answers = {q: ("yes" if i < yes else "no") for i, q in enumerate(QUESTION_IDS)}
    row: dict[str, object] = {
        "assessment_id": assessment_id,
        "incident_id": incident_id,
        "completed_at": pd.Timestamp(when),
        "officer_id": "OFF1",
        **answers,
        "officer_grade": "standard",
        "referred_to_marac": False,
        "dvds_concern": False,
        "marac_consent": "not_sought",
    }
    row.update(kw)
    return row
