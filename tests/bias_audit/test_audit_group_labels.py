"""Group labels in words: every vocabulary code has words; coded patterns read as words."""

from __future__ import annotations

import pytest

from bias_audit.report_view import group_words, grouping_words
from features.group_labels import value_words
from features.vocab import ETHNICITIES, SEXES


@pytest.mark.parametrize(("column", "codes"), [("sex", SEXES), ("ethnicity", ETHNICITIES)])
def test_every_vocabulary_code_reads_as_words(column: str, codes: tuple[str, ...]) -> None:
    words = [value_words(column, code) for code in codes]
    assert len(set(words)) == len(codes)
    assert not any("_" in w or w == code for w, code in zip(words, codes, strict=True))


@pytest.mark.parametrize(
    ("column", "code", "words"),
    [
        ("area", "area_01", "Area 1"),
        ("area", "area_12", "Area 12"),
        ("age_band", "18-24", "18 to 24"),
        ("age_band", "65+", "65 and over"),
        ("age_band", "unknown", "Age band not known"),
        ("disability", "True", "Disabled"),
        ("disability", "False", "Not disabled"),
        ("ethnicity", "(missing)", "Not recorded"),
    ],
)
def test_coded_values_read_as_words(column: str, code: str, words: str) -> None:
    assert value_words(column, code) == words


def test_intersections_read_as_words() -> None:
    assert grouping_words(("sex", "age_band")) == "Sex × Age band"
    assert (
        group_words(("sex", "ethnicity"), "female | not_stated") == "Female, Ethnicity not stated"
    )
