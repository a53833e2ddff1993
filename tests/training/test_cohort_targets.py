"""The default (published) cohort reproduces the published record on 20k victims.

Each figure must land in its target range (``training.cohort_targets.TARGETS``; sources in the
project's cohort notes) widened by a tolerance of about two between-seed standard deviations
of that figure on 20k-victim cohorts (measured over seeds 1-6: base rate 0.008, DASH AUC 0.017,
officer-grade NPR gap 0.002, history AUC 0.022, DASH gain 0.003, model NPR 0.005, graded high
0.004, victims repeating and children present 0.003). The seed (0) is not one the preset was
fitted on (101, 102).
"""

from __future__ import annotations

from typing import Any

import pytest

from features.synthetic import generate_cohort
from features.synthetic.presets import preset
from training.cohort_targets import TARGETS, measure_targets
from training.data import build_model_data
from training.pipeline import split_data
from training.settings import TrainingSettings

TOLERANCE: dict[str, float] = {
    "base_rate": 0.016,
    "dash_count_auc": 0.035,
    "officer_grade_npr_minus_base_rate": 0.005,
    "history_auc": 0.045,
    "dash_gain_auc": 0.006,
    "model_npr_at_statutory_share": 0.01,
    "victims_repeat_365d": 0.007,
    "graded_high": 0.008,
    "children_present": 0.006,
}


def _figures(name: str, victims: int, seed: int) -> dict[str, Any]:
    cohort = generate_cohort(victims, seed, preset(name), name)
    data = build_model_data(cohort.tables, cohort.metadata)
    return measure_targets(data, split_data(data, TrainingSettings()), cohort.metadata)


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    return _figures("published", 20_000, 0)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_published_cohort_meets_each_target(published: dict[str, Any], name: str) -> None:
    low, high = TARGETS[name]
    assert low - TOLERANCE[name] <= published[name] <= high + TOLERANCE[name], published


@pytest.mark.slow
def test_oracle_is_near_point_eight_not_point_nine(published: dict[str, Any]) -> None:
    assert 0.78 <= published["oracle_auc"] <= 0.88
    assert published["oracle_auc"] > published["model_auc"]
