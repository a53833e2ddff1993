"""Check a cohort against the published record: the figures ``docs/cohort.md`` lists, measured.

The published comparisons (Grogger, Gupta, Ivandic & Kirchmaier 2021; Turner, Brown &
Medina-Ariza 2022; Caulfield 2023) fit models on the earlier cases and judge them on the later
ones. Here: LightGBM on the training period (early-stopped on its last part), judged on the
test period of the same temporal split the trainer uses; the flagged share is the test
period's statutory 'high' share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd

from features.labels import PRIMARY_LABEL
from training.capacity import Capacity, fit_lgbm, lgbm_params
from training.data import ORACLE_COLUMN, ModelData
from training.metrics import operating_point, roc_auc, share_threshold
from training.settings import TrainingSettings
from training.split import TemporalSplit

# Features that come from the DASH form or the officer's grade (all others are police history
# and the facts of the current incident).
_DASH_PREFIXES = ("dash_", "prior_q2_", "officer_grade")

# name -> (low, high): the ranges the default cohort must land in (sources in docs/cohort.md).
TARGETS: dict[str, tuple[float, float]] = {
    "base_rate": (0.11, 0.13),
    "dash_count_auc": (0.58, 0.68),
    "officer_grade_npr_minus_base_rate": (-0.015, 0.015),
    "history_auc": (0.72, 0.79),
    "dash_gain_auc": (-1.0, 0.02),
    "model_npr_at_statutory_share": (0.07, 0.09),
    "victims_repeat_365d": (0.25, 0.40),
    "graded_high": (0.07, 0.13),
    "children_present": (0.40, 0.60),
}


@dataclass(frozen=True)
class _Fitted:
    """Test-period scores of one LightGBM fit on a column subset."""

    columns: tuple[str, ...]
    score: npt.NDArray[np.float64]


def history_columns(columns: pd.Index) -> list[str]:
    """Return the feature columns that police hold without the DASH form or officer grade."""
    return [str(c) for c in columns if not str(c).startswith(_DASH_PREFIXES)]


def _fit(data: ModelData, split: TemporalSplit, y: pd.Series, cols: list[str]) -> _Fitted:
    """Fit LightGBM on ``cols`` over the training period; return its test-period scores."""
    settings = TrainingSettings(num_threads=1, max_trees=400)
    params = lgbm_params(Capacity(num_leaves=15, max_depth=4), settings)
    x, stop = data.x[cols], split.early_stop
    model: lgb.LGBMClassifier = fit_lgbm(
        x[split.fit], y[split.fit].to_numpy(), x[stop], y[stop].to_numpy(), params, 30
    )
    proba = np.asarray(model.predict_proba(x[split.test]), dtype=np.float64)[:, 1]
    return _Fitted(tuple(cols), proba)


def _npr(y: npt.NDArray[np.bool_], score: npt.NDArray[np.float64], share: float) -> float:
    """Return the negative prediction rate when the top ``share`` of scores is flagged."""
    return operating_point(y, score, share_threshold(score, share))["negative_prediction_rate"]


def measure_targets(
    data: ModelData,
    split: TemporalSplit,
    metadata: dict[str, Any],
    target: str = PRIMARY_LABEL,
) -> dict[str, float]:
    """Return every figure of :data:`TARGETS` (and the oracle AUC) on the test period."""
    frame = data.frame
    y_all = frame[target].astype(bool)
    test = frame.loc[split.test]
    y: npt.NDArray[np.bool_] = np.asarray(test[target], dtype=bool)
    share = float((test["statutory_grade"] == "high").mean())
    history = _fit(data, split, y_all, history_columns(data.x.columns))
    dash_cols = [c for c in data.x.columns if str(c).startswith(("dash_", "prior_q2_"))]
    with_dash = _fit(data, split, y_all, [*history.columns, *dash_cols])
    model = _fit(data, split, y_all, [str(c) for c in data.x.columns])
    base = float(y.mean())
    officer_high = np.asarray(test["officer_grade"] == "high", dtype=np.float64)
    rates = metadata.get("realised_rates", {})
    out = {
        "base_rate": base,
        "dash_count_auc": roc_auc(y, test["yes_count"].to_numpy(dtype=np.float64)),
        "officer_grade_npr_minus_base_rate": operating_point(y, officer_high, 0.5)[
            "negative_prediction_rate"
        ]
        - base,
        "history_auc": roc_auc(y, history.score),
        "dash_gain_auc": roc_auc(y, with_dash.score) - roc_auc(y, history.score),
        "model_auc": roc_auc(y, model.score),
        "model_npr_at_statutory_share": _npr(y, model.score, share),
        "statutory_high_share": share,
        "victims_repeat_365d": float(rates.get("victims_repeat_365d", np.nan)),
        "graded_high": float(rates.get("graded_high", np.nan)),
        "children_present": float(rates.get("children_present", np.nan)),
    }
    oracle = ORACLE_COLUMN.get(target)
    if oracle in test:
        out["oracle_auc"] = roc_auc(y, test[oracle].to_numpy(dtype=np.float64))
    return out


def misses(figures: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    """Return the targets a cohort misses: name -> (figure, low, high)."""
    return {
        name: (figures[name], low, high)
        for name, (low, high) in TARGETS.items()
        if not low <= figures[name] <= high
    }
