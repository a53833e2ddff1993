"""``run_audit``: group metrics with honest intervals, disclosure control, flagged disparities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bias_audit.counts import GROUP_METRICS, PROBABILITY_METRICS
from bias_audit.disclosure import BoolArray, Suppression, suppress
from bias_audit.disparity import Disparity, apply_family, choose_reference, compare
from bias_audit.intervals import few_events, percentile, wilson
from bias_audit.prepare import encode
from bias_audit.result import AuditResult, BlockResult, CalibrationBin, Estimate, GroupResult
from bias_audit.spec import AuditConfig, ScorerSpec
from bias_audit.stats import BlockStats, block_stats

FloatArray = npt.NDArray[np.float64]


def _bounds(stats: BlockStats, config: AuditConfig) -> dict[str, tuple[FloatArray, ...]]:
    """Return each metric's (low, high, uses Wilson) per group."""
    out: dict[str, tuple[FloatArray, ...]] = {}
    for m in GROUP_METRICS:
        lo, hi = percentile(stats.draws[m], config.ci_level)
        lo, hi = lo + stats.shift[m], hi + stats.shift[m]
        few = few_events(m, stats.support, config.min_events)
        if few.any():
            w_lo, w_hi = wilson(m, stats.support, config.ci_level)
            lo, hi = np.where(few, w_lo, lo), np.where(few, w_hi, hi)
        out[m] = (lo, hi, few)
    return out


def _metrics(
    stats: BlockStats, g: int, bounds: dict[str, tuple[FloatArray, ...]]
) -> dict[str, Estimate]:
    point = stats.point
    probability = stats.block.scorer.spec.is_probability
    return {
        m: Estimate(
            float(point[m].iloc[g]),
            float(bounds[m][0][g]),
            float(bounds[m][1][g]),
            "wilson" if bounds[m][2][g] else "bootstrap",
        )
        for m in GROUP_METRICS
        if m not in PROBABILITY_METRICS or probability
    }


def _calibration(stats: BlockStats, g: int, config: AuditConfig) -> list[CalibrationBin] | None:
    if stats.calibration is None or stats.calibration_draws is None:
        return None
    lo, hi = percentile(stats.calibration_draws[:, g, :], config.ci_level)
    out = []
    for k, (n, events, psum) in enumerate(stats.calibration[g]):
        if n == 0:
            continue  # padding: this group has fewer bins than the widest one
        observed = Estimate(float(events / n), float(lo[k]), float(hi[k]))
        out.append(CalibrationBin(int(n), round(float(events)), float(psum / n), observed))
    return out


def _block_result(
    stats: BlockStats, ref: int, withheld: BoolArray, config: AuditConfig
) -> BlockResult:
    grouping = stats.block.grouping
    bounds = _bounds(stats, config)
    events = np.rint(stats.support["positives"]).astype(np.int64)
    groups = []
    for g, label in enumerate(grouping.labels):
        if withheld[g]:
            groups.append(GroupResult(label, True))
            continue
        counts = (int(grouping.people[g]), int(grouping.rows[g]), int(events[g]))
        metrics = _metrics(stats, g, bounds)
        groups.append(GroupResult(label, False, *counts, metrics, _calibration(stats, g, config)))
    spec = stats.block.scorer.spec
    return BlockResult(spec.name, grouping.name, grouping.columns, grouping.labels[ref], groups)


def _disparities(
    stats: BlockStats, ref: int, withheld: BoolArray, config: AuditConfig
) -> list[Disparity]:
    grouping = stats.block.grouping
    metrics = [
        m
        for m in config.disparity_metrics
        if m not in PROBABILITY_METRICS or stats.block.scorer.spec.is_probability
    ]
    return [
        compare(stats, m, g, ref, config.ci_level, config.min_events)
        for m in metrics
        for g in range(len(grouping.labels))
        if g != ref and not withheld[g]
    ]


def disclosure_summary(suppression: Suppression, config: AuditConfig) -> dict[str, Any]:
    """Return the disclosure rule in words and the number of cells it withheld."""
    rule = (
        f"A group is shown only when it has at least {config.min_people} people and at least "
        f"{config.min_events} outcome events and {config.min_events} non-events; further "
        "groups are withheld so that no withheld count can be recovered by subtraction from "
        "totals and the other groups of any table."
    )
    return {"rule": rule, **suppression.summary()}


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
    suppression = suppress(enc.groupings, enc.y, config.min_people, config.min_events)
    blocks, disparities = [], []
    for stats in block_stats(enc, config):
        withheld = suppression.withheld(stats.block.grouping.name)
        ref = choose_reference(stats, dict(config.reference), withheld)
        blocks.append(_block_result(stats, ref, withheld, config))
        if not withheld[ref]:  # a withheld reference is compared with nothing
            disparities += _disparities(stats, ref, withheld, config)
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
        disclosure_summary(suppression, config),
    )
