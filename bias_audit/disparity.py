"""Disparities against a reference group, their intervals, and the multiple-comparison step.

Each test compares one group's metric with the reference group's for one scorer and grouping.
The p-value is two-sided Wald, using the bootstrap standard error of the paired difference
(paired: both groups come from the same draws), floored per group by a small-sample
binomial (or Hanley-McNeil) variance so rates stuck at 0 or 1 are not overconfident. The
family is every test run in the audit; p-values are adjusted over it (Benjamini-Hochberg by
default) and a disparity is flagged only when its adjusted p-value is at most ``fdr`` and
its percentile interval excludes parity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from bias_audit.counts import DENOMINATORS
from bias_audit.errors import AuditInputError
from bias_audit.stats import BlockStats

FloatArray = npt.NDArray[np.float64]


@dataclass
class Disparity:
    """One group's metric against the reference group's: difference, ratio and the test."""

    scorer: str
    grouping: str
    metric: str
    group: str
    reference: str
    difference: float
    difference_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    std_error: float
    p_value: float
    tested: bool
    reason: str = ""
    p_adjusted: float = float("nan")
    adjusted_ci: tuple[float, float] = (float("nan"), float("nan"))
    flagged: bool = False


def choose_reference(
    stats: BlockStats, named: dict[str, str], withheld: npt.NDArray[np.bool_]
) -> int:
    """Return the reference group's index: the named one, else the shown one with most people.

    A withheld reference (the named one, or every group) leaves the block without comparisons;
    the caller checks ``withheld[reference]``.
    """
    grouping = stats.block.grouping
    if grouping.name in named:
        label = named[grouping.name]
        if label not in grouping.labels:
            raise AuditInputError(
                grouping.name, f"reference group {label!r} among {list(grouping.labels)[:10]}"
            )
        return grouping.labels.index(label)
    return int(np.argmax(np.where(withheld, -1, grouping.people)))


def _quantiles(values: FloatArray, level: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return (float("nan"), float("nan"))
    lo, hi = np.quantile(finite, [(1 - level) / 2, (1 + level) / 2])
    return (float(lo), float(hi))


def _skip_reason(stats: BlockStats, metric: str, g: int, ref: int, min_events: int) -> str:
    support = stats.support[DENOMINATORS[metric]]
    if min(support[g], support[ref]) < min_events:
        return f"fewer than {min_events} in the denominator ({DENOMINATORS[metric]})"
    point = stats.point[metric].to_numpy()
    if not (np.isfinite(point[g]) and np.isfinite(point[ref])):
        return "metric undefined"
    return ""


_RATE_NUMERATOR = {"selection_rate", "fpr", "fnr", "precision", "base_rate"}


def variance_floor(stats: BlockStats, metric: str, g: int, point: float) -> float:
    """Return a small-sample floor for group ``g``'s metric variance, evaluated at ``point``.

    A bootstrap cannot move a rate that sits at 0 or 1 in a small group (15 positives all
    missed give FNR 1.0 in every draw), and a variance taken at a small group's extreme
    observed rate makes a Wald test overconfident. So each group's variance is at least the
    binomial one at the null value (the reference's rate), with Agresti-Coull shrinkage
    ``p=(x+1)/(n+2)``; AUC gets Hanley and McNeil's variance at a shrunk AUC.
    """
    if metric in _RATE_NUMERATOR:
        n = float(stats.support[DENOMINATORS[metric]][g])
        p = (point * n + 1) / (n + 2)
        return p * (1 - p) / (n + 2)
    if metric == "auc":
        pos, neg = float(stats.support["positives"][g]), float(stats.support["negatives"][g])
        a = (point * pos * neg + 0.5) / (pos * neg + 1)
        q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
        return (a * (1 - a) + (pos - 1) * (q1 - a * a) + (neg - 1) * (q2 - a * a)) / (pos * neg)
    return 0.0


def _std_error(stats: BlockStats, metric: str, draws: FloatArray, g: int, ref: int) -> float:
    diff = draws[:, g] - draws[:, ref]
    ok = np.isfinite(diff)
    if ok.sum() < max(0.9 * len(diff), 2):
        return float("nan")
    var = float(np.var(diff[ok], ddof=1))
    null = float(stats.point[metric].iloc[ref])
    for k in (g, ref):
        floor = variance_floor(stats, metric, k, null)
        var += max(0.0, floor - float(np.var(draws[ok, k], ddof=1)))
    return float(np.sqrt(var))


def compare(
    stats: BlockStats, metric: str, g: int, ref: int, level: float, min_events: int
) -> Disparity:
    """Return the disparity of group ``g`` against ``ref`` for one metric (not yet adjusted)."""
    labels = stats.block.grouping.labels
    point = stats.point[metric].to_numpy()
    draws = stats.draws[metric] + stats.shift[metric]
    diff = draws[:, g] - draws[:, ref]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_draws = draws[:, g] / draws[:, ref]
        ratio = float(point[g] / point[ref]) if point[ref] != 0 else float("nan")
    d = float(point[g] - point[ref])
    reason = _skip_reason(stats, metric, g, ref, min_events)
    se = _std_error(stats, metric, draws, g, ref) if not reason else float("nan")
    if not reason and not se > 0:
        reason = "bootstrap distribution degenerate"
    p = float(2 * norm.sf(abs(d) / se)) if not reason else float("nan")
    return Disparity(
        stats.block.scorer.spec.name,
        stats.block.grouping.name,
        metric,
        labels[g],
        labels[ref],
        d,
        _quantiles(diff, level),
        ratio,
        _quantiles(ratio_draws, level),
        se,
        p,
        not reason,
        reason,
    )


def adjust(p: FloatArray, method: str) -> FloatArray:
    """Return multiplicity-adjusted p-values (``bh``, ``by`` or ``holm``)."""
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:
        scale = np.sum(1.0 / np.arange(1, m + 1)) if method == "by" else 1.0
        adj = np.minimum.accumulate((ranked * m * scale / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def _adjusted_alpha(method: str, fdr: float, m: int, rejected: int) -> float:
    if method == "holm":
        return fdr / m
    scale = np.sum(1.0 / np.arange(1, m + 1)) if method == "by" else 1.0
    return float(max(rejected, 1) * fdr / (m * scale))


def apply_family(disparities: list[Disparity], method: str, fdr: float) -> dict[str, object]:
    """Adjust over every tested disparity, set flags and FCR-adjusted intervals; summarise."""
    tested = [d for d in disparities if d.tested]
    adjusted = adjust(np.asarray([d.p_value for d in tested]), method)
    for d, p in zip(tested, adjusted, strict=True):
        d.p_adjusted = float(p)
    rejected = sum(1 for d in tested if d.p_adjusted <= fdr)
    alpha = _adjusted_alpha(method, fdr, max(len(tested), 1), rejected)
    z = float(norm.isf(alpha / 2))
    for d in tested:
        d.adjusted_ci = (d.difference - z * d.std_error, d.difference + z * d.std_error)
        lo, hi = d.difference_ci
        d.flagged = d.p_adjusted <= fdr and not lo <= 0.0 <= hi
    return {
        "method": method,
        "fdr": fdr,
        "family_size": len(tested),
        "not_tested": len(disparities) - len(tested),
        "flagged": sum(d.flagged for d in tested),
        "adjusted_alpha": alpha,
    }
