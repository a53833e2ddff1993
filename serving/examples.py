"""An example request for the OpenAPI schema (synthetic people and dates)."""

from __future__ import annotations

from typing import Any, Final

from features.dash import QUESTION_IDS

_YES: Final[frozenset[str]] = frozenset({"q2", "q4", "q8", "q13", "q14", "q15", "q17"})


def _incident(incident_id: str, when: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "incident_id": incident_id,
        "occurred_at": when,
        "victim_id": "V-1001",
        "perpetrator_id": "P-2001",
        "officer_id": "OFF-17",
        "area": "north",
        "crime_recorded": True,
        "offence_category": "violence_without_injury",
        "severity": 2,
        "injury": False,
        "weapon": False,
        "strangulation": False,
        "alcohol_or_drugs": True,
        "children_present": True,
        "child_involved": False,
        "child_called_police": False,
        "victim_pregnant": False,
        "child_abuse_marker_at_address": False,
        "children_resident": True,
        "honour_based_abuse": False,
        "adult_at_risk": False,
    }
    return row | kw


def _answers(yes: frozenset[str]) -> dict[str, str]:
    return {q: "yes" if q in yes else "no" for q in QUESTION_IDS} | {"q21": "dont_know"}


def _assessment(assessment_id: str, when: str, yes: frozenset[str], grade: str) -> dict[str, Any]:
    return {
        "assessment_id": assessment_id,
        "completed_at": when,
        "officer_id": "OFF-17",
        "answers": _answers(yes),
        "officer_grade": grade,
        "referred_to_marac": False,
        "dvds_concern": False,
    }


def _event(event_id: str, person_id: str, when: str, kind: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "person_id": person_id,
        "event_date": when,
        "kind": kind,
        "end_date": None,
    }


def score_example() -> dict[str, Any]:
    """Return a complete, valid scoring request."""
    earlier = _assessment("A-3002", "2024-01-20T23:45:00Z", frozenset({"q2", "q8"}), "standard")
    return {
        "incident": _incident("I-3003", "2024-03-02T21:40:00Z", severity=3),
        "assessment": _assessment("A-3003", "2024-03-02T23:05:00Z", _YES, "medium"),
        "prior_incidents": [
            _incident("I-3001", "2023-09-14T20:10:00Z", offence_category="coercive_control"),
            _incident("I-3002", "2024-01-20T22:30:00Z"),
        ],
        "history_events": [
            _event("E-1", "P-2001", "2021-05-01T00:00:00Z", "violent_conviction"),
            _event("E-2", "V-1001", "2024-02-01T00:00:00Z", "separation"),
        ],
        "prior_assessments": [earlier | {"incident_id": "I-3002"}],
    }


SCORE_EXAMPLES: Final[dict[str, dict[str, Any]]] = {
    "case_with_history": {
        "summary": "A case with two earlier incidents, two history events and one assessment",
        "value": score_example(),
    }
}
