"""Per-block statistics: MetricFrame point estimates plus bootstrap draws of every metric."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from bias_audit.bootstrap import (
    Block,
    cell_matrix,
    draw_chunks,
    full_counts,
    plan_blocks,
    split_blocks,
)
from bias_audit.calibration import bin_sums, equal_count_bins
from bias_audit.counts import GROUP_METRICS, SUPPORT, group_metrics
from bias_audit.pointest import point_estimates
from bias_audit.prepare import Encoded
from bias_audit.spec import AuditConfig

FloatArray = npt.NDArray[np.float64]


@dataclass
class BlockStats:
    """One scorer x grouping: point estimates, support counts and bootstrap draws."""

    block: Block
    point: pd.DataFrame
    support: dict[str, FloatArray]
    shift: dict[str, FloatArray]
    draws: dict[str, FloatArray]
    calibration: FloatArray | None
    calibration_draws: FloatArray | None
    bins: FloatArray | None = None  # each group's equal-count reliability bins (one-hot)
    fit: dict[str, FloatArray] | None = None  # full-sample calibration fit: seeds the draws


def _metrics(
    counts: FloatArray, block: Block, config: AuditConfig, fit: dict[str, FloatArray] | None = None
) -> dict[str, FloatArray]:
    s = block.scorer
    return group_metrics(
        counts, s.flag_from, s.cal_of_level, config.calibration_bins, s.level_logit, fit
    )


def _bins(counts: FloatArray, block: Block, config: AuditConfig) -> FloatArray | None:
    if block.scorer.cal_of_level is None:
        return None
    return equal_count_bins(counts, config.calibration_bins, config.min_people, config.min_events)


def _start(enc: Encoded, block: Block, counts: FloatArray, config: AuditConfig) -> BlockStats:
    point = point_estimates(enc, block, counts[0])
    full = _metrics(counts, block, config)
    for m in GROUP_METRICS:
        if m not in point.columns:
            point[m] = full[m][0]
    shift = {m: point[m].to_numpy() - full[m][0] for m in GROUP_METRICS}
    support = {k: full[k][0] for k in SUPPORT}
    bins = _bins(counts[0], block, config)
    cal = None if bins is None else bin_sums(counts[0], bins)
    fit = {k: v[0] for k, v in full.items() if k.startswith("calibration_")}
    return BlockStats(block, point, support, shift, {}, cal, None, bins, fit)


def _observed_rate(cal: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cal[..., 0] > 0, cal[..., 1] / np.maximum(cal[..., 0], 1e-300), np.nan)


def _append(stats: BlockStats, counts: FloatArray, config: AuditConfig) -> None:
    for name, values in _metrics(counts, stats.block, config, stats.fit).items():
        if name in GROUP_METRICS:
            stats.draws.setdefault(name, np.empty((0, values.shape[1])))
            stats.draws[name] = np.concatenate([stats.draws[name], values])
    if stats.bins is not None:
        rate = _observed_rate(bin_sums(counts, stats.bins))
        old = stats.calibration_draws
        stats.calibration_draws = rate if old is None else np.concatenate([old, rate])


def block_stats(enc: Encoded, config: AuditConfig) -> list[BlockStats]:
    """Compute point estimates and ``config.n_boot`` bootstrap draws for every block."""
    blocks = plan_blocks(enc)
    matrix = cell_matrix(enc, blocks)
    stats = [
        _start(enc, b, c, config) for b, c in zip(blocks, full_counts(matrix, blocks), strict=True)
    ]
    for columns in draw_chunks(matrix, config.n_boot, config.chunk_draws, config.seed):
        for st, counts in zip(stats, split_blocks(columns, blocks), strict=True):
            _append(st, counts, config)
    return stats
