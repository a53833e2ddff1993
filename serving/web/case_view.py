"""The case page's view model, from one audit record: the stored response and the case input."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from features.contracts import INCIDENT_FLAGS
from features.dash import DASH
from features.vocab import GRADE_RANK, GRADES
from serving.db.reviewer_store import AuditCase, ReviewRecord
from serving.schemas_out import ScoreResponse
from serving.web.charts import Timeline, timeline
from serving.web.reasons_view import Reasons, build_reasons
from serving.web.reviews import ReviewAction, case_grade, raised_by, review_actions

ANSWER_LABELS: Final[dict[str, str]] = {
    "yes": "Yes",
    "no": "No",
    "dont_know": "Don't know",
    "not_answered": "Not answered",
}
SECTION_LABELS: Final[dict[str, str]] = {
    "current": "Current situation",
    "children": "Children and dependants",
    "history": "Domestic abuse history",
    "abuser": "Abuser",
}
KIND_LABELS: Final[dict[str, str]] = {
    "dvpn_dvpo": "DVPN / DVPO",
    "marac_referral": "MARAC referral",
    "dvds_disclosure": "DVDS disclosure",
    "da_conviction": "domestic abuse conviction",
}
DECISION_LABELS: Final[dict[str, str]] = {
    "agree": "Agree with the statutory grade",
    "raise": "Raise the grade",
    "no_change": "No change",
}


@dataclass(frozen=True)
class DashItem:
    """One DASH question and its answer."""

    number: int
    text: str
    answer: str
    label: str


@dataclass(frozen=True)
class HistoryItem:
    """One dated line of the case history (an incident, an event or an earlier assessment)."""

    when: datetime
    what: str
    detail: str
    current: bool = False


@dataclass(frozen=True)
class CaseView:
    """Everything the case page shows."""

    audit: AuditCase
    response: ScoreResponse
    reasons: Reasons
    dash: list[tuple[str, list[DashItem]]]
    incident: dict[str, Any]
    assessment: dict[str, Any]
    timeline: Timeline | None
    history: list[HistoryItem]
    reviews: list[ReviewRecord]
    raise_options: list[str]
    has_input: bool
    effective_grade: str  # the statutory grade or the highest recorded raise
    raised_by: ReviewRecord | None  # the review whose raise set the effective grade
    review_actions: list[ReviewAction]  # what raises to high require (MARAC, IDVA)


def label(code: str) -> str:
    """Return a vocabulary code in plain words (``da_conviction`` -> domestic abuse conviction)."""
    return KIND_LABELS.get(code, code.replace("_", " "))


def raise_options(current_grade: str) -> list[str]:
    """Return the grades a reviewer may raise to: strictly above the case's effective grade."""
    return [g for g in GRADES if GRADE_RANK[g] > GRADE_RANK[current_grade]]


def _when(raw: Any) -> datetime:
    return datetime.fromisoformat(str(raw))


def _dash(answers: dict[str, str]) -> list[tuple[str, list[DashItem]]]:
    sections: dict[str, list[DashItem]] = {}
    for i, q in enumerate(DASH.questions, start=1):
        answer = answers.get(q.id, "not_answered")
        item = DashItem(i, q.text, answer, ANSWER_LABELS.get(answer, answer))
        sections.setdefault(SECTION_LABELS.get(q.section, q.section), []).append(item)
    return list(sections.items())


def _incident_line(row: dict[str, Any], current: bool) -> HistoryItem:
    flags = [label(f) for f in INCIDENT_FLAGS if row.get(f)]
    detail = f"severity {row.get('severity')}" + (f"; {', '.join(flags)}" if flags else "")
    what = ("Current incident: " if current else "Incident: ") + label(
        str(row.get("offence_category"))
    )
    return HistoryItem(_when(row["occurred_at"]), what, detail, current)


def _event_line(row: dict[str, Any], victim: str, perpetrator: str) -> HistoryItem:
    person = row.get("person_id")
    who = "victim" if person == victim else "perpetrator" if person == perpetrator else "other"
    detail = f"{who} ({person})"
    if row.get("end_date"):
        detail += f"; until {str(row['end_date'])[:10]}"
    return HistoryItem(_when(row["event_date"]), label(str(row.get("kind"))), detail)


def _assessment_line(row: dict[str, Any]) -> HistoryItem:
    yes = sum(1 for a in (row.get("answers") or {}).values() if a == "yes")
    detail = f"officer grade {row.get('officer_grade')}; {yes} yes answers"
    return HistoryItem(_when(row["completed_at"]), "Earlier DASH assessment", detail)


def _history(case: dict[str, Any]) -> list[HistoryItem]:
    incident = case["incident"]
    items = [_incident_line(incident, True)]
    items += [_incident_line(r, False) for r in case.get("prior_incidents", [])]
    victim, perp = str(incident.get("victim_id")), str(incident.get("perpetrator_id"))
    items += [_event_line(r, victim, perp) for r in case.get("history_events", [])]
    items += [_assessment_line(r) for r in case.get("prior_assessments", [])]
    return sorted(items, key=lambda h: (h.when, h.current), reverse=True)


def _timeline(case: dict[str, Any]) -> Timeline:
    rows = [(case["incident"], True)] + [(r, False) for r in case.get("prior_incidents", [])]
    marks = [
        (_when(r["occurred_at"]), int(r["severity"]), label(str(r["offence_category"])), cur)
        for r, cur in rows
    ]
    return timeline(marks)


def build_case_view(audit: AuditCase, reviews: list[ReviewRecord]) -> CaseView:
    """Build the case page from its audit record (older records may lack the case input)."""
    res = ScoreResponse.model_validate_json(audit.response_json)
    case: dict[str, Any] = json.loads(audit.case_input_json) if audit.case_input_json else {}
    has_input = "incident" in case and "assessment" in case
    assessment = case.get("assessment", {})
    return CaseView(
        audit=audit,
        response=res,
        reasons=build_reasons(res.model),
        dash=_dash(assessment.get("answers", {})) if has_input else [],
        incident=case.get("incident", {}),
        assessment={k: v for k, v in assessment.items() if k != "answers"},
        timeline=_timeline(case) if has_input else None,
        history=_history(case) if has_input else [],
        reviews=reviews,
        raise_options=raise_options(case_grade(res.statutory.grade, reviews)),
        has_input=has_input,
        effective_grade=case_grade(res.statutory.grade, reviews),
        raised_by=raised_by(res.statutory.grade, reviews),
        review_actions=review_actions(reviews),
    )
