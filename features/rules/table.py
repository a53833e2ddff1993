"""The versioned rule tables (``rules_v1.yaml``, ``rules_v2.yaml``) as typed, immutable objects."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml

from features.vocab import GRADES, OFFENCE_CATEGORIES

DEFAULT_VERSION: Final[str] = "v2"
RULE_KINDS: Final[tuple[str, ...]] = ("action", "flag")
DUE_FROM: Final[tuple[str, ...]] = ("incident", "assessment")
PROTECTIVE: Final[tuple[str, ...]] = ("lower", "higher", "superset", "on")
FORCE_POLICY_LABEL: Final[str] = "force policy"
GRADE_FLOORS: Final[tuple[str, ...]] = (*GRADES, "band")


@dataclass(frozen=True)
class Clause:
    """One way a rule can fire: a predicate id, an optional grade floor and a reason template."""

    id: str
    reason: str
    grade_floor: str | None = None
    fields: tuple[str, ...] = field(init=False)  # names the reason template refers to

    def __post_init__(self) -> None:
        names = tuple(f for _, f, _, _ in string.Formatter().parse(self.reason) if f)
        object.__setattr__(self, "fields", names)


@dataclass(frozen=True)
class Rule:
    """A statutory rule: id, the action it requires, its source document and its clauses."""

    id: str
    action: str
    source: str
    clauses: tuple[Clause, ...]
    kind: str = "action"  # "flag": shown, requires no action
    force_policy: bool = False  # from one local protocol: a force's policy, not a national rule
    quote: str = ""
    fires: str = ""
    due_hours: int | None = None
    due_from: str = "incident"
    clause_ids: frozenset[str] = field(init=False)  # ids of this rule's clauses

    def __post_init__(self) -> None:
        object.__setattr__(self, "clause_ids", frozenset(c.id for c in self.clauses))

    @property
    def citation(self) -> str:
        """Return the source as shown: the document, labelled force policy where it is one."""
        if self.force_policy and FORCE_POLICY_LABEL not in self.source:
            return f"{self.source} [{FORCE_POLICY_LABEL}]"
        return self.source

    @property
    def grade_floor(self) -> str | None:
        """Return the highest grade floor any clause sets (None: the rule sets no grade)."""
        floors = [c.grade_floor for c in self.clauses if c.grade_floor is not None]
        return max(floors, key=GRADE_FLOORS.index) if floors else None


@dataclass(frozen=True)
class ThresholdSpec:
    """A configurable threshold with its default value and a description."""

    name: str
    default: Any
    description: str
    protective: str | None = None  # which direction protects more (PROTECTIVE); None: any


@dataclass(frozen=True)
class RuleTable:
    """A version of the statutory rule table."""

    version: str
    rules: tuple[Rule, ...]
    thresholds: tuple[ThresholdSpec, ...]
    repeat_definitions: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Return the rule ids in table order."""
        return tuple(r.id for r in self.rules)

    clauses: tuple[tuple[Rule, Clause], ...] = field(init=False)  # (rule, clause) in order

    def __post_init__(self) -> None:
        pairs = tuple((r, c) for r in self.rules for c in r.clauses)
        object.__setattr__(self, "clauses", pairs)

    def defaults(self) -> dict[str, Any]:
        """Return the default value of every threshold."""
        return {t.name: t.default for t in self.thresholds}

    def repeat_categories(self, definition: str) -> tuple[str, ...]:
        """Return the offence categories a repeat-MARAC definition counts as a new incident."""
        for name, categories in self.repeat_definitions:
            if name == definition:
                return categories
        raise KeyError(f"rules {self.version} has no repeat definition {definition!r}")


def _clause(raw: dict[str, Any]) -> Clause:
    floor = raw.get("grade_floor")
    if floor is not None and floor not in GRADE_FLOORS:
        raise ValueError(f"clause {raw['id']}: grade_floor {floor!r} not in {GRADE_FLOORS}")
    return Clause(id=str(raw["id"]), reason=str(raw["reason"]), grade_floor=floor)


def _rule(raw: dict[str, Any]) -> Rule:
    kind, due_from = str(raw.get("kind", "action")), str(raw.get("due_from", "incident"))
    if kind not in RULE_KINDS or due_from not in DUE_FROM:
        raise ValueError(f"rule {raw['id']}: kind {kind!r} or due_from {due_from!r} unknown")
    due = raw.get("due_hours")
    return Rule(
        id=str(raw["id"]),
        action=str(raw["action"]),
        source=str(raw["source"]),
        clauses=tuple(_clause(c) for c in raw["clauses"]),
        kind=kind,
        force_policy=bool(raw.get("force_policy", False)),
        quote=str(raw.get("quote", "")),
        fires=str(raw.get("fires", "")),
        due_hours=None if due is None else int(due),
        due_from=due_from,
    )


def _threshold(name: str, spec: dict[str, Any]) -> ThresholdSpec:
    protective = spec.get("protective")
    if protective is not None and protective not in PROTECTIVE:
        raise ValueError(f"threshold {name}: protective {protective!r} not in {PROTECTIVE}")
    return ThresholdSpec(name, spec["default"], str(spec["description"]), protective)


def _definitions(raw: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    for name, categories in raw.items():
        unknown = set(categories) - set(OFFENCE_CATEGORIES)
        if unknown:
            raise ValueError(f"repeat definition {name!r}: unknown categories {sorted(unknown)}")
    return tuple((name, tuple(cats)) for name, cats in raw.items())


def parse_rule_table(raw: dict[str, Any]) -> RuleTable:
    """Build a :class:`RuleTable` from the parsed YAML mapping, checking its vocabulary."""
    table = RuleTable(
        version=str(raw["version"]),
        rules=tuple(_rule(r) for r in raw["rules"]),
        thresholds=tuple(_threshold(name, spec) for name, spec in raw["thresholds"].items()),
        repeat_definitions=_definitions(raw["repeat_definitions"]),
    )
    if len(set(table.rule_ids)) != len(table.rule_ids):
        raise ValueError(f"rules {table.version}: duplicate rule ids")
    return table


@cache
def load_rule_table(version: str = DEFAULT_VERSION) -> RuleTable:
    """Load a rule table shipped as ``features/rules/rules_<version>.yaml``."""
    text = resources.files("features.rules").joinpath(f"rules_{version}.yaml").read_text()
    return parse_rule_table(yaml.safe_load(text))
