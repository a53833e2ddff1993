"""Disclosure control: the rule on people and events, and the subtraction attack on the margins.

The attack is the one a statistics office runs before release: every published table's
margins (each grouping adds up to the public totals; each intersection ``a × b`` adds up to
the cells of ``a`` and of ``b``) form linear equations in the withheld counts. A withheld
count is recovered when those equations fix it: when every solution of the homogeneous
system is zero there (scipy's ``null_space``, not the audit's own code).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from bias_audit import AuditConfig, ScorerSpec, run_audit
from bias_audit.disclosure import cell_counts, suppress
from bias_audit.prepare import encode

COLUMNS = ("a", "b", "c")


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[pd.DataFrame, int, int]:
    """A table with 2-3 group columns of 2-7 skewed levels and a random outcome rate."""
    n = draw(st.integers(80, 600))
    n_cols = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {}
    for column in COLUMNS[:n_cols]:
        k = draw(st.integers(2, 7))
        weights = rng.dirichlet(np.full(k, draw(st.sampled_from([0.3, 1.0, 3.0]))))
        values = rng.choice(k, n, p=weights)
        values[:k] = np.arange(k)  # every level exists
        data[column] = [f"{column}{v}" for v in values]
    rate = draw(st.floats(0.03, 0.5))
    data["y"] = rng.random(n) < rate
    data["grade"] = rng.choice(["standard", "medium", "high"], n)
    min_people, min_events = draw(st.sampled_from([(5, 2), (10, 3), (10, 5), (20, 5)]))
    return pd.DataFrame(data), min_people, min_events


def _published(data: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Return, per grouping, each group's published cell (first scorer: counts are shared)."""
    scorer = data["groups"][0]["scorer"]
    return {
        b["grouping"]: {g["label"]: g for g in b["groups"]}
        for b in data["groups"]
        if b["scorer"] == scorer
    }


def _equations(tables: dict[str, dict[str, dict[str, Any]]], totals: float, key: str) -> tuple:
    """Return the margin equations ``A x = rhs`` over the withheld cells, and their names."""
    unknown = [
        (t, label) for t, cells in tables.items() for label, c in cells.items() if c["suppressed"]
    ]
    index = {u: i for i, u in enumerate(unknown)}
    rows, rhs = [], []

    def term(row: np.ndarray, table: str, label: str, sign: float) -> float:
        cell = tables[table][label]
        if cell["suppressed"]:
            row[index[(table, label)]] += sign
            return 0.0
        return -sign * cell[key]

    for table, cells in tables.items():
        parts = table.split(" × ")
        if len(parts) == 1:
            row = np.zeros(len(unknown))
            known = sum(term(row, table, label, 1.0) for label in cells)
            rows.append(row)
            rhs.append(totals + known)
            continue
        for position, margin in enumerate(parts):
            for level in tables[margin]:
                row = np.zeros(len(unknown))
                known = term(row, margin, level, -1.0)
                known += sum(
                    term(row, table, label, 1.0)
                    for label in cells
                    if label.split(" | ")[position] == level
                )
                rows.append(row)
                rhs.append(known)
    return np.asarray(rows), np.asarray(rhs), unknown


def _tables(frame: pd.DataFrame, groups: list[str], config: AuditConfig) -> dict[str, Any]:
    """Return what the audit would publish of every grouping: cells with counts or withheld."""
    enc = encode(frame, "y", [ScorerSpec("grade", "grade")], groups, config)
    suppression = suppress(enc.groupings, enc.y, config.min_people, config.min_events)
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for grouping in enc.groupings:
        counts = cell_counts(grouping, enc.y)
        withheld = suppression.withheld(grouping.name)
        tables[grouping.name] = {
            label: {
                "suppressed": bool(withheld[g]),
                "people": int(counts.people[g]),
                "rows": int(counts.rows[g]),
                "events": int(counts.events[g]),
            }
            for g, label in enumerate(grouping.labels)
        }
    return tables


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts())
def test_no_withheld_count_is_recovered_from_the_margins(
    case: tuple[pd.DataFrame, int, int],
) -> None:
    frame, min_people, min_events = case
    groups = [c for c in COLUMNS if c in frame.columns]
    config = AuditConfig(n_boot=20, min_people=min_people, min_events=min_events)
    tables = _tables(frame, groups, config)
    for cells in tables.values():
        for cell in cells.values():
            if not cell["suppressed"]:
                assert cell["people"] >= min_people and cell["events"] >= min_events
                assert cell["rows"] - cell["events"] >= min_events
    for key, total in (("rows", len(frame)), ("events", int(frame["y"].sum()))):
        matrix, rhs, unknown = _equations(tables, float(total), key)
        if not unknown:
            continue
        truth = _true_values(frame, unknown, key)
        assert np.allclose(matrix @ truth, rhs)  # the attacker's equations are right
        free = null_space(matrix)
        recovered = [u for u, row in zip(unknown, free, strict=True) if np.allclose(row, 0)]
        assert recovered == [], f"{key} of {recovered} recoverable"
    _assert_public_sums_pass_the_rule(frame, tables, min_people, min_events)


def _assert_public_sums_pass_the_rule(
    frame: pd.DataFrame, tables: dict[str, Any], min_people: int, min_events: int
) -> None:
    """Where withheld cells of one margin add up to a public number, that number passes the rule.

    Otherwise non-negativity finishes the attack: two withheld groups whose events add up to
    zero each had none.
    """
    matrix, _, unknown = _equations(tables, float(len(frame)), "rows")
    if not unknown:
        return
    rows, events = _true_values(frame, unknown, "rows"), _true_values(frame, unknown, "events")
    for equation in matrix:
        used = equation != 0
        if not used.any() or (equation[used] > 0).any() == (equation[used] < 0).any():
            continue  # nothing withheld, or a difference (not a sum) of withheld cells
        n, k = np.abs(equation) @ rows, np.abs(equation) @ events
        if n == len(frame):
            continue  # the whole table: public anyway
        assert n >= min_people and k >= min_events and n - k >= min_events


def test_the_published_audit_withholds_what_the_suppression_says() -> None:
    """The audit's JSON carries figures exactly for the cells suppression leaves shown."""
    rng = np.random.default_rng(8)
    n = 500
    frame = pd.DataFrame(
        {
            "a": rng.choice(["a0", "a1", "a2"], n, p=[0.8, 0.15, 0.05]),
            "b": rng.choice(["b0", "b1", "b2", "b3"], n, p=[0.5, 0.3, 0.15, 0.05]),
            "y": rng.random(n) < 0.2,
            "grade": rng.choice(["standard", "medium", "high"], n),
        }
    )
    config = AuditConfig(n_boot=20, min_people=10, min_events=3)
    tables = _tables(frame, ["a", "b"], config)
    scorers = [ScorerSpec("grade", "grade"), ScorerSpec("other", "grade", flag_level="medium")]
    data = run_audit(frame, "y", scorers, ["a", "b"], config).to_dict()
    for block in data["groups"]:
        expected = tables[block["grouping"]]
        for group in block["groups"]:
            cell = expected[group["label"]]
            assert group["suppressed"] == cell["suppressed"]
            if not cell["suppressed"]:
                assert (group["rows"], group["events"]) == (cell["rows"], cell["events"])
    summary = data["disclosure"]
    withheld = sum(c["suppressed"] for cells in tables.values() for c in cells.values())
    assert summary["primary"] + summary["secondary"] == withheld and withheld > 1
    for d in data["disparities"]:
        assert not tables[d["grouping"]][d["group"]]["suppressed"]
        assert not tables[d["grouping"]][d["reference"]]["suppressed"]


def _true_values(frame: pd.DataFrame, unknown: list[tuple[str, str]], key: str) -> np.ndarray:
    out = []
    for table, label in unknown:
        columns = table.split(" × ")
        rows = np.ones(len(frame), dtype=bool)
        for column, value in zip(columns, label.split(" | "), strict=True):
            rows &= frame[column].to_numpy() == value
        out.append(rows.sum() if key == "rows" else frame["y"].to_numpy()[rows].sum())
    return np.asarray(out, dtype=np.float64)


def test_one_small_group_takes_a_partner_with_it() -> None:
    """Female 803 + male 199 of 1,014 would reveal the 12 'other': a second cell is withheld."""
    rng = np.random.default_rng(4)
    sex = np.repeat(["female", "male", "other"], [803, 199, 12])
    frame = pd.DataFrame({"sex": sex, "y": rng.random(len(sex)) < 0.3, "grade": "high"})
    config = AuditConfig(n_boot=20, min_people=20, intersections=False)
    data = run_audit(frame, "y", [ScorerSpec("grade", "grade")], ["sex"], config).to_dict()
    shown = {g["label"]: g for g in data["groups"][0]["groups"]}
    assert shown["other"]["suppressed"] and shown["male"]["suppressed"]
    assert not shown["female"]["suppressed"] and shown["female"]["people"] == 803
    assert data["disclosure"] | {"rule": ""} == {
        "rule": "", "cells": 3, "shown": 1, "primary": 1, "secondary": 1,
    }  # fmt: skip
    assert "at least 20 people" in data["disclosure"]["rule"]


def test_few_events_withhold_a_large_group() -> None:
    """Enough people but only three outcome events: withheld (rates would rest on three)."""
    y = np.zeros(1_000, dtype=bool)
    y[:3] = True
    y[500:600] = True
    y[700:720] = True
    group = np.where(np.arange(1_000) < 300, "g1", np.where(np.arange(1_000) < 650, "g2", "g3"))
    frame = pd.DataFrame({"g": group, "y": y, "grade": "standard"})
    config = AuditConfig(n_boot=20, min_events=5, intersections=False)
    data = run_audit(frame, "y", [ScorerSpec("grade", "grade")], ["g"], config).to_dict()
    cells = {g["label"]: g for g in data["groups"][0]["groups"]}
    assert cells["g1"]["suppressed"]  # 300 people, 3 events
    assert sum(c["suppressed"] for c in cells.values()) == 2  # and one partner
