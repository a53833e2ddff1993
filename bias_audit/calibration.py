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
_WARM_STEPS = 3


def level_logits(p: FloatArray, levels: npt.NDArray[np.int64], n_levels: int) -> FloatArray:
    """Return the logit of each level's mean probability (empty levels: 0, they weigh nothing)."""
    n = np.bincount(levels, minlength=n_levels)
    mean = np.bincount(levels, weights=p, minlength=n_levels) / np.maximum(n, 1)
    mean = np.clip(np.where(n > 0, mean, 0.5), _EPS, 1 - _EPS)
    return np.asarray(np.log(mean / (1 - mean)), dtype=np.float64)


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1 + np.tanh(0.5 * x)))


def calibration_fit(
    neg: FloatArray, pos: FloatArray, x: FloatArray, start: dict[str, FloatArray] | None = None
) -> dict[str, FloatArray]:
    """Return calibration intercept and slope for each leading index of ``(..., levels)`` counts.

    Entries without rows, or whose fit does not converge (e.g. complete separation), are NaN.
    ``start`` (a full-sample fit, per group) seeds bootstrap draws, which then take
    ``_WARM_STEPS`` Newton steps from it: Newton converges quadratically, so a draw's
    estimate is exact to many digits after two or three steps, at a fraction of the cost.
    """
    n = neg + pos
    s = start or {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a1, _ = _newton(pos, n, x, False, (s.get("calibration_intercept"), None))
        a2, b2 = _newton(
            pos, n, x, True, (s.get("calibration_slope_intercept"), s.get("calibration_slope"))
        )
    return {"calibration_intercept": a1, "calibration_slope": b2, "calibration_slope_intercept": a2}


def _seed(value: FloatArray | None, shape: tuple[int, ...], default: float) -> FloatArray:
    if value is None:
        return np.full(shape, default).ravel()
    return np.broadcast_to(value, shape).ravel().copy()


def _newton(
    pos: FloatArray,
    n: FloatArray,
    x: FloatArray,
    slope: bool,
    start: tuple[FloatArray | None, FloatArray | None],
) -> tuple[FloatArray, FloatArray]:
    """Fit ``logit P(y) = a + b x`` (``b`` fixed at 1 unless ``slope``) on active entries only."""
    shape = n.shape[:-1]
    p_rows, n_rows = pos.reshape(-1, n.shape[-1]), n.reshape(-1, n.shape[-1])
    a, b = _seed(start[0], shape, 0.0), _seed(start[1], shape, 1.0)
    warm = start[0] is not None
    active = np.flatnonzero((n_rows.sum(axis=1) > 0) & np.isfinite(a) & np.isfinite(b))
    for _ in range(_WARM_STEPS if warm else _STEPS):
        if len(active) == 0:
            break
        mu = _sigmoid(a[active, None] + b[active, None] * x)
        r, w = p_rows[active] - n_rows[active] * mu, n_rows[active] * mu * (1 - mu)
        g0, h00 = r.sum(axis=1), w.sum(axis=1)
        if slope:
            g1, h01, h11 = r @ x, w @ x, w @ (x * x)
            det = h00 * h11 - h01 * h01
            det = np.where(det > 1e-12 * np.maximum(h00 * h11, 1e-300), det, np.nan)
            da, db = (h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det
        else:
            da, db = g0 / np.where(h00 > 0, h00, np.nan), np.zeros(len(active))
        a[active] += np.clip(da, -2, 2)  # NaN steps (a singular fit) leave NaN behind
        b[active] += np.clip(db, -2, 2)
        moving = ~(np.abs(da) < 1e-9) | ~(np.abs(db) < 1e-9)
        active = active[moving & np.isfinite(da) & np.isfinite(db)]
    if not warm:
        a[active], b[active] = np.nan, np.nan  # did not converge
    empty = n_rows.sum(axis=1) == 0
    a[empty], b[empty] = np.nan, np.nan
    return a.reshape(shape), b.reshape(shape)


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
