"""Each statutory rule at, just below and just above its threshold, and at window edges.

Every scenario is graded by both entry points (one case, the whole table) and they must agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import pytest
from factories import make_assessment, make_incident

from features.case import case_from_tables
from features.contracts import validate_tables
from features.rules import (
    LocalBands,
    RulesConfig,
    StatutoryResult,
    grade_case,
    grade_table,
    load_rule_table,
)

T = pd.Timestamp("2024-06-01 12:00:00")
DAY = pd.Timedelta(days=1)
SEC = pd.Timedelta(seconds=1)
# person, kind, before t, end[, counterpart: the perpetrator of a referral, victim of a conviction]
Event = tuple[Any, ...]


def build(
    *,
    yes: int = 0,
    prior: Sequence[tuple[pd.Timedelta, dict[str, Any]]] = (),
    events: Sequence[Event] = (),
    referred_prior: Sequence[int] = (),
    answers: dict[str, str] | None = None,
    incident: dict[str, Any] | None = None,
    **assessment: Any,
) -> dict[str, pd.DataFrame]:
    """Return valid tables whose assessment ``A0`` is completed at ``T``."""
    incidents = [make_incident("I0", str(T - pd.Timedelta(hours=1)), **(incident or {}))]
    rows = [make_assessment("A0", "I0", str(T), yes=yes, **assessment, **(answers or {}))]
    for i, (before, kw) in enumerate(prior):
        incidents.append(make_incident(f"P{i}", str(T - before), **kw))
        if i in referred_prior:
            done = T - before + pd.Timedelta(minutes=30)
            rows.append(make_assessment(f"B{i}", f"P{i}", str(done), referred_to_marac=True))
    inc = pd.DataFrame(incidents)
    named = {e[0] for e in events} | {e[4] for e in events if len(e) > 4 and e[4]}
    people = sorted(set(inc["victim_id"]) | set(inc["perpetrator_id"]) | named)
    return validate_tables(
        {
            "people": pd.DataFrame(
                {
                    "person_id": people,
                    "sex": "female",
                    "birth_year": 1980,
                    "ethnicity": "white",
                    "disability": False,
                }
            ),
            "incidents": inc,
            "dash_assessments": pd.DataFrame(rows),
            "history_events": pd.DataFrame(
                {
                    "event_id": [f"E{i}" for i in range(len(events))],
                    "person_id": [e[0] for e in events],
                    "event_date": pd.to_datetime([T - e[2] for e in events]),
                    "kind": [e[1] for e in events],
                    "end_date": pd.to_datetime([e[3] for e in events]),
                    "counterpart_id": [e[4] if len(e) > 4 else None for e in events],
                }
            ),
        }
    )


def grade(tables: dict[str, pd.DataFrame], config: RulesConfig | None = None) -> StatutoryResult:
    """Grade ``A0`` both ways, assert the two agree, and return the single-case result."""
    result = grade_case(case_from_tables(tables, "A0"), config)
    frame = grade_table(tables, config)
    row = frame.loc[frame["assessment_id"] == "A0"].iloc[0]
    assert row["statutory_grade"] == result.grade
    fired = {r for r in load_rule_table(result.rules_version).rule_ids if bool(row[r])}
    assert fired == set(result.rule_ids)
    assert row["reasons"] == " | ".join(f"{a.rule_id}: {a.reason}" for a in result.actions)
    assert row["yes_count"] == result.yes_count
    assert row["grade_basis"] == ";".join(result.grade_basis)
    return result


def reason(result: StatutoryResult, rule_id: str) -> str:
    (action,) = [a for a in result.actions if a.rule_id == rule_id]
    return action.reason


def dyad(before: pd.Timedelta, **kw: Any) -> tuple[pd.Timedelta, dict[str, Any]]:
    return before, kw


# --- R-VHR, R-PJ, R-IDVA, counts ----------------------------------------------------------


@pytest.mark.parametrize(("yes", "fires"), [(13, False), (14, True), (15, True)])
def test_visible_high_risk_threshold(yes: int, fires: bool) -> None:
    result = grade(build(yes=yes))
    assert ("R-VHR" in result.rule_ids) is fires
    assert result.grade == ("high" if fires else "standard")
    assert ("R-IDVA" in result.rule_ids) is fires
    assert result.grade_basis == (("R-VHR",) if fires else ("officer_grade",))
    if fires:
        assert reason(result, "R-VHR").startswith(f"{yes} 'yes' answers (threshold 14)")


def test_unknown_answers_are_counted_separately_not_as_no_or_yes() -> None:
    answers = {"q14": "dont_know", "q15": "dont_know", "q16": "not_answered"}
    result = grade(build(yes=16, answers=answers))
    assert (result.yes_count, result.dont_know_count, result.not_answered_count) == (13, 2, 1)
    assert result.unknown_count == 3
    assert "R-VHR" not in result.rule_ids


def test_configured_vhr_threshold_is_reported() -> None:
    config = RulesConfig(vhr_min_yes=12)
    result = grade(build(yes=12), config)
    assert "R-VHR" in result.rule_ids and result.grade == "high"
    assert dict(result.non_default_thresholds) == {"vhr_min_yes": 12}
    assert "(threshold 12)" in reason(result, "R-VHR")


@pytest.mark.parametrize(("officer", "grade_", "pj"), [
    ("standard", "standard", False), ("medium", "medium", False), ("high", "high", True),
])  # fmt: skip
def test_never_below_the_officers_grade(officer: str, grade_: str, pj: bool) -> None:
    result = grade(build(yes=2, officer_grade=officer))
    assert result.grade == grade_
    assert result.grade_basis == (("officer_grade", "R-PJ") if pj else ("officer_grade",))
    assert ("R-PJ" in result.rule_ids) is pj
    assert ("R-IDVA" in result.rule_ids) is pj


def test_dvds_concern_sets_at_least_medium() -> None:
    result = grade(build(yes=1, dvds_concern=True))
    assert result.grade == "medium" and "R-DVDS" in result.rule_ids
    assert result.grade_basis == ("R-DVDS",)
    assert grade(build(yes=15, dvds_concern=True)).grade == "high"


# --- local bands (off by default, raise only) -----------------------------------------------

BANDS = RulesConfig(local_bands=LocalBands(medium_min_yes=10, high_min_yes=14))


def test_local_bands_are_off_by_default() -> None:
    result = grade(build(yes=12))
    assert result.grade == "standard" and "R-BAND" not in result.rule_ids


@pytest.mark.parametrize(("yes", "expected"), [(9, "standard"), (10, "medium"), (13, "medium"),
                                               (14, "high")])  # fmt: skip
def test_local_bands_raise(yes: int, expected: str) -> None:
    result = grade(build(yes=yes), BANDS)
    assert result.grade == expected
    assert ("R-BAND" in result.rule_ids) is (expected != "standard")
    assert dict(result.non_default_thresholds)["local_bands"] == {
        "medium_min_yes": 10,
        "high_min_yes": 14,
    }


def test_local_bands_never_reduce() -> None:
    assert grade(build(yes=3, officer_grade="high"), BANDS).grade == "high"
    assert grade(build(yes=3, dvds_concern=True), BANDS).grade == "medium"


# --- R-ESC: dyad incidents in the window, current included ----------------------------------


@pytest.mark.parametrize(("oldest", "fires"), [
    (365 * DAY, True),  # exactly 365 days before the assessment: inside the window
    (365 * DAY + SEC, False),  # one second older: outside
    (10 * DAY, True),
])  # fmt: skip
def test_escalation_window_edge(oldest: pd.Timedelta, fires: bool) -> None:
    result = grade(build(prior=[dyad(30 * DAY), dyad(oldest)]))
    assert ("R-ESC" in result.rule_ids) is fires
    if fires:
        assert reason(result, "R-ESC").startswith(
            "3 police-recorded DA incidents between the same victim and perpetrator "
            "in the 365 days up to this assessment (threshold 3)"
        )


def test_escalation_counts_only_the_same_dyad() -> None:
    other = [dyad(5 * DAY, perp="X2"), dyad(6 * DAY, victim="V2")]
    assert "R-ESC" not in grade(build(prior=[dyad(30 * DAY), *other])).rule_ids
    assert "R-ESC" not in grade(build(prior=[dyad(30 * DAY)])).rule_ids  # 2 < 3


def test_escalation_same_day_incident_counts() -> None:
    result = grade(build(prior=[dyad(pd.Timedelta(hours=3)), dyad(pd.Timedelta(hours=5))]))
    assert "R-ESC" in result.rule_ids


def test_escalation_thresholds_are_configurable() -> None:
    tables = build(prior=[dyad(100 * DAY), dyad(200 * DAY)])
    why = "recorded reason"
    shorter = RulesConfig(esc_window_days=180, less_protective={"esc_window_days": why})
    assert "R-ESC" not in grade(tables, shorter).rule_ids
    more = RulesConfig(esc_min_incidents=4, less_protective={"esc_min_incidents": why})
    assert "R-ESC" not in grade(tables, more).rule_ids
    both = RulesConfig(
        esc_min_incidents=2, esc_window_days=180, less_protective={"esc_window_days": why}
    )
    assert "R-ESC" in grade(tables, both).rule_ids


# --- R-RPT: MARAC referral for the victim in the past 365 days ------------------------------


def marac(before: pd.Timedelta, person: str = "V1", perp: str | None = "X1") -> Event:
    return (person, "marac_referral", before, None, perp)


@pytest.mark.parametrize(("before", "fires"), [
    (365 * DAY, True), (365 * DAY + SEC, False), (pd.Timedelta(hours=2), True), (SEC, True),
])  # fmt: skip
def test_repeat_marac_window_edge(before: pd.Timedelta, fires: bool) -> None:
    result = grade(build(events=[marac(before)]))
    assert ("R-RPT" in result.rule_ids) is fires


def test_repeat_marac_reason_names_the_days() -> None:
    result = grade(build(events=[marac(120 * DAY)]))
    assert reason(result, "R-RPT").startswith(
        "a MARAC referral for this victim and perpetrator 120 days before this assessment "
        "(within 365 days)"
    )


def test_repeat_marac_ignores_the_perpetrators_referral_and_later_ones() -> None:
    perps = grade(build(events=[marac(10 * DAY, person="X1", perp="V1")]))
    assert "R-RPT" not in perps.rule_ids
    assert "R-RPT" not in grade(build(events=[marac(-DAY)])).rule_ids  # after t: not yet known


def test_repeat_marac_from_a_prior_assessment_referral() -> None:
    tables = build(prior=[dyad(200 * DAY)], referred_prior=[0])
    assert "R-RPT" in grade(tables).rule_ids
    older = build(prior=[dyad(400 * DAY)], referred_prior=[0])
    assert "R-RPT" not in grade(older).rule_ids


@pytest.mark.parametrize(("category", "fires"), [
    ("stalking_harassment", True), ("sexual", True), ("violence_without_injury", True),
    ("criminal_damage", True),  # "threats against property": in the protocol's own list
    ("coercive_control", False), ("breach_of_order", False),
])  # fmt: skip
def test_repeat_marac_joint_protocol_definition(category: str, fires: bool) -> None:
    tables = build(events=[marac(50 * DAY)], incident={"offence_category": category})
    assert "R-RPT" in grade(tables).rule_ids  # the current definition counts any abuse
    older = RulesConfig(
        rpt_definition="joint_protocol", less_protective={"rpt_definition": "local protocol"}
    )
    assert ("R-RPT" in grade(tables, older).rule_ids) is fires


# --- R-DVDS convictions ----------------------------------------------------------------------


POLICY_ON = RulesConfig(dvds_convictions_policy=True)


@pytest.mark.parametrize(("person", "kind", "before", "victim", "fires"), [
    ("X1", "da_conviction", 900 * DAY, "V9", True),
    ("X1", "violent_conviction", SEC, "V9", True),
    ("X1", "da_conviction", 1460 * DAY, "V9", True),  # the unspent window's edge
    ("X1", "da_conviction", 1460 * DAY + SEC, "V9", False),  # spent (force policy window)
    ("X1", "da_conviction", 900 * DAY, "V1", False),  # against this victim: not "other"
    ("X1", "da_conviction", 900 * DAY, None, False),  # victim not recorded
    ("X1", "other_conviction", 900 * DAY, "V9", False),
    ("V1", "da_conviction", 900 * DAY, "X1", False),
    ("X1", "da_conviction", -DAY, "V9", False),
])  # fmt: skip
def test_dvds_convictions_policy_counts_unspent_convictions_against_other_victims(
    person: str, kind: str, before: pd.Timedelta, victim: str | None, fires: bool
) -> None:
    tables = build(events=[(person, kind, before, None, victim)])
    assert "R-DVDS-CONVICTIONS" not in grade(tables).rule_ids  # off by default
    result = grade(tables, POLICY_ON)
    assert ("R-DVDS-CONVICTIONS" in result.rule_ids) is fires
    assert result.grade == ("medium" if fires else "standard")  # the same floor as a concern
    if fires:
        source = next(a.source for a in result.actions if a.rule_id == "R-DVDS-CONVICTIONS")
        assert "force policy" in source


def test_current_incident_repeated_in_the_history_is_counted_once() -> None:
    tables = build(prior=[dyad(30 * DAY)])
    case = case_from_tables(tables, "A0")
    current = {k: [v] for k, v in case.incident.items()}
    doubled = {k: [*case.incidents[k].tolist(), *current[k]] for k in case.incidents}
    again = grade_case(replace(case, incidents=doubled))  # type: ignore[arg-type]
    assert "R-ESC" not in again.rule_ids  # 2 incidents, not 3
    assert again == grade_case(case)
