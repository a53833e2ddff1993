"""What the model's inputs mean to a reviewer: each feature's group of meaning.

Criminal history, domestic abuse history and escalation, the DASH answers by section,
children, separation and triggers, the current incident.

A case's TreeSHAP contributions are summed within these groups (exact: SHAP values add up), so
a handful of groups explain a score. Groups follow the risk factors officers and the College of
Policing APP on domestic abuse name (prior abuse and escalation, separation, children, criminal
history), with the DASH checklist's own sections for the answers not tied to one of them.
"""

from __future__ import annotations

from typing import Final

from features.dash import DASH, QUESTION_IDS
from features.engine.specs import FEATURES, FeatureSpec

GROUPS: Final[dict[str, str]] = {
    "current_incident": "The current incident",
    "da_history": "Domestic abuse history and escalation",
    "criminal_history": "Criminal history, orders and agency contact",
    "separation_triggers": "Separation and other triggers",
    "children": "Children and pregnancy",
    "dash_current": "DASH answers: the current situation",
    "dash_history": "DASH answers: the history of abuse",
    "dash_abuser": "DASH answers: the abuser",
    "dash_overall": "DASH overall and the officer's grade",
    "other": "Other inputs",  # none today; a test keeps every registered feature out of it
}
_BY_FAMILY: Final[dict[str, str]] = {
    "prior_incidents": "da_history",
    "escalation": "da_history",
    "fear": "da_history",
    "separation": "separation_triggers",
    "triggers": "separation_triggers",
    "criminal_history": "criminal_history",
    "current_incident": "current_incident",
}
_BY_NAME: Final[dict[str, str]] = {
    "children_present": "children",
    "victim_pregnant": "children",
    "dash_yes_count": "dash_overall",
    "dash_unknown_count": "dash_overall",
    "officer_grade": "dash_overall",
    "dyad_prior_assessments": "da_history",
}
_BY_QUESTION: Final[dict[str, str]] = {
    "q6": "separation_triggers",
    "q7": "separation_triggers",
    "q9": "children",
}
_BY_SECTION: Final[dict[str, str]] = {
    "current": "dash_current",
    "children": "children",
    "history": "dash_history",
    "abuser": "dash_abuser",
}


_QUESTION_OF: Final[dict[str, str]] = {f"dash_{q}": q for q in QUESTION_IDS}


def dash_question(name: str) -> str | None:
    """Return the DASH question id a feature encodes (``dash_q13`` -> ``q13``), else ``None``."""
    return _QUESTION_OF.get(name)


def _group(spec: FeatureSpec) -> str:
    question = dash_question(spec.name)
    if question is not None:
        return _BY_QUESTION.get(question, _BY_SECTION[DASH.question(question).section])
    return _BY_NAME.get(spec.name, _BY_FAMILY.get(spec.family, "other"))


FEATURE_GROUP: Final[dict[str, str]] = {f.name: _group(f) for f in FEATURES}


def group_of(name: str) -> str:
    """Return the id of the group a feature belongs to (``other`` for an unregistered one)."""
    return FEATURE_GROUP.get(name, "other")


def group_label(group: str) -> str:
    """Return a group's plain-English label."""
    return GROUPS[group]
