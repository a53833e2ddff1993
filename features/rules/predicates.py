"""Each clause's predicate, written once for Python scalars and numpy arrays alike.

Only ``>=``, ``<=``, ``&``, ``|``, ``^`` and ``*`` appear, which mean the same on ``bool``/``int``
and on numpy arrays; ``~`` is avoided (``~True == -2``), negation is ``v ^ True``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from features.rules.config import Thresholds
from features.rules.inputs_table import RuleInputs
from features.rules.table import RuleTable, load_rule_table
from features.vocab import GRADE_RANK

Predicate = Callable[[RuleInputs, Thresholds, Any], Any]
OFFICER_BASIS: Final[str] = "officer_grade"


def negate(flag: Any) -> Any:
    """Return logical not for a bool or a bool array (``~`` is wrong on Python bools)."""
    return flag ^ True


def at_least(current: Any, floor: Any) -> Any:
    """Return the elementwise maximum of two int scalars or arrays without branching."""
    return current + (floor > current) * (floor - current)


def band_rank(x: RuleInputs, th: Thresholds) -> Any:
    """Return the local count band of the yes-count: 0 standard, 1 medium, 2 high."""
    return (x.yes_count >= th.band_medium_min_yes) * 1 + (x.yes_count >= th.band_high_min_yes) * 1


def within(age_ns: Any, window_ns: int) -> Any:
    """Return whether an age (-1: no such event) lies in ``[0, window]``."""
    return (age_ns >= 0) & (age_ns <= window_ns)


def _repeat(x: RuleInputs, th: Thresholds, g: Any) -> Any:
    return within(x.marac_age_ns, th.rpt_window_ns) & th.rpt_mask[x.offence_code]


def _repeat_victim_only(x: RuleInputs, th: Thresholds, g: Any) -> Any:
    alone = within(x.marac_victim_age_ns, th.rpt_window_ns) & th.rpt_mask[x.offence_code]
    return alone & negate(_repeat(x, th, g))


def _repeat_v1(x: RuleInputs, th: Thresholds, g: Any) -> Any:
    return within(x.marac_any_age_ns, th.rpt_window_ns) & th.rpt_mask[x.offence_code]


def _third(x: RuleInputs, th: Thresholds, g: Any) -> Any:
    enough = x.victim_incidents >= th.csc_third_min_incidents
    return x.children_resident & negate(x.crime_recorded) & enough


def _third_v1(x: RuleInputs, th: Thresholds, g: Any) -> Any:
    enough = x.victim_incidents >= th.csc_third_min_incidents
    return x.children_present & negate(x.crime_recorded) & enough


def children_feature(x: RuleInputs) -> Any:
    """Return whether children or an unborn baby are a feature (the protocol's scope)."""
    return x.children_resident | x.children_present | x.child_involved | x.victim_pregnant


def _serious(x: RuleInputs, hit: Any) -> Any:
    return children_feature(x) & hit


def _convictions(x: RuleInputs, th: Thresholds, g: Any) -> Any:
    return (x.relevant_convictions >= th.dvds_min_convictions) & th.dvds_policy


# Clause id -> predicate(inputs, thresholds, grade rank). Grade-setting clauses get ``None``.
# Clauses of rules v1 keep v1's meaning (suffix ``_v1`` where v2 changed it).
PREDICATES: Final[dict[str, Predicate]] = {
    "visible_high_risk": lambda x, th, g: x.yes_count >= th.vhr_min_yes,
    "officer_high": lambda x, th, g: x.officer_rank >= GRADE_RANK["high"],
    "escalation": lambda x, th, g: x.dyad_incidents >= th.esc_min_incidents,
    "repeat_marac": _repeat,
    "repeat_marac_victim_only": _repeat_victim_only,
    "repeat_marac_v1": _repeat_v1,
    "dvds_concern": lambda x, th, g: x.dvds_concern,
    "relevant_convictions": _convictions,
    "local_band": lambda x, th, g: band_rank(x, th) >= 1,
    "high_to_marac": lambda x, th, g: g >= GRADE_RANK["high"],
    "graded_high": lambda x, th, g: g >= GRADE_RANK["high"],
    "child_resident_crime": lambda x, th, g: x.children_resident & x.crime_recorded,
    "child_resident_crime_v1": lambda x, th, g: x.children_present & x.crime_recorded,
    "third_incident_no_crime": _third,
    "third_incident_no_crime_v1": _third_v1,
    "victim_pregnant": lambda x, th, g: x.victim_pregnant,
    "child_involved": lambda x, th, g: x.child_involved,
    "child_called_police": lambda x, th, g: x.child_called_police,
    "child_abuse_marker": lambda x, th, g: x.child_abuse_marker_at_address,
    "order_active": lambda x, th, g: x.order_active,
    "serious_severity": lambda x, th, g: _serious(x, x.severity >= th.csc_serious_min_severity),
    "serious_injury": lambda x, th, g: _serious(x, x.injury & th.serious_injury),
    "serious_strangulation": lambda x, th, g: _serious(
        x, x.strangulation & th.serious_strangulation
    ),
    "serious_weapon": lambda x, th, g: _serious(x, x.weapon & th.serious_weapon),
    "serious_severity_v1": lambda x, th, g: x.severity >= th.csc_serious_min_severity,
    "serious_injury_v1": lambda x, th, g: x.injury & th.serious_injury,
    "serious_strangulation_v1": lambda x, th, g: x.strangulation & th.serious_strangulation,
    "serious_weapon_v1": lambda x, th, g: x.weapon & th.serious_weapon,
    "previous_csc_referral": lambda x, th, g: within(x.csc_referral_age_ns, th.csc_notify_ns),
    "adult_at_risk": lambda x, th, g: x.adult_at_risk,
    "honour_based_abuse": lambda x, th, g: x.honour_based_abuse,
    "trigger_release": lambda x, th, g: within(x.release_age_ns, th.trigger_ns),
    "trigger_order": lambda x, th, g: x.order_changes >= 1,
    "trigger_contact": lambda x, th, g: x.contact_proceedings >= 1,
    "trigger_new_relationship": lambda x, th, g: x.new_relationships >= 1,
    "trigger_separation": lambda x, th, g: x.separations >= 1,
}


@dataclass(frozen=True)
class Evaluation:
    """Which clauses fired (scalar bools or bool arrays) and the statutory grade rank."""

    clauses: dict[str, Any]
    grade_rank: Any
    basis: dict[str, Any]  # per source (officer's grade, grade-setting rule): sets the grade

    def rule_fired(self, table: RuleTable) -> dict[str, Any]:
        """Return, per rule id, whether any of its clauses fired."""
        out: dict[str, Any] = {}
        for rule in table.rules:
            fired: Any = False
            for clause in rule.clauses:
                fired = fired | self.clauses[clause.id]
            out[rule.id] = fired
        return out


def _floor(clause_floor: str, x: RuleInputs, th: Thresholds) -> Any:
    return band_rank(x, th) if clause_floor == "band" else GRADE_RANK[clause_floor]


@dataclass(frozen=True)
class Plan:
    """A table's clauses split into grade-setting steps and the rest, predicates resolved."""

    grade_steps: tuple[tuple[str, Predicate, str, str], ...]  # clause, predicate, floor, rule
    other_steps: tuple[tuple[str, Predicate], ...]


@cache
def plan(version: str) -> Plan:
    """Return the evaluation plan of a rule-table version (checked and cached)."""
    table = load_rule_table(version)
    check_table_predicates(table)
    return Plan(
        grade_steps=tuple(
            (c.id, PREDICATES[c.id], c.grade_floor, r.id)
            for r, c in table.clauses
            if c.grade_floor is not None
        ),
        other_steps=tuple(
            (c.id, PREDICATES[c.id]) for _, c in table.clauses if c.grade_floor is None
        ),
    )


def evaluate(x: RuleInputs, th: Thresholds, table: RuleTable) -> Evaluation:
    """Evaluate every clause: grade-setting ones first, then those that read the grade."""
    fired: dict[str, Any] = {}
    grade = x.officer_rank  # never below the officer's grade (R-PJ)
    steps = plan(table.version)
    levels: dict[str, Any] = {}
    for clause_id, predicate, floor, rule_id in steps.grade_steps:
        hit = predicate(x, th, None)
        fired[clause_id] = hit
        levels[rule_id] = at_least(levels.get(rule_id, 0), _floor(floor, x, th) * hit)
        grade = at_least(grade, levels[rule_id])
    for clause_id, predicate in steps.other_steps:
        fired[clause_id] = predicate(x, th, grade)
    basis = {OFFICER_BASIS: x.officer_rank >= grade}
    basis |= {rule: (level >= grade) & (level >= 1) for rule, level in levels.items()}
    return Evaluation(clauses=fired, grade_rank=grade, basis=basis)


def check_table_predicates(table: RuleTable) -> None:
    """Raise ValueError unless every clause of the table has a predicate (ids unique)."""
    ids = [c.id for _, c in table.clauses]
    if len(set(ids)) != len(ids):
        raise ValueError(f"rules {table.version}: clause ids must be unique")
    missing = set(ids) - set(PREDICATES)
    if missing:
        raise ValueError(f"rules {table.version}: no predicate for {sorted(missing)}")
