"""Is the model's calibration worse than sampling noise? ECE against its null, Spiegelhalter's z.

On a few thousand test cases a perfectly calibrated model still shows an ECE of a percent or
two by chance. The null distribution is simulated as that chance arises (a parametric
bootstrap): outcomes drawn from the model's own probabilities (so the model is calibrated by
construction), the calibration map refitted on outcomes drawn for the calibration period (its
estimation noise), and the ECE recomputed on the same test cases and bins. Spiegelhalter's z
(Spiegelhalter 1986, "Probabilistic prediction in patient management and clinical trials")
tests the same hypothesis in closed form; the calibration slope and intercept get bootstrap
95% intervals. Both tests allow for repeat assessments of one victim, whose outcomes vary
together, by the outcomes' overdispersion across victims (a quasi-binomial scale factor).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.isotonic import IsotonicRegression

from training.metrics import (
    BoolArray,
    FloatArray,
    expected_calibration_error,
    logit,
    percentile_interval,
)

N_BINS = 10
NULL_QUANTILE = 0.95
NULL_DRAWS = 200  # each refits the calibration map once


def _ece_rows(y: FloatArray, p: FloatArray, n_bins: int) -> FloatArray:
    """Return the ECE of each row of outcomes ``y`` (draws x cases) against ``p`` (per row)."""
    bins = np.minimum((p * n_bins).astype(np.int64), n_bins - 1)
    rows = np.repeat(np.arange(y.shape[0]), y.shape[1])
    flat = rows * n_bins + bins.ravel()
    size = y.shape[0] * n_bins
    gap = np.bincount(flat, weights=(y - p).ravel(), minlength=size).reshape(-1, n_bins)
    return np.asarray(np.abs(gap).sum(axis=1) / max(y.shape[1], 1), dtype=np.float64)


def _refit(p_cal: FloatArray, y_cal: BoolArray, p: FloatArray, method: str) -> FloatArray:
    """Return ``p`` recalibrated by ``method`` fitted on (``p_cal``, ``y_cal``)."""
    if method == "isotonic":
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        return np.asarray(iso.fit(p_cal, y_cal).predict(p), dtype=np.float64)
    a, b = _logistic_fit(logit(p_cal), np.asarray(y_cal, dtype=np.float64))
    return np.asarray(1.0 / (1.0 + np.exp(-(a * logit(p) + b))), dtype=np.float64)


def _logistic_fit(x: FloatArray, y: FloatArray, steps: int = 25) -> tuple[float, float]:
    """Return (slope, intercept) of an unpenalised logistic fit of y on x by Newton's method."""
    a, b = 1.0, 0.0
    for _ in range(steps):
        q = 1.0 / (1.0 + np.exp(-(a * x + b)))
        w = q * (1.0 - q) + 1e-12
        grad = np.array([np.dot(y - q, x), np.sum(y - q)])
        hess = np.array([[np.dot(w, x * x), np.dot(w, x)], [np.dot(w, x), np.sum(w)]])
        da, db = np.linalg.solve(hess + 1e-9 * np.eye(2), grad)
        a, b = a + da, b + db
        if abs(da) + abs(db) < 1e-10:
            break
    return float(a), float(b)


def null_ece_draws(
    p: FloatArray,
    draws: int,
    seed: int,
    calibration: tuple[FloatArray, str] | None = None,
    n_bins: int = N_BINS,
) -> FloatArray:
    """Return ECEs a perfectly calibrated model shows by chance on the test cases ``p``.

    Test outcomes are drawn from ``p`` itself. With ``calibration`` = (the calibration
    period's probabilities, the method), each draw also refits the calibration map on outcomes
    drawn for that period, so the null includes the noise of calibrating on that many cases.
    """
    rng = np.random.default_rng(seed)
    p_arr = np.asarray(p, dtype=np.float64)
    out = []
    for _ in range(draws):
        shown = p_arr
        if calibration is not None:
            p_cal, method = calibration
            y_cal = rng.random(p_cal.size) < p_cal
            if 0 < y_cal.sum() < y_cal.size:
                shown = _refit(p_cal, y_cal, p_arr, method)
        y = (rng.random(p_arr.size) < p_arr).astype(np.float64)
        out.append(_ece_rows(y[None, :], shown[None, :], n_bins)[0])
    return np.asarray(out, dtype=np.float64)


def spiegelhalter_z(y: BoolArray, p: FloatArray) -> float:
    """Return Spiegelhalter's z: (sum (y - p)(1 - 2p)) / sqrt(sum (1 - 2p)^2 p (1 - p))."""
    y_arr, p_arr = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    var = float(np.sum((1 - 2 * p_arr) ** 2 * p_arr * (1 - p_arr)))
    return float(np.sum((y_arr - p_arr) * (1 - 2 * p_arr)) / math.sqrt(var)) if var > 0 else 0.0


def slope_intercept_intervals(
    y: BoolArray, p: FloatArray, draws: int, seed: int
) -> dict[str, float]:
    """Return 95% bootstrap intervals (resampled cases) of the calibration slope and intercept."""
    rng = np.random.default_rng(seed)
    y_arr, p_arr = np.asarray(y, dtype=bool), np.asarray(p, dtype=np.float64)
    fits = []
    for _ in range(draws):
        idx = rng.integers(0, y_arr.size, y_arr.size)
        if y_arr[idx].all() or not y_arr[idx].any():
            continue
        fits.append(_logistic_fit(logit(p_arr[idx]), y_arr[idx].astype(np.float64)))
    if not fits:
        return {}
    slope_lo, slope_hi = percentile_interval(np.array([f[0] for f in fits]))
    icpt_lo, icpt_hi = percentile_interval(np.array([f[1] for f in fits]))
    return {
        "calibration_slope_ci_low": slope_lo,
        "calibration_slope_ci_high": slope_hi,
        "calibration_intercept_ci_low": icpt_lo,
        "calibration_intercept_ci_high": icpt_hi,
    }


def overdispersion(y: BoolArray, p: FloatArray, groups: npt.NDArray[Any] | None) -> float:
    """Return the variance inflation of outcomes clustered in ``groups`` (e.g. one victim).

    Several assessments of one victim share that victim's risk, so their outcomes vary
    together. The estimate is the sum over groups of the squared summed residuals, over the
    binomial variance (at least 1); the residuals are centred first, so a miscalibrated mean
    does not pass for clustering.
    """
    if groups is None or len(groups) == 0:
        return 1.0
    y_arr, p_arr = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    resid = y_arr - p_arr
    resid = resid - resid.mean()
    codes = pd.factorize(pd.Series(groups))[0]
    summed = np.bincount(codes, weights=resid)
    variance = float(np.sum(p_arr * (1 - p_arr)))
    return max(1.0, float(np.sum(summed**2)) / variance) if variance > 0 else 1.0


def calibration_noise(
    y: BoolArray,
    p: FloatArray,
    draws: int,
    seed: int,
    calibration: tuple[FloatArray, str] | None = None,
    groups: npt.NDArray[Any] | None = None,
) -> dict[str, float]:
    """Return the ECE's null 95th percentile and p-value, Spiegelhalter's z and p, and the CIs.

    The null ECEs and Spiegelhalter's z are scaled by the square root of the outcomes'
    overdispersion across ``groups`` (repeat assessments of one victim are not independent).
    """
    ece = expected_calibration_error(y, p, N_BINS)
    phi = overdispersion(y, p, groups)
    null = null_ece_draws(p, draws, seed, calibration) * np.sqrt(phi)
    z = spiegelhalter_z(y, p) / np.sqrt(phi)
    return {
        "outcome_overdispersion": phi,
        "ece_null_q95": float(np.quantile(null, NULL_QUANTILE)),
        "ece_null_p_value": float((1 + np.sum(null >= ece)) / (1 + null.size)),
        "spiegelhalter_z": z,
        "spiegelhalter_p_value": math.erfc(abs(z) / math.sqrt(2)),
        **slope_intercept_intervals(y, p, min(draws, 200), seed),
    }
