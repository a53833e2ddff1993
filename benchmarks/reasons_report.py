"""Measure the reasons: group coverage on 10k cases and the AUC cost of monotone constraints.

Fits the production model (``training.model.fit_model``, default settings) on a generated
cohort twice, with the monotone constraints the feature specs declare and without them, and
prints JSON: test AUC and ECE of each, and, on 10,000 cases scored by the constrained model,
the share of cases whose shown groups (the page's top groups) cover at least 80% of the total
absolute contribution, at the group and at the feature level.
"""

from __future__ import annotations

import argparse
import json
from typing import Any
from unittest import mock

import numpy as np

from features.engine.registry import group_of
from features.synthetic import generate_cohort
from serving.web.reasons_view import SHOWN_GROUPS
from training.data import build_model_data
from training.metrics import expected_calibration_error, roc_auc
from training.model import FittedModel, fit_model, period
from training.settings import TrainingSettings
from training.split import temporal_split

TARGET = "serious_harm_365d"


def _fit(data: Any, split: Any, settings: TrainingSettings, monotone: bool) -> FittedModel:
    if monotone:
        return fit_model(data, split, TARGET, settings)
    with mock.patch("training.capacity.monotone_constraints", lambda names: [0] * len(names)):
        return fit_model(data, split, TARGET, settings)


def _coverage(contrib: np.ndarray, names: tuple[str, ...], shown: int) -> dict[str, float]:
    groups = sorted({group_of(n) for n in names})
    member = np.array([[group_of(n) == g for n in names] for g in groups], dtype=np.float64)
    sums = np.abs(contrib @ member.T)  # (cases, groups): exact SHAP sums per group
    top = -np.sort(-sums, axis=1)[:, :shown].sum(axis=1)
    group_share = top / np.maximum(sums.sum(axis=1), 1e-12)
    feat = np.abs(contrib)
    feat_top = -np.sort(-feat, axis=1)[:, :5].sum(axis=1) / np.maximum(feat.sum(axis=1), 1e-12)
    return {
        "cases": float(len(contrib)),
        "shown_groups": float(shown),
        "share_cases_groups_cover_80pct": float(np.mean(group_share >= 0.8)),
        "median_group_coverage": float(np.median(group_share)),
        "share_cases_top5_features_cover_80pct": float(np.mean(feat_top >= 0.8)),
    }


def main() -> None:
    """Fit both models and print the measurements as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--victims", type=int, default=20000)
    parser.add_argument("--cases", type=int, default=10000)
    args = parser.parse_args()
    cohort = generate_cohort(n_victims=args.victims, seed=0)
    data = build_model_data(dict(cohort.tables), dict(cohort.metadata))
    frame = data.frame
    split = temporal_split(frame["completed_at"], frame["outcome_window_complete"])
    settings = TrainingSettings()
    out: dict[str, Any] = {}
    x_test, y_test = period(data, split.test, TARGET)
    for monotone in (True, False):
        fitted = _fit(data, split, settings, monotone)
        p = fitted.scorer.score(x_test.to_numpy(np.float64), explain=False).probability
        key = "monotone" if monotone else "unconstrained"
        ece = expected_calibration_error(y_test, p)
        out[key] = {"test_auc": roc_auc(y_test, p), "test_ece": ece}
        if monotone:
            rows = data.x.to_numpy(np.float64)[: args.cases]
            contrib = fitted.scorer.score(rows).contributions
            assert contrib is not None
            out["coverage"] = _coverage(contrib, data.feature_names, SHOWN_GROUPS)
            out["coverage_by_shown_groups"] = {
                n: _coverage(contrib, data.feature_names, n)["share_cases_groups_cover_80pct"]
                for n in range(2, 8)
            }
    out["auc_cost_of_monotone"] = out["unconstrained"]["test_auc"] - out["monotone"]["test_auc"]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
