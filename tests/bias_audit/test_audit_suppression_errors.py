"""Small cells are suppressed everywhere; unusable columns raise an error naming them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bias_audit import AuditConfig, AuditInputError, ScorerSpec, run_audit

CONFIG = AuditConfig(n_boot=50, seed=2, person_column="person")
GRADE = [ScorerSpec("grade", "grade")]


def _table(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    ethnicity = np.where(np.arange(n) < 9, "tiny", rng.choice(["white", "asian"], n))
    return pd.DataFrame(
        {
            "harm": rng.random(n) < 0.2,
            "grade": rng.choice(["standard", "medium", "high"], n),
            "p": rng.random(n),
            "ethnicity": ethnicity,
            "sex": rng.choice(["female", "male"], n),
            "person": np.arange(n) // 1,
        }
    )


def test_group_under_ten_people_has_no_figures_anywhere() -> None:
    result = run_audit(_table(), "harm", GRADE, ["ethnicity", "sex"], CONFIG)
    data = result.to_dict()
    tiny = [g for b in data["groups"] for g in b["groups"] if g["label"].startswith("tiny")]
    assert tiny and all(g == {"label": g["label"], "suppressed": True} for g in tiny)
    assert not any("tiny" in d["group"] for d in data["disparities"])
    from bias_audit.report import render_html

    html = render_html(result)
    assert '<th scope="row">Tiny</th><td class="withheld"' in html  # label in words, no figures
    assert json.dumps(data, allow_nan=False)


def test_suppression_counts_people_not_rows() -> None:
    table = _table()
    table.loc[:8, "person"] = 0  # nine rows of one person in 'tiny'
    table.loc[9:29, "ethnicity"] = "tiny"  # now 30 rows, 22 people
    result = run_audit(
        table,
        "harm",
        GRADE,
        ["ethnicity"],
        AuditConfig(n_boot=50, person_column="person", min_people=25, intersections=False),
    )
    tiny = next(g for g in result.blocks[0].groups if g.label == "tiny")
    assert tiny.suppressed


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        (lambda t: t.drop(columns="harm"), "harm", "binary outcome"),
        (lambda t: t.assign(harm=np.where(t.index % 2, "yes", "no")), "harm", "binary"),
        (lambda t: t.assign(harm=np.where(t.index == 3, np.nan, 1.0)), "harm", "missing"),
        (lambda t: t.assign(grade="urgent"), "grade", "grades in"),
        (lambda t: t.drop(columns="sex"), "sex", "group column"),
        (lambda t: t.drop(columns="person"), "person", "person identifier"),
    ],
)
def test_bad_columns_name_the_column(change: object, column: str, words: str) -> None:
    table = change(_table())  # type: ignore[operator]
    with pytest.raises(AuditInputError, match=words) as info:
        run_audit(table, "harm", GRADE, ["ethnicity", "sex"], CONFIG)
    assert info.value.column == column and repr(column) in str(info.value)


def test_probability_outside_unit_interval_is_rejected() -> None:
    table = _table().assign(p=lambda t: t["p"] * 2)
    with pytest.raises(AuditInputError, match=r"numbers in \[0, 1\]") as info:
        run_audit(table, "harm", [ScorerSpec("m", "p", "probability")], ["sex"], CONFIG)
    assert info.value.column == "p"


def test_unknown_reference_group_is_rejected() -> None:
    config = AuditConfig(n_boot=50, reference={"sex": "nobody"})
    with pytest.raises(AuditInputError, match="reference group 'nobody'"):
        run_audit(_table(), "harm", GRADE, ["sex"], config)


def test_named_reference_is_used() -> None:
    config = AuditConfig(n_boot=50, reference={"sex": "male"}, intersections=False)
    result = run_audit(_table(), "harm", GRADE, ["sex"], config)
    assert result.blocks[0].reference == "male"
    assert {d.reference for d in result.disparities} == {"male"}


def test_a_withheld_reference_is_compared_with_nothing() -> None:
    """A named reference under the rule gives no comparisons (its figures would leak)."""
    config = AuditConfig(n_boot=50, reference={"ethnicity": "tiny"}, intersections=False)
    result = run_audit(_table(), "harm", GRADE, ["ethnicity", "sex"], config)
    assert not [d for d in result.disparities if d.grouping == "ethnicity"]
    assert [d for d in result.disparities if d.grouping == "sex"]
    block = next(b for b in result.blocks if b.grouping == "ethnicity")
    assert block.reference == "tiny" and all(
        g.suppressed for g in block.groups if g.label == "tiny"
    )
