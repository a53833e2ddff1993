"""Geometry of the case page's inline SVG charts: the reasons waterfall and the incident timeline.

Only numbers and labels are computed here; the templates draw them (autoescaped), so no
markup is built by string concatenation.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

WIDTH: Final[int] = 760  # the timeline's width, and the waterfall's on wide screens
NARROW: Final[int] = 360  # the waterfall's width on phones (about 1:1 at 390 px)
LEFT: Final[int] = 12
VALUE_COLUMN: Final[int] = 84  # right-hand column holding each row's value, clear of the plot
LABEL_LINE: Final[int] = 17
BAR_H: Final[int] = 16
BOLD_W: Final[float] = 7.9  # a generous width of a 13px semibold character (labels wrap by it)
CHAR_W: Final[float] = 7.0  # a generous width of a 12px character


@dataclass(frozen=True)
class Step:
    """One row of a probability waterfall: a label and the probability before and after it.

    ``kind`` is ``total`` for the start and end rows (drawn as a marker at ``end``).
    """

    label: str
    start: float
    end: float
    kind: Literal["step", "total"] = "step"


@dataclass(frozen=True)
class Bar:
    """A drawn row: label lines, then a bar (or a total's marker) and its value on the right."""

    lines: tuple[str, ...]
    value_text: str
    x: float
    width: float
    y: float
    bar_y: float
    css: str  # raises, lowers or total


@dataclass(frozen=True)
class Tick:
    """An axis tick: its position and label."""

    x: float
    label: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Waterfall:
    """A drawn waterfall: rows, axis ticks and the size (probabilities shown in percent)."""

    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    axis_y: float
    plot_left: float
    plot_right: float
    value_x: float


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * magnitude:
            return mult * magnitude
    return 10 * magnitude


def step_decimals(step: float) -> int:
    """Return the decimals that print every multiple of ``step`` exactly (2.5 -> 1, 0.25 -> 2)."""
    for decimals in range(0, 7):
        if abs(round(step, decimals) - step) < step * 1e-9:
            return decimals
    return 6


def percent_ticks(lo: float, hi: float, scale: Scale, target: int) -> list[Tick]:
    """Return ticks at round percentages between ``lo`` and ``hi`` (probabilities)."""
    step = _nice_step((hi - lo) * 100, target)
    decimals = step_decimals(step)
    first = math.ceil(round(lo * 100 / step, 9)) * step
    count = math.floor(round((hi * 100 - first) / step, 9)) + 1
    values = [round(first + i * step, decimals) for i in range(max(count, 0))]
    ticks = []
    for v in values:
        x, label = scale(v / 100), f"{v:.{decimals}f}%"
        half = len(label) * CHAR_W / 2
        anchor = "start" if x - half < 2 else "end" if x + half > scale.right + 20 else "middle"
        ticks.append(Tick(x, label, anchor))
    return ticks


class Scale:
    """A linear map from a value domain onto the plot's x range."""

    def __init__(
        self, lo: float, hi: float, left: float = LEFT, right: float = WIDTH - 84, pad: float = 0.06
    ) -> None:
        span = hi - lo or 1.0
        self.lo, self.hi = lo - span * pad, hi + span * pad
        self.left, self.right = left, right

    def __call__(self, value: float) -> float:
        """Return the x position of ``value``."""
        frac = (value - self.lo) / (self.hi - self.lo)
        return round(self.left + frac * (self.right - self.left), 2)


def points(change: float) -> str:
    """Return a change in probability as signed percentage points ("+6.1 pts")."""
    pts = change * 100
    if abs(pts) < 0.05:
        return "±0.0 pts"
    return f"{pts:+.1f} pts".replace("-", "−")


def _domain(steps: Sequence[Step]) -> tuple[float, float]:
    values = [v for s in steps for v in (s.start, s.end)]
    lo, hi = min(values), max(values)
    span = max(hi - lo, 0.01)
    return max(0.0, lo - span * 0.02), min(1.0, hi + span * 0.02)


def waterfall(steps: Sequence[Step], width: int = WIDTH) -> Waterfall:
    """Lay out a probability waterfall: labels above each bar, values in their own column.

    Labels sit on their own lines above the bar row and values in a right-hand column outside
    the plot, so no text can overprint a bar, a marker or another text.
    """
    plot_right = width - VALUE_COLUMN
    lo, hi = _domain(steps)
    scale = Scale(lo, hi, LEFT + 4, plot_right - 4, pad=0.0)
    wrap = int((width - 2 * LEFT) / BOLD_W)
    bars, y = [], 8.0
    for s in steps:
        lines = tuple(textwrap.wrap(s.label, wrap, max_lines=3, placeholder="…")) or ("",)
        bar_y = y + LABEL_LINE * len(lines) + 3  # below the last line's descenders
        a, b = scale(s.start), scale(s.end)
        if s.kind == "total":
            css, x, w, value = "total", b - 4, 8.0, f"{s.end * 100:.1f}%"
        else:
            css = "raises" if s.end > s.start else "lowers"
            x, w, value = min(a, b), max(abs(b - a), 1.5), points(s.end - s.start)
        bars.append(Bar(lines, value, x, w, y, bar_y, css))
        y = bar_y + BAR_H + 10
    axis_y = y - 4
    target = max(2, int((plot_right - LEFT) / 70))
    return Waterfall(
        width=width,
        height=int(axis_y + 28),
        bars=bars,
        ticks=percent_ticks(scale.lo, scale.hi, scale, target),
        axis_y=axis_y,
        plot_left=LEFT,
        plot_right=plot_right,
        value_x=width - 4,
    )


@dataclass(frozen=True)
class Mark:
    """An incident on the timeline: position, date, severity and what happened."""

    x: float
    y: float
    when: datetime
    severity: int
    label: str
    current: bool


@dataclass(frozen=True)
class Timeline:
    """The incident timeline: marks by date (x) and severity (y), with year ticks."""

    width: int
    height: int
    marks: list[Mark]
    ticks: list[Tick]
    severity_y: list[tuple[int, float]]
    plot_left: float
    plot_right: float
    plot_bottom: float


TL_HEIGHT: Final[int] = 190
TL_LEFT: Final[int] = 44
TL_BOTTOM: Final[int] = 150


def _severity_y(severity: int) -> float:
    return float(TL_BOTTOM - (severity - 0.5) * 26)


def _ts(when: datetime) -> float:
    """Return seconds since the epoch, reading naive datetimes as UTC (as the API stores them)."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def timeline(incidents: Sequence[tuple[datetime, int, str, bool]]) -> Timeline:
    """Lay out incidents ``(when, severity 1-5, label, is_current)`` on a date axis."""
    times = [_ts(w) for w, *_ in incidents] or [0.0]
    lo, hi = min(times), max(times)
    if hi - lo < 86_400 * 60:
        lo, hi = lo - 86_400 * 30, hi + 86_400 * 30
    scale = Scale(lo, hi, TL_LEFT + 8, WIDTH - 20)
    marks = [
        Mark(scale(_ts(w)), _severity_y(sev), w, sev, label, current)
        for w, sev, label, current in sorted(incidents, key=lambda t: t[0])
    ]
    first_year = datetime.fromtimestamp(scale.lo, UTC).year + 1
    last_year = datetime.fromtimestamp(scale.hi, UTC).year
    years = list(range(first_year, last_year + 1))
    stride = max(1, math.ceil(len(years) / 8))
    starts = [(y, datetime(y, 1, 1, tzinfo=UTC).timestamp()) for y in years[::stride]]
    ticks = [Tick(scale(t), str(y)) for y, t in starts]
    return Timeline(
        width=WIDTH,
        height=TL_HEIGHT,
        marks=marks,
        ticks=ticks,
        severity_y=[(s, _severity_y(s)) for s in range(1, 6)],
        plot_left=TL_LEFT,
        plot_right=WIDTH - 12,
        plot_bottom=TL_BOTTOM,
    )
