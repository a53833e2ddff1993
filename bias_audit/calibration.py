"""Calibration by group: equal-count reliability bins and the logistic calibration fit.

Reliability bins are cut per group so each holds about the same number of rows; a bin is
closed only when it also has ``min_people`` rows and ``min_events`` events and non-events
(the disclosure rule), so no bin is withheld and none can be recovered by subtraction from
its group. The calibration intercept (calibration-in-the-large: the logistic intercept with
the logit of the predicted probability as an offset; 0 when predictions are right on
average) and slope (the coefficient of that logit; 1 when predictions are neither too
extreme nor too modest) come from a logistic fit on the score's fine levels (each level
taking its mean logit), vectorised over groups and bootstrap draws by Newton's method.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6
_STEPS = 30


def level_logits(p: FloatArray, levels: npt.NDArray[np.int64], n_levels: int) -> FloatArray:
    """Return the logit of each level's mean probability (empty levels: 0, they weigh nothing)."""
    n = np.bincount(levels, minlength=n_levels)
    mean = np.bincount(levels, weights=p, minlength=n_levels) / np.maximum(n, 1)
    mean = np.clip(np.where(n > 0, mean, 0.5), _EPS, 1 - _EPS)
    return np.asarray(np.log(mean / (1 - mean)), dtype=np.float64)


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1 + np.tanh(0.5 * x)))


def calibration_fit(neg: FloatArray, pos: FloatArray, x: FloatArray) -> dict[str, FloatArray]:
    """Return calibration intercept and slope for each leading index of ``(..., levels)`` counts."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _fit(neg, pos, x)


def _fit(neg: FloatArray, pos: FloatArray, x: FloatArray) -> dict[str, FloatArray]:
    n = neg + pos
    a = np.zeros(n.shape[:-1])
    for _ in range(_STEPS):  # intercept with the logit as offset (slope fixed at 1)
        mu = _sigmoid(a[..., None] + x)
        w = (n * mu * (1 - mu)).sum(axis=-1)
        a = a + np.clip(((pos - n * mu).sum(axis=-1)) / np.where(w > 0, w, np.nan), -2, 2)
    b0, b1 = np.zeros(n.shape[:-1]), np.ones(n.shape[:-1])
    for _ in range(_STEPS):
        mu = _sigmoid(b0[..., None] + b1[..., None] * x)
        r, w = pos - n * mu, n * mu * (1 - mu)
        g0, g1 = r.sum(axis=-1), (r * x).sum(axis=-1)
        h00, h01, h11 = w.sum(axis=-1), (w * x).sum(axis=-1), (w * x * x).sum(axis=-1)
        det = h00 * h11 - h01 * h01
        det = np.where(det > 1e-12 * np.maximum(h00 * h11, 1e-300), det, np.nan)
        b0 = b0 + np.clip((h11 * g0 - h01 * g1) / det, -2, 2)
        b1 = b1 + np.clip((h00 * g1 - h01 * g0) / det, -2, 2)
    return {"calibration_intercept": a, "calibration_slope": b1}


def _close(rows: float, events: float, target: float, min_people: int, min_events: int) -> bool:
    enough = rows >= max(target, min_people)
    return bool(enough and events >= min_events and rows - events >= min_events)


def _group_bins(counts: FloatArray, n_bins: int, min_people: int, min_events: int) -> list[int]:
    """Return each level's bin for one group ``(levels, channels)`` (-1 for an empty group)."""
    rows_by_level = counts[:, 0] + counts[:, 1]
    target = rows_by_level.sum() / n_bins
    out, bin_no, rows, events = [], 0, 0.0, 0.0
    for level_rows, level_events in zip(rows_by_level, counts[:, 1], strict=True):
        out.append(bin_no)
        rows, events = rows + level_rows, events + level_events
        if _close(rows, events, target, min_people, min_events):
            bin_no, rows, events = bin_no + 1, 0.0, 0.0
    if bin_no > 0:  # an unfinished last bin (or trailing empty levels) joins the one before
        out = [min(b, bin_no - 1) for b in out]
    return out


def equal_count_bins(
    counts: FloatArray, n_bins: int, min_people: int, min_events: int
) -> FloatArray:
    """Return a one-hot ``(groups, levels, bins)`` map of levels to each group's bins."""
    assigned = [_group_bins(c, n_bins, min_people, min_events) for c in counts]
    width = max(1, max((max(a) + 1 for a in assigned), default=1))
    onehot = np.zeros((counts.shape[0], counts.shape[1], width))
    for g, bins in enumerate(assigned):
        onehot[g, np.arange(counts.shape[1]), bins] = 1.0
    return onehot


def bin_sums(counts: FloatArray, onehot: FloatArray) -> FloatArray:
    """Return ``(..., groups, bins, [rows, events, sum of p])`` from level counts."""
    rows = np.einsum("...gl,glb->...gb", counts[..., 0] + counts[..., 1], onehot)
    events = np.einsum("...gl,glb->...gb", counts[..., 1], onehot)
    psum = np.einsum("...gl,glb->...gb", counts[..., 2], onehot)
    return np.stack([rows, events, psum], axis=-1)
