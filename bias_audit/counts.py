"""Per-group metrics computed from count tensors, vectorised over bootstrap draws.

A count tensor has shape ``(draws, groups, levels, channels)``: channel 0 counts negatives,
channel 1 positives and (probability scorers only) channel 2 sums the predicted probability,
for each ordered score level. Every metric follows from these sums, so a bootstrap draw costs
one weighted sum per cell instead of a pass over the rows.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from bias_audit.calibration import calibration_fit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

GROUP_METRICS: Final[tuple[str, ...]] = (
    "base_rate",
    "selection_rate",
    "fpr",
    "fnr",
    "precision",
    "auc",
    "ece",
    "calibration_intercept",
    "calibration_slope",
)
# Metrics that exist only for probability scorers.
PROBABILITY_METRICS: Final[tuple[str, ...]] = ("ece", "calibration_intercept", "calibration_slope")
# Each rate's (numerator, denominator) counts: what its interval and its tests rest on.
RATES: Final[dict[str, tuple[str, str]]] = {
    "base_rate": ("positives", "n"),
    "selection_rate": ("flagged", "n"),
    "fpr": ("fp", "negatives"),
    "fnr": ("fn", "positives"),
    "precision": ("tp", "flagged"),
}
# Denominator of each metric: what a group needs enough of before a disparity is tested.
DENOMINATORS: Final[dict[str, str]] = {
    **{m: d for m, (_, d) in RATES.items()},
    "auc": "min_class",
    "ece": "n",
    "calibration_intercept": "min_class",
    "calibration_slope": "min_class",
}
SUPPORT: Final[tuple[str, ...]] = (
    "n", "positives", "negatives", "flagged", "min_class", "tp", "fp", "fn",
)  # fmt: skip


def _div(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def _auc(neg: FloatArray, pos: FloatArray) -> FloatArray:
    """Return ROC AUC from per-level histograms; ties within a level count one half."""
    below = np.cumsum(neg, axis=-1) - neg
    wins = (pos * (below + 0.5 * neg)).sum(axis=-1)
    return _div(wins, pos.sum(axis=-1) * neg.sum(axis=-1))


def calibration_sums(counts: FloatArray, cal_of_level: IntArray, n_bins: int) -> FloatArray:
    """Aggregate levels into calibration bins: ``(..., bins, [n, events, sum p])``."""
    onehot = np.zeros((len(cal_of_level), n_bins))
    onehot[np.arange(len(cal_of_level)), cal_of_level] = 1.0
    n = (counts[..., 0] + counts[..., 1]) @ onehot
    events = counts[..., 1] @ onehot
    psum = counts[..., 2] @ onehot
    return np.stack([n, events, psum], axis=-1)


def _ece(cal: FloatArray) -> FloatArray:
    n, events, psum = cal[..., 0], cal[..., 1], cal[..., 2]
    return _div(np.abs(psum - events).sum(axis=-1), n.sum(axis=-1))


def group_metrics(
    counts: FloatArray,
    flag_from: int,
    cal_of_level: IntArray | None,
    n_cal_bins: int,
    level_logit: FloatArray | None = None,
    start: dict[str, FloatArray] | None = None,
) -> dict[str, FloatArray]:
    """Return every group metric and support count, each shaped ``counts.shape[:-2]``."""
    neg, pos = counts[..., 0], counts[..., 1]
    negatives, positives = neg.sum(axis=-1), pos.sum(axis=-1)
    tp, fp = pos[..., flag_from:].sum(axis=-1), neg[..., flag_from:].sum(axis=-1)
    n = negatives + positives
    out = {
        "n": n,
        "positives": positives,
        "negatives": negatives,
        "flagged": tp + fp,
        "min_class": np.minimum(positives, negatives),
        "tp": tp,
        "fp": fp,
        "fn": positives - tp,
        "base_rate": _div(positives, n),
        "selection_rate": _div(tp + fp, n),
        "fpr": _div(fp, negatives),
        "fnr": _div(positives - tp, positives),
        "precision": _div(tp, tp + fp),
        "auc": _auc(neg, pos),
        **{m: np.full(n.shape, np.nan) for m in PROBABILITY_METRICS},
    }
    if cal_of_level is not None:
        out["ece"] = _ece(calibration_sums(counts, cal_of_level, n_cal_bins))
    if level_logit is not None:
        out |= calibration_fit(neg, pos, level_logit, start)
    return out
