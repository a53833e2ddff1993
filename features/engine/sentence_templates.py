"""Sentence templates: what each model input's value is for this case, in a reviewer's words.

Each template says what the value is (never a variable name, a code or a coding legend) and,
where a feature's effect is not monotone (days since the last incident, severity against the
worst earlier one), what the value means rather than a slope. The DASH answers have one
template for all 27 questions, in :mod:`features.engine.sentences`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Final

from features.dash import DASH
from features.vocab import GRADES, OFFENCE_CATEGORIES, SEVERITY_MAX, SEVERITY_MIN

Row = Mapping[str, float]  # feature name -> value for this case (NaN when missing)
Template = Callable[[float, Row], str]

OFFENCE_WORDS: Final[dict[str, str]] = {
    "violence_with_injury": "violence with injury",
    "violence_without_injury": "violence without injury",
    "sexual": "a sexual offence",
    "stalking_harassment": "stalking or harassment",
    "coercive_control": "coercive control",
    "criminal_damage": "criminal damage",
    "breach_of_order": "a breach of an order",
    "non_crime": "a non-crime domestic incident",
}


def missing(value: float | None) -> bool:
    """Return whether a feature value is missing (None or NaN)."""
    return value is None or math.isnan(value)


def _n(count: float, one: str, many: str | None = None) -> str:
    n = round(count)
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _counted(none: str, some: Callable[[str], str], one: str, many: str | None = None) -> Template:
    """Say ``none`` for zero, else ``some`` of the counted phrase ("3 incidents")."""
    return lambda v, _row: none if round(v) == 0 else some(_n(v, one, many))


def _flag(yes: str, no: str) -> Template:
    return lambda v, _row: yes if v >= 0.5 else no


def _or_missing(when_missing: str, present: Template) -> Template:
    return lambda v, row: when_missing if missing(v) else present(v, row)


def _dyad(window: str) -> Template:
    return _counted(
        f"Police recorded no earlier incident between them {window}",
        lambda c: f"Police recorded {c} between them {window}",
        "earlier incident",
    )


def _last_incident(days: float, row: Row) -> str:
    ever = row.get("dyad_incidents_ever", math.nan)
    earlier = "" if missing(ever) else f" ({_n(ever, 'earlier incident')} in all)"
    return f"The last incident between them was {_n(days, 'day')} before this one{earlier}"


def _rate_ratio(ratio: float, row: Row) -> str:
    if row.get("dyad_incidents_365d", 1.0) == 0:
        return "There was no incident between them in the year before this one"
    base = "Incidents between them in the last 6 months were"
    if ratio > 1.05:
        return f"{base} about {ratio:.1f} times as frequent as in the 6 months before"
    if ratio < 0.95:
        return f"{base} less frequent than in the 6 months before (about {ratio:.1f} times)"
    return f"{base} about as frequent as in the 6 months before"


def _trend(change: float, more: str, less: str, same: str) -> str:
    if abs(change) < 0.05:
        return same
    return (more if change > 0 else less).format(abs(change))


def _against_worst(diff: float, row: Row) -> str:
    severity = row.get("severity", math.nan)
    if missing(severity):
        return _trend(
            diff,
            "This incident was {:.0f} severity points above the worst earlier one between them",
            "This incident was {:.0f} severity points below the worst earlier one between them",
            "This incident was as severe as the worst earlier one between them",
        )
    this, worst = f"This incident (severity {round(severity)} of 5)", round(severity - diff)
    if diff > 0:
        return f"{this} was more severe than any earlier one between them (worst before: {worst})"
    if diff < 0:
        return f"{this} was less severe than the worst earlier one between them (severity {worst})"
    return f"{this} was as severe as the worst earlier one between them"


def _gap_ratio(ratio: float, _row: Row) -> str:
    if ratio < 0.9:
        return (
            "Incidents between them are coming closer together: the time since the last one "
            f"was {ratio:.0%} of the usual gap between earlier ones"
        )
    if ratio > 1.1:
        return f"The time since their last incident was {ratio:.1f} times the usual gap before"
    return "The time since their last incident was about the usual gap between earlier ones"


def _offence(code: float, _row: Row) -> str:
    i = round(code)
    if missing(code) or not 0 <= i < len(OFFENCE_CATEGORIES):
        return "The offence category of this incident is not known"
    return f"This incident was recorded as {OFFENCE_WORDS[OFFENCE_CATEGORIES[i]]}"


def _officer_grade(code: float, _row: Row) -> str:
    i = round(code)
    grade = GRADES[i] if 0 <= i < len(GRADES) else "with an unknown grade"
    return f"The officer graded the case {grade}"


_NO_HISTORY = "There were fewer than two earlier incidents between them"
_PERP = "The perpetrator"
_DASH_N = len(DASH.questions)
TEMPLATES: Final[dict[str, Template]] = {
    "dyad_incidents_30d": _dyad("in the 30 days before this one"),
    "dyad_incidents_90d": _dyad("in the 90 days before this one"),
    "dyad_incidents_365d": _dyad("in the year before this one"),
    "dyad_incidents_ever": _dyad("at any earlier time"),
    "perp_incidents_365d": _counted(
        "Police recorded no incident by the perpetrator against anyone in the year before",
        lambda c: f"Police recorded {c} by the perpetrator against anyone in the year before",
        "incident",
    ),
    "perp_incidents_ever": _counted(
        "Police recorded no earlier incident by the perpetrator against anyone",
        lambda c: f"Police recorded {c} by the perpetrator against anyone before this one",
        "incident",
    ),
    "perp_other_victims_ever": _counted(
        "The perpetrator has no recorded incident against another victim",
        lambda c: f"The perpetrator was recorded in earlier incidents against {c}",
        "other victim",
    ),
    "victim_incidents_365d": _counted(
        "The victim was in no recorded incident with anyone in the year before",
        lambda c: f"The victim was in {c} with any perpetrator in the year before",
        "recorded incident",
    ),
    "days_since_last_dyad_incident": _or_missing(
        "There was no earlier incident between them", _last_incident
    ),
    "dyad_rate_ratio_6m": _or_missing(
        "How often incidents between them happened recently is not known", _rate_ratio
    ),
    "dyad_severity_slope_last5": _or_missing(
        _NO_HISTORY + ", so no trend in severity",
        lambda v, _r: _trend(
            v,
            "Their recent incidents grew more severe, by about {:.1f} severity points each time",
            "Their recent incidents grew less severe, by about {:.1f} severity points each time",
            "Their recent incidents stayed at about the same severity",
        ),
    ),
    "dyad_severity_recent_vs_earlier": _or_missing(
        "There were not both recent (last 6 months) and older incidents between them to compare",
        lambda v, _r: _trend(
            v,
            "Their incidents in the last 6 months were {:.1f} severity points worse than before",
            "Their incidents in the last 6 months were {:.1f} severity points milder than before",
            "Their incidents in the last 6 months were as severe as older ones",
        ),
    ),
    "severity_vs_prior_dyad_max": _or_missing(
        "There was no earlier incident between them to compare this one with", _against_worst
    ),
    "dyad_gap_ratio": _or_missing(_NO_HISTORY + ", so no pattern in the gaps", _gap_ratio),
    "dash_yes_count_change": _or_missing(
        "There is no earlier DASH assessment of them to compare with",
        lambda v, _r: _trend(
            v,
            "The number of DASH 'yes' answers rose by {:.0f} since their previous assessment",
            "The number of DASH 'yes' answers fell by {:.0f} since their previous assessment",
            "The number of DASH 'yes' answers was the same as at their previous assessment",
        ),
    ),
    "victim_separation_recorded_ever": _flag(
        "A separation of the victim from the perpetrator was recorded before this assessment",
        "No separation of the victim from the perpetrator was recorded before this assessment",
    ),
    "victim_separation_recorded_365d": _flag(
        "A separation of the victim was recorded in the year before this assessment",
        "No separation of the victim was recorded in the year before this assessment",
    ),
    "days_since_victim_separation": _or_missing(
        "No separation of the victim has been recorded",
        lambda v, _r: (
            f"The victim's last recorded separation was {_n(v, 'day')} before this assessment"
        ),
    ),
    "prior_q2_yes_share": _or_missing(
        "No earlier DASH assessment of them recorded whether the victim was very frightened",
        lambda v, _r: (
            f"The victim said they were very frightened in {v:.0%} of their earlier assessments"
        ),
    ),
    "perp_da_convictions": _counted(
        f"{_PERP} has no domestic abuse conviction",
        lambda c: f"{_PERP} has {c}",
        "domestic abuse conviction",
    ),
    "perp_violent_convictions": _counted(
        f"{_PERP} has no violent conviction outside domestic abuse",
        lambda c: f"{_PERP} has {c} outside domestic abuse",
        "violent conviction",
    ),
    "perp_other_convictions": _counted(
        f"{_PERP} has no other conviction (not domestic abuse or violent)",
        lambda c: f"{_PERP} has {c} (not domestic abuse or violent)",
        "earlier conviction",
    ),
    "perp_convictions_730d": _counted(
        f"{_PERP} has no conviction in the 2 years before this assessment",
        lambda c: f"{_PERP} has {c} in the 2 years before this assessment",
        "conviction",
    ),
    "perp_breaches": _counted(
        f"{_PERP} has no recorded breach of bail or of an order",
        lambda c: f"{_PERP} has {c} of bail or of an order",
        "recorded breach",
        "recorded breaches",
    ),
    "dvpn_dvpo_active": _flag(
        "A DV protection notice or order was in force at the assessment",
        "No DV protection notice or order was in force at the assessment",
    ),
    "protective_order_active": _flag(
        "A restraining or non-molestation order was in force at the assessment",
        "No restraining or non-molestation order was in force at the assessment",
    ),
    "perp_on_licence_or_order": _flag(
        f"{_PERP} was on licence or a community order at the assessment",
        f"{_PERP} was not on licence or a community order at the assessment",
    ),
    "victim_prior_marac_referrals": _counted(
        "The victim has no earlier MARAC referral",
        lambda c: f"The victim had been referred to MARAC {c} before",
        "time",
    ),
    "dvds_disclosures": _counted(
        "No domestic violence disclosure scheme disclosure has been made about them",
        lambda c: f"The domestic violence disclosure scheme was used {c} about them",
        "time",
    ),
    "offence_category": _offence,
    "severity": lambda v, _r: (
        f"This incident's severity was {round(v)} on a scale of {SEVERITY_MIN} (low) "
        f"to {SEVERITY_MAX} (life-threatening)"
    ),
    "injury": _flag("The victim was injured in this incident", "The victim was not injured"),
    "weapon": _flag("A weapon was used in this incident", "No weapon was used in this incident"),
    "strangulation": _flag(
        "Strangulation was reported in this incident", "No strangulation was reported"
    ),
    "alcohol_or_drugs": _flag(
        "Alcohol or drugs were involved in this incident",
        "Alcohol or drugs were not recorded in this incident",
    ),
    "children_present": _flag(
        "Children were present at this incident", "No children were present at this incident"
    ),
    "victim_pregnant": _flag("The victim is pregnant", "The victim is not recorded as pregnant"),
    "crime_recorded": _flag(
        "A crime was recorded for this incident", "No crime was recorded for this incident"
    ),
    "dash_yes_count": lambda v, _r: (
        f"The victim answered yes to {round(v)} of the {_DASH_N} DASH questions"
    ),
    "dash_unknown_count": lambda v, _r: (
        "Every DASH question was answered yes or no"
        if round(v) == 0
        else f"{round(v)} of the {_DASH_N} DASH questions had no yes or no answer "
        "(don't know or not answered)"
    ),
    "officer_grade": _officer_grade,
    "dyad_prior_assessments": _counted(
        "This is the first DASH assessment of this victim and perpetrator",
        lambda c: f"This victim and perpetrator had {c}",
        "earlier DASH assessment",
    ),
}
