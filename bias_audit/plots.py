"""Figures for the report as inline SVG with real text (so browsers, readers and tests see it).

Matplotlib ``Figure`` objects (no pyplot state) under constrained layout, so panel titles,
tick labels and legends never overprint one another; titles live in the page's captions,
not in the figures. Text is kept as SVG text in a font the page also names.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

P = ParamSpec("P")
FONT = "DejaVu Sans"  # the page names it first too, so text measures the same in the browser
_STYLE: dict[Any, Any] = {"font.family": FONT, "svg.fonttype": "none", "svg.hashsalt": "bias-audit"}
_COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7c3aed", "#b91c1c")


@dataclass(frozen=True)
class Series:
    """One scorer's estimates for the groups of a panel: (estimate, low, high) per group."""

    name: str
    values: list[tuple[float, float, float] | None]


def to_svg(fig: Figure, label: str) -> str:
    """Return the figure as an inline ``<svg>`` element with an accessible name."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", svg, count=1)
    safe = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{safe}" class="figure" ', 1)


def styled(draw: Callable[P, str]) -> Callable[P, str]:
    """Draw and save under the report's style (SVG text, the page's font) without global state."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> str:
        with matplotlib.rc_context(_STYLE):
            return draw(*args, **kwargs)

    return wrapper


def _new(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _finite(value: tuple[float, float, float] | None) -> bool:
    return value is not None and all(v is not None and math.isfinite(v) for v in value)


@styled
def rates_figure(
    groups: Sequence[str], panels: dict[str, list[Series]], reference: str, label: str
) -> str:
    """Dots with intervals: one panel per metric, one row per group, one colour per scorer."""
    n_series = len(next(iter(panels.values())))
    fig = _new(9.5, 0.32 * len(groups) * (1 + 0.25 * (n_series - 1)) + 1.5)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        width = 0.6 / max(len(series), 1)
        for k, one in enumerate(series):
            for i, value in enumerate(one.values):
                if not _finite(value):
                    continue
                est, low, high = value  # type: ignore[misc]
                y = i + (k - (len(series) - 1) / 2) * width
                err = [[max(est - low, 0.0)], [max(high - est, 0.0)]]
                ax.errorbar(est, y, xerr=err, fmt="o", ms=4, capsize=2, color=_COLOURS[k % 5])
        ax.set_title(title, fontsize=9, wrap=True)
        ax.set_xlim(0, 1)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=8)
    names = [f"{g} (reference)" if g == reference else g for g in groups]
    axes[0].set_yticks(range(len(groups)), names, fontsize=8)
    axes[0].invert_yaxis()
    handles = [
        Line2D([], [], marker="o", ls="", color=_COLOURS[k % 5], label=s.name)
        for k, s in enumerate(next(iter(panels.values())))
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
    return to_svg(fig, label)


@styled
def reliability_figure(curves: dict[str, list[dict[str, Any]]], label: str) -> str:
    """Small multiples: observed rate (with interval) against mean predicted, one panel a group."""
    names = [g for g, bins in curves.items() if bins]
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig = _new(2.4 * cols + 0.6, 2.3 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    top = max(
        max(b["observed"]["high"] or 0, b["mean_predicted"]) for g in names for b in curves[g]
    )
    top = min(1.0, 1.1 * top)
    for ax, name in zip(axes.flat, names, strict=False):
        bins = curves[name]
        xs = [b["mean_predicted"] for b in bins]
        ys = [b["observed"]["estimate"] for b in bins]
        low = [max(y - (b["observed"]["low"] or y), 0.0) for y, b in zip(ys, bins, strict=True)]
        high = [max((b["observed"]["high"] or y) - y, 0.0) for y, b in zip(ys, bins, strict=True)]
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=1)
        ax.errorbar(xs, ys, yerr=[low, high], fmt="o-", ms=3, capsize=2, color=_COLOURS[0])
        ax.set_title(name, fontsize=8)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.supxlabel("Mean predicted probability", fontsize=8)
    fig.supylabel("Observed rate", fontsize=8)
    return to_svg(fig, label)


@styled
def funnel_figure(
    officers: list[dict[str, Any]], limits: list[dict[str, float]], label: str
) -> str:
    """Funnel plot: officer's observed minus expected high-grade rate against their caseload."""
    fig = _new(6.5, 4)
    ax = fig.subplots()
    ns = [o["assessments"] for o in officers]
    gaps = [o["observed_rate"] - o["expected_rate"] for o in officers]
    colors = ["#b91c1c" if o["outside_99_8"] else _COLOURS[0] for o in officers]
    ax.scatter(ns, gaps, s=8, c=colors)
    xs = [lim["n"] for lim in limits]
    for key, style in (("z95", ":"), ("z998", "--")):
        ax.plot(xs, [lim[key] for lim in limits], style, color="grey")
        ax.plot(xs, [-lim[key] for lim in limits], style, color="grey")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Assessments by the officer", fontsize=8)
    ax.set_ylabel("Observed minus expected high-grade rate", fontsize=8)
    ax.tick_params(labelsize=8)
    return to_svg(fig, label)
