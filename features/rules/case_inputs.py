"""One case's rule inputs as Python scalars, read from its one-assessment tables.

The cohort reads each fact with numpy over whole columns (:func:`table_inputs`); for one row
that is mostly per-call cost, so the same facts are read here with plain Python. Anything
outside the vocabularies is left to the cohort's reading, which raises the ContractError
naming it, so bad input fails exactly as it does in a cohort.
"""

from __future__ import annotations

from typing import Any, Final

from features.dash import ANSWERS, QUESTION_IDS
from features.rules.case_tables import LazyTable, first_value
from features.rules.config import Thresholds
from features.rules.history_scalar import case_history
from features.rules.inputs_table import (
    INCIDENT_FLAGS,
    RuleInputs,
    Tables,
    check_columns,
    row_facts,
)
from features.rules.windows import to_ns
from features.vocab import GRADES, MARAC_CONSENT, OFFENCE_CATEGORIES

_POSITION: Final[dict[str, dict[Any, int]]] = {
    column: {v: i for i, v in enumerate(vocabulary)}
    for column, vocabulary in (
        ("officer_grade", GRADES),
        ("marac_consent", MARAC_CONSENT),
        ("offence_category", OFFENCE_CATEGORIES),
    )
}


_ASSESSMENT: Final[tuple[str, ...]] = (
    *QUESTION_IDS,
    "officer_grade",
    "marac_consent",
    "dvds_concern",
)


def _code(row: dict[str, Any], column: str) -> int:
    code = _POSITION[column].get(row[column], -1)
    if code < 0:
        raise ValueError(column)  # left to the cohort's reading, which names it
    return code


def _cell(table: Any, column: str, row: int) -> Any:
    return first_value(table, column) if row == 0 else table[column][row]


def _facts(tables: Tables) -> dict[str, Any]:
    """Return the facts of the assessment and its incident (ValueError: not in a vocabulary)."""
    a, inc = tables["dash_assessments"], tables["incidents"]
    ids = inc["incident_id"].tolist()
    wanted = first_value(a, "incident_id")
    cur = ids.index(wanted) if wanted in ids else -1
    if cur < 0 or len(a["assessment_id"]) != 1:
        raise ValueError("incident_id")
    first = a.first if isinstance(a, LazyTable) else {c: a[c][0] for c in _ASSESSMENT}
    row = {c: first[c] for c in ("officer_grade", "marac_consent", "dvds_concern")}
    event = {c: _cell(inc, c, cur) for c in ("offence_category", "severity", *INCIDENT_FLAGS)}
    answers = [first[q] for q in QUESTION_IDS]
    if not all(v in ANSWERS for v in answers):
        raise ValueError("answers")
    return {
        "yes_count": answers.count("yes"),
        "dont_know_count": answers.count("dont_know"),
        "not_answered_count": answers.count("not_answered"),
        "officer_rank": _code(row, "officer_grade"),
        "dvds_concern": bool(row["dvds_concern"]),
        "consent_code": _code(row, "marac_consent"),
        "offence_code": _code(event, "offence_category"),
        "severity": int(event["severity"]),
        **{flag: bool(event[flag]) for flag in INCIDENT_FLAGS},
        "incident_ns": int(to_ns(inc["occurred_at"][cur : cur + 1])[0]),
        "assessed_ns": int(to_ns(a["completed_at"])[0]),
        "_cur": cur,
    }


def case_inputs(tables: Tables, th: Thresholds) -> RuleInputs:
    """Compute the rule inputs of a one-assessment table set, as Python scalars."""
    check_columns(tables)
    try:
        facts = _facts(tables)
    except (ValueError, TypeError, OverflowError):  # the cohort's reading raises the failure
        facts = {name: value.tolist()[0] for name, value in row_facts(tables).items()}
    cur = facts.pop("_cur")
    return RuleInputs(**facts, **case_history(tables, cur, th))
