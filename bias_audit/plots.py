"""Figures for the report: matplotlib ``Figure`` objects (no pyplot state), as base64 PNG."""

from __future__ import annotations

import base64
import io
from typing import Any

from matplotlib.figure import Figure

from bias_audit.result import BlockResult

_SHOWN = ("selection_rate", "fnr", "fpr")
_TITLES = {"selection_rate": "Share flagged high", "fnr": "False negative rate", "fpr": "FPR"}


def to_base64(fig: Figure) -> str:
    """Return the figure as a base64 PNG and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def group_rates_plot(block: BlockResult) -> str:
    """Dot-and-interval plot of three rates per shown group, reference marked."""
    groups = [g for g in block.groups if not g.suppressed]
    fig = Figure(figsize=(9, 0.35 * len(groups) + 1.2))
    axes = fig.subplots(1, len(_SHOWN), sharey=True)
    for ax, metric in zip(axes, _SHOWN, strict=True):
        for i, g in enumerate(groups):
            est = g.metrics[metric]
            color = "black" if g.label == block.reference else "tab:blue"
            ax.errorbar(
                est.estimate,
                i,
                xerr=[[max(est.estimate - est.low, 0.0)], [max(est.high - est.estimate, 0.0)]],
                fmt="o",
                color=color,
                capsize=2,
            )
        ax.set_title(_TITLES[metric], fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(range(len(groups)), [g.label for g in groups], fontsize=8)
    title = f"{block.scorer} by {block.grouping}; reference group {block.reference} in black"
    fig.suptitle(title, fontsize=10)
    return to_base64(fig)


def calibration_plot(block: BlockResult) -> str:
    """Observed rate against mean predicted probability per calibration bin, one line a group."""
    fig = Figure(figsize=(4.5, 4.5))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    for g in block.groups:
        if g.suppressed or not g.calibration:
            continue
        xs = [b.mean_predicted for b in g.calibration]
        ys = [b.observed.estimate for b in g.calibration]
        ax.plot(xs, ys, marker="o", markersize=3, label=g.label)
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed rate")
    ax.legend(fontsize=7)
    ax.set_title(f"Calibration of {block.scorer} by {block.grouping}", fontsize=10)
    return to_base64(fig)


def funnel_plot(officers: list[dict[str, Any]], limits: list[dict[str, float]]) -> str:
    """Funnel plot: officer's observed minus expected high-grade rate against their caseload."""
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ns = [o["assessments"] for o in officers]
    gaps = [o["observed_rate"] - o["expected_rate"] for o in officers]
    colors = ["tab:red" if o["outside_99_8"] else "tab:blue" for o in officers]
    ax.scatter(ns, gaps, s=8, c=colors)
    xs = [lim["n"] for lim in limits]
    for key, style in (("z95", ":"), ("z998", "--")):
        ax.plot(xs, [lim[key] for lim in limits], style, color="grey")
        ax.plot(xs, [-lim[key] for lim in limits], style, color="grey")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("assessments by the officer")
    ax.set_ylabel("observed - expected high-grade rate")
    ax.set_title("Officers' high-grade rate against what their cases predict", fontsize=10)
    return to_base64(fig)
