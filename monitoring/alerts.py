"""Alert thresholds and the alert record written to the monitor's JSON and page."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

AlertKind = Literal["input_drift", "missingness", "score_drift", "decision_drift"]


@dataclass(frozen=True)
class Thresholds:
    """When a window's change from the reference raises an alert (all configurable)."""

    psi: float = 0.25  # PSI above this: a major shift by the usual convention
    rate_change: float = 0.10  # absolute change of a don't-know / not-answered rate
    share_change: float = 0.15  # absolute change of a band or grade share, or review rate
    alpha: float = 1e-4  # the change must also be significant at this level (small windows)
    min_cases: int = 50  # windows with fewer cases in a group raise no alert
    # a change must hold in this many consecutive windows: a one-window burst (one perpetrator's
    # many call-outs, one officer's shift) is not drift; every window of the run is reported
    persistence: int = 2


@dataclass(frozen=True)
class Alert:
    """One threshold crossed: what, where, when, by how much."""

    kind: AlertKind
    metric: str
    feature: str | None
    question: str | None
    group: str
    window: str
    value: float
    threshold: float
    reference: float | None = None
    p_value: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return asdict(self)


def persistent(alerts: list[Alert], windows: list[str], runs: int) -> list[Alert]:
    """Keep the alerts whose condition held in at least ``runs`` consecutive windows."""
    position = {w: i for i, w in enumerate(windows)}
    by_key: dict[tuple[object, ...], set[int]] = {}
    for a in alerts:
        by_key.setdefault(_key(a), set()).add(position[a.window])
    return [a for a in alerts if _run_length(by_key[_key(a)], position[a.window]) >= runs]


def _key(a: Alert) -> tuple[object, ...]:
    return (a.kind, a.metric, a.feature, a.question, a.group)


def _run_length(hits: set[int], i: int) -> int:
    """Return the length of the run of consecutive hit windows through window ``i``."""
    lo, hi = i, i
    while lo - 1 in hits:
        lo -= 1
    while hi + 1 in hits:
        hi += 1
    return hi - lo + 1
