"""The pieces sentence templates are built from: counts, flags, missing values, trends.

:mod:`features.engine.sentence_templates` assembles them into one template per model input.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Final

from features.vocab import GRADES, OFFENCE_CATEGORIES

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


def n_of(count: float, one: str, many: str | None = None) -> str:
    """Return a count with its noun, singular or plural ("1 incident", "3 incidents")."""
    n = round(count)
    return f"{n} {one if n == 1 else (many or one + 's')}"


def counted(none: str, some: Callable[[str], str], one: str, many: str | None = None) -> Template:
    """Say ``none`` for zero, else ``some`` of the counted phrase ("3 incidents")."""
    return lambda v, _row: none if round(v) == 0 else some(n_of(v, one, many))


def flag(yes: str, no: str) -> Template:
    """Return a template that says ``yes`` when the flag is set and ``no`` otherwise."""
    return lambda v, _row: yes if v >= 0.5 else no


def or_missing(when_missing: str, present: Template) -> Template:
    """Return a template that says ``when_missing`` for a missing value, else ``present``."""
    return lambda v, row: when_missing if missing(v) else present(v, row)


def dyad(window: str) -> Template:
    """Return the template for incidents between this victim and perpetrator in ``window``."""
    return counted(
        f"Police recorded no earlier incident between them {window}",
        lambda c: f"Police recorded {c} between them {window}",
        "earlier incident",
    )


def last_incident(days: float, row: Row) -> str:
    """Say how long before this incident the last one between them was, and how many."""
    ever = row.get("dyad_incidents_ever", math.nan)
    earlier = "" if missing(ever) else f" ({n_of(ever, 'earlier incident')} in all)"
    return f"The last incident between them was {n_of(days, 'day')} before this one{earlier}"


def rate_ratio(ratio: float, row: Row) -> str:
    """Say whether incidents between them came more or less often recently than before."""
    if row.get("dyad_incidents_365d", 1.0) == 0:
        return "There was no incident between them in the year before this one"
    base = "Incidents between them in the last 6 months were"
    if ratio > 1.05:
        return f"{base} about {ratio:.1f} times as frequent as in the 6 months before"
    if ratio < 0.95:
        return f"{base} less frequent than in the 6 months before (about {ratio:.1f} times)"
    return f"{base} about as frequent as in the 6 months before"


def trend(change: float, more: str, less: str, same: str) -> str:
    """Say whether a change means more, less or the same."""
    if abs(change) < 0.05:
        return same
    return (more if change > 0 else less).format(abs(change))


def against_worst(diff: float, row: Row) -> str:
    """Say how this incident's severity compares with the worst earlier one."""
    severity = row.get("severity", math.nan)
    if missing(severity):
        return trend(
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


def gap_ratio(ratio: float, _row: Row) -> str:
    """Say whether the gap before this incident was shorter or longer than usual."""
    if ratio < 0.9:
        return (
            "Incidents between them are coming closer together: the time since the last one "
            f"was {ratio:.0%} of the usual gap between earlier ones"
        )
    if ratio > 1.1:
        return f"The time since their last incident was {ratio:.1f} times the usual gap before"
    return "The time since their last incident was about the usual gap between earlier ones"


def offence(code: float, _row: Row) -> str:
    """Say which offence group this incident was recorded as."""
    i = round(code)
    if missing(code) or not 0 <= i < len(OFFENCE_CATEGORIES):
        return "The offence category of this incident is not known"
    return f"This incident was recorded as {OFFENCE_WORDS[OFFENCE_CATEGORIES[i]]}"


def officer_grade(code: float, _row: Row) -> str:
    """Say which grade the officer gave the case."""
    i = round(code)
    grade = GRADES[i] if 0 <= i < len(GRADES) else "with an unknown grade"
    return f"The officer graded the case {grade}"
