"""Children's social care information-sharing rules (R-CSC-*), at and around their thresholds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from features.rules import RulesConfig

_spec = importlib.util.spec_from_file_location(
    "rules_scenarios", Path(__file__).with_name("test_rules_thresholds.py")
)
assert _spec is not None and _spec.loader is not None
sc = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("rules_scenarios", sc)
_spec.loader.exec_module(sc)

DAY, SEC, T = sc.DAY, sc.SEC, sc.T


def fired(config: RulesConfig | None = None, **kw: Any) -> set[str]:
    return {r for r in sc.grade(sc.build(**kw), config).rule_ids if r.startswith("R-CSC")}


@pytest.mark.parametrize(("children", "crime", "category", "expected"), [
    (True, True, "violence_without_injury", {"R-CSC-CRIME"}),
    (True, False, "non_crime", set()),
    (False, True, "violence_without_injury", set()),
])  # fmt: skip
def test_child_resident_and_crime(
    children: bool, crime: bool, category: str, expected: set[str]
) -> None:
    incident = {
        "children_resident": children,
        "crime_recorded": crime,
        "offence_category": category,
    }
    assert fired(incident=incident) == expected


def test_residence_not_presence_decides_and_the_reason_says_what_was_recorded() -> None:
    present = {"children_present": True, "crime_recorded": True}
    assert fired(incident=present) == set()  # present but not living there: not this rule
    assert fired(RulesConfig(rules_version="v1"), incident=present) == {"R-CSC-CRIME"}  # v1 defect
    result = sc.grade(sc.build(incident={"children_resident": True}))
    assert sc.reason(result, "R-CSC-CRIME") == (
        "the incident records a child under 18 living at the address (children_resident) "
        "and a crime (violence_without_injury)"
    )


NO_CRIME = {"children_resident": True, "crime_recorded": False, "offence_category": "non_crime"}


@pytest.mark.parametrize(("oldest", "fires"), [
    (365 * DAY, True), (365 * DAY + SEC, False), (pd.Timedelta(hours=2), True),
])  # fmt: skip
def test_third_incident_with_child_and_no_crime(oldest: pd.Timedelta, fires: bool) -> None:
    prior = [sc.dyad(20 * DAY, perp="X2"), sc.dyad(oldest)]  # any perpetrator counts
    assert ("R-CSC-THIRD" in fired(incident=NO_CRIME, prior=prior)) is fires


def test_third_incident_needs_three_and_a_child() -> None:
    assert "R-CSC-THIRD" not in fired(incident=NO_CRIME, prior=[sc.dyad(20 * DAY)])
    no_child = {**NO_CRIME, "children_resident": False, "children_present": True}
    assert fired(incident=no_child, prior=[sc.dyad(20 * DAY), sc.dyad(30 * DAY)]) == set()
    config = RulesConfig(csc_third_min_incidents=2)
    assert "R-CSC-THIRD" in fired(config, incident=NO_CRIME, prior=[sc.dyad(20 * DAY)])


@pytest.mark.parametrize(("flag", "rule"), [
    ("victim_pregnant", "R-CSC-PREGNANT"),
    ("child_involved", "R-CSC-CHILD-INVOLVED"),
    ("child_called_police", "R-CSC-CHILD-CALLED"),
    ("child_abuse_marker_at_address", "R-CSC-MARKER"),
])  # fmt: skip
def test_flag_rules(flag: str, rule: str) -> None:
    assert fired(incident={flag: True}) == {rule}
    assert fired(incident={flag: False}) == set()


def order(before: pd.Timedelta, end: pd.Timestamp | None, person: str = "X1") -> sc.Event:
    return (person, "licence_or_community_order", before, end)


@pytest.mark.parametrize(("event", "fires"), [
    (order(100 * DAY, None), True),
    (order(100 * DAY, T), True),  # ends exactly at the assessment: still active
    (order(100 * DAY, T - SEC), False),
    (order(100 * DAY, T + 30 * DAY), True),
    (order(-DAY, None), False),  # starts after the assessment
    (order(100 * DAY, None, person="V1"), False),  # the victim's order
])  # fmt: skip
def test_licence_or_community_order_active_at_t(event: sc.Event, fires: bool) -> None:
    assert ("R-CSC-ORDER" in fired(events=[event])) is fires


KIDS = {"children_present": True, "crime_recorded": False, "offence_category": "non_crime"}
POLICY = "by the force's 'serious enough' policy"


@pytest.mark.parametrize(("severity", "fires"), [(3, False), (4, True), (5, True)])
def test_serious_incident_severity(severity: int, fires: bool) -> None:
    result = sc.grade(sc.build(incident={**KIDS, "severity": severity}))
    assert ("R-CSC-SERIOUS" in result.rule_ids) is fires
    if fires:
        assert sc.reason(result, "R-CSC-SERIOUS").endswith(
            f"incident severity {severity} (policy threshold 4)"
        )


@pytest.mark.parametrize("feature", [
    "children_present", "children_resident", "child_involved", "victim_pregnant",
])  # fmt: skip
def test_serious_incident_is_scoped_to_children_or_an_unborn_baby(feature: str) -> None:
    serious = {"severity": 5, "weapon": True}
    assert "R-CSC-SERIOUS" not in fired(incident=serious)  # no child: outside the protocol
    assert "R-CSC-SERIOUS" in fired(RulesConfig(rules_version="v1"), incident=serious)  # v1 defect
    assert "R-CSC-SERIOUS" in fired(incident={**serious, feature: True})


def test_serious_incident_flags_and_configuration() -> None:
    incident = {**KIDS, "strangulation": True, "weapon": True}
    result = sc.grade(sc.build(incident=incident))
    text = sc.reason(result, "R-CSC-SERIOUS")
    assert "strangulation was recorded" in text and "a weapon was used" in text and POLICY in text
    assert "force policy" in next(a.source for a in result.actions if a.rule_id == "R-CSC-SERIOUS")
    config = RulesConfig(
        csc_serious_flags=("injury",), csc_serious_min_severity=5,
        less_protective={"csc_serious_flags": "local triage", "csc_serious_min_severity": "ditto"},
    )  # fmt: skip
    assert fired(config, incident={**incident, "severity": 4}) == set()
    result = sc.grade(sc.build(incident={"severity": 4}), config)
    assert dict(result.non_default_thresholds) == {
        "csc_serious_min_severity": 5,
        "csc_serious_flags": ["injury"],
    }
