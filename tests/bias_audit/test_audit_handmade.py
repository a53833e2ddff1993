"""Per-group figures equal a direct computation from the confusion matrix on a hand-made table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from bias_audit import AuditConfig, ScorerSpec, run_audit
from bias_audit.disparity import adjust

CONFIG = AuditConfig(n_boot=200, min_people=10, min_events=1, seed=1)


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 60
    grade = rng.choice(["standard", "medium", "high"], n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(grade == "high", 0.6, 0.2)).astype(int)
    return pd.DataFrame(
        {
            "harm": y,
            "grade": grade,
            "p": np.clip(rng.beta(2, 5, n) + 0.2 * y, 0, 1),
            "sex": np.where(np.arange(n) < 36, "female", "male"),
            "area": np.where(np.arange(n) % 2 == 0, "north", "south"),
        }
    )


def _direct(rows: pd.DataFrame, flagged: pd.Series) -> dict[str, float]:
    y = rows["harm"].astype(bool)
    tp, fp = int((y & flagged).sum()), int((~y & flagged).sum())
    fn, tn = int((y & ~flagged).sum()), int((~y & ~flagged).sum())
    return {
        "base_rate": (tp + fn) / len(rows),
        "selection_rate": (tp + fp) / len(rows),
        "fpr": fp / (fp + tn),
        "fnr": fn / (fn + tp),
        "precision": tp / (tp + fp),
    }


@pytest.fixture(scope="module")
def result() -> dict[str, object]:
    scorers = [
        ScorerSpec("grade", "grade"),
        ScorerSpec("model", "p", "probability", threshold=0.4),
    ]
    return run_audit(_table(), "harm", scorers, ["sex", "area"], CONFIG).to_dict()


def _block(result: dict[str, object], scorer: str, grouping: str) -> dict[str, object]:
    blocks = result["groups"]
    assert isinstance(blocks, list)
    return next(b for b in blocks if b["scorer"] == scorer and b["grouping"] == grouping)


@pytest.mark.parametrize("scorer", ["grade", "model"])
def test_group_rates_equal_the_confusion_matrix(result: dict[str, object], scorer: str) -> None:
    table = _table()
    flagged = table["grade"].eq("high") if scorer == "grade" else table["p"].ge(0.4)
    for group in _block(result, scorer, "sex")["groups"]:
        rows = table["sex"] == group["label"]
        expected = _direct(table[rows], flagged[rows])
        for metric, value in expected.items():
            assert group["metrics"][metric]["estimate"] == pytest.approx(value), metric
        score = (
            table["p"]
            if scorer == "model"
            else table["grade"].map({"standard": 0, "medium": 1, "high": 2})
        )
        auc = roc_auc_score(table["harm"][rows], score[rows])
        assert group["metrics"]["auc"]["estimate"] == pytest.approx(auc)


def test_intervals_contain_estimates_and_intersections_exist(result: dict[str, object]) -> None:
    block = _block(result, "grade", "sex × area")
    labels = {g["label"] for g in block["groups"]}
    assert labels == {"female | north", "female | south", "male | north", "male | south"}
    for group in _block(result, "grade", "sex")["groups"]:
        for metric in group["metrics"].values():
            if metric["estimate"] is not None:
                assert metric["low"] <= metric["estimate"] + 1e-9 <= metric["high"] + 2e-9


def test_ece_equals_direct_binned_gap(result: dict[str, object]) -> None:
    table = _table()
    for group in _block(result, "model", "area")["groups"]:
        rows = table[table["area"] == group["label"]]
        bins = np.clip((rows["p"] * 10).astype(int), 0, 9)
        gap = (rows["p"] - rows["harm"]).groupby(bins).sum().abs().sum() / len(rows)
        assert group["metrics"]["ece"]["estimate"] == pytest.approx(gap)
        assert sum(b["n"] for b in group["calibration"]) <= len(rows)


def test_json_is_strict_and_complete(result: dict[str, object]) -> None:
    text = json.dumps(result, allow_nan=False)
    assert "multiple_comparisons" in text and "disparities" in text
    family = result["multiple_comparisons"]
    assert isinstance(family, dict) and family["method"] == "bh"


def test_adjustments_match_textbook_values() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    assert adjust(p, "bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert adjust(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust(p, "by")[3] == pytest.approx(0.02 * (1 + 1 / 2 + 1 / 3 + 1 / 4))


def test_count_tensors_agree_with_metricframe() -> None:
    """The bootstrap's count formulas and MetricFrame's estimates agree on the full sample."""
    from bias_audit.prepare import encode
    from bias_audit.stats import block_stats

    scorers = [ScorerSpec("grade", "grade"), ScorerSpec("model", "p", "probability", threshold=0.4)]
    enc = encode(_table(), "harm", scorers, ["sex", "area"], CONFIG)
    for stats in block_stats(enc, AuditConfig(n_boot=20)):
        for metric, shift in stats.shift.items():
            if metric == "auc" and stats.block.scorer.spec.is_probability:
                continue  # exact rank AUC vs the bootstrap's binned AUC: shifted on purpose
            assert np.nan_to_num(shift) == pytest.approx(0.0, abs=1e-12), metric
