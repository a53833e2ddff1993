"""Fit the chosen model: capacity sweep, calibration, band thresholds and the portable scorer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd

from features.model_format.scoring import CalibratedScorer, ScoringSpec
from training.calibration import (
    CalibrationResult,
    band_thresholds,
    calibrate,
    outcome_context,
)
from training.capacity import (
    CapacityPoint,
    capacity_sweep,
    curve_table,
    evaluate_point,
    lgbm_params,
    portable_booster,
)
from training.data import ModelData
from training.settings import TrainingSettings
from training.split import TemporalSplit
from training.tune import Sets, Trial, tune

MAP_TOLERANCE = 1e-9


@dataclass(frozen=True)
class FittedModel:
    """The chosen LightGBM model, its calibration, the portable scorer and the capacity curve."""

    estimator: lgb.LGBMClassifier
    booster: lgb.Booster
    chosen: CapacityPoint
    curve: pd.DataFrame
    calibration: CalibrationResult
    scorer: CalibratedScorer
    map_max_abs_diff: float
    trials: list[Trial] = field(default_factory=list)


def period(data: ModelData, mask: npt.NDArray[np.bool_], target: str) -> tuple[pd.DataFrame, Any]:
    """Return (features, labels) of the rows in ``mask``."""
    return data.x.loc[mask], data.frame.loc[mask, target].to_numpy(dtype=bool)


def map_difference(fitted: FittedModel, x: pd.DataFrame) -> float:
    """Return max |CalibratedScorer probability - scikit-learn predict_proba| on ``x``."""
    ours = fitted.scorer.score(x.to_numpy(dtype=np.float64), explain=False).probability
    theirs = fitted.calibration.calibrator.predict_proba(x)[:, 1]
    return float(np.max(np.abs(ours - theirs), initial=0.0))


def _tuned(
    chosen: CapacityPoint, sets: Sets, settings: TrainingSettings
) -> tuple[CapacityPoint, lgb.LGBMClassifier, list[Trial]]:
    """Tune regularisation at the chosen capacity with Optuna; return the refitted model."""
    start = time.perf_counter()
    base = lgbm_params(chosen.capacity, settings)
    estimator, trials = tune(
        sets, base, settings.tune_trials, settings.seed, settings.early_stopping_rounds
    )
    seconds = time.perf_counter() - start
    point = evaluate_point(chosen.capacity, estimator, sets, settings, seconds)
    return point, estimator, trials


def scoring_spec(
    data: ModelData,
    split: TemporalSplit,
    target: str,
    chosen: CapacityPoint,
    calibration: CalibrationResult,
) -> ScoringSpec:
    """Return the portable spec: calibration map, bands and outcome context from the calibration."""
    x_cal, y_cal = period(data, split.calibration, target)
    p_cal = calibration.calibrator.predict_proba(x_cal)[:, 1]
    return ScoringSpec(
        target=target,
        feature_names=data.feature_names,
        calibration=calibration.calibration_map,
        bands=band_thresholds(p_cal, data.frame.loc[split.calibration, "statutory_grade"]),
        metadata={"num_leaves": chosen.capacity.num_leaves, "max_depth": chosen.capacity.max_depth},
        context=outcome_context(target, p_cal, y_cal),
    )


def fit_model(
    data: ModelData, split: TemporalSplit, target: str, settings: TrainingSettings
) -> FittedModel:
    """Sweep capacities, calibrate the chosen one on the calibration period, build the scorer."""
    sets = {
        "fit": period(data, split.fit, target),
        "early_stop": period(data, split.early_stop, target),
        "selection": period(data, split.calibration, target),
        "test": period(data, split.test, target),
    }
    chosen, estimator, points = capacity_sweep(sets, settings)
    trials: list[Trial] = []
    if settings.tune_trials > 0:
        chosen, estimator, trials = _tuned(chosen, sets, settings)
    x_cal, y_cal = sets["selection"]
    calibration = calibrate(estimator, x_cal, y_cal, seed=settings.seed)
    booster = portable_booster(estimator)
    spec = scoring_spec(data, split, target, chosen, calibration)
    fitted = FittedModel(
        estimator,
        booster,
        chosen,
        curve_table(points, chosen.capacity),
        calibration,
        CalibratedScorer(booster, spec),
        0.0,
        trials,
    )
    diff = map_difference(fitted, sets["test"][0])
    if diff > MAP_TOLERANCE:
        raise RuntimeError(f"calibration map differs from scikit-learn by {diff:g}")
    return replace(fitted, map_max_abs_diff=diff)
