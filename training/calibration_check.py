"""Is the model's calibration worse than sampling noise? ECE against its null, Spiegelhalter's z.

On a few thousand test cases a perfectly calibrated model still shows an ECE of a percent or
two by chance. The null distribution is bootstrapped exactly as that chance arises: outcomes
drawn from the model's own probabilities (so the model is calibrated by construction), the
ECE recomputed on the same cases and bins. Spiegelhalter's z (Spiegelhalter 1986, "Probabilistic
prediction in patient management and clinical trials") tests the same hypothesis in closed form;
the calibration slope and intercept get paired-bootstrap 95% intervals.
"""

from __future__ import annotations

import math

import numpy as np

from training.metrics import (
    BoolArray,
    FloatArray,
    calibration_slope_intercept,
    expected_calibration_error,
    percentile_interval,
)

N_BINS = 10
NULL_QUANTILE = 0.95


def null_ece_draws(p: FloatArray, draws: int, seed: int, n_bins: int = N_BINS) -> FloatArray:
    """Return ECEs of ``draws`` outcome vectors drawn from ``p`` itself (perfect calibration)."""
    rng = np.random.default_rng(seed)
    p_arr = np.asarray(p, dtype=np.float64)
    bins = np.minimum((p_arr * n_bins).astype(np.int64), n_bins - 1)
    onehot = np.zeros((p_arr.size, n_bins))
    onehot[np.arange(p_arr.size), bins] = 1.0
    sum_p = p_arr @ onehot
    chunk = max(1, min(draws, 2_000_000 // max(p_arr.size, 1)))
    out = []
    for start in range(0, draws, chunk):
        y = rng.random((min(chunk, draws - start), p_arr.size)) < p_arr
        out.append(np.abs(y.astype(np.float64) @ onehot - sum_p).sum(axis=1) / max(p_arr.size, 1))
    return np.concatenate(out)


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
        fits.append(calibration_slope_intercept(y_arr[idx], p_arr[idx]))
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


def calibration_noise(y: BoolArray, p: FloatArray, draws: int, seed: int) -> dict[str, float]:
    """Return the ECE's null 95th percentile and p-value, Spiegelhalter's z and p, and the CIs."""
    ece = expected_calibration_error(y, p, N_BINS)
    null = null_ece_draws(p, draws, seed)
    z = spiegelhalter_z(y, p)
    return {
        "ece_null_q95": float(np.quantile(null, NULL_QUANTILE)),
        "ece_null_p_value": float((1 + np.sum(null >= ece)) / (1 + null.size)),
        "spiegelhalter_z": z,
        "spiegelhalter_p_value": math.erfc(abs(z) / math.sqrt(2)),
        **slope_intercept_intervals(y, p, min(draws, 200), seed),
    }
