"""Which interval each published figure carries: bootstrap percentile, or Wilson for few events.

A bootstrap cannot move a rate whose numerator (or its complement) is 0 or a handful: five
events all missed give a false negative rate of 1 in every draw, a zero-width interval that
looks certain and is not. A rate resting on fewer than ``min_events`` events on either side
(numerator or denominator minus numerator) therefore carries the Wilson score interval
(statsmodels ``proportion_confint``), which is never zero-width on a non-empty denominator.
"""

from __future__ import annotations

import warnings
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from statsmodels.stats.proportion import proportion_confint

from bias_audit.counts import RATES

FloatArray = npt.NDArray[np.float64]
Method = Literal["bootstrap", "wilson"]
INTERVAL_NAMES: Final[dict[str, str]] = {
    "bootstrap": "person-level bootstrap percentile interval",
    "wilson": "Wilson score interval (the rate rests on few events)",
}


def percentile(draws: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Return the per-column percentile interval of bootstrap draws (non-finite draws ignored)."""
    lo, hi = (1 - level) / 2, (1 + level) / 2
    finite = np.where(np.isfinite(draws), draws, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN bounds
        q = np.nanquantile(finite, [lo, hi], axis=0)
    return q[0], q[1]


def few_events(metric: str, support: dict[str, FloatArray], min_events: int) -> FloatArray:
    """Return, per group, whether a rate rests on fewer than ``min_events`` events either side."""
    if metric not in RATES:
        return np.zeros(len(support["n"]), dtype=bool)
    num, den = (support[k] for k in RATES[metric])
    return np.asarray((np.minimum(num, den - num) < min_events) & (den > 0))


def wilson(
    metric: str, support: dict[str, FloatArray], level: float
) -> tuple[FloatArray, FloatArray]:
    """Return the Wilson score interval of a rate per group (NaN for an empty denominator)."""
    num, den = (np.rint(support[k]) for k in RATES[metric])
    safe = np.maximum(den, 1)
    lo, hi = proportion_confint(np.minimum(num, safe), safe, alpha=1 - level, method="wilson")
    empty = den <= 0
    return np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)
