"""Outcome-matured performance per window: the bias audit's metric code and small-cell rule.

Only cases whose 365-day outcome window has passed carry an outcome; a window's metrics use
those. The counts are laid out as the bias audit's count tensor (one level per distinct
probability, so AUC is exact) and its group metrics are reused; cells with fewer cases or
outcomes than the audit's defaults are suppressed, as in the audit.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from bias_audit.counts import GROUP_METRICS, calibration_sums, group_metrics
from bias_audit.spec import AuditConfig
from features.vocab import GRADE_RANK
from monitoring import columns as col

N_CALIBRATION_BINS: Final[int] = 10
_SUPPRESSION = AuditConfig()


def _counts(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    levels, level = np.unique(p, return_inverse=True)
    counts = np.zeros((1, 1, levels.size, 3))
    counts[0, 0, :, 0] = np.bincount(level, weights=1.0 - y, minlength=levels.size)
    counts[0, 0, :, 1] = np.bincount(level, weights=y, minlength=levels.size)
    counts[0, 0, :, 2] = np.bincount(level, weights=p, minlength=levels.size)
    return levels, counts


def _reliability(counts: np.ndarray, cal_of_level: np.ndarray) -> list[dict[str, float]]:
    sums = calibration_sums(counts, cal_of_level, N_CALIBRATION_BINS)[0, 0]
    return [
        {"bin": i, "n": float(n), "observed": float(e / n), "predicted": float(s / n)}
        for i, (n, e, s) in enumerate(sums)
        if n > 0
    ]


def performance(part: pd.DataFrame) -> dict[str, Any] | None:
    """Return matured-outcome metrics of one window's cases (None without an outcome column)."""
    if col.OUTCOME not in part.columns:
        return None
    known = np.isfinite(part[col.OUTCOME].to_numpy(dtype=np.float64))
    p = part[col.PROBABILITY].to_numpy(dtype=np.float64)[known]
    y = part[col.OUTCOME].to_numpy(dtype=np.float64)[known]
    flagged = part[col.BAND].map(GRADE_RANK).to_numpy()[known] > 0  # band above standard
    levels, counts = _counts(p, y)
    flag_from = int(np.searchsorted(levels, p[flagged].min())) if flagged.any() else levels.size
    cal_of_level = np.minimum(
        (levels * N_CALIBRATION_BINS).astype(np.int64), N_CALIBRATION_BINS - 1
    )
    m = group_metrics(counts, flag_from, cal_of_level, N_CALIBRATION_BINS)
    n, min_class = float(m["n"][0, 0]), float(m["min_class"][0, 0])
    suppressed = n < _SUPPRESSION.min_people or min_class < _SUPPRESSION.min_events
    out: dict[str, Any] = {"n_matured": int(n), "suppressed": suppressed}
    out.update({k: None if suppressed else float(m[k][0, 0]) for k in GROUP_METRICS})
    out["reliability"] = [] if suppressed else _reliability(counts, cal_of_level)
    return out
