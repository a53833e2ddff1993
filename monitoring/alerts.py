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
