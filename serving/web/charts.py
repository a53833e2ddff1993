"""Geometry of the case page's inline SVG charts: the SHAP waterfall and the incident timeline.

Only numbers and labels are computed here; the templates draw them (autoescaped), so no
markup is built by string concatenation.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

WIDTH: Final[int] = 760
ROW: Final[int] = 38
LEFT: Final[int] = 12
RIGHT: Final[int] = WIDTH - 84
TOP: Final[int] = 34
LINE: Final[int] = 16  # label line height
WRAP: Final[int] = 96  # label characters per line at 13px semibold
CHAR_W: Final[float] = 6.4  # rough width of a 12px character, to place value labels


@dataclass(frozen=True)
class Step:
    """One contribution to explain: its plain-English label, detail and size in log-odds."""

    label: str
    detail: str
    log_odds: float


@dataclass(frozen=True)
class Bar:
    """A drawn waterfall bar: from the running total before it to the one after it."""

    lines: tuple[str, ...]
    value_text: str
    log_odds: float
    x: float
    width: float
    y: float
    bar_y: float
    raises: bool
    text_x: float
    text_anchor: str


@dataclass(frozen=True)
class Tick:
    """An axis tick: its position and label."""

    x: float
    label: str


@dataclass(frozen=True)
class Waterfall:
    """A drawn waterfall: bars, the base and final markers, axis ticks and the size."""

    width: int
    height: int
    bars: list[Bar]
    base_x: float
    final_x: float
    base_value: float
    raw_score: float
    probability: float
    ticks: list[Tick]
    axis_y: float


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * magnitude:
            return mult * magnitude
    return 10 * magnitude


def _ticks(lo: float, hi: float, scale: Scale) -> list[Tick]:
    step = _nice_step(hi - lo)
    first = math.ceil(lo / step) * step
    count = math.floor((hi - first) / step) + 1
    return [Tick(scale(first + i * step), f"{first + i * step:+.2g}") for i in range(count)]


class Scale:
    """A linear map from a value domain onto the plot's x range."""

    def __init__(self, lo: float, hi: float, left: float = LEFT, right: float = RIGHT) -> None:
        span = hi - lo or 1.0
        pad = span * 0.06
        self.lo, self.hi = lo - pad, hi + pad
        self.left, self.right = left, right

    def __call__(self, value: float) -> float:
        """Return the x position of ``value``."""
        frac = (value - self.lo) / (self.hi - self.lo)
        return round(self.left + frac * (self.right - self.left), 2)


def _text_place(x: float, w: float, text: str) -> tuple[float, str]:
    """Put a bar's value text after the bar if it fits, else before it."""
    width = len(text) * CHAR_W
    if x + w + 6 + width < WIDTH - 2:
        return x + w + 6, "start"
    return max(x - 6, width + 2), "end"


def waterfall(
    steps: Sequence[Step], base_value: float, raw_score: float, probability: float
) -> Waterfall:
    """Lay out the contributions from the base value to the case's raw score (log-odds)."""
    totals = [base_value]
    for s in steps:
        totals.append(totals[-1] + s.log_odds)
    scale = Scale(min([*totals, raw_score]), max([*totals, raw_score]))
    bars, y = [], float(TOP)
    for i, s in enumerate(steps):
        a, b = scale(totals[i]), scale(totals[i + 1])
        x, w = min(a, b), max(abs(b - a), 1.5)
        lines = tuple(textwrap.wrap(s.label, WRAP, max_lines=2, placeholder="…")) or ("",)
        value = f"{s.log_odds:+.2f} {'raises' if s.log_odds > 0 else 'lowers'} · {s.detail}"
        text_x, anchor = _text_place(x, w, value)
        bar_y = y + LINE * (len(lines) - 1) + 8
        bars.append(Bar(lines, value, s.log_odds, x, w, y, bar_y, s.log_odds > 0, text_x, anchor))
        y = bar_y + ROW - 8
    axis_y = y + 6
    return Waterfall(
        width=WIDTH,
        height=int(axis_y + 30),
        bars=bars,
        base_x=scale(base_value),
        final_x=scale(raw_score),
        base_value=base_value,
        raw_score=raw_score,
        probability=probability,
        ticks=_ticks(scale.lo, scale.hi, scale),
        axis_y=axis_y,
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
