"""Reasons in a reviewer's words: every input has a sentence and a group of meaning."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from features.dash import DASH
from features.engine.groups import FEATURE_GROUP, GROUPS
from features.engine.registry import FEATURES, feature_names, monotone_constraints, sentence
from features.engine.sentence_templates import TEMPLATES


def test_every_registered_feature_has_its_own_sentence_and_a_group() -> None:
    for name in feature_names():
        assert name in TEMPLATES or name.removeprefix("dash_") in DASH.question_ids, name
        assert FEATURE_GROUP[name] in GROUPS and FEATURE_GROUP[name] != "other", name


def test_dont_know_and_not_answered_are_said_as_such() -> None:
    row = {"dash_q13": math.nan}
    assert "did not know" in sentence("dash_q13", row, {"q13": "dont_know"})
    assert "not answered" in sentence("dash_q13", row, {"q13": "not_answered"})
    unknown = sentence("dash_q13", row)
    assert "don't know or not answered" in unknown and "answered no" not in unknown
    assert sentence("dash_q13", {"dash_q13": 0.0}).endswith("the victim answered no")
    assert "'Is the abuse happening more often?' (DASH question 13)" in unknown


def test_a_gap_since_the_last_incident_says_there_were_earlier_ones() -> None:
    row = {"days_since_last_dyad_incident": 297.0, "dyad_incidents_ever": 3.0}
    text = sentence("days_since_last_dyad_incident", row)
    assert text == (
        "The last incident between them was 297 days before this one (3 earlier incidents in all)"
    )
    none = sentence("days_since_last_dyad_incident", {"days_since_last_dyad_incident": math.nan})
    assert none == "There was no earlier incident between them"


@pytest.mark.parametrize(
    ("diff", "words"),
    [
        (-3.0, "less severe than the worst earlier one between them (severity 5)"),
        (0.0, "as severe as the worst"),
        (1.0, "more severe than any earlier one"),
    ],
)
def test_severity_against_the_worst_earlier_incident_says_what_it_means(
    diff: float, words: str
) -> None:
    text = sentence(
        "severity_vs_prior_dyad_max",
        {"severity_vs_prior_dyad_max": diff, "severity": 2.0 if diff < 0 else 4.0},
    )
    assert words in text and "minus" not in text


@given(
    st.sampled_from(feature_names()), st.one_of(st.integers(0, 40).map(float), st.just(math.nan))
)
def test_no_sentence_carries_a_variable_name_or_a_code(name: str, value: float) -> None:
    spec = next(f for f in FEATURES if f.name == name)
    if not spec.nullable and math.isnan(value):
        value = 0.0
    if spec.maximum is not None:
        value = min(value, spec.maximum) if not math.isnan(value) else value
    text = sentence(name, {name: value, "severity": 3.0, "dyad_incidents_ever": 2.0})
    assert "_" not in text and "= " not in text and "nan" not in text.lower().split()
    assert text[0].isupper() or text[0].isdigit()  # a sentence, not a fragment


def test_monotone_constraints_follow_the_declarations_in_column_order() -> None:
    names = ("severity", "dyad_gap_ratio", "dyad_incidents_365d", "not_registered")
    assert monotone_constraints(names) == [1, 0, 1, 0]
    rising = {f.name for f in FEATURES if f.monotone == 1}
    assert "days_since_last_dyad_incident" not in rising  # not monotone: a gap means history
    assert {"perp_da_convictions", "strangulation", "dash_yes_count"} <= rising
