"""Rules v2 fixes rules v1's defects; each test shows v1's defect beside v2's behaviour."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from features.case import case_from_tables
from features.rules import LocalBands, RulesConfig, grade_case, grade_table, load_rule_table
from features.rules.table import DEFAULT_VERSION


def _load(name: str, file: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


sc = _load("rules_scenarios", "test_rules_thresholds.py")
cohorts = _load("rules_agreement", "test_rules_agreement.py").cohorts
DAY, build, grade, marac, reason = sc.DAY, sc.build, sc.grade, sc.marac, sc.reason

SEED_NUMBER = re.compile(r"seed ?0[0-9]{2}", re.IGNORECASE)
WHY = "recorded: MARAC capacity review 2024"
MARAC_AND_IDVA = {"marac_referral", "idva_referral"}


@st.composite
def configs(draw: st.DrawFn) -> RulesConfig:
    """Any accepted configuration: more protective freely, less protective with a reason."""
    chosen: dict[str, Any] = {
        "vhr_min_yes": draw(st.one_of(st.none(), st.integers(5, 27))),
        "esc_min_incidents": draw(st.one_of(st.none(), st.integers(1, 6))),
        "esc_window_days": draw(st.one_of(st.none(), st.sampled_from([1, 180, 365, 730]))),
        "dvds_convictions_policy": draw(st.one_of(st.none(), st.booleans())),
        "rpt_definition": draw(st.sampled_from([None, "current", "joint_protocol"])),
    }
    if draw(st.booleans()):
        medium = draw(st.integers(1, 20))
        chosen["local_bands"] = LocalBands(
            medium_min_yes=medium, high_min_yes=draw(st.integers(medium + 1, 27))
        )
    chosen = {k: v for k, v in chosen.items() if v is not None}
    weaker: dict[str, str] = {}
    for name, value in chosen.items():
        try:
            RulesConfig(**{name: value})
        except ValidationError:
            weaker[name] = WHY  # less protective: accepted only with a recorded reason
    return RulesConfig(**chosen, less_protective=weaker)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), configs())
def test_every_high_case_goes_to_marac_and_an_idva(
    tables: dict[str, pd.DataFrame], config: RulesConfig
) -> None:
    frame = grade_table(tables, config)
    for row in frame.to_dict("records"):
        if row["statutory_grade"] == "high":
            assert set(row["actions"].split(";")) >= MARAC_AND_IDVA, row["assessment_id"]
        case = case_from_tables(tables, row["assessment_id"])
        one = grade_case(case, config)
        if one.grade == "high":
            assert {a.action for a in one.actions} >= MARAC_AND_IDVA


def test_a_case_made_high_by_local_bands_goes_to_marac_only_in_v2() -> None:
    bands = LocalBands(medium_min_yes=5, high_min_yes=9)
    v2 = grade(build(yes=10), RulesConfig(local_bands=bands))
    assert v2.grade == "high" and {a.action for a in v2.actions} >= MARAC_AND_IDVA
    v1 = grade(build(yes=10), RulesConfig(rules_version="v1", local_bands=bands))
    assert v1.grade == "high" and "marac_referral" not in {a.action for a in v1.actions}


@pytest.mark.parametrize(("consent", "text"), [
    ("given", "consent was sought and given"),
    ("refused", "consent was sought and refused: the case is referred irrespective"),
    ("not_sought", "the case is referred irrespective"),
])  # fmt: skip
def test_marac_consent_is_recorded_and_a_high_case_is_referred_irrespective(
    consent: str, text: str
) -> None:
    result = grade(build(yes=15, marac_consent=consent))
    assert text in reason(result, "R-MARAC-HIGH")


# --- citations ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_no_source_reason_or_option_cites_a_file_number(version: str) -> None:
    table = load_rule_table(version)
    texts = [r.citation for r in table.rules] + [c.reason for _, c in table.clauses]
    texts += [str(t.default) + t.description for t in table.thresholds]
    texts += [name for name, _ in table.repeat_definitions]
    assert not [t for t in texts if SEED_NUMBER.search(t) or "seed" in t.lower()]


def test_local_protocol_rules_are_labelled_force_policy() -> None:
    for rule in load_rule_table("v2").rules:
        local = "Joint Protocol" in rule.source and "SafeLives" not in rule.source
        if local and rule.kind == "action":
            assert rule.force_policy and "force policy" in rule.citation, rule.id
        assert rule.quote, rule.id  # the sentence the rule rests on


def test_v2_is_the_default_and_v1_still_explains_old_rows() -> None:
    assert DEFAULT_VERSION == "v2" and grade(build()).rules_version == "v2"
    assert grade(build(), RulesConfig(rules_version="v1")).rules_version == "v1"


# --- DVDS ----------------------------------------------------------------------------------


def test_dvds_fires_only_on_the_officers_concern_by_default() -> None:
    conviction = [("X1", "da_conviction", 100 * DAY, None, "V9")]
    assert "R-DVDS" not in grade(build(events=conviction)).rule_ids
    assert "R-DVDS" in grade(build(events=conviction), RulesConfig(rules_version="v1")).rule_ids
    concern = grade(build(dvds_concern=True))
    assert concern.grade == "medium" and "R-DVDS" in concern.rule_ids


# --- configuration can only protect more -----------------------------------------------------


@pytest.mark.parametrize(("field", "value", "default"), [
    ("vhr_min_yes", 15, "14"), ("vhr_min_yes", 20, "14"), ("esc_window_days", 364, "365"),
    ("esc_min_incidents", 4, "3"), ("rpt_window_days", 100, "365"),
    ("csc_serious_flags", ("injury",), "strangulation"),
    ("rpt_definition", "joint_protocol", "current"),
])  # fmt: skip
def test_a_less_protective_threshold_is_refused_naming_field_and_default(
    field: str, value: Any, default: str
) -> None:
    with pytest.raises(ValidationError) as info:
        RulesConfig(**{field: value})
    assert field in str(info.value) and default in str(info.value)
    config = RulesConfig(**{field: value}, less_protective={field: WHY})
    result = grade(build(), config)
    assert dict(result.less_protective) == {field: WHY}
    row = grade_table(build(), config).iloc[0]
    assert WHY in row["less_protective"] and field in row["non_default_thresholds"]


@pytest.mark.parametrize("change", [
    {"vhr_min_yes": 10}, {"esc_window_days": 730}, {"esc_min_incidents": 2},
    {"dvds_convictions_policy": True}, {"csc_serious_min_severity": 3},
])  # fmt: skip
def test_a_more_protective_threshold_needs_no_reason(change: dict[str, Any]) -> None:
    assert grade(build(), RulesConfig(**change)).less_protective == ()
    with pytest.raises(ValidationError, match="not less protective"):
        RulesConfig(**change, less_protective=dict.fromkeys(change, WHY))


# --- repeat MARAC: same victim and perpetrator ------------------------------------------------


def test_repeat_marac_needs_the_same_perpetrator() -> None:
    other = build(events=[marac(50 * DAY, perp="X9")])
    assert "R-RPT" not in grade(other).rule_ids
    assert "R-RPT" in grade(other, RulesConfig(rules_version="v1")).rule_ids  # v1 defect
    assert "R-RPT" in grade(build(events=[marac(50 * DAY, perp="X1")])).rule_ids


def test_a_referral_without_its_perpetrator_matches_on_the_victim_and_says_so() -> None:
    result = grade(build(events=[marac(50 * DAY, perp=None)]))
    assert "matched on the victim only" in reason(result, "R-RPT")


# --- missing rules: adult social care, notification, flags, deadlines ------------------------


def test_adult_at_risk_shares_with_adult_social_care_within_24_hours() -> None:
    result = grade(build(incident={"adult_at_risk": True}))
    (action,) = [a for a in result.actions if a.rule_id == "R-ASC"]
    assert action.action == "asc_information_sharing" and "Care Act 2014 s.42" in action.source
    assert action.due_within_hours == 24


def test_notification_following_an_earlier_referral() -> None:
    shared = [("V1", "csc_referral", 40 * DAY, None)]
    result = grade(build(events=shared))
    assert "R-CSC-NOTIFY" in result.rule_ids
    assert "40 days before this assessment" in reason(result, "R-CSC-NOTIFY")
    older = [("V1", "csc_referral", 400 * DAY, None)]
    assert "R-CSC-NOTIFY" not in grade(build(events=older)).rule_ids


@pytest.mark.parametrize(("event", "flag"), [
    (("X1", "release_from_custody", 10 * DAY, None), "F-RELEASE"),
    (("V1", "child_contact_proceedings", 10 * DAY, None), "F-CONTACT"),
    (("X1", "child_contact_proceedings", 10 * DAY, None), "F-CONTACT"),
    (("V1", "new_relationship", 10 * DAY, None), "F-NEW-RELATIONSHIP"),
    (("V1", "separation", 10 * DAY, None), "F-SEPARATION"),
    (("X1", "protective_order", 10 * DAY, None), "F-ORDER"),
])  # fmt: skip
def test_triggers_are_flagged_with_their_source_and_raise_no_grade(
    event: tuple[Any, ...], flag: str
) -> None:
    result = grade(build(events=[event]))
    assert [f.rule_id for f in result.flags] == [flag]
    assert result.flags[0].source and result.grade == "standard" and result.actions == ()
    old = (*event[:2], 91 * DAY, None)
    assert grade(build(events=[old])).flags == ()  # outside the 90-day trigger window


def test_honour_based_abuse_is_flagged() -> None:
    result = grade(build(incident={"honour_based_abuse": True}))
    assert [f.rule_id for f in result.flags] == ["F-HBA"]


def test_deadlines_run_from_the_incident_or_the_assessment() -> None:
    result = grade(build(yes=15, dvds_concern=True, incident={"victim_pregnant": True}))
    due = {a.rule_id: a.due_by for a in result.actions}
    assert due["R-CSC-PREGNANT"] == "2024-06-02T11:00:00"  # incident at 11:00, + 24 hours
    assert due["R-DVDS"] == "2024-06-02T12:00:00"  # assessment at 12:00, + 24 hours
    assert due["R-MARAC-HIGH"] is None  # no source gives one
