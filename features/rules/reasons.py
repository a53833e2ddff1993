"""Plain-English reasons: each fired clause's template filled with the facts that fired it.

Both entry points call :func:`describe` with Python scalars, so a case and its cohort row get
the same text; the batch path calls it once per distinct combination of facts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, Final

import numpy as np

from features.rules.config import Thresholds
from features.rules.inputs_table import INPUT_NAMES, RuleInputs
from features.rules.predicates import band_rank
from features.rules.results import Action
from features.rules.table import Clause, Rule, RuleTable
from features.vocab import GRADES, MARAC_CONSENT, OFFENCE_CATEGORIES

NS_PER_HOUR: Final[int] = 3_600 * 1_000_000_000


def _band_min(x: RuleInputs, th: Thresholds) -> int:
    return th.band_high_min_yes if band_rank(x, th) >= 2 else th.band_medium_min_yes


CONSENT_TEXT: Final[dict[str, str]] = {
    "given": "was sought and given",
    "refused": "was sought and refused: the case is referred irrespective",
    "not_sought": "has not been recorded as sought: seek it; the case is referred irrespective",
    "not_recorded": "is not recorded: seek it; the case is referred irrespective",
}


# Template fields computed from inputs, and the input each one depends on.
DERIVED: Final[dict[str, tuple[str, Callable[[RuleInputs, Thresholds], Any]]]] = {
    "offence_category": ("offence_code", lambda x, th: OFFENCE_CATEGORIES[x.offence_code]),
    "band_grade": ("yes_count", lambda x, th: GRADES[band_rank(x, th)]),
    "band_min_yes": ("yes_count", _band_min),
    "consent_text": ("consent_code", lambda x, th: CONSENT_TEXT[MARAC_CONSENT[x.consent_code]]),
}


def field_inputs(clause: Clause, th: Thresholds) -> tuple[str, ...]:
    """Return the inputs a clause's reason depends on (thresholds are constants)."""
    out: list[str] = []
    for name in clause.fields:
        if name in DERIVED:
            out.append(DERIVED[name][0])
        elif name in INPUT_NAMES:
            out.append(name)
        elif name not in th.values:
            raise ValueError(f"clause {clause.id}: unknown template field {name!r}")
    return tuple(dict.fromkeys(out))


def _context(clause: Clause, x: RuleInputs, th: Thresholds) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    for name in clause.fields:
        if name in th.values:
            ctx[name] = th.values[name]
        elif name in DERIVED:
            ctx[name] = DERIVED[name][1](x, th)
        else:
            ctx[name] = getattr(x, name)
    return ctx


def rule_reason(rule: Rule, fired: Collection[str], x: RuleInputs, th: Thresholds) -> str | None:
    """Return a rule's reason (its fired clauses' reasons joined), or None if none fired."""
    parts = [c.reason.format_map(_context(c, x, th)) for c in rule.clauses if c.id in fired]
    return "; ".join(parts) if parts else None


def due_by(rule: Rule, x: RuleInputs) -> str | None:
    """Return the action's due-by time (ISO 8601) where the rule's source gives a deadline."""
    if rule.due_hours is None:
        return None
    start = x.incident_ns if rule.due_from == "incident" else x.assessed_ns
    return iso_seconds(np.asarray([int(start) + rule.due_hours * NS_PER_HOUR]))[0]


def iso_seconds(ns: Any) -> list[str]:
    """Return epoch nanoseconds as ISO 8601 strings to the second (UTC, no zone suffix)."""
    stamps = np.asarray(ns, dtype=np.int64).astype("datetime64[ns]")
    return [str(s) for s in np.datetime_as_string(stamps, unit="s")]


def describe(
    table: RuleTable, th: Thresholds, fired: Iterable[str], x: RuleInputs
) -> tuple[Action, ...]:
    """Return an action (or flag) per rule with a fired clause, its reason naming the facts."""
    hit = set(fired)
    actions: list[Action] = []
    for rule in table.rules:
        if hit.isdisjoint(rule.clause_ids):
            continue
        reason = rule_reason(rule, hit, x, th)
        if reason is not None:
            actions.append(
                Action(
                    rule.id, rule.action, reason, rule.citation,
                    due_by=due_by(rule, x), due_within_hours=rule.due_hours, kind=rule.kind,
                )
            )  # fmt: skip
    return tuple(actions)


def actions_text(actions: Iterable[str]) -> str:
    """Return the distinct action names, in order, joined by ``;``."""
    return ";".join(dict.fromkeys(actions))


def reasons_text(pairs: Iterable[tuple[str, str]]) -> str:
    """Return ``rule_id: reason`` for every (rule id, reason) pair, joined by `` | ``."""
    return " | ".join(f"{rule_id}: {reason}" for rule_id, reason in pairs)
