"""Binned distributions and the population stability index (PSI), in a few lines of numpy.

Bins come from the reference: each distinct value when there are few (flags, counts, codes),
else the reference's deciles. Missing values get a bin of their own, so a rise in missingness
is drift too. A window is compared with its reference by PSI and by a G-test p-value, so a PSI
inflated by a small window alone does not raise an alert. Cases in a window are not independent
(one officer, one perpetrator, many cases), so the tests take an overdispersion factor: the
statistic's mean over degrees of freedom across the reference's own months (quasi-likelihood).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
MAX_DISTINCT = 20  # a feature with at most this many distinct values is binned by value
N_QUANTILE_BINS = 10
SMOOTHING = 0.5  # pseudo-count per bin: keeps PSI finite when a bin is empty on one side


def bin_edges(values: npt.ArrayLike) -> list[float]:
    """Return right-open bin edges for a reference sample (distinct values or deciles)."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return []
    distinct = np.unique(x)
    if distinct.size <= MAX_DISTINCT:
        return [float(v) for v in distinct]
    inner = np.quantile(x, np.linspace(0.0, 1.0, N_QUANTILE_BINS + 1)[1:-1])
    return [float(v) for v in np.unique(np.concatenate([[x.min()], inner]))]


def bin_counts(values: npt.ArrayLike, edges: Sequence[float]) -> FloatArray:
    """Count values per bin: below the first edge, one bin per edge, then missing last."""
    x = np.asarray(values, dtype=np.float64)
    missing = ~np.isfinite(x)
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), x[~missing], side="right")
    counts = np.bincount(index, minlength=len(edges) + 1).astype(np.float64)
    return np.append(counts, float(missing.sum()))


def category_counts(values: npt.ArrayLike, categories: Sequence[str]) -> FloatArray:
    """Count values per category (values outside the list are not counted)."""
    x = np.asarray(values, dtype=object)
    return np.array([float((x == c).sum()) for c in categories])


def shares(counts: FloatArray) -> FloatArray:
    """Return smoothed proportions of bin counts."""
    smoothed = np.asarray(counts, dtype=np.float64) + SMOOTHING
    return np.asarray(smoothed / smoothed.sum())


def psi(reference: FloatArray, counts: FloatArray) -> float:
    """Return the PSI of a window's counts against reference proportions."""
    actual = shares(counts)
    expected = np.asarray(reference, dtype=np.float64)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def g_statistic(reference: FloatArray, counts: FloatArray) -> float:
    """Return the G statistic of a window's counts against reference proportions."""
    observed = np.asarray(counts, dtype=np.float64)
    expected = np.asarray(reference, dtype=np.float64) * observed.sum()
    seen = observed > 0
    return 2.0 * float(np.sum(observed[seen] * np.log(observed[seen] / expected[seen])))


def g_test_p(reference: FloatArray, counts: FloatArray, dispersion: float = 1.0) -> float:
    """Return the G-test p-value, the statistic divided by an overdispersion factor."""
    df = max(1, np.asarray(counts).size - 1)
    return float(stats.chi2.sf(g_statistic(reference, counts) / dispersion, df=df))


def rate_z2(reference_rate: float, hits: float, n: float) -> float:
    """Return the squared binomial z statistic of a window's rate against the reference."""
    p0 = min(max(reference_rate, 1e-6), 1 - 1e-6)
    return float((hits / n - p0) ** 2 / (p0 * (1 - p0) / n))


def rate_p(reference_rate: float, hits: float, n: float, dispersion: float = 1.0) -> float:
    """Return the two-sided binomial z-test p-value, divided by an overdispersion factor."""
    return float(stats.chi2.sf(rate_z2(reference_rate, hits, n) / dispersion, df=1))
