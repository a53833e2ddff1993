"""Immutable, JSON-ready results: fired actions and the statutory result of one assessment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Action:
    """A required action: which rule fired it, the action, the facts behind it and its source."""

    rule_id: str
    action: str
    reason: str
    source: str
    due_by: str | None = None  # ISO 8601, where the source gives a deadline
    due_within_hours: int | None = None
    kind: str = "action"  # "flag": shown with its source, requires no action

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "rule_id": self.rule_id,
            "action": self.action,
            "reason": self.reason,
            "source": self.source,
            "due_by": self.due_by,
            "due_within_hours": self.due_within_hours,
        }


@dataclass(frozen=True, slots=True)
class StatutoryResult:
    """The statutory grade and actions for one assessment, with the counts and rules used."""

    assessment_id: str
    grade: str
    actions: tuple[Action, ...]
    yes_count: int
    dont_know_count: int
    not_answered_count: int
    unknown_count: int
    rules_version: str
    non_default_thresholds: tuple[tuple[str, Any], ...] = ()
    grade_basis: tuple[str, ...] = ()  # what set the grade: "officer_grade" and/or rule ids
    flags: tuple[Action, ...] = ()  # fired flag rules (triggers, honour-based abuse)
    less_protective: tuple[tuple[str, str], ...] = ()  # threshold -> the force's reason

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Return the ids of the rules that fired (actions, then flags), in table order."""
        return tuple(a.rule_id for a in (*self.actions, *self.flags))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (the API's response body for the statutory part)."""
        return {
            "assessment_id": self.assessment_id,
            "grade": self.grade,
            "actions": [a.to_dict() for a in self.actions],
            "yes_count": self.yes_count,
            "dont_know_count": self.dont_know_count,
            "not_answered_count": self.not_answered_count,
            "unknown_count": self.unknown_count,
            "rules_version": self.rules_version,
            "non_default_thresholds": dict(self.non_default_thresholds),
            "grade_basis": list(self.grade_basis),
            "flags": [f.to_dict() for f in self.flags],
            "less_protective": dict(self.less_protective),
        }

    def to_json(self) -> str:
        """Serialise to JSON."""
        return json.dumps(self.to_dict(), sort_keys=True)
