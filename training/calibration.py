"""Calibrate a fitted classifier on the calibration period and extract the portable map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import StratifiedKFold

from features.labels import DEFINITIONS
from features.model_format.scoring import Bands, CalibrationMap, OutcomeContext
from training.metrics import logloss, share_threshold

Method = Literal["isotonic", "sigmoid"]
METHODS: tuple[Method, ...] = ("isotonic", "sigmoid")


class ProbabilityView(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A fitted classifier seen only through ``predict_proba``.

    LightGBM's classifier also has ``decision_function`` (raw log-odds), which scikit-learn's
    calibration prefers; the portable :class:`CalibrationMap` is defined on probabilities,
    so calibration must see those. Never saved with a model.
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, x: Any = None, y: Any = None) -> ProbabilityView:
        """Take the classes of the (already fitted) wrapped estimator; no training happens."""
        self.classes_ = self.estimator.classes_
        return self

    def predict_proba(self, x: Any) -> npt.NDArray[np.float64]:
        """Return the wrapped estimator's class probabilities."""
        return np.asarray(self.estimator.predict_proba(x), dtype=np.float64)

    def predict(self, x: Any) -> npt.NDArray[Any]:
        """Return the most probable class."""
        return np.asarray(self.classes_[np.argmax(self.predict_proba(x), axis=1)])


@dataclass(frozen=True)
class CalibrationResult:
    """The fitted scikit-learn calibrator, its extracted map and the method comparison."""

    calibrator: CalibratedClassifierCV
    calibration_map: CalibrationMap
    cv_log_loss: dict[str, float]


def fit_calibrator(
    model: ClassifierMixin, x: pd.DataFrame, y: npt.NDArray[Any], method: Method
) -> CalibratedClassifierCV:
    """Fit ONE calibrator on all of ``x`` around the frozen model's probabilities."""
    frozen = FrozenEstimator(ProbabilityView(model).fit())
    calibrated = CalibratedClassifierCV(frozen, method=method, ensemble=False)
    return calibrated.fit(x, y)


def compare_methods(
    model: ClassifierMixin, x: pd.DataFrame, y: npt.NDArray[Any], folds: int = 5, seed: int = 0
) -> dict[str, float]:
    """Return each method's mean held-out log loss over stratified folds of the calibration rows."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    losses: dict[str, list[float]] = {m: [] for m in METHODS}
    for fit_idx, held_idx in splitter.split(x, y):
        for method in METHODS:
            cal = fit_calibrator(model, x.iloc[fit_idx], y[fit_idx], method)
            p = cal.predict_proba(x.iloc[held_idx])[:, 1]
            losses[method].append(logloss(y[held_idx], p))
    return {m: float(np.mean(v)) for m, v in losses.items()}


def extract_map(calibrated: CalibratedClassifierCV) -> CalibrationMap:
    """Copy the single fitted calibrator's parameters into a :class:`CalibrationMap`."""
    if len(calibrated.calibrated_classifiers_) != 1:
        raise ValueError("expected one calibrator (ensemble=False around a frozen model)")
    inner = calibrated.calibrated_classifiers_[0].calibrators[0]
    if calibrated.method == "isotonic":
        return CalibrationMap(
            method="isotonic",
            x=tuple(float(v) for v in inner.X_thresholds_),
            y=tuple(float(v) for v in inner.y_thresholds_),
        )
    if calibrated.method == "sigmoid":
        return CalibrationMap(method="sigmoid", a=float(inner.a_), b=float(inner.b_))
    raise ValueError(f"cannot extract a {calibrated.method!r} calibrator")


def calibrate(
    model: ClassifierMixin, x: pd.DataFrame, y: npt.NDArray[Any], seed: int = 0
) -> CalibrationResult:
    """Choose isotonic or sigmoid by cross-validated log loss, refit it on all calibration rows."""
    losses = compare_methods(model, x, y, seed=seed)
    best = cast(Method, min(losses, key=losses.__getitem__))
    calibrator = fit_calibrator(model, x, y, best)
    return CalibrationResult(calibrator, extract_map(calibrator), losses)


def band_thresholds(probability: npt.NDArray[np.float64], grade: pd.Series) -> Bands:
    """Return thresholds flagging the same shares as statutory high and medium-or-high."""
    share_high = float((grade == "high").mean())
    share_medium = float(grade.isin(["medium", "high"]).mean())
    high = share_threshold(probability, share_high)
    medium = min(share_threshold(probability, share_medium), high)
    return Bands(medium=medium, high=high)


SUPPORT_CASES = 100  # calibration cases needed at or beyond a probability to back it


def outcome_context(target: str, probability: npt.NDArray[np.float64], y: Any) -> OutcomeContext:
    """Return what a probability means: definition, base rate and the range calibration backed.

    A probability is backed when at least :data:`SUPPORT_CASES` calibration-period cases have
    a calibrated probability at or beyond it (about +/-0.05 standard error on a rate near 0.5);
    the supported range runs from the 100th lowest to the 100th highest.
    """
    ordered = np.sort(np.asarray(probability, dtype=np.float64))
    k = min(SUPPORT_CASES, ordered.size) - 1
    return OutcomeContext(
        definition=f"within 365 days of the assessment, {DEFINITIONS.get(target, target)}",
        base_rate=float(np.mean(np.asarray(y, dtype=np.float64))),
        supported_low=float(ordered[k]) if ordered.size else 0.0,
        supported_high=float(ordered[-k - 1]) if ordered.size else 1.0,
        support_rule=(
            f"at least {SUPPORT_CASES} of the {ordered.size} calibration-period cases have a "
            "probability at or beyond it"
        ),
    )
