"""Properties of ``combine``: the model can add a review suggestion and nothing else."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from features.case import Case
from features.dash import QUESTION_IDS
from features.rules import ADVISORY_NOTE, Action, ModelView, StatutoryResult, combine, grade_case
from features.rules.combine import REVIEW_ACTION, REVIEW_RULE_ID
from features.rules.table import load_rule_table
from features.vocab import GRADE_RANK, GRADES

RULES = load_rule_table().rules

actions = st.builds(
    lambda rule, reason: Action(rule.id, rule.action, reason, rule.source),
    st.sampled_from(RULES),
    st.text(max_size=40),
)


@st.composite
def statutory_results(draw: st.DrawFn) -> StatutoryResult:
    grade = draw(st.sampled_from(GRADES))
    fired = draw(st.lists(actions, max_size=8))
    if grade == "high" and draw(st.booleans()):
        fired += [Action("R-VHR", "marac_referral", "15 'yes'", "s"), Action(
            "R-IDVA", "idva_referral", "high", "s")]  # fmt: skip
    counts = draw(st.lists(st.integers(0, 27), min_size=3, max_size=3))
    return StatutoryResult(
        assessment_id=draw(st.text(max_size=8)),
        grade=grade,
        actions=tuple(fired),
        yes_count=counts[0],
        dont_know_count=counts[1],
        not_answered_count=counts[2],
        unknown_count=counts[1] + counts[2],
        rules_version="v1",
        non_default_thresholds=(("vhr_min_yes", 12),) if draw(st.booleans()) else (),
    )


probabilities = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(width=32).map(np.float32),  # numpy scalars, as the scorer returns them
    st.floats(min_value=0, max_value=1).map(np.float64),
    st.sampled_from([0.0, 1.0, -0.0, 1e-300, 1 - 1e-16, 1.0000001, -1e-9, math.nan, math.inf]),
)
bands = st.one_of(
    st.sampled_from(GRADES),
    st.sampled_from(GRADES).map(np.str_),
    st.text(max_size=10),
    st.sampled_from(["HIGH", ""]),
)
models = st.one_of(
    st.none(),
    st.builds(ModelView, band=bands, probability=probabilities,
              model_version=st.one_of(st.none(), st.text(max_size=5))),
)  # fmt: skip


def usable(model: ModelView) -> bool:
    p = float(model.probability)
    return model.band in GRADES and math.isfinite(p) and 0.0 <= p <= 1.0


@settings(max_examples=500, deadline=None)
@given(statutory_results(), models)
def test_model_never_lowers_grade_or_touches_actions(
    statutory: StatutoryResult, model: ModelView | None
) -> None:
    rec = combine(statutory, model)
    assert rec.grade == statutory.grade  # never lowered (and never raised: it is statutory)
    assert rec.statutory is statutory
    n = len(statutory.actions)
    assert rec.actions[:n] == statutory.actions  # every action kept, unchanged, in order
    assert all(a.rule_id == REVIEW_RULE_ID for a in rec.actions[n:])
    assert len(rec.actions) - n == int(rec.review_suggested)
    assert rec.advisory_note == ADVISORY_NOTE


@settings(max_examples=500, deadline=None)
@given(statutory_results(), models)
def test_review_suggested_iff_model_band_above_statutory_grade(
    statutory: StatutoryResult, model: ModelView | None
) -> None:
    rec = combine(statutory, model)
    expected = (
        model is not None and usable(model) and GRADE_RANK[model.band] > GRADE_RANK[statutory.grade]
    )
    assert rec.review_suggested is expected
    if expected:
        assert model is not None
        review = rec.actions[-1]
        assert review.action == REVIEW_ACTION
        assert f"band is {model.band}" in review.reason
        assert f"probability {float(model.probability):.2f}" in review.reason


@settings(max_examples=300, deadline=None)
@given(statutory_results(), models)
def test_high_case_keeps_marac_and_idva_whatever_the_model(
    statutory: StatutoryResult, model: ModelView | None
) -> None:
    rec = combine(statutory, model)
    before = {(a.rule_id, a.action) for a in statutory.actions}
    after = {(a.rule_id, a.action) for a in rec.actions}
    assert before <= after
    if statutory.grade == "high":
        assert not rec.review_suggested  # nothing is above high


@settings(max_examples=300, deadline=None)
@given(statutory_results(), models)
def test_recommendation_is_strict_json(statutory: StatutoryResult, model: ModelView | None) -> None:
    body = json.loads(combine(statutory, model).to_json())
    assert body["grade"] == statutory.grade
    assert body["advisory_note"] == ADVISORY_NOTE
    assert body["statutory"] == json.loads(statutory.to_json())
    assert [a["rule_id"] for a in body["actions"]][: len(statutory.actions)] == list(
        statutory.rule_ids
    )


def test_missing_model_gives_the_statutory_result_and_the_note() -> None:
    statutory = StatutoryResult("A", "medium", (), 3, 0, 0, 0, "v1")
    rec = combine(statutory, None)
    assert (rec.grade, rec.actions, rec.review_suggested) == ("medium", (), False)
    assert rec.to_dict()["model"] is None


def _case(yes: int, officer: str) -> Case:
    answers = {q: ("yes" if i < yes else "no") for i, q in enumerate(QUESTION_IDS)}
    assessment = {"assessment_id": "A1", "completed_at": "2024-05-01T10:00:00",
                  "officer_grade": officer, "referred_to_marac": False, "dvds_concern": False,
                  "marac_consent": "not_sought", **answers}  # fmt: skip
    incident = {"incident_id": "I1", "occurred_at": "2024-05-01T09:00:00", "victim_id": "V",
                "perpetrator_id": "X", "offence_category": "violence_without_injury",
                "crime_recorded": True, "severity": 2, "injury": False, "weapon": False,
                "strangulation": False, "children_present": False, "child_involved": False,
                "child_called_police": False, "victim_pregnant": False,
                "child_abuse_marker_at_address": False, "children_resident": False,
                "honour_based_abuse": False, "adult_at_risk": False}  # fmt: skip
    return Case(assessment=assessment, incident=incident)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 27), st.sampled_from(GRADES), models)
def test_real_high_cases_keep_marac_and_idva(
    yes: int, officer: str, model: ModelView | None
) -> None:
    statutory = grade_case(_case(yes, officer))
    rec = combine(statutory, model)
    if yes >= 14 or officer == "high":
        assert rec.grade == "high"
        kept = {a.action for a in rec.actions}
        assert {"marac_referral", "idva_referral"} <= kept
        assert not rec.review_suggested
    assert rec.actions[: len(statutory.actions)] == statutory.actions
