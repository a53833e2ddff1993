"""Honest intervals for rates on few events; calibration by group (bins, intercept, slope)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from bias_audit import AuditConfig, ScorerSpec, run_audit
from bias_audit.report import render_html

RATE_COUNTS = {  # metric -> (numerator, denominator) as boolean row masks of (y, flagged)
    "selection_rate": (lambda y, f: f, lambda y, f: np.ones_like(y)),
    "fpr": (lambda y, f: ~y & f, lambda y, f: ~y),
    "fnr": (lambda y, f: y & ~f, lambda y, f: y),
    "precision": (lambda y, f: y & f, lambda y, f: f),
    "base_rate": (lambda y, f: y, lambda y, f: np.ones_like(y)),
}


def _few_events_table() -> pd.DataFrame:
    """Group 'small': 12 people, 5 events, every event graded low (false negative rate 5/5)."""
    rng = np.random.default_rng(2)
    big = 400
    y = np.concatenate([rng.random(big) < 0.3, np.arange(12) < 5])
    grade = np.concatenate([rng.choice(["standard", "high"], big), np.full(12, "standard")])
    group = np.concatenate([rng.choice(["x", "z"], big), np.full(12, "small")])
    return pd.DataFrame({"y": y, "grade": grade, "g": group})


def test_a_rate_on_five_events_all_missed_has_a_wilson_interval() -> None:
    config = AuditConfig(n_boot=100, min_events=5, intersections=False)
    result = run_audit(_few_events_table(), "y", [ScorerSpec("grade", "grade")], ["g"], config)
    small = next(g for g in result.blocks[0].groups if g.label == "small")
    fnr = small.metrics["fnr"]
    assert not small.suppressed and small.events == 5
    assert fnr.estimate == 1.0 and fnr.interval == "wilson"
    assert fnr.low == pytest.approx(0.566, abs=1e-3) and fnr.high == 1.0  # Wilson 95% for 5/5
    html = render_html(result)
    assert "1.000 (1.000–1.000)" not in html
    assert "Wilson" in html


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(60, 400), st.sampled_from([3, 5, 8]))
def test_no_rate_on_few_events_has_a_zero_width_interval(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "y": rng.random(n) < rng.uniform(0.05, 0.5),
            "grade": rng.choice(["standard", "medium", "high"], n, p=[0.6, 0.3, 0.1]),
            "g": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]),
        }
    )
    config = AuditConfig(n_boot=40, min_people=5, min_events=k, intersections=False, seed=seed)
    result = run_audit(frame, "y", [ScorerSpec("grade", "grade")], ["g"], config)
    for group in result.blocks[0].groups:
        if group.suppressed:
            continue
        rows = frame["g"].to_numpy() == group.label
        y, flagged = frame["y"].to_numpy()[rows], frame["grade"].to_numpy()[rows] == "high"
        for metric, (num, den) in RATE_COUNTS.items():
            x, total = int(num(y, flagged).sum()), int(den(y, flagged).sum())
            est = group.metrics[metric]
            if total > 0 and min(x, total - x) < k:
                assert est.interval == "wilson" and est.high > est.low, (metric, x, total)
            if total > 0:
                assert est.low <= est.estimate + 1e-9 and est.estimate <= est.high + 1e-9


@pytest.fixture(scope="module")
def calibration_table() -> pd.DataFrame:
    """Group 'good' is calibrated; group 'flat' has true logit 0.5 x predicted logit + 0.4."""
    rng = np.random.default_rng(12)
    n = 8_000
    group = rng.choice(["good", "flat"], n)
    p = rng.beta(1.5, 6, n)
    logit = np.log(p / (1 - p))
    truth = np.where(group == "good", p, 1 / (1 + np.exp(-(0.5 * logit + 0.4))))
    return pd.DataFrame({"y": rng.random(n) < truth, "p": p, "g": group})


def _row_fit(frame: pd.DataFrame) -> tuple[float, float]:
    x = np.log(frame["p"] / (1 - frame["p"]))
    slope = sm.Logit(frame["y"].astype(float), sm.add_constant(x)).fit(disp=0).params.iloc[1]
    offset = sm.GLM(
        frame["y"].astype(float), np.ones(len(x)), family=sm.families.Binomial(), offset=x
    ).fit()
    return float(offset.params.iloc[0]), float(slope)


def test_calibration_intercept_and_slope_by_group(calibration_table: pd.DataFrame) -> None:
    config = AuditConfig(n_boot=200, intersections=False, seed=4)
    scorer = ScorerSpec("model", "p", "probability", threshold=0.3)
    result = run_audit(calibration_table, "y", [scorer], ["g"], config)
    groups = {g.label: g for g in result.blocks[0].groups}
    for label, group in groups.items():
        intercept, slope = _row_fit(calibration_table[calibration_table["g"] == label])
        fitted = group.metrics
        assert fitted["calibration_intercept"].estimate == pytest.approx(intercept, abs=0.02)
        assert fitted["calibration_slope"].estimate == pytest.approx(slope, abs=0.03)
        assert fitted["calibration_slope"].low < fitted["calibration_slope"].high
    good, flat = groups["good"].metrics, groups["flat"].metrics
    assert good["calibration_slope"].low <= 1.0 <= good["calibration_slope"].high
    assert good["calibration_intercept"].low <= 0.0 <= good["calibration_intercept"].high
    assert flat["calibration_slope"].high < 0.7


def test_reliability_bins_hold_equal_counts_and_the_rule(calibration_table: pd.DataFrame) -> None:
    config = AuditConfig(n_boot=50, intersections=False, min_people=20, min_events=10)
    scorer = ScorerSpec("model", "p", "probability", threshold=0.3)
    result = run_audit(calibration_table.iloc[:1500], "y", [scorer], ["g"], config)
    for group in result.blocks[0].groups:
        bins = group.calibration or []
        assert len(bins) >= 3
        assert sum(b.n for b in bins) == group.rows
        assert sum(b.events for b in bins) == group.events
        sizes = [b.n for b in bins]
        for b in bins:
            assert b.n >= 20 and b.events >= 10 and b.n - b.events >= 10
            assert b.observed.low < b.observed.high
        target = group.rows / config.calibration_bins
        # about equal counts; the first bin (few events at low scores) may grow to hold the rule
        assert all(0.5 * target <= size <= 2 * target for size in sizes[1:-1]), sizes
        means = [b.mean_predicted for b in bins]
        assert means == sorted(means)
