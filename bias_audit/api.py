"""``run_audit``: group metrics with bootstrap intervals and flagged disparities for any table."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import numpy.typing as npt
import pandas as pd

from bias_audit.counts import GROUP_METRICS
from bias_audit.disparity import Disparity, apply_family, choose_reference, compare
from bias_audit.prepare import calibration_edges, encode
from bias_audit.result import AuditResult, BlockResult, CalibrationBin, Estimate, GroupResult
from bias_audit.spec import AuditConfig, ScorerSpec
from bias_audit.stats import BlockStats, block_stats

FloatArray = npt.NDArray[np.float64]


def _interval(draws: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    lo, hi = (1 - level) / 2, (1 + level) / 2
    finite = np.where(np.isfinite(draws), draws, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN bounds
        q = np.nanquantile(finite, [lo, hi], axis=0)
    return q[0], q[1]


def _metrics(
    stats: BlockStats, g: int, bounds: dict[str, tuple[FloatArray, FloatArray]]
) -> dict[str, Estimate]:
    point = stats.point
    return {
        m: Estimate(float(point[m].iloc[g]), float(bounds[m][0][g]), float(bounds[m][1][g]))
        for m in GROUP_METRICS
        if m != "ece" or stats.block.scorer.spec.is_probability
    }


def _calibration(stats: BlockStats, g: int, config: AuditConfig) -> list[CalibrationBin] | None:
    if stats.calibration is None or stats.calibration_draws is None:
        return None
    edges = calibration_edges(config.calibration_bins)
    lo, hi = _interval(stats.calibration_draws[:, g, :], config.ci_level)
    out = []
    for k in range(config.calibration_bins):
        n, events, psum = stats.calibration[g, k]
        if n < config.min_people:
            continue  # a sparse bin is suppressed like a small group
        observed = Estimate(float(events / n), float(lo[k]), float(hi[k]))
        out.append(
            CalibrationBin(float(edges[k]), float(edges[k + 1]), int(n), float(psum / n), observed)
        )
    return out


def _block_result(stats: BlockStats, ref: int, config: AuditConfig) -> BlockResult:
    grouping = stats.block.grouping
    bounds: dict[str, tuple[FloatArray, FloatArray]] = {}
    for m in GROUP_METRICS:
        lo, hi = _interval(stats.draws[m], config.ci_level)
        bounds[m] = (lo + stats.shift[m], hi + stats.shift[m])
    groups = []
    for g, label in enumerate(grouping.labels):
        if grouping.people[g] < config.min_people:
            groups.append(GroupResult(label, True))
            continue
        metrics = _metrics(stats, g, bounds)
        cal = _calibration(stats, g, config)
        groups.append(
            GroupResult(label, False, int(grouping.people[g]), int(grouping.rows[g]), metrics, cal)
        )
    spec = stats.block.scorer.spec
    return BlockResult(spec.name, grouping.name, grouping.columns, grouping.labels[ref], groups)


def _disparities(stats: BlockStats, ref: int, config: AuditConfig) -> list[Disparity]:
    grouping = stats.block.grouping
    metrics = [
        m for m in config.disparity_metrics if m != "ece" or stats.block.scorer.spec.is_probability
    ]
    return [
        compare(stats, m, g, ref, config.ci_level, config.min_events)
        for m in metrics
        for g in range(len(grouping.labels))
        if g != ref and grouping.people[g] >= config.min_people
    ]


def run_audit(
    frame: pd.DataFrame,
    outcome: str,
    scorers: Sequence[ScorerSpec],
    groups: Sequence[str],
    config: AuditConfig | None = None,
) -> AuditResult:
    """Audit every scorer across every group column (and pairwise intersections).

    Raises :class:`bias_audit.errors.AuditInputError` naming any missing or unusable column.
    """
    config = config or AuditConfig()
    enc = encode(frame, outcome, scorers, groups, config)
    blocks, disparities = [], []
    for stats in block_stats(enc, config):
        ref = choose_reference(stats, dict(config.reference), config.min_people)
        blocks.append(_block_result(stats, ref, config))
        disparities += _disparities(stats, ref, config)
    family = apply_family(disparities, config.correction, config.fdr)
    settings = {k: v for k, v in asdict(config).items() if k != "reference"}
    settings["reference"] = dict(config.reference)
    return AuditResult(
        outcome,
        len(frame),
        enc.n_people,
        settings,
        [asdict(s) for s in scorers],
        blocks,
        disparities,
        family,
    )
