"""Feature definitions: every model input with its family, dtype, range and plain-English meaning.

The API and the reviewer page show ``description`` beside each SHAP value, so it says exactly
what was counted and over which period. Incident history is cut at the current incident's
``occurred_at`` (never later than the assessment); history events and earlier assessments at
the assessment's ``completed_at``. Every cut is strict: rows dated at the cut are not used.
"""

from __future__ import annotations

from typing import Final

from features.dash import DASH
from features.engine.history_specs import (
    _FEAR_HISTORY,
    _SEPARATION_HISTORY,
    CRIMINAL_HISTORY,
    ESCALATION,
    PRIOR_INCIDENTS,
)
from features.engine.spec_type import FAMILIES, FeatureSpec, count_spec, flag_spec, real_spec
from features.vocab import GRADES, OFFENCE_CATEGORIES, SEVERITY_MAX, SEVERITY_MIN

__all__ = ["FAMILIES", "FEATURES", "FeatureSpec"]

_CURRENT = "Current incident:"
CURRENT_INCIDENT: Final[tuple[FeatureSpec, ...]] = (
    FeatureSpec(
        "offence_category",
        "current_incident",
        "int64",
        f"{_CURRENT} offence category ("
        + ", ".join(c.replace("_", " ") for c in OFFENCE_CATEGORIES)
        + ")",
        minimum=0,
        maximum=len(OFFENCE_CATEGORIES) - 1,
        categories=OFFENCE_CATEGORIES,
    ),
    FeatureSpec(
        "severity",
        "current_incident",
        "int64",
        f"{_CURRENT} severity ({SEVERITY_MIN} low to {SEVERITY_MAX} life-threatening)",
        minimum=SEVERITY_MIN,
        maximum=SEVERITY_MAX,
        monotone=1,
    ),
    flag_spec("injury", "current_incident", f"{_CURRENT} whether the victim was injured"),
    flag_spec("weapon", "current_incident", f"{_CURRENT} whether a weapon was used", rises=True),
    flag_spec(
        "strangulation",
        "current_incident",
        f"{_CURRENT} whether strangulation was reported",
        rises=True,
    ),
    flag_spec(
        "alcohol_or_drugs", "current_incident", f"{_CURRENT} whether alcohol or drugs were involved"
    ),
    flag_spec("children_present", "current_incident", f"{_CURRENT} whether children were present"),
    flag_spec("victim_pregnant", "current_incident", f"{_CURRENT} whether the victim is pregnant"),
    flag_spec("crime_recorded", "current_incident", f"{_CURRENT} whether a crime was recorded"),
)

# DASH answers that belong to a named risk-factor family rather than the generic 'dash' one.
_ANSWER_FAMILY: Final[dict[str, str]] = {
    "q2": "fear",
    "q3": "fear",
    "q6": "separation",
    "q7": "separation",
    "q13": "escalation",
    "q14": "escalation",
}


def _answer(question_id: str) -> FeatureSpec:
    text = DASH.question(question_id).text
    return real_spec(
        f"dash_{question_id}",
        _ANSWER_FAMILY.get(question_id, "dash"),
        f"DASH question {question_id[1:]}: '{text}' (yes or no; don't know and not answered "
        "are kept apart from no)",
        lo=0.0,
        hi=1.0,
    )


DASH_ANSWERS: Final[tuple[FeatureSpec, ...]] = tuple(_answer(q) for q in DASH.question_ids)
DASH_SUMMARY: Final[tuple[FeatureSpec, ...]] = (
    FeatureSpec(
        "dash_yes_count",
        "dash",
        "int64",
        "Number of DASH questions answered 'yes'",
        minimum=0,
        maximum=len(DASH.questions),
        monotone=1,
    ),
    FeatureSpec(
        "dash_unknown_count",
        "dash",
        "int64",
        "Number of DASH questions answered 'don't know' or not answered",
        minimum=0,
        maximum=len(DASH.questions),
    ),
    FeatureSpec(
        "officer_grade",
        "dash",
        "int64",
        "Officer's DASH grade (" + ", ".join(GRADES) + ")",
        minimum=0,
        maximum=len(GRADES) - 1,
        categories=GRADES,
    ),
    count_spec(
        "dyad_prior_assessments",
        "dash",
        "Earlier DASH assessments of this victim and perpetrator completed before this one",
    ),
)

FEATURES: Final[tuple[FeatureSpec, ...]] = (
    PRIOR_INCIDENTS
    + ESCALATION
    + _SEPARATION_HISTORY
    + _FEAR_HISTORY
    + CRIMINAL_HISTORY
    + CURRENT_INCIDENT
    + DASH_ANSWERS
    + DASH_SUMMARY
)
