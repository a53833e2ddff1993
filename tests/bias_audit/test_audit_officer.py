"""Officer effect on simulated data with a known officer SD; funnel flags the extreme officer."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from bias_audit.errors import AuditInputError
from bias_audit.funnel import funnel, pseudonym
from bias_audit.officer import moment_icc, officer_effect

KEY = b"test key"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n, k, sd_officer, sd_case = 20_000, 200, 1.0, 2.0
    officer = rng.integers(0, k, n)
    x = rng.normal(size=(n, 4))
    u = rng.normal(0, sd_officer, k)
    yes = 5 + x @ np.array([1.0, 0.5, 0.0, -0.5]) + u[officer] + rng.normal(0, sd_case, n)
    p = 1 / (1 + np.exp(-(x[:, 0] - 2)))
    p = np.where(officer == 7, np.minimum(p * 4, 1), p)  # one officer grades high far more often
    table = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    return table.assign(
        yes=yes, officer=[f"o{i}" for i in officer], grade=np.where(rng.random(n) < p, "high", "x")
    )


def test_icc_recovers_the_simulated_officer_share(frame: pd.DataFrame) -> None:
    out = officer_effect(frame, "officer", "yes", ["a", "b", "c", "d"], grade="grade", key=KEY)
    truth = 1.0 / (1.0 + 4.0)
    assert out["converged"]
    assert out["icc"] == pytest.approx(truth, abs=0.04)
    assert out["icc_ci"][0] <= truth <= out["icc_ci"][1]
    assert out["officer_sd"] == pytest.approx(1.0, abs=0.15)
    assert out["moment_icc"] == pytest.approx(out["icc"], abs=0.02)
    seven = next(o for o in out["officers"] if o["officer"] == pseudonym("o7", KEY))
    assert seven["outside_99_8"]
    assert out["n_outside_99_8"] <= 3


def test_no_officer_effect_gives_icc_near_zero() -> None:
    rng = np.random.default_rng(4)
    n = 8_000
    table = pd.DataFrame({"x": rng.normal(size=n), "officer": rng.integers(0, 100, n)})
    table["yes"] = table["x"] + rng.normal(size=n)
    out = officer_effect(table, "officer", "yes", ["x"], grade=None)
    assert out["icc"] < 0.01 and out["icc_ci"][0] == 0.0


def test_moment_icc_unit_weights_match_anova() -> None:
    resid = np.array([1.0, 2.0, 3.0, 7.0, 8.0, 9.0])
    officer = np.array([0, 0, 0, 1, 1, 1])
    icc = moment_icc(resid, officer, np.ones((1, 2)))[0]
    msb, msw = 3 * ((2 - 5) ** 2 + (8 - 5) ** 2) / 1, (2 + 2) / 4
    var_u = (msb - msw) / 3
    assert icc == pytest.approx(var_u / (var_u + msw))


def test_funnel_observed_and_expected() -> None:
    out = funnel(
        np.array([True, False, True, True]),
        np.array([0.5, 0.5, 0.2, 0.2]),
        pd.Series(list("aabb")),
        min_people=1,
        min_events=0,
    )
    officers, limits = out["officers"], out["limits"]
    assert officers[0]["observed_rate"] == 0.5 and officers[1]["expected_rate"] == pytest.approx(
        0.2
    )
    assert limits[0]["z998"] > limits[-1]["z998"]


def test_funnel_withholds_small_officers_and_names_none() -> None:
    """Officer 'c' has 4 assessments: withheld, with the next smallest so totals reveal nothing."""
    rng = np.random.default_rng(1)
    officer = np.repeat(["alice", "bob", "carol", "dave"], [60, 30, 4, 80])
    flag = rng.random(len(officer)) < 0.4
    out = funnel(flag, np.full(len(flag), 0.4), pd.Series(officer), 10, 5, KEY)
    shown = {o["officer"] for o in out["officers"]}
    assert out["officers_withheld"] == 2
    assert shown == {pseudonym("alice", KEY), pseudonym("dave", KEY)}
    assert not any(name in str(out) for name in ("alice", "bob", "carol", "dave"))
    other = funnel(flag, np.full(len(flag), 0.4), pd.Series(officer), 10, 5)
    assert {o["officer"] for o in other["officers"]} != shown  # a fresh key: nothing links


def test_missing_column_is_named() -> None:
    with pytest.raises(AuditInputError, match="'officer'"):
        officer_effect(pd.DataFrame({"yes": [1.0]}), "officer", "yes", [])


def test_officer_sd_matches_the_simulators_on_the_yes_count_scale(
    simulate_table: Callable[..., pd.DataFrame],
) -> None:
    """The simulator shifts each officer's logit of 'yes' by N(0, 0.3); on the yes-count scale
    that is the SD over officers of their expected count (about 1.2 answers here). Tolerance:
    20% of the true SD (300 officers give a sampling SE of roughly 5-8% on an SD)."""
    table = simulate_table(40_000, seed=8)
    out = officer_effect(table, "officer_id", "yes_count", ["risk_proxy"], grade="officer_grade")
    truth = table.attrs["officer_yes_sd"]
    assert out["officer_sd"] == pytest.approx(truth, rel=0.2)
